"""Listings that reach further: a project's task list with ``subtasks=true`` (the
filters reach subtasks, in one listing), and My Tasks a page at a time (``offset``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import Person

Signup = Callable[[str], Person]
Json = dict[str, Any]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code, response.text


def new_project(person: Person) -> str:
    project_id: str = ok(person.http.post("/api/projects", json={"name": "Launch"}), 201)["id"]
    return project_id


def new_task(person: Person, project_id: str, name: str, **body: Any) -> Json:
    task: Json = ok(
        person.http.post(f"/api/projects/{project_id}/tasks", json={"name": name, **body}), 201
    )
    return task


def new_subtask(person: Person, parent_id: str, name: str, **body: Any) -> Json:
    task: Json = ok(
        person.http.post(f"/api/tasks/{parent_id}/subtasks", json={"name": name, **body}), 201
    )
    return task


def page(person: Person, project_id: str, **params: Any) -> Json:
    body: Json = ok(person.http.get(f"/api/projects/{project_id}/tasks", params=params))
    return body


def names(person: Person, project_id: str, **params: Any) -> list[str]:
    return [task["name"] for task in page(person, project_id, **params)["items"]]


def every_page(person: Person, project_id: str, **params: Any) -> list[Json]:
    items: list[Json] = []
    cursor = None
    while True:
        answer = page(person, project_id, **params, **({"cursor": cursor} if cursor else {}))
        items += answer["items"]
        cursor = answer["nextCursor"]
        if cursor is None:
            return items


# -- subtasks in the project's listing ---------------------------------------------------


@pytest.fixture
def tree(signup: Signup) -> tuple[Person, Person, str, Json]:
    """Ana's project: tasks A (subtasks A1 for Ben, A2 done), B (subtask B1 for Ben,
    due 2030-01-10), C for Ben, each in the first section; D in the second, with D1."""
    ana, ben = signup("ana"), signup("ben")
    project = new_project(ana)
    ok(ana.http.post(f"/api/projects/{project}/members", json={"userId": ben.id}), 201)
    sections = [s["id"] for s in ok(ana.http.get(f"/api/projects/{project}/sections"))]
    a = new_task(ana, project, "A")
    b = new_task(ana, project, "B")
    c = new_task(ana, project, "C", assigneeId=ben.id)
    d = new_task(ana, project, "D", sectionId=sections[1])
    tasks = {"A": a, "B": b, "C": c, "D": d, "sections": sections}
    tasks["A1"] = new_subtask(ana, a["id"], "A1", assigneeId=ben.id)
    tasks["A2"] = new_subtask(ana, a["id"], "A2", status="done")
    tasks["B1"] = new_subtask(ana, b["id"], "B1", assigneeId=ben.id, dueOn="2030-01-10")
    tasks["D1"] = new_subtask(ana, d["id"], "D1")
    return ana, ben, project, tasks


def top_order(tasks: Json, *names: str) -> list[str]:
    """``names`` (top-level tasks, of any section) in the listing's order: by rank."""
    return sorted(names, key=lambda n: (tasks[n]["rank"], tasks[n]["id"]))


def subtask_order(tasks: Json, *names: str) -> list[str]:
    """``names`` (subtasks) in the listing's order: grouped by parent ID, then rank."""
    return sorted(names, key=lambda n: (tasks[n]["parentId"], tasks[n]["rank"], tasks[n]["id"]))


def test_the_default_listing_is_top_level_only(tree: tuple[Person, Person, str, Json]) -> None:
    ana, _, project, tasks = tree
    assert names(ana, project) == top_order(tasks, "A", "B", "C", "D")
    assert names(ana, project, subtasks="false") == top_order(tasks, "A", "B", "C", "D")


def test_with_subtasks_the_listing_holds_every_task_each_with_its_parent(
    tree: tuple[Person, Person, str, Json],
) -> None:
    ana, _, project, tasks = tree
    items = page(ana, project, subtasks="true")["items"]
    expected = [
        *top_order(tasks, "A", "B", "C", "D"),
        *subtask_order(tasks, "A1", "A2", "B1", "D1"),
    ]
    assert [t["name"] for t in items] == expected
    for task in items:
        parent = {"A1": "A", "A2": "A", "B1": "B", "D1": "D"}.get(task["name"])
        assert task["parentId"] == (tasks[parent]["id"] if parent else None)


