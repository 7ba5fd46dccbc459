"""Every template of the library, on real episodes of several seeds: its oracle, acting
through the JSON API as the instance's persona, scores 1; doing nothing scores 0; the
oracle and one unrelated change score below 1 where the template forbids collateral
damage; and it instantiates from the presets (or there is nothing to make it from)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tasklane.client import TasklaneClient
from tasklane.client.gym import GymClient
from tasklane.gym.presets import PASSWORD
from tasklane.tasks.grading import grade, instantiate, world_of
from tasklane.tasks.library import TEMPLATES
from tasklane.tasks.model import Answer, Instance, Template
from tasklane.tasks.world import World
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, live_stack

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    folder = tmp_path_factory.mktemp("tasks")
    with throwaway_database("sqlite", folder) as url:
        settings = gym_settings(url, folder).model_copy(update={"gym_max_episodes": 200})
        with live_stack(settings) as running:
            yield running


@pytest.fixture(scope="module")
def gym(host: LiveStack) -> Iterator[GymClient]:
    with GymClient(host.api_url, admin_token=ADMIN) as client:
        yield client


def world(episode: GymClient) -> World:
    return world_of(json.loads(episode.state_bytes()), episode.clock()["today"])


def play(
    gym: GymClient, template: Template, seed: int, preset: str = "small"
) -> Iterator[tuple[Instance, World, GymClient, str]]:
    """An episode of ``seed``, the template's instance on it and the world at the start;
    None if the template has nothing to make an instance from there."""
    created = gym.create_episode(seed=seed, preset=preset)
    try:
        with gym.episode(created) as episode:
            before = world(episode)
            instance = instantiate(template, before, seed, preset)
            if instance is not None:
                yield instance, before, episode, created.urls.base
    finally:
        gym.delete_episode(created.id)


def solved(template: Template, instance: Instance, base: str) -> Answer:
    with TasklaneClient(base) as api:
        api.login(email=instance.persona, password=PASSWORD)
        return template.solve(api, instance.params)


def unrelated_change(before: World, instance: Instance, base: str) -> None:
    """Rename a task the instance does not name, in a project its persona may edit."""
    named = json.dumps(instance.params)
    persona = next(u for u in before.users if u["email"] == instance.persona)
    for project in before.projects_of(persona["id"]):
        for task in before.tasks(project["id"], top=True):
            if task["id"] not in named and task["name"] not in named:
                with TasklaneClient(base) as api:
                    api.login(email=instance.persona, password=PASSWORD)
                    api.update_task(task["id"], name=task["name"] + " (touched)")
                return
    pytest.fail(f"no task to touch for {instance.persona}")


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_the_oracle_scores_one_and_nothing_scores_zero(gym: GymClient, template_id: str) -> None:
    template = TEMPLATES[template_id]
    made = 0
    for seed in SEEDS:
        for instance, before, episode, base in play(gym, template, seed):
            made += 1
            nothing = grade(template, instance, before, before, None)
            assert nothing.reward == 0.0, (seed, nothing)
            answer = solved(template, instance, base)
            after = world(episode)
            graded = grade(template, instance, before, after, answer)
            assert graded.reward == 1.0, (seed, instance.intent, graded)
            if template.collateral:
                unrelated_change(before, instance, base)
                damaged = grade(template, instance, before, world(episode), answer)
                assert damaged.reward < 1.0, (seed, damaged)
                assert "nothing_else_changed" in damaged.failed
    assert made >= 2, f"{template_id} instantiated from {made} of {len(SEEDS)} seeds"


@pytest.mark.parametrize("preset", ["small", "medium"])
def test_every_template_instantiates_from_the_preset(gym: GymClient, preset: str) -> None:
    created = gym.create_episode(seed=7, preset=preset)
    try:
        with gym.episode(created) as episode:
            start = world(episode)
        missing = [
            t.id
            for t in TEMPLATES.values()
            if not any(instantiate(t, start, seed, preset) for seed in range(5))
        ]
        assert missing == []
    finally:
        gym.delete_episode(created.id)


def test_instances_are_stable_and_splits_fixed() -> None:
    template = TEMPLATES["task.rename"]
    state: dict[str, Any] = {"users": [], "projects": [], "members": [], "tasks": []}
    assert instantiate(template, world_of(state, "2026-03-02"), 1, "small") is None
    splits = {template.split(seed) for seed in range(200)}
    assert splits == {"train", "test"}
    assert [template.split(s) for s in range(20)] == [template.split(s) for s in range(20)]
