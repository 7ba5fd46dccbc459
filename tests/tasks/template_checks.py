"""What every template is held to, on real episodes of several seeds: its oracle,
acting through the JSON API as the instance's persona, scores 1; doing nothing scores
0; the oracle and one unrelated change (made to the state the oracle left: graders read
state alone) score below 1 where the template forbids collateral damage; and it
instantiates from at least two of the seeds.

The library is checked in two halves (``test_templates.py`` and
``test_templates_more.py``), so that two workers share it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tasklane.client import TasklaneClient
from tasklane.client.gym import GymClient
from tasklane.gym.presets import PASSWORD
from tasklane.tasks.grading import grade, instantiate, world_of
from tasklane.tasks.library import TEMPLATES
from tasklane.tasks.model import Answer, Instance, Template
from tasklane.tasks.world import World

SEEDS = (1, 2, 3)


def half(which: int) -> list[str]:
    """The template ids of one half of the library (0 or 1): every other id in sorted
    order, so that both halves grow alike."""
    return sorted(TEMPLATES)[which::2]


def world(episode: GymClient) -> World:
    return world_of(json.loads(episode.state_bytes()), episode.clock()["today"])


class Starts:
    """The gym, and the world every episode of a seed and preset starts from, read from
    the first episode made of it: the later ones start byte for byte the same
    (docs/gym.md; ``tests/gym/test_isolation.py`` holds them to it), and one that did
    not would fail, but in the rows its task changes, the check that nothing else
    changed."""

    def __init__(self, gym: GymClient) -> None:
        self.gym = gym
        self._worlds: dict[tuple[int, str], World] = {}

    def of(self, episode: GymClient, seed: int, preset: str) -> World:
        if (seed, preset) not in self._worlds:
            self._worlds[seed, preset] = world(episode)
        return self._worlds[seed, preset]


def play(
    starts: Starts, template: Template, seed: int, preset: str = "small"
) -> Iterator[tuple[Instance, World, GymClient, str]]:
    """An episode of ``seed``, the template's instance on it and the world at the start;
    nothing if the template has nothing to make an instance from there."""
    gym = starts.gym
    created = gym.create_episode(seed=seed, preset=preset)
    try:
        with gym.episode(created) as episode:
            before = starts.of(episode, seed, preset)
            instance = instantiate(template, before, seed, preset)
            if instance is not None:
                yield instance, before, episode, created.urls.base
    finally:
        gym.delete_episode(created.id)


def solved(template: Template, instance: Instance, base: str) -> Answer:
    with TasklaneClient(base) as api:
        api.login(email=instance.persona, password=PASSWORD)
        return template.solve(api, instance.params)


def unrelated_change(before: World, after: World, instance: Instance) -> World:
    """``after`` with one more change: a task the instance does not name, in a project
    its persona may edit, renamed. Graders read state alone, so the change is made to
    the state, as the API would have made it."""
    named = json.dumps(instance.params)
    persona = next(u for u in before.users if u["email"] == instance.persona)
    for project in before.projects_of(persona["id"]):
        for task in before.tasks(project["id"], top=True):
            if task["id"] not in named and task["name"] not in named:
                touched = {**task, "name": task["name"] + " (touched)"}
                tasks = [touched if t["id"] == task["id"] else t for t in after.rows("tasks")]
                return World({**after.state, "tasks": tasks}, after.today)
    pytest.fail(f"no task to touch for {instance.persona}")


def oracle_scores_one_and_nothing_zero(starts: Starts, template_id: str) -> None:
    template = TEMPLATES[template_id]
    made = 0
    for seed in SEEDS:
        for instance, before, episode, base in play(starts, template, seed):
            made += 1
            nothing = grade(template, instance, before, before, None)
            assert nothing.reward == 0.0, (seed, nothing)
            answer = solved(template, instance, base)
            after = world_of(json.loads(episode.state_bytes()), before.today)  # the same day
            graded = grade(template, instance, before, after, answer)
            assert graded.reward == 1.0, (seed, instance.intent, graded)
            if template.collateral:
                damaged_world = unrelated_change(before, after, instance)
                damaged = grade(template, instance, before, damaged_world, answer)
                assert damaged.reward < 1.0, (seed, damaged)
                assert "nothing_else_changed" in damaged.failed
    assert made >= 2, f"{template_id} instantiated from {made} of {len(SEEDS)} seeds"
