"""The JSON API calls that tests of one change make again and again, as a signed-in
person (``tests.conftest.Person``): each asserts its status and answers the body."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Person

Json = dict[str, Any]


def ok(response: httpx.Response, status: int = 200) -> Json:
    assert response.status_code == status, response.text
    body: Json = response.json()
    return body


def new_project(person: Person, name: str = "Launch") -> Json:
    return ok(person.http.post("/api/projects", json={"name": name}), 201)


def new_task(person: Person, project_id: str, name: str, **body: Any) -> Json:
    url = f"/api/projects/{project_id}/tasks"
    return ok(person.http.post(url, json={"name": name, **body}), 201)


def new_subtask(person: Person, parent_id: str, name: str, **body: Any) -> Json:
    url = f"/api/tasks/{parent_id}/subtasks"
    return ok(person.http.post(url, json={"name": name, **body}), 201)


def add_member(owner: Person, project_id: str, person: Person, role: str = "editor") -> None:
    url = f"/api/projects/{project_id}/members"
    ok(owner.http.post(url, json={"userId": person.id, "role": role}), 201)


def get_task(person: Person, task_id: str) -> Json:
    return ok(person.http.get(f"/api/tasks/{task_id}"))


def head_seq(person: Person, project_id: str) -> int:
    seq: int = ok(person.http.get(f"/api/projects/{project_id}"))["seq"]
    return seq


def events_after(person: Person, project_id: str, after: int) -> list[Json]:
    page = ok(person.http.get(f"/api/projects/{project_id}/events", params={"after": after}))
    events: list[Json] = page["events"]
    return events
