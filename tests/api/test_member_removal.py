"""A task's assignee is a member of its project, from both sides: assigning a non-member
is refused, and removing a member (or a member leaving) unassigns them from every task of
the project, open and done, subtasks too, in the removal's transaction, each with the
``task_updated`` an ordinary unassignment appends, then ``member_removed``. On SQLite
and PostgreSQL (the live stack runs on each)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.api.calls import (
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

Signup = Callable[[str], Person]
Json = dict[str, Any]


def remove(person: Person, project_id: str, user_id: str) -> httpx.Response:
    return person.http.delete(f"/api/projects/{project_id}/members/{user_id}")


def test_removing_a_member_unassigns_all_their_tasks_with_one_event_each(
    signup: Signup,
) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    pid = project["id"]
    add_member(ana, pid, bo)
    elsewhere = new_project(ana, "Elsewhere")
    add_member(ana, elsewhere["id"], bo)
    open_task = new_task(ana, pid, "Open", assigneeId=bo.id, dueOn="2026-05-01")
    done_task = new_task(ana, pid, "Done", assigneeId=bo.id, status="done")
    parent = new_task(ana, pid, "Parent", assigneeId=ana.id)
    subtask = new_subtask(ana, parent["id"], "Sub", assigneeId=bo.id)
    kept_elsewhere = new_task(ana, elsewhere["id"], "Kept", assigneeId=bo.id)
    seq = head_seq(ana, pid)
    other_seq = head_seq(ana, elsewhere["id"])

    removed = remove(ana, pid, bo.id)

    assert removed.status_code == 204, removed.text
    unassigned = [open_task, done_task, subtask]
    after = {t["id"]: get_task(ana, t["id"]) for t in unassigned}
    assert all(task["assigneeId"] is None for task in after.values())
    for before in unassigned:  # only the assignee (and modifiedAt) changed
        now = after[before["id"]]
        same = {k: v for k, v in before.items() if k not in ("assigneeId", "modifiedAt")}
        assert {k: now[k] for k in same} == same
    assert after[done_task["id"]]["completedBy"] == ana.id
    assert get_task(ana, parent["id"])["assigneeId"] == ana.id
    # Another project's tasks are that project's business: bo is still a member there.
    assert get_task(ana, kept_elsewhere["id"])["assigneeId"] == bo.id
    assert head_seq(ana, elsewhere["id"]) == other_seq

    events = events_after(ana, pid, seq)
    assert [e["seq"] for e in events] == list(range(seq + 1, seq + 5))
    assert head_seq(ana, pid) == seq + 4
    assert [e["type"] for e in events] == ["task_updated"] * 3 + ["member_removed"]
    # Oldest first (ties, within a millisecond, by id).
    oldest_first = sorted(unassigned, key=lambda t: (t["createdAt"], t["id"]))
    assert [e["data"]["taskId"] for e in events[:3]] == [t["id"] for t in oldest_first]
    for event in events[:3]:
        # Exactly what PATCH {"assigneeId": null} appends, with the task as it now reads.
        assert event["userId"] == ana.id
        assert event["data"] == {
            "projectId": pid,
            "taskId": event["data"]["taskId"],
            "task": after[event["data"]["taskId"]],
            "changes": ["assigneeId"],
            "reranked": None,
        }
    assert events[3]["data"] == {"projectId": pid, "userId": bo.id}
    # The answer names the removal, the last event the change produced.
    assert removed.headers["Tasklane-Project"] == pid
    assert int(removed.headers["Tasklane-Seq"]) == seq + 4


def test_an_unassignment_by_removal_looks_like_an_ordinary_one(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    pid = new_project(ana)["id"]
    add_member(ana, pid, bo)
    by_hand = new_task(ana, pid, "By hand", assigneeId=bo.id)
    by_removal = new_task(ana, pid, "By removal", assigneeId=bo.id)
    seq = head_seq(ana, pid)

    ok(ana.http.patch(f"/api/tasks/{by_hand['id']}", json={"assigneeId": None}))
    assert remove(ana, pid, bo.id).status_code == 204

    hand, removal, _ = events_after(ana, pid, seq)
    assert (hand["type"], removal["type"]) == ("task_updated", "task_updated")
    assert hand["data"].keys() == removal["data"].keys()
    assert hand["data"]["changes"] == removal["data"]["changes"] == ["assigneeId"]
    assert removal["data"]["task"]["id"] == by_removal["id"]


def test_the_removed_person_cannot_be_assigned_again(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    pid = new_project(ana)["id"]
    add_member(ana, pid, bo)
    task = new_task(ana, pid, "Task", assigneeId=bo.id)
    assert remove(ana, pid, bo.id).status_code == 204
    seq = head_seq(ana, pid)

    patched = ana.http.patch(f"/api/tasks/{task['id']}", json={"assigneeId": bo.id})
    created = ana.http.post(f"/api/projects/{pid}/tasks", json={"name": "X", "assigneeId": bo.id})
    sub = ana.http.post(
        f"/api/tasks/{task['id']}/subtasks", json={"name": "Y", "assigneeId": bo.id}
    )

    for response in (patched, created, sub):
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "assignee_not_member"
    assert head_seq(ana, pid) == seq
    assert get_task(ana, task["id"])["assigneeId"] is None


def test_adding_the_person_back_does_not_assign_them_again(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    pid = new_project(ana)["id"]
    add_member(ana, pid, bo)
    task = new_task(ana, pid, "Task", assigneeId=bo.id)
    assert remove(ana, pid, bo.id).status_code == 204

    add_member(ana, pid, bo)

    assert get_task(ana, task["id"])["assigneeId"] is None
    ok(ana.http.patch(f"/api/tasks/{task['id']}", json={"assigneeId": bo.id}))


def test_a_member_who_leaves_is_unassigned_too(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    pid = new_project(ana)["id"]
    add_member(ana, pid, bo, role="editor")
    task = new_task(bo, pid, "Mine", assigneeId=bo.id)
    seq = head_seq(ana, pid)

    assert remove(bo, pid, bo.id).status_code == 204

    assert get_task(ana, task["id"])["assigneeId"] is None
    events = events_after(ana, pid, seq)
    assert [(e["type"], e["userId"]) for e in events] == [
        ("task_updated", bo.id),
        ("member_removed", bo.id),
    ]


def test_a_refused_removal_unassigns_nothing(signup: Signup) -> None:
    ana = signup("ana")
    pid = new_project(ana)["id"]
    task = new_task(ana, pid, "Mine", assigneeId=ana.id)
    seq = head_seq(ana, pid)

    refused = remove(ana, pid, ana.id)  # the last owner cannot leave

    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "last_owner"
    assert get_task(ana, task["id"])["assigneeId"] == ana.id
    assert head_seq(ana, pid) == seq


def test_removing_a_member_with_no_tasks_appends_only_the_removal(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    pid = new_project(ana)["id"]
    add_member(ana, pid, bo)
    new_task(ana, pid, "Not theirs", assigneeId=ana.id)
    seq = head_seq(ana, pid)

    assert remove(ana, pid, bo.id).status_code == 204

    assert [e["type"] for e in events_after(ana, pid, seq)] == ["member_removed"]
