"""Sections that stand for a status: moving a task into one sets its status, changing
the status of a task in one moves it to the section that stands for the new status,
and each is one event (services/section_status.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.calls import (
    Json,
    add_member,
    events_after,
    get_task,
    head_seq,
    new_project,
    new_subtask,
    new_task,
    ok,
)
from tests.conftest import Person

STATUSES = ["todo", "in_progress", "done"]


def sections(person: Person, project_id: str) -> list[Json]:
    response = person.http.get(f"/api/projects/{project_id}/sections")
    assert response.status_code == 200, response.text
    listed: list[Json] = response.json()
    return listed


def board(person: Person) -> tuple[str, dict[str, str]]:
    """A new project with the default sections, and their ids by name."""
    project = new_project(person)
    return project["id"], {s["name"]: s["id"] for s in sections(person, project["id"])}


def move(person: Person, task_id: str, **body: Any) -> Json:
    return ok(person.http.post(f"/api/tasks/{task_id}/move", json=body))


def patch(person: Person, task_id: str, **body: Any) -> Json:
    return ok(person.http.patch(f"/api/tasks/{task_id}", json=body))


def the_one_event(person: Person, project_id: str, after: int) -> Json:
    events = events_after(person, project_id, after)
    assert [e["type"] for e in events] == ["task_status_changed"]
    return events[0]


def test_a_new_projects_default_sections_stand_for_the_statuses(signup: Any) -> None:
    ana = signup("ana")
    project_id, _ = board(ana)
    listed = sections(ana, project_id)
    assert [(s["name"], s["status"]) for s in listed] == [
        ("To do", "todo"),
        ("In progress", "in_progress"),
        ("Done", "done"),
    ]
    created = events_after(ana, project_id, 0)[0]
    assert [s["status"] for s in created["data"]["sections"]] == STATUSES
    named = ok(ana.http.post("/api/projects", json={"name": "Free", "sections": ["A", "B"]}), 201)
    assert [s["status"] for s in sections(ana, named["id"])] == [None, None]


def test_a_section_is_given_a_status_and_freed_again_each_as_one_event(signup: Any) -> None:
    ana = signup("ana")
    project_id, _ = board(ana)
    url = f"/api/projects/{project_id}/sections"
    review = ok(ana.http.post(url, json={"name": "Review", "status": "in_progress"}), 201)
    assert review["status"] == "in_progress"
    after = head_seq(ana, project_id)

    freed = ok(ana.http.patch(f"/api/sections/{review['id']}", json={"status": None}))
    unchanged = ok(ana.http.patch(f"/api/sections/{review['id']}", json={"name": "Review"}))
    linked = ok(ana.http.patch(f"/api/sections/{review['id']}", json={"status": "done"}))

    assert (freed["status"], unchanged["status"], linked["status"]) == (None, None, "done")
    events = events_after(ana, project_id, after)
    assert [(e["type"], e["data"]["changes"], e["data"]["section"]["status"]) for e in events] == [
        ("section_updated", ["status"], None),
        ("section_updated", ["status"], "done"),
    ]
    bad = ana.http.patch(f"/api/sections/{review['id']}", json={"status": "later"})
    assert bad.status_code == 422


def test_moving_a_task_into_done_completes_it_in_one_event(signup: Any) -> None:
    ana, bo = signup("ana"), signup("bo")
    project_id, ids = board(ana)
    add_member(ana, project_id, bo)
    task = new_task(ana, project_id, "Ship it")
    after = head_seq(ana, project_id)

    moved = move(bo, task["id"], sectionId=ids["Done"])

    assert (moved["sectionId"], moved["status"], moved["completed"]) == (ids["Done"], "done", True)
    assert moved["completedBy"] == bo.id
    assert moved["completedAt"] is not None
    event = the_one_event(ana, project_id, after)
    assert event["data"]["previousStatus"] == "todo"
    assert event["data"]["newStatus"] == "done"
    assert event["data"]["changes"] == ["sectionId", "rank", "status"]
    assert event["data"]["task"] == moved == get_task(ana, task["id"])

    back = move(bo, task["id"], sectionId=ids["In progress"])
    assert (back["status"], back["completedAt"], back["completedBy"]) == ("in_progress", None, None)


@pytest.mark.parametrize(
    ("start", "status", "lands"),
    [("To do", "done", "Done"), ("Done", "todo", "To do"), ("To do", "in_progress", "In progress")],
)
def test_changing_the_status_moves_the_task_to_the_end_of_that_sections_column(
    signup: Any, start: str, status: str, lands: str
) -> None:
    ana = signup("ana")
    project_id, ids = board(ana)
    already = new_task(ana, project_id, "Already there", sectionId=ids[lands])
    task = new_task(ana, project_id, "Mover", sectionId=ids[start], notes="kept")
    after = head_seq(ana, project_id)

    changed = patch(ana, task["id"], status=status)

    assert (changed["sectionId"], changed["status"]) == (ids[lands], status)
    assert changed["rank"] > already["rank"]
    assert changed["completed"] == (status == "done")
    event = the_one_event(ana, project_id, after)
    assert event["data"]["changes"] == ["status", "sectionId", "rank"]
    assert event["data"]["task"] == changed == get_task(ana, task["id"])
    kept = {"name", "notes", "assigneeId", "dueOn", "createdAt", "createdBy", "subtaskCount"}
    assert {k: changed[k] for k in kept} == {k: task[k] for k in kept}


def test_a_task_in_a_free_section_keeps_its_place_when_its_status_changes(signup: Any) -> None:
    ana = signup("ana")
    project_id, _ = board(ana)
    url = f"/api/projects/{project_id}/sections"
    ideas = ok(ana.http.post(url, json={"name": "Ideas", "position": 0}), 201)
    task = new_task(ana, project_id, "Maybe")
    assert task["sectionId"] == ideas["id"]  # the first section, free: todo by default

    changed = patch(ana, task["id"], status="done")

    assert (changed["sectionId"], changed["rank"], changed["status"]) == (
        ideas["id"],
        task["rank"],
        "done",
    )
    into = move(ana, task["id"], sectionId=ideas["id"], position=0)
    assert into["status"] == "done"


def test_with_no_section_for_the_new_status_the_task_stays(signup: Any) -> None:
    ana = signup("ana")
    project_id, ids = board(ana)
    ok(ana.http.patch(f"/api/sections/{ids['Done']}", json={"status": None}))
    task = new_task(ana, project_id, "Stays")
    changed = patch(ana, task["id"], status="done")
    assert (changed["sectionId"], changed["status"]) == (ids["To do"], "done")


def test_the_first_section_by_rank_that_stands_for_the_status_takes_the_task(
    signup: Any,
) -> None:
    ana = signup("ana")
    project_id, ids = board(ana)
    url = f"/api/projects/{project_id}/sections"
    shipped = ok(ana.http.post(url, json={"name": "Shipped", "status": "done"}), 201)
    task = new_task(ana, project_id, "Where to")
    assert patch(ana, task["id"], status="done")["sectionId"] == ids["Done"]
    ok(ana.http.patch(f"/api/sections/{shipped['id']}", json={"position": 0}))
    assert patch(ana, task["id"], status="todo")["sectionId"] == ids["To do"]
    assert patch(ana, task["id"], status="done")["sectionId"] == shipped["id"]


def test_a_task_created_in_a_section_takes_its_status_and_a_status_finds_its_section(
    signup: Any,
) -> None:
    ana = signup("ana")
    project_id, ids = board(ana)
    into_done = new_task(ana, project_id, "Into done", sectionId=ids["Done"])
    assert (into_done["status"], into_done["completedBy"]) == ("done", ana.id)
    asked = new_task(ana, project_id, "Asked for", status="in_progress")
    assert (asked["sectionId"], asked["status"]) == (ids["In progress"], "in_progress")
    plain = new_task(ana, project_id, "Plain")
    assert (plain["sectionId"], plain["status"]) == (ids["To do"], "todo")
    # The section named wins over a status that disagrees with it.
    both = new_task(ana, project_id, "Both", sectionId=ids["To do"], status="done")
    assert (both["sectionId"], both["status"], both["completedAt"]) == (ids["To do"], "todo", None)


def test_subtasks_have_no_section_and_change_status_alone(signup: Any) -> None:
    ana = signup("ana")
    project_id, ids = board(ana)
    parent = new_task(ana, project_id, "Parent")
    sub = new_subtask(ana, parent["id"], "Child")
    after = head_seq(ana, project_id)
    done = patch(ana, sub["id"], status="done")
    assert (done["sectionId"], done["status"]) == (None, "done")
    assert the_one_event(ana, project_id, after)["data"]["changes"] == ["status"]
    assert get_task(ana, parent["id"])["sectionId"] == ids["To do"]


def test_moving_into_a_section_of_another_project_takes_its_status(signup: Any) -> None:
    ana = signup("ana")
    source, _ = board(ana)
    target, ids = board(ana)
    task = new_task(ana, source, "Travels", status="in_progress")
    sub = new_subtask(ana, task["id"], "Comes along")
    after = head_seq(ana, target)

    moved = move(ana, task["id"], projectId=target, sectionId=ids["Done"])

    assert (moved["projectId"], moved["sectionId"]) == (target, ids["Done"])
    assert moved["status"] == "done"
    assert moved["completedBy"] == ana.id
    arrived = events_after(ana, target, after)
    assert [e["type"] for e in arrived] == ["task_created", "task_created"]
    assert arrived[0]["data"]["task"]["status"] == "done"
    assert get_task(ana, sub["id"])["status"] == "todo"  # subtasks keep theirs
