"""Comments used as intended: write, list oldest first, count, edit, delete."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tasklane.app import create_app
from tasklane.clock import FrozenClock
from tasklane.protocol.timestamps import iso_millis
from tasklane.settings import Settings
from tests.conftest import Person, unique_email
from tests.live import live_server

Signup = Callable[[str], Person]
Json = dict[str, Any]


def task_in_new_project(person: Person) -> Json:
    project = person.http.post("/api/projects", json={"name": "Launch"}).json()
    response = person.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Talk"})
    assert response.status_code == 201, response.text
    task: Json = response.json()
    return task


def comment(person: Person, task_id: str, text: str) -> Json:
    response = person.http.post(f"/api/tasks/{task_id}/comments", json={"text": text})
    assert response.status_code == 201, response.text
    created: Json = response.json()
    return created


def comments(person: Person, task_id: str) -> list[Json]:
    response = person.http.get(f"/api/tasks/{task_id}/comments")
    assert response.status_code == 200, response.text
    found: list[Json] = response.json()
    return found


def comment_count(person: Person, task_id: str) -> int:
    count: int = person.http.get(f"/api/tasks/{task_id}").json()["commentCount"]
    return count


def head_seq(person: Person, project_id: str) -> int:
    seq: int = person.http.get(f"/api/projects/{project_id}").json()["seq"]
    return seq


def test_a_comment_is_created_on_its_task_by_its_author(signup: Signup) -> None:
    ana = signup("ana")
    task = task_in_new_project(ana)

    created = comment(ana, task["id"], "Looks good to me")

    assert created["id"].startswith("cmt_")
    assert created["text"] == "Looks good to me"
    assert (created["taskId"], created["projectId"]) == (task["id"], task["projectId"])
    assert created["authorId"] == ana.id
    assert created["editedAt"] is None
    assert created["createdAt"] >= task["createdAt"]


def test_comments_are_listed_oldest_first(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    task = task_in_new_project(ana)
    ana.http.post(f"/api/projects/{task['projectId']}/members", json={"userId": bo.id})
    written = [comment(person, task["id"], f"#{i}") for i, person in enumerate([ana, bo, ana])]

    assert comments(ana, task["id"]) == written
    assert comments(bo, task["id"]) == written


def test_a_commenter_may_comment(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    task = task_in_new_project(ana)
    ana.http.post(
        f"/api/projects/{task['projectId']}/members", json={"userId": bo.id, "role": "commenter"}
    )
    created = comment(bo, task["id"], "From a commenter")
    assert created["authorId"] == bo.id
    assert comments(ana, task["id"]) == [created]


def test_comment_count_on_the_task_follows_comments_added_and_deleted(signup: Signup) -> None:
    ana = signup("ana")
    task = task_in_new_project(ana)
    assert comment_count(ana, task["id"]) == 0
    first = comment(ana, task["id"], "one")
    comment(ana, task["id"], "two")
    assert comment_count(ana, task["id"]) == 2
    ana.http.delete(f"/api/comments/{first['id']}")
    assert comment_count(ana, task["id"]) == 1


def test_comments_on_one_task_do_not_show_on_another(signup: Signup) -> None:
    ana = signup("ana")
    task = task_in_new_project(ana)
    other = ana.http.post(f"/api/projects/{task['projectId']}/tasks", json={"name": "Quiet"}).json()
    comment(ana, task["id"], "here")
    assert comments(ana, other["id"]) == []
    assert comment_count(ana, other["id"]) == 0


def test_editing_a_comment_changes_its_text_and_sets_edited_at(signup: Signup) -> None:
    ana = signup("ana")
    task = task_in_new_project(ana)
    created = comment(ana, task["id"], "Frist")
    time.sleep(0.003)

    response = ana.http.patch(f"/api/comments/{created['id']}", json={"text": "First"})

    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["text"] == "First"
    assert edited["editedAt"] is not None
    assert edited["editedAt"] > created["createdAt"]
    assert {k: v for k, v in edited.items() if k not in ("text", "editedAt")} == {
        k: v for k, v in created.items() if k not in ("text", "editedAt")
    }
    assert comments(ana, task["id"]) == [edited]


def test_editing_a_comment_to_the_same_text_changes_nothing(signup: Signup) -> None:
    ana = signup("ana")
    task = task_in_new_project(ana)
    created = comment(ana, task["id"], "Settled")
    seq = head_seq(ana, task["projectId"])

    response = ana.http.patch(f"/api/comments/{created['id']}", json={"text": "Settled"})

    assert response.json() == created
    assert head_seq(ana, task["projectId"]) == seq


def test_a_deleted_comment_leaves_the_list(signup: Signup) -> None:
    ana = signup("ana")
    task = task_in_new_project(ana)
    first = comment(ana, task["id"], "keep")
    second = comment(ana, task["id"], "drop")
    third = comment(ana, task["id"], "keep too")

    assert ana.http.delete(f"/api/comments/{second['id']}").status_code == 204

    assert comments(ana, task["id"]) == [first, third]
    response = ana.http.patch(f"/api/comments/{second['id']}", json={"text": "back?"})
    assert response.status_code == 404


def test_comments_do_not_change_the_task_itself(signup: Signup) -> None:
    ana = signup("ana")
    task = task_in_new_project(ana)
    comment(ana, task["id"], "just a note")
    after = ana.http.get(f"/api/tasks/{task['id']}").json()
    assert after == {**task, "commentCount": 1}


# -- under a frozen clock, as the gym runs it ----------------------------------------


START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def frozen(settings: Settings) -> Iterator[tuple[str, FrozenClock]]:
    """A second app on the same database whose clock only moves when told to."""
    clock = FrozenClock(START)
    with live_server(create_app(settings, clock=clock)) as url:
        yield url, clock


@pytest.fixture
def frozen_person(frozen: tuple[str, FrozenClock]) -> Iterator[tuple[Person, FrozenClock]]:
    """A signed-in user of the frozen-clock app, with the clock back at ``START``."""
    url, clock = frozen
    clock.set(START)
    email = unique_email("frozen")
    with httpx.Client(base_url=url, timeout=30) as client:
        body = client.post(
            "/api/auth/register",
            json={"email": email, "name": "Frozen", "password": "correct horse"},
        ).json()
        client.headers["Authorization"] = f"Bearer {body['token']}"
        yield Person(body["user"]["id"], email, "Frozen", body["token"], client), clock


def test_an_edit_is_stamped_with_the_time_it_was_made(
    frozen_person: tuple[Person, FrozenClock],
) -> None:
    ana, clock = frozen_person
    task = task_in_new_project(ana)
    created = comment(ana, task["id"], "draft")
    clock.set(START + timedelta(minutes=5, milliseconds=7))

    edited = ana.http.patch(f"/api/comments/{created['id']}", json={"text": "final"}).json()

    assert created["createdAt"] == "2026-01-01T12:00:00.000Z"
    assert edited["editedAt"] == iso_millis(START + timedelta(minutes=5, milliseconds=7))
    assert edited["createdAt"] == created["createdAt"]


def test_comments_written_in_the_same_millisecond_list_in_the_order_written(
    frozen_person: tuple[Person, FrozenClock],
) -> None:
    ana, _ = frozen_person
    task = task_in_new_project(ana)
    written = [comment(ana, task["id"], f"#{i}") for i in range(6)]
    assert [c["text"] for c in comments(ana, task["id"])] == [c["text"] for c in written]
