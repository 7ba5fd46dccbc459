"""The polling view of the event log, ``GET /api/projects/{id}/events``: paging by
``seq``, the envelope, and the payload each mutation leaves in the log.

Over 400 lines: the payload of every durable type is checked here, one test each, so
that the whole of docs/protocol.md's table is proved in one place."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tasklane.protocol.events import DURABLE_TYPES
from tests.conftest import Person

Signup = Callable[[str], Person]
Json = dict[str, Any]

ENVELOPE_KEYS = ["type", "projectId", "userId", "seq", "data", "timestamp"]
UTC_MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def new_project(person: Person, **body: Any) -> Json:
    response = person.http.post("/api/projects", json={"name": "Launch", **body})
    assert response.status_code == 201, response.text
    project: Json = response.json()
    return project


# Sections named by the caller stand for no status: moves and status changes stay apart
# (tests/api/test_section_status.py has the linked ones).
FREE = ["To do", "In progress", "Done"]


def ok(response: httpx.Response) -> Json:
    assert response.status_code in (200, 201), response.text
    body: Json = response.json()
    return body


def sections(person: Person, project_id: str) -> list[Json]:
    response = person.http.get(f"/api/projects/{project_id}/sections")
    assert response.status_code == 200, response.text
    found: list[Json] = response.json()
    return found


def page(person: Person, project_id: str, **params: Any) -> Json:
    return ok(person.http.get(f"/api/projects/{project_id}/events", params=params))


def events_after(person: Person, project_id: str, after: int) -> list[Json]:
    found: list[Json] = page(person, project_id, after=after)["events"]
    return found


def head_seq(person: Person, project_id: str) -> int:
    seq: int = ok(person.http.get(f"/api/projects/{project_id}"))["seq"]
    return seq


def only_event_after(person: Person, project_id: str, after: int) -> Json:
    """The single event appended since ``after``: one mutation, one event."""
    [event] = events_after(person, project_id, after)
    assert event["seq"] == after + 1
    return event


def project_with_events(person: Person, count: int) -> str:
    """A project whose log holds ``count`` events (project_created, then tasks)."""
    project = new_project(person)
    for i in range(count - 1):
        ok(person.http.post(f"/api/projects/{project['id']}/tasks", json={"name": f"T{i}"}))
    project_id: str = project["id"]
    return project_id


# -- paging --------------------------------------------------------------------------


def test_a_new_projects_log_starts_with_project_created(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana, sections=["Now", "Later"])

    body = page(ana, project["id"])

    assert list(body) == ["projectId", "headSeq", "hasMore", "ended", "events"]
    assert (body["projectId"], body["headSeq"], body["hasMore"]) == (project["id"], 1, False)
    [event] = body["events"]
    assert (event["type"], event["seq"], event["userId"]) == ("project_created", 1, ana.id)
    assert event["data"] == {
        "projectId": project["id"],
        "project": {k: v for k, v in project.items() if k not in ("role", "seq")},
        "sections": sections(ana, project["id"]),
    }


def test_events_come_in_seq_order_starting_right_after_the_cursor(signup: Signup) -> None:
    ana = signup("ana")
    project_id = project_with_events(ana, 7)

    assert [e["seq"] for e in events_after(ana, project_id, 0)] == [1, 2, 3, 4, 5, 6, 7]
    assert [e["seq"] for e in events_after(ana, project_id, 3)] == [4, 5, 6, 7]
    assert [e["seq"] for e in events_after(ana, project_id, 6)] == [7]
    assert events_after(ana, project_id, 7) == []


def test_limit_pages_through_the_log_with_has_more_until_the_end(signup: Signup) -> None:
    ana = signup("ana")
    project_id = project_with_events(ana, 7)

    pages: list[tuple[list[int], bool, int]] = []
    after = 0
    while True:
        body = page(ana, project_id, after=after, limit=3)
        seqs = [e["seq"] for e in body["events"]]
        pages.append((seqs, body["hasMore"], body["headSeq"]))
        if not body["hasMore"]:
            break
        after = seqs[-1]

    assert pages == [([1, 2, 3], True, 7), ([4, 5, 6], True, 7), ([7], False, 7)]


def test_a_page_ending_exactly_at_the_head_has_no_more(signup: Signup) -> None:
    ana = signup("ana")
    project_id = project_with_events(ana, 4)
    body = page(ana, project_id, after=2, limit=2)
    assert ([e["seq"] for e in body["events"]], body["hasMore"]) == ([3, 4], False)


def test_a_poll_at_the_head_is_empty_and_reports_the_head(signup: Signup) -> None:
    ana = signup("ana")
    project_id = project_with_events(ana, 3)
    body = page(ana, project_id, after=3)
    assert (body["events"], body["hasMore"], body["headSeq"]) == ([], False, 3)


def test_head_seq_is_the_last_seq_and_the_projects_seq(signup: Signup) -> None:
    ana = signup("ana")
    project_id = project_with_events(ana, 5)
    body = page(ana, project_id)
    assert body["headSeq"] == body["events"][-1]["seq"] == head_seq(ana, project_id) == 5


def test_a_cursor_past_the_head_gets_no_events_and_the_true_head(signup: Signup) -> None:
    """A client holding a cursor from before a reset must learn that the log is behind it."""
    ana = signup("ana")
    project_id = project_with_events(ana, 3)
    body = page(ana, project_id, after=50)
    assert (body["events"], body["hasMore"], body["headSeq"]) == ([], False, 3)


def test_polling_picks_up_new_events_from_where_it_left_off(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project_id = project_with_events(ana, 2)
    ok(ana.http.post(f"/api/projects/{project_id}/members", json={"userId": bo.id}))
    cursor = page(bo, project_id)["headSeq"]

    ok(ana.http.post(f"/api/projects/{project_id}/tasks", json={"name": "Fresh"}))

    [event] = events_after(bo, project_id, cursor)
    assert (event["type"], event["seq"], event["data"]["task"]["name"]) == (
        "task_created",
        cursor + 1,
        "Fresh",
    )


# -- the envelope --------------------------------------------------------------------


def test_each_envelope_has_exactly_the_documented_keys(signup: Signup) -> None:
    ana = signup("ana")
    project_id = project_with_events(ana, 3)
    for event in events_after(ana, project_id, 0):
        assert list(event) == ENVELOPE_KEYS
        assert event["projectId"] == project_id
        assert event["data"]["projectId"] == project_id


def test_timestamps_are_utc_iso_8601_with_milliseconds_and_z(signup: Signup) -> None:
    ana = signup("ana")
    before = datetime.now(UTC) - timedelta(seconds=1)
    project_id = project_with_events(ana, 3)
    after = datetime.now(UTC) + timedelta(seconds=1)

    stamps = [e["timestamp"] for e in events_after(ana, project_id, 0)]

    for stamp in stamps:
        assert UTC_MILLIS.match(stamp), stamp
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        assert before <= moment <= after
    assert stamps == sorted(stamps)


def test_user_id_is_whoever_made_the_change(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    ok(ana.http.post(f"/api/projects/{project['id']}/members", json={"userId": bo.id}))
    ok(bo.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Bo's"}))
    assert [e["userId"] for e in events_after(ana, project["id"], 0)] == [ana.id, ana.id, bo.id]


def test_every_logged_payload_matches_its_event_model(signup: Signup) -> None:
    """Whatever a mix of mutations leaves in the log, each ``data`` is exactly what
    src/tasklane/events.py declares for its type."""
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    pid = project["id"]
    ok(ana.http.post(f"/api/projects/{pid}/members", json={"userId": bo.id}))
    task = ok(ana.http.post(f"/api/projects/{pid}/tasks", json={"name": "A"}))
    ok(ana.http.patch(f"/api/tasks/{task['id']}", json={"status": "done", "name": "B"}))
    note = ok(ana.http.post(f"/api/tasks/{task['id']}/comments", json={"text": "x"}))
    ok(ana.http.patch(f"/api/comments/{note['id']}", json={"text": "y"}))
    section = ok(ana.http.post(f"/api/projects/{pid}/sections", json={"name": "S"}))
    ok(ana.http.post(f"/api/tasks/{task['id']}/move", json={"sectionId": section["id"]}))
    ok(ana.http.patch(f"/api/projects/{pid}", json={"color": "#000000"}))
    ok(ana.http.patch(f"/api/projects/{pid}/members/{bo.id}", json={"role": "viewer"}))
    assert ana.http.delete(f"/api/comments/{note['id']}").status_code == 204
    assert ana.http.delete(f"/api/tasks/{task['id']}").status_code == 204
    assert ana.http.delete(f"/api/sections/{section['id']}").status_code == 204
    assert ana.http.delete(f"/api/projects/{pid}/members/{bo.id}").status_code == 204

    log = events_after(ana, pid, 0)

    assert [e["seq"] for e in log] == list(range(1, 15))
    assert [e["type"] for e in log] == [
        "project_created",
        "member_added",
        "task_created",
        "task_status_changed",
        "comment_created",
        "comment_updated",
        "section_created",
        "task_updated",
        "project_updated",
        "member_updated",
        "comment_deleted",
        "task_deleted",
        "section_deleted",
        "member_removed",
    ]
    for event in log:
        model = DURABLE_TYPES[event["type"]]
        assert model.model_validate(event["data"]).wire() == event["data"]


# -- payloads, type by type ----------------------------------------------------------


def test_task_created_carries_the_full_task(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = ok(
        ana.http.post(
            f"/api/projects/{project['id']}/tasks",
            json={"name": "Plan", "notes": "n", "dueOn": "2026-06-01", "assigneeId": ana.id},
        )
    )
    event = only_event_after(ana, project["id"], 1)
    assert event["type"] == "task_created"
    assert event["data"] == {
        "projectId": project["id"],
        "taskId": task["id"],
        "task": task,
        "reranked": None,
    }


def test_task_updated_carries_the_full_task_and_the_changed_fields(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = ok(ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Plan"}))
    seq = head_seq(ana, project["id"])

    updated = ok(
        ana.http.patch(f"/api/tasks/{task['id']}", json={"notes": "more", "dueOn": "2026-07-01"})
    )

    event = only_event_after(ana, project["id"], seq)
    assert event["type"] == "task_updated"
    assert event["data"] == {
        "projectId": project["id"],
        "taskId": task["id"],
        "task": updated,
        "changes": ["dueOn", "notes"],
        "reranked": None,
    }


def test_task_status_changed_carries_the_full_task_and_both_statuses(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana, sections=FREE)
    task = ok(ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Plan"}))
    seq = head_seq(ana, project["id"])

    done = ok(ana.http.patch(f"/api/tasks/{task['id']}", json={"status": "done"}))
    reopened = ok(ana.http.patch(f"/api/tasks/{task['id']}", json={"status": "in_progress"}))

    first, second = events_after(ana, project["id"], seq)
    assert first["type"] == second["type"] == "task_status_changed"
    assert first["data"] == {
        "projectId": project["id"],
        "taskId": task["id"],
        "task": done,
        "previousStatus": "todo",
        "newStatus": "done",
        "changes": ["status"],
        "reranked": None,
    }
    assert first["data"]["task"]["completedBy"] == ana.id
    assert (second["data"]["previousStatus"], second["data"]["newStatus"]) == (
        "done",
        "in_progress",
    )
    assert second["data"]["task"] == reopened


def test_a_status_change_with_other_fields_is_one_task_status_changed_event(
    signup: Signup,
) -> None:
    ana = signup("ana")
    project = new_project(ana, sections=FREE)
    task = ok(ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Plan"}))
    seq = head_seq(ana, project["id"])

    ok(ana.http.patch(f"/api/tasks/{task['id']}", json={"name": "Done plan", "status": "done"}))

    event = only_event_after(ana, project["id"], seq)
    assert event["type"] == "task_status_changed"
    assert event["data"]["changes"] == ["name", "status"]
    assert event["data"]["task"]["name"] == "Done plan"


def test_a_move_is_a_task_updated_event(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana, sections=FREE)
    task = ok(ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Plan"}))
    ok(ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Other"}))
    second = sections(ana, project["id"])[1]["id"]
    seq = head_seq(ana, project["id"])

    within = ok(ana.http.post(f"/api/tasks/{task['id']}/move", json={"position": 1}))
    across = ok(ana.http.post(f"/api/tasks/{task['id']}/move", json={"sectionId": second}))

    first, then = events_after(ana, project["id"], seq)
    assert (first["type"], first["data"]["changes"], first["data"]["task"]) == (
        "task_updated",
        ["rank"],
        within,
    )
    assert (then["type"], then["data"]["changes"], then["data"]["task"]) == (
        "task_updated",
        ["sectionId", "rank"],
        across,
    )


def test_task_deleted_names_the_subtasks_that_went_with_it(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    parent = ok(ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "P"}))
    child = ok(ana.http.post(f"/api/tasks/{parent['id']}/subtasks", json={"name": "C"}))
    grandchild = ok(ana.http.post(f"/api/tasks/{child['id']}/subtasks", json={"name": "G"}))
    seq = head_seq(ana, project["id"])

    assert ana.http.delete(f"/api/tasks/{parent['id']}").status_code == 204

    event = only_event_after(ana, project["id"], seq)
    assert event["type"] == "task_deleted"
    assert event["data"] == {
        "projectId": project["id"],
        "taskId": parent["id"],
        "parentId": None,
        "deletedSubtaskIds": [child["id"], grandchild["id"]],
    }


def test_subtask_events_name_the_parent(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    parent = ok(ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "P"}))
    seq = head_seq(ana, project["id"])

    child = ok(ana.http.post(f"/api/tasks/{parent['id']}/subtasks", json={"name": "C"}))
    assert ana.http.delete(f"/api/tasks/{child['id']}").status_code == 204

    created, deleted = events_after(ana, project["id"], seq)
    assert (created["type"], created["data"]["task"]) == ("task_created", child)
    assert created["data"]["task"]["parentId"] == parent["id"]
    assert deleted["data"] == {
        "projectId": project["id"],
        "taskId": child["id"],
        "parentId": parent["id"],
        "deletedSubtaskIds": [],
    }


def test_comment_events_carry_the_comment(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = ok(ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Plan"}))
    seq = head_seq(ana, project["id"])

    created = ok(ana.http.post(f"/api/tasks/{task['id']}/comments", json={"text": "hi"}))
    edited = ok(ana.http.patch(f"/api/comments/{created['id']}", json={"text": "hello"}))
    assert ana.http.delete(f"/api/comments/{created['id']}").status_code == 204

    ids = {"projectId": project["id"], "commentId": created["id"], "taskId": task["id"]}
    assert [(e["type"], e["data"]) for e in events_after(ana, project["id"], seq)] == [
        ("comment_created", {**ids, "comment": created}),
        ("comment_updated", {**ids, "comment": edited}),
        ("comment_deleted", ids),
    ]


def test_project_updated_carries_the_project_and_the_changed_fields(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)

    updated = ok(
        ana.http.patch(f"/api/projects/{project['id']}", json={"name": "Q3", "archived": True})
    )

    event = only_event_after(ana, project["id"], 1)
    assert event["type"] == "project_updated"
    assert event["data"] == {
        "projectId": project["id"],
        "project": {k: v for k, v in updated.items() if k not in ("role", "seq")},
        "changes": ["archived", "name"],
    }


def test_section_events_carry_the_section(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)

    created = ok(ana.http.post(f"/api/projects/{project['id']}/sections", json={"name": "S"}))
    renamed = ok(ana.http.patch(f"/api/sections/{created['id']}", json={"name": "T"}))
    moved = ok(ana.http.patch(f"/api/sections/{created['id']}", json={"position": 0}))
    assert ana.http.delete(f"/api/sections/{created['id']}").status_code == 204

    ids = {"projectId": project["id"], "sectionId": created["id"]}
    assert [(e["type"], e["data"]) for e in events_after(ana, project["id"], 1)] == [
        ("section_created", {**ids, "section": created, "reranked": None}),
        ("section_updated", {**ids, "section": renamed, "changes": ["name"], "reranked": None}),
        ("section_updated", {**ids, "section": moved, "changes": ["rank"], "reranked": None}),
        ("section_deleted", ids),
    ]


def test_member_events_carry_the_member(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    pid = project["id"]

    added = ok(ana.http.post(f"/api/projects/{pid}/members", json={"userId": bo.id}))
    changed = ok(ana.http.patch(f"/api/projects/{pid}/members/{bo.id}", json={"role": "viewer"}))
    assert bo.http.delete(f"/api/projects/{pid}/members/{bo.id}").status_code == 204

    ids = {"projectId": pid, "userId": bo.id}
    assert [(e["type"], e["userId"], e["data"]) for e in events_after(ana, pid, 1)] == [
        ("member_added", ana.id, {**ids, "member": added}),
        (
            "member_updated",
            ana.id,
            {**ids, "member": changed, "previousRole": "editor", "changes": ["role"]},
        ),
        ("member_removed", bo.id, ids),
    ]


def test_setting_a_members_role_to_the_same_role_appends_no_event(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    ok(ana.http.post(f"/api/projects/{project['id']}/members", json={"userId": bo.id}))
    ok(ana.http.patch(f"/api/projects/{project['id']}/members/{bo.id}", json={"role": "editor"}))
    assert head_seq(ana, project["id"]) == 2
