"""Inviting someone who has no account yet: an owner invites an email with a role and
gets a link; the person signs up with that email and accepts, becoming a member with one
``member_added`` in the project's log; a link works once, until it expires (on the app's
clock), is revoked or replaced, and only for the invited email. On SQLite and PostgreSQL
(the live stack runs on each)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tasklane.app import create_app
from tasklane.clock import FrozenClock
from tasklane.settings import Settings
from tests.api.calls import add_member, events_after, head_seq, new_project, ok
from tests.conftest import Person, unique_email
from tests.live import live_server

Signup = Callable[[str], Person]
Json = dict[str, Any]


def invite(owner: Person, project_id: str, email: str, role: str = "editor") -> httpx.Response:
    return owner.http.post(
        f"/api/projects/{project_id}/invitations", json={"email": email, "role": role}
    )


def accept(person: Person, token: str) -> httpx.Response:
    return person.http.post("/api/invitations/accept", json={"token": token})


def register(url: str, email: str, name: str = "Newcomer") -> Person:
    """Sign up with ``email``: what the invited person does first."""
    client = httpx.Client(base_url=url, timeout=30)
    body = ok(
        client.post(
            "/api/auth/register",
            json={"email": email, "name": name, "password": "correct horse"},
        ),
        201,
    )
    client.headers["Authorization"] = f"Bearer {body['token']}"
    return Person(body["user"]["id"], email, name, body["token"], client)


def pending_of(owner: Person, project_id: str) -> list[Json]:
    response = owner.http.get(f"/api/projects/{project_id}/invitations")
    assert response.status_code == 200, response.text
    invitations: list[Json] = response.json()
    return invitations


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_an_invited_person_signs_up_accepts_and_joins_with_one_member_added(
    signup: Signup, base_url: str
) -> None:
    ana = signup("ana")
    pid = new_project(ana)["id"]
    email = unique_email("newcomer")
    seq = head_seq(ana, pid)

    created = ok(invite(ana, pid, email.upper(), "commenter"), 201)

    assert created["email"] == email
    assert created["role"] == "commenter"
    assert created["invitedBy"] == ana.id
    assert created["id"].startswith("inv_")
    assert created["url"] == f"{base_url}/invite/{created['token']}"
    pending = pending_of(ana, pid)
    assert pending == [{k: v for k, v in created.items() if k not in ("token", "url")}]
    assert head_seq(ana, pid) == seq  # an invitation is not in the project's log

    newcomer = register(base_url, email.title())
    try:
        member = ok(accept(newcomer, created["token"]))
        assert member["userId"] == newcomer.id
        assert member["projectId"] == pid
        assert member["role"] == "commenter"
        events = events_after(ana, pid, seq)
        assert [e["type"] for e in events] == ["member_added"]
        assert events[0]["userId"] == newcomer.id  # the person who accepted
        assert events[0]["data"]["member"] == member
        assert ok(newcomer.http.get(f"/api/projects/{pid}"))["role"] == "commenter"
        assert pending_of(ana, pid) == []

        assert_error(accept(newcomer, created["token"]), 409, "invitation_used")
        assert head_seq(ana, pid) == seq + 1
    finally:
        newcomer.http.close()


def test_only_the_invited_email_can_accept(signup: Signup, base_url: str) -> None:
    ana, someone_else = signup("ana"), signup("eve")
    pid = new_project(ana)["id"]
    created = ok(invite(ana, pid, unique_email("invited")), 201)

    assert_error(accept(someone_else, created["token"]), 403, "invitation_email_mismatch")
    assert_error(accept(someone_else, "tl_no-such-invitation"), 404, "invitation_not_found")
    assert someone_else.http.get(f"/api/projects/{pid}").status_code == 404
    assert [i["id"] for i in pending_of(ana, pid)] == [created["id"]]


def test_an_email_with_an_account_is_added_as_a_member_instead(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    pid = new_project(ana)["id"]

    assert_error(invite(ana, pid, bo.email), 409, "account_exists")
    assert pending_of(ana, pid) == []


def test_only_owners_invite_list_and_revoke(signup: Signup) -> None:
    ana, bo, stranger = signup("ana"), signup("bo"), signup("stranger")
    pid = new_project(ana)["id"]
    add_member(ana, pid, bo, "editor")
    created = ok(invite(ana, pid, unique_email("invited")), 201)

    assert_error(invite(bo, pid, unique_email("other")), 403, "forbidden")
    assert_error(bo.http.get(f"/api/projects/{pid}/invitations"), 403, "forbidden")
    assert_error(bo.http.delete(f"/api/invitations/{created['id']}"), 403, "forbidden")
    assert_error(invite(stranger, pid, unique_email("other")), 404, "not_found")
    assert_error(stranger.http.delete(f"/api/invitations/{created['id']}"), 404, "not_found")
    assert_error(ana.http.delete("/api/invitations/inv_nothing"), 404, "not_found")
    assert_error(invite(ana, pid, "not an email"), 422, "validation_error")


def test_a_revoked_or_replaced_link_no_longer_works(signup: Signup, base_url: str) -> None:
    ana = signup("ana")
    pid = new_project(ana)["id"]
    email = unique_email("invited")
    revoked = ok(invite(ana, pid, email), 201)

    assert ana.http.delete(f"/api/invitations/{revoked['id']}").status_code == 204
    assert ana.http.delete(f"/api/invitations/{revoked['id']}").status_code == 204
    assert pending_of(ana, pid) == []
    first = ok(invite(ana, pid, email, "viewer"), 201)
    second = ok(invite(ana, pid, email, "editor"), 201)  # a new link replaces the first
    assert [i["id"] for i in pending_of(ana, pid)] == [second["id"]]

    invited = register(base_url, email)
    try:
        assert_error(accept(invited, revoked["token"]), 409, "invitation_revoked")
        assert_error(accept(invited, first["token"]), 409, "invitation_revoked")
        assert ok(accept(invited, second["token"]))["role"] == "editor"
        assert_error(ana.http.delete(f"/api/invitations/{second['id']}"), 409, "invitation_used")
    finally:
        invited.http.close()


def test_accepting_as_a_member_already_keeps_the_role_and_adds_no_event(
    signup: Signup, base_url: str
) -> None:
    ana = signup("ana")
    pid = new_project(ana)["id"]
    email = unique_email("invited")
    created = ok(invite(ana, pid, email, "viewer"), 201)
    invited = register(base_url, email)
    try:
        add_member(ana, pid, invited, "editor")  # added directly meanwhile
        seq = head_seq(ana, pid)
        assert ok(accept(invited, created["token"]))["role"] == "editor"
        assert head_seq(ana, pid) == seq
        assert pending_of(ana, pid) == []
    finally:
        invited.http.close()


# -- expiry, on the app's clock ---------------------------------------------------------

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def frozen(settings: Settings) -> Iterator[tuple[str, FrozenClock]]:
    """A second app on the same database whose clock only moves when told to."""
    clock = FrozenClock(START)
    with live_server(create_app(settings, clock=clock)) as url:
        yield url, clock


def test_an_invitation_expires_after_14_days_of_the_apps_clock(
    frozen: tuple[str, FrozenClock],
) -> None:
    url, clock = frozen
    clock.set(START)
    ana = register(url, unique_email("ana"), "Ana")
    email = unique_email("late")
    try:
        pid = new_project(ana)["id"]
        created = ok(invite(ana, pid, email), 201)
        assert created["createdAt"] == "2026-01-01T12:00:00.000Z"
        assert created["expiresAt"] == "2026-01-15T12:00:00.000Z"
        on_time = ok(invite(ana, pid, unique_email("on-time")), 201)
        invited = register(url, email)
        punctual = register(url, on_time["email"])
        clock.set(START + timedelta(days=14) - timedelta(milliseconds=1))
        assert ok(accept(punctual, on_time["token"]))["projectId"] == pid
        clock.set(START + timedelta(days=14))
        assert_error(accept(invited, created["token"]), 409, "invitation_expired")
        assert pending_of(ana, pid) == []
        # Revoking an expired invitation changes nothing, and says nothing is wrong.
        assert ana.http.delete(f"/api/invitations/{created['id']}").status_code == 204
        assert_error(accept(invited, created["token"]), 409, "invitation_expired")
        invited.http.close()
        punctual.http.close()
    finally:
        ana.http.close()
