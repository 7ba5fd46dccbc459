"""Undoing a deletion: a task deleted less than an hour ago (on the app's clock) comes
back with its subtasks and their comments, as they were, announced in the project's log
as created; what changed meanwhile is respected."""

from __future__ import annotations

from typing import Any

from tests.api.test_event_page import events_after
from tests.conftest import Person
from tests.realtime.test_delivery import add_task, shared_project


def test_a_deleted_task_comes_back_with_its_subtasks_and_comments(signup: Any) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    task = add_task(ana, project, "Plan the launch", assigneeId=ben.id, dueOn="2026-03-01")
    sub = ana.http.post(f"/api/tasks/{task['id']}/subtasks", json={"name": "Book a room"}).json()
    ana.http.post(f"/api/tasks/{sub['id']}/comments", json={"text": "Room 4?"})
    ana.http.post(f"/api/tasks/{task['id']}/comments", json={"text": "Soon"})
    before = ana.http.get(f"/api/tasks/{task['id']}").json()
    head = ana.http.get(f"/api/projects/{project['id']}").json()["seq"]
    assert ana.http.delete(f"/api/tasks/{task['id']}").status_code == 204

    restored = ben.http.post(f"/api/tasks/{task['id']}/restore")
    assert restored.status_code == 200, restored.text
    assert ben.http.get(f"/api/tasks/{task['id']}").json() == before
    assert [c["text"] for c in ben.http.get(f"/api/tasks/{sub['id']}/comments").json()] == [
        "Room 4?"
    ]
    events = events_after(ana, project["id"], head)
    assert [(e["type"], e["data"]["taskId"]) for e in events] == [
        ("task_deleted", task["id"]),
        ("task_created", task["id"]),
        ("task_created", sub["id"]),
    ]
    # Counted as tasks arriving are: the subtask counts when its own event comes.
    assert events[1]["data"]["task"]["subtaskCount"] == 0
    assert events[1]["data"]["task"]["commentCount"] == 1
    # Restored once: there is nothing left to restore.
    again = ben.http.post(f"/api/tasks/{task['id']}/restore")
    assert (again.status_code, again.json()["error"]["code"]) == (404, "not_found")


def test_what_changed_meanwhile_is_respected(signup: Any) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    sections = ana.http.get(f"/api/projects/{project['id']}/sections").json()
    extra = ana.http.post(f"/api/projects/{project['id']}/sections", json={"name": "Later"})
    task = add_task(ana, project, "Someday", sectionId=extra.json()["id"], assigneeId=ben.id)
    sub = ana.http.post(f"/api/tasks/{task['id']}/subtasks", json={"name": "Step"}).json()
    ana.http.delete(f"/api/tasks/{sub['id']}")
    ana.http.delete(f"/api/tasks/{task['id']}")
    # The subtask's parent is gone: it cannot come back on its own.
    orphan = ana.http.post(f"/api/tasks/{sub['id']}/restore")
    assert (orphan.status_code, orphan.json()["error"]["code"]) == (409, "parent_gone")
    ana.http.delete(f"/api/sections/{extra.json()['id']}")
    ana.http.delete(f"/api/projects/{project['id']}/members/{ben.id}")
    back = ana.http.post(f"/api/tasks/{task['id']}/restore").json()
    assert (back["sectionId"], back["assigneeId"]) == (sections[0]["id"], None)


def test_only_an_editor_of_the_project_restores(signup: Any) -> None:
    ana, ben, cy = signup("ana"), signup("ben"), signup("cy")
    project = shared_project(ana, ben, role="viewer")
    task = add_task(ana, project, "Private")
    ana.http.delete(f"/api/tasks/{task['id']}")
    refused: Person
    for refused, status in ((ben, 403), (cy, 404)):
        response = refused.http.post(f"/api/tasks/{task['id']}/restore")
        assert response.status_code == status, response.text
    assert ana.http.post(f"/api/tasks/{task['id']}/restore").status_code == 200
