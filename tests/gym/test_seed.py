"""The seeded workspace: the same seed gives the same rows; and they look like a real
organisation's work, consistent with themselves."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from argon2 import PasswordHasher, extract_parameters

from tasklane.gym.presets import ANCHOR, PASSWORD, PRESETS
from tasklane.gym.seed import Rows, generate

SMALL, MEDIUM = PRESETS["small"], PRESETS["medium"]


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows() -> None:
    first, again, other = generate(7, SMALL), generate(7, SMALL), generate(8, SMALL)
    assert first == again
    assert [t["id"] for t in first["tasks"]] != [t["id"] for t in other["tasks"]]
    assert [t["name"] for t in first["tasks"]] != [t["name"] for t in other["tasks"]]


@pytest.fixture(scope="module")
def medium() -> Rows:
    return generate(3, MEDIUM)


def test_sizes_follow_the_preset(medium: Rows) -> None:
    assert 2_000 <= len(medium["tasks"]) <= 8_000  # a few thousand
    assert len(medium["projects"]) == MEDIUM.teams * MEDIUM.projects_per_team
    assert len(medium["users"]) == MEDIUM.people
    assert len(medium["comments"]) > 1_000
    large = generate(1, PRESETS["large"])
    assert len(large["tasks"]) >= 20_000  # tens of thousands


def test_every_reference_points_at_a_row_that_exists(
    medium: Rows,
) -> None:
    users = {u["id"] for u in medium["users"]}
    projects = {p["id"] for p in medium["projects"]}
    sections = {s["id"]: s["project_id"] for s in medium["sections"]}
    tasks = {t["id"]: t for t in medium["tasks"]}
    seen: set[str] = set()
    for task in medium["tasks"]:  # parents come before their subtasks
        assert task["project_id"] in projects
        assert task["created_by"] in users
        assert task["assignee_id"] is None or task["assignee_id"] in users
        if task["parent_id"] is None:
            assert sections[task["section_id"]] == task["project_id"]
        else:
            assert task["section_id"] is None
            assert task["parent_id"] in seen
            assert tasks[task["parent_id"]]["project_id"] == task["project_id"]
        seen.add(task["id"])
    for comment in medium["comments"]:
        assert tasks[comment["task_id"]]["project_id"] == comment["project_id"]
        assert comment["author_id"] in users
    emails = [u["email"] for u in medium["users"]]
    assert len(set(emails)) == len(emails)


def test_roles_statuses_and_dates_are_consistent(
    medium: Rows,
) -> None:
    members = medium["project_members"]
    assert set(Counter(m["role"] for m in members)) == {"owner", "editor", "commenter", "viewer"}
    owners = Counter(m["project_id"] for m in members if m["role"] == "owner")
    assert set(owners.values()) == {1}
    assert len(owners) == len(medium["projects"])
    role = {(m["project_id"], m["user_id"]): m["role"] for m in members}
    for task in medium["tasks"]:
        assert task["created_at"] <= task["modified_at"] <= ANCHOR
        assert (task["status"] == "done") == (task["completed_at"] is not None)
        if task["assignee_id"] is not None and task["parent_id"] is None:
            assert role[(task["project_id"], task["assignee_id"])] in ("owner", "editor")
        if task["status"] == "done" and task["due_on"] is not None:
            assert task["due_on"] < ANCHOR.date()
    open_due = [t["due_on"] for t in medium["tasks"] if t["status"] != "done" and t["due_on"]]
    assert any(d < ANCHOR.date() for d in open_due)
    assert any(d > ANCHOR.date() + timedelta(days=7) for d in open_due)
    tasks = {t["id"]: t for t in medium["tasks"]}
    for comment in medium["comments"]:
        assert tasks[comment["task_id"]]["created_at"] <= comment["created_at"] <= ANCHOR


def test_a_few_people_hold_most_of_the_work(medium: Rows) -> None:
    load = Counter(t["assignee_id"] for t in medium["tasks"] if t["assignee_id"])
    busiest = sorted(load.values(), reverse=True)
    fifth = max(1, len(busiest) // 5)
    assert sum(busiest[:fifth]) > 0.4 * sum(busiest)
    assert sum(1 for t in medium["tasks"] if t["parent_id"]) > 300  # subtasks


def test_every_seeded_person_signs_in_with_the_documented_password() -> None:
    rows = generate(5, SMALL)
    assert PasswordHasher().verify(rows["users"][0]["password_hash"], PASSWORD)
    cost = extract_parameters(rows["users"][0]["password_hash"])
    assert (cost.time_cost, cost.memory_cost) == (1, 1_024)  # a sign-in costs next to nothing
