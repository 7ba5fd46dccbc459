"""The people lookup, ``GET /api/people``: whom a signed-in person may find (the people
of their workspaces, through the projects there), how the text matches, and its cap."""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tasklane.models import Workspace
from tasklane.services import Services
from tests.conftest import Person

Signup = Callable[[str], Person]
Json = dict[str, Any]


def word(length: int = 10) -> str:
    """Letters no other test's names hold (``str.title`` keeps them one word)."""
    return "".join(random.choices(string.ascii_lowercase, k=length))


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code, response.text


def found(person: Person, **params: Any) -> list[Json]:
    people: list[Json] = ok(person.http.get("/api/people", params=params))
    return people


def ids(person: Person, **params: Any) -> list[str]:
    return [someone["id"] for someone in found(person, **params)]


def project_of(person: Person, **body: Any) -> str:
    project_id: str = ok(person.http.post("/api/projects", json={"name": "P", **body}), 201)["id"]
    return project_id


def test_an_owner_finds_a_colleague_they_share_no_project_with_and_adds_them(
    signup: Signup,
) -> None:
    owner, colleague = signup(word()), signup(word())
    project = project_of(owner)
    project_of(colleague)  # in the same workspace, in a project of their own
    people = found(owner, q=colleague.name)
    assert people == [{"id": colleague.id, "name": colleague.name, "email": colleague.email}]
    added = owner.http.post(
        f"/api/projects/{project}/members", json={"userId": people[0]["id"], "role": "editor"}
    )
    assert added.status_code == 201, added.text


def test_names_and_emails_match_in_any_case_anywhere_and_prefixes_come_first(
    signup: Signup,
) -> None:
    stem = "a" + word(9)  # so that by name, too, it sorts before "x" and the stem
    inside = signup(f"x{stem}")  # the stem inside the name and the email
    starts = signup(stem)  # the name and the email start with it
    for person in (inside, starts):
        project_of(person)
    assert ids(inside, q=stem.upper()) == [starts.id, inside.id]
    assert ids(inside, q=f"  {stem[2:7]} ") == [starts.id, inside.id]  # a substring, trimmed
    assert ids(inside, q=inside.email.upper()) == [inside.id]
    assert ids(inside, q=f"{stem}@") == []  # neither has exactly that
    assert ids(inside, q=word(12)) == []


def test_like_wildcards_are_plain_characters(signup: Signup) -> None:
    person = signup(word())
    project_of(person)
    for text in ("%", "_", "\\", "%%"):
        assert found(person, q=text) == [], text


def test_without_q_everyone_of_the_workspace_is_a_candidate_up_to_the_limit(
    signup: Signup,
) -> None:
    stem = word()
    people = [signup(f"{stem}{suffix}") for suffix in ("a", "b", "c")]
    for person in people:
        project_of(person)
    assert len(ids(people[0], q=stem, limit=2)) == 2
    assert sorted(ids(people[0], q=stem, limit=3)) == sorted(p.id for p in people)
    assert len(found(people[0], limit=1)) == 1
    assert 3 <= len(found(people[0])) <= 20  # the default
    assert len(found(people[0], limit=10_000)) <= 50  # the cap


def test_an_account_in_no_project_is_neither_found_nor_finds(signup: Signup) -> None:
    worker, newcomer = signup(word()), signup(word())
    project_of(worker)
    assert ids(worker, q=newcomer.name) == []
    assert found(newcomer) == []  # in no workspace yet: not even themselves
    assert ids(newcomer, q=worker.name) == []


def test_someone_whose_only_project_was_deleted_is_no_longer_found(signup: Signup) -> None:
    worker, leaver = signup(word()), signup(word())
    project_of(worker)
    project = project_of(leaver)
    assert ids(worker, q=leaver.name) == [leaver.id]
    assert leaver.http.delete(f"/api/projects/{project}").status_code == 204
    assert ids(worker, q=leaver.name) == []


async def test_people_of_another_workspace_are_not_found(
    signup: Signup, services: Services
) -> None:
    here, there = signup(word()), signup(word())
    project_of(here)  # the default workspace exists from here on
    elsewhere = f"ws_{word(16)}"
    async with services.runtime.db.write() as session:
        # Created last of all, so it never becomes the default one.
        session.add(
            Workspace(id=elsewhere, name="Elsewhere", created_at=datetime(2999, 1, 1, tzinfo=UTC))
        )
    project_of(there, workspaceId=elsewhere)
    assert ids(here, q=there.name) == []
    assert ids(there, q=here.name) == []
    assert ids(there, q=there.name) == [there.id]
    # A project in both workspaces makes them colleagues.
    shared = project_of(there)
    assert ids(here, q=there.name) == [there.id]
    assert there.http.delete(f"/api/projects/{shared}").status_code == 204
    assert ids(here, q=there.name) == []


def test_the_lookup_needs_a_signed_in_person(anonymous: httpx.Client) -> None:
    assert_error(anonymous.get("/api/people"), 401, "unauthorized")
    assert_error(anonymous.get("/api/people", params={"q": "a"}), 401, "unauthorized")


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "-1"}, {"limit": "many"}, {"q": "x" * 201}],
)
def test_bad_lookup_parameters_are_refused_with_422(signup: Signup, params: Json) -> None:
    person = signup(word())
    assert_error(person.http.get("/api/people", params=params), 422, "validation_error")
