"""Every template of the library, on real episodes of several seeds (the first half of
the library here, the other in ``test_templates_more.py``; what each is held to is in
``template_checks``); and every template instantiates from the presets (or there is
nothing to make it from)."""

from __future__ import annotations

from typing import Any

import pytest

from tasklane.client.gym import GymClient
from tasklane.tasks.grading import instantiate, world_of
from tasklane.tasks.library import TEMPLATES
from tests.tasks.template_checks import Starts, half, oracle_scores_one_and_nothing_zero, world


@pytest.mark.parametrize("template_id", half(0))
def test_the_oracle_scores_one_and_nothing_scores_zero(starts: Starts, template_id: str) -> None:
    oracle_scores_one_and_nothing_zero(starts, template_id)


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


def test_the_world_sorts_once_and_hands_out_copies() -> None:
    rows = [("task_b", "a"), ("task_a", "b")]
    tasks = [
        {"id": i, "projectId": "p", "parentId": None, "sectionId": "s", "rank": r} for i, r in rows
    ]
    world = world_of({"tasks": tasks}, "2026-03-02")
    by_id = world.in_section("s")
    assert [t["id"] for t in by_id] == ["task_a", "task_b"]
    assert [t["id"] for t in world.in_board_order("s")] == ["task_b", "task_a"]
    by_id.clear()  # a caller's list is its own: what the world keeps stays as it was
    assert [t["id"] for t in world.in_section("s")] == ["task_a", "task_b"]
    assert [t["id"] for t in world.tasks("p", top=True)] == ["task_a", "task_b"]
