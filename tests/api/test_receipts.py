"""Every change's answer names the event it produced: ``Tasklane-Project`` and
``Tasklane-Seq``. A client following the project knows its own change by that ``seq``
when the event arrives, whatever the clock says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import Person

Signup = Callable[[str], Person]


def receipt(response: httpx.Response) -> tuple[str, int]:
    assert response.is_success, response.text
    return response.headers["Tasklane-Project"], int(response.headers["Tasklane-Seq"])


def logged(person: Person, project_id: str, after: int = 0) -> list[dict[str, Any]]:
    page = person.http.get(f"/api/projects/{project_id}/events", params={"after": after})
    events: list[dict[str, Any]] = page.json()["events"]
    return events


def test_each_change_answers_with_the_seq_of_the_event_it_produced(signup: Signup) -> None:
    ana, ben = signup("ana"), signup("ben")
    created = ana.http.post("/api/projects", json={"name": "Receipts"})
    project_id, first = receipt(created)
    assert (project_id, first) == (created.json()["id"], 1)
    changes = [
        ana.http.post(f"/api/projects/{project_id}/members", json={"userId": ben.id}),
        ana.http.post(f"/api/projects/{project_id}/tasks", json={"name": "One"}),
        ana.http.patch(f"/api/projects/{project_id}", json={"name": "Renamed"}),
    ]
    seqs = [receipt(change)[1] for change in changes]
    task_id = logged(ana, project_id)[2]["data"]["taskId"]
    seqs.append(receipt(ana.http.patch(f"/api/tasks/{task_id}", json={"status": "done"}))[1])
    comment = ana.http.post(f"/api/tasks/{task_id}/comments", json={"text": "Hi"})
    seqs.append(receipt(comment)[1])
    seqs.append(receipt(ana.http.delete(f"/api/comments/{comment.json()['id']}"))[1])
    seqs.append(receipt(ana.http.delete(f"/api/tasks/{task_id}"))[1])
    events = logged(ana, project_id, after=first)
    assert seqs == [event["seq"] for event in events]
    assert [event["type"] for event in events] == [
        "member_added",
        "task_created",
        "project_updated",
        "task_status_changed",
        "comment_created",
        "comment_deleted",
        "task_deleted",
    ]


def test_reads_and_refusals_carry_no_receipt(signup: Signup) -> None:
    ana, ben = signup("ana"), signup("ben")
    project_id, seq = receipt(ana.http.post("/api/projects", json={"name": "Quiet"}))
    read = ana.http.get(f"/api/projects/{project_id}")
    refused = ben.http.patch(f"/api/projects/{project_id}", json={"name": "Mine"})
    invalid = ana.http.post(f"/api/projects/{project_id}/tasks", json={"name": ""})
    assert read.status_code == 200
    assert (refused.status_code, invalid.status_code) == (404, 422)
    for response in (read, refused, invalid):
        assert "Tasklane-Seq" not in response.headers
        assert "Tasklane-Project" not in response.headers
    assert [event["seq"] for event in logged(ana, project_id)] == [seq]