def test_the_filters_reach_subtasks(tree: tuple[Person, Person, str, Json]) -> None:
    ana, ben, project, tasks = tree
    assert names(ana, project, assignee=ben.id) == ["C"]
    assert names(ana, project, assignee=ben.id, subtasks="true") == [
        "C",
        *subtask_order(tasks, "A1", "B1"),
    ]
    assert names(ana, project, status="done", subtasks="true") == ["A2"]
    assert names(ana, project, dueBefore="2030-01-11", subtasks="true") == ["B1"]
    assert names(ana, project, dueAfter="2030-01-10", subtasks="true") == []
    assert names(ana, project, q="b1", subtasks="true") == ["B1"]
    # A subtask sits in its parent's section.
    first, second = tasks["sections"][:2]
    assert names(ana, project, section=second, subtasks="true") == ["D", "D1"]
    assert names(ana, project, section=first, subtasks="true") == [
        "A",
        "B",
        "C",
        *subtask_order(tasks, "A1", "A2", "B1"),
    ]


def test_with_subtasks_the_pages_join_up_without_gaps_or_repeats(
    tree: tuple[Person, Person, str, Json],
) -> None:
    ana, _, project, _ = tree
    whole = page(ana, project, subtasks="true")["items"]
    for limit in (1, 2, 3):
        assert every_page(ana, project, subtasks="true", limit=limit) == whole


def test_a_cursor_of_one_listing_is_refused_by_the_other(
    tree: tuple[Person, Person, str, Json],
) -> None:
    ana, _, project, _ = tree
    top = page(ana, project, limit=1)["nextCursor"]
    deep = page(ana, project, limit=1, subtasks="true")["nextCursor"]
    assert top
    assert deep
    path = f"/api/projects/{project}/tasks"
    params = {"cursor": top, "subtasks": "true"}
    assert_error(ana.http.get(path, params=params), 422, "invalid_cursor")
    assert_error(ana.http.get(path, params={"cursor": deep}), 422, "invalid_cursor")


def test_subtasks_stay_private_to_the_projects_members(
    tree: tuple[Person, Person, str, Json], signup: Signup
) -> None:
    _, _, project, _ = tree
    stranger = signup("eve")
    path = f"/api/projects/{project}/tasks"
    assert_error(stranger.http.get(path, params={"subtasks": "true"}), 404, "not_found")
    # Nor do another project's subtasks leak into one's own listing.
    own = new_project(stranger)
    assert page(stranger, own, subtasks="true")["items"] == []


@pytest.mark.parametrize("value", ["maybe", "2", ""])
def test_a_subtasks_flag_that_is_not_a_boolean_is_refused_with_422(
    tree: tuple[Person, Person, str, Json], value: str
) -> None:
    ana, _, project, _ = tree
    answer = ana.http.get(f"/api/projects/{project}/tasks", params={"subtasks": value})
    assert_error(answer, 422, "validation_error")


# -- My Tasks, a page at a time ----------------------------------------------------------


def my_tasks(person: Person, **params: Any) -> list[Json]:
    tasks: list[Json] = ok(person.http.get("/api/me/tasks", params=params))
    return tasks


def test_my_tasks_page_by_offset_in_one_stable_order(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    made = [
        new_task(ana, project, "late", assigneeId=ana.id, dueOn="2030-03-01"),
        new_task(ana, project, "undated", assigneeId=ana.id),
        new_task(ana, project, "soon", assigneeId=ana.id, dueOn="2030-01-01"),
        new_task(ana, project, "done", assigneeId=ana.id, status="done", dueOn="2029-01-01"),
        new_task(ana, project, "also undated", assigneeId=ana.id),
        new_task(ana, project, "same day", assigneeId=ana.id, dueOn="2030-01-01"),
    ]
    new_subtask(ana, made[0]["id"], "sub", assigneeId=ana.id, dueOn="2030-02-01")
    whole = [t["name"] for t in my_tasks(ana)]
    assert whole == ["soon", "same day", "sub", "late", "undated", "also undated", "done"]
    for limit in (1, 2, 3, 5):
        pages: list[str] = []
        offset = 0
        while True:
            got = [t["name"] for t in my_tasks(ana, limit=limit, offset=offset)]
            pages += got
            offset += len(got)
            if len(got) < limit:
                break
        assert pages == whole, limit
    assert my_tasks(ana, offset=len(whole)) == []
    assert my_tasks(ana, offset=1_000_000) == []


@pytest.mark.parametrize("offset", ["-1", "soon", "1.5", "1000001", "99999999999999999999"])
def test_a_bad_my_tasks_offset_is_refused_with_422(signup: Signup, offset: str) -> None:
    ana = signup("ana")
    answer = ana.http.get("/api/me/tasks", params={"offset": offset})
    assert_error(answer, 422, "validation_error")
