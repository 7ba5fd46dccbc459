"""A person's own account over HTTP: their profile (name, avatar colour) with
``PATCH /api/auth/me``, and their password with ``POST /api/auth/password``, which
signs out every other session (closing its realtime connections) and keeps this one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from sqlalchemy import select

from tasklane.app import create_app
from tasklane.client import RealtimeClient, payload
from tasklane.edge.deps import Limits
from tasklane.models import User
from tasklane.protocol import closes
from tasklane.protocol.auth import AVATAR_COLORS
from tasklane.protocol.events import MemberUpdated
from tasklane.services import Services
from tests.api.calls import add_member, events_after, head_seq, new_project
from tests.client.story import Seen
from tests.conftest import Person, make_settings, unique_email
from tests.live import LiveStack, live_server
from tests.realtime.client import connect

Signup = Callable[[str], Person]
PASSWORD = "correct horse"
NEW_PASSWORD = "battery staple"
SIGNED_OUT = (closes.UNAUTHORIZED, "signed out, or the token was revoked or expired")


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 204), response.text
    return response.json() if response.content else None


def login(base_url: str, email: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/api/auth/login", json={"email": email, "password": password}, timeout=30
    )


def bearer(base_url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})


def change(person: Person, current: str, new: str) -> httpx.Response:
    body = {"currentPassword": current, "newPassword": new}
    return person.http.post("/api/auth/password", json=body)


# -- profile --------------------------------------------------------------------------


def test_a_person_changes_their_name_and_avatar_colour(signup: Signup) -> None:
    ana = signup("ana")
    assert ok(ana.http.get("/api/auth/me"))["avatarColor"] is None  # the ID's colour

    saved = ok(ana.http.patch("/api/auth/me", json={"name": "Ana Alvarez", "avatarColor": "teal"}))
    assert (saved["name"], saved["avatarColor"]) == ("Ana Alvarez", "teal")
    assert ok(ana.http.get("/api/auth/me")) == saved

    # A field left out stays; null gives back the colour the ID picks.
    assert ok(ana.http.patch("/api/auth/me", json={"avatarColor": "navy"}))["name"] == "Ana Alvarez"
    cleared = ok(ana.http.patch("/api/auth/me", json={"avatarColor": None}))
    assert (cleared["name"], cleared["avatarColor"]) == ("Ana Alvarez", None)

    # Members of a project see both.
    ok(ana.http.patch("/api/auth/me", json={"avatarColor": "green"}))
    project = ok(ana.http.post("/api/projects", json={"name": "Garden"}))
    members = ok(ana.http.get(f"/api/projects/{project['id']}/members"))
    assert members[0]["user"]["avatarColor"] == "green"
    assert members[0]["user"]["name"] == "Ana Alvarez"


def test_every_colour_of_the_palette_is_accepted_and_nothing_else(signup: Signup) -> None:
    ana = signup("ana")
    for color in AVATAR_COLORS:
        assert (
            ok(ana.http.patch("/api/auth/me", json={"avatarColor": color}))["avatarColor"] == color
        )
    for bad in ("#ff0000", "Blue", "red", "", 3):
        error = assert_error(
            ana.http.patch("/api/auth/me", json={"avatarColor": bad}), 422, "validation_error"
        )
        assert error["details"][0]["location"] == ["body", "avatarColor"]
    assert ok(ana.http.get("/api/auth/me"))["avatarColor"] == AVATAR_COLORS[-1]


def test_a_bad_name_is_refused_field_by_field(signup: Signup) -> None:
    ana = signup("ana")
    for body in ({"name": ""}, {"name": "   "}, {"name": "x" * 201}):
        error = assert_error(ana.http.patch("/api/auth/me", json=body), 422, "validation_error")
        assert error["details"][0]["location"] == ["body", "name"]
    assert (
        "name cannot be null"
        in assert_error(
            ana.http.patch("/api/auth/me", json={"name": None}), 422, "validation_error"
        )["message"]
    )
    assert_error(
        ana.http.patch("/api/auth/me", json={"email": "x@example.com"}), 422, "validation_error"
    )
    assert ok(ana.http.get("/api/auth/me"))["name"] == "Ana"


def test_the_profile_needs_a_signed_in_person(anonymous: httpx.Client) -> None:
    assert_error(anonymous.patch("/api/auth/me", json={"name": "Nobody"}), 401, "unauthorized")
    body = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    assert_error(anonymous.post("/api/auth/password", json=body), 401, "unauthorized")


# -- profile changes, live --------------------------------------------------------------


def members_by_id(person: Person, project_id: str) -> dict[str, Any]:
    return {m["userId"]: m for m in ok(person.http.get(f"/api/projects/{project_id}/members"))}


def test_a_profile_change_is_one_member_updated_in_each_of_the_persons_projects(
    signup: Signup,
) -> None:
    ana, ben = signup("ana"), signup("ben")
    own = new_project(ana, "Own")["id"]
    archived = new_project(ana, "Archived")["id"]
    ok(ana.http.patch(f"/api/projects/{archived}", json={"archived": True}))
    shared = new_project(ben, "Shared")["id"]
    add_member(ben, shared, ana, role="viewer")
    deleted = new_project(ana, "Deleted")["id"]
    assert ana.http.delete(f"/api/projects/{deleted}").status_code == 204
    not_hers = new_project(ben, "Not hers")["id"]
    projects = {own: "owner", archived: "owner", shared: "viewer"}
    heads = {pid: head_seq(ana, pid) for pid in projects}
    heads[not_hers] = head_seq(ben, not_hers)
    ended = events_after(ana, deleted, 0)  # its members still read it
    own_log = f"/api/projects/{ana.id}/events"
    own_head = ok(ana.http.get(own_log, params={"limit": 1}))["headSeq"]

    for body, changes in (
        ({"name": "Ana Alvarez"}, ["name"]),
        ({"avatarColor": "teal", "name": "Ana Alvarez"}, ["avatarColor"]),
        ({"name": "Ana B. Alvarez", "avatarColor": "navy"}, ["name", "avatarColor"]),
    ):
        ok(ana.http.patch("/api/auth/me", json=body))
        for pid, role in projects.items():
            [event] = events_after(ana, pid, heads[pid])
            heads[pid] += 1
            assert (event["type"], event["userId"], event["seq"]) == (
                "member_updated",
                ana.id,
                heads[pid],
            )
            assert event["data"] == {
                "projectId": pid,
                "userId": ana.id,
                "member": members_by_id(ana, pid)[ana.id],
                "previousRole": role,
                "changes": changes,
            }
            assert event["data"]["member"]["role"] == role
        # Her own log holds a copy of each, the member they are about being her.
        copies = ok(ana.http.get(own_log, params={"after": own_head}))["events"]
        own_head += len(projects)
        assert sorted((e["data"]["projectId"], e["data"]["changes"]) for e in copies) == sorted(
            (pid, changes) for pid in projects
        )

    # The values already there, or nothing at all: no event anywhere.
    ok(ana.http.patch("/api/auth/me", json={"name": "Ana B. Alvarez", "avatarColor": "navy"}))
    ok(ana.http.patch("/api/auth/me", json={}))
    assert {pid: head_seq(ana, pid) for pid in projects} == {p: heads[p] for p in projects}
    assert ok(ana.http.get(own_log, params={"after": own_head}))["events"] == []
    # Neither a project she is not in, nor one deleted: its log ended with its deletion.
    assert head_seq(ben, not_hers) == heads[not_hers]
    assert events_after(ana, deleted, 0) == ended
    assert ended[-1]["type"] == "project_deleted"


async def test_a_follower_of_a_project_hears_a_members_new_name(
    live: LiveStack, signup: Signup
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = new_project(ben, "Shared")["id"]
    add_member(ben, project, ana)
    head = head_seq(ben, project)
    seen = Seen(RealtimeClient(live.api_url, ben.token, gateway_url=live.gateway_http))
    await seen.client.start()
    try:
        await seen.client.join(project, after=head)
        await seen.client.joined(project)
        ok(ana.http.patch("/api/auth/me", json={"name": "Ana Alvarez"}))
        [event] = await seen.until(1)
    finally:
        await seen.stop()
    assert (event.type, event.seq, event.user_id) == ("member_updated", head + 1, ana.id)
    update = payload(event)
    assert isinstance(update, MemberUpdated)
    assert (update.user_id, update.member.user.name) == (ana.id, "Ana Alvarez")
    assert (update.changes, update.previous_role, update.member.role) == (
        ["name"],
        "editor",
        "editor",
    )


# -- password -------------------------------------------------------------------------


async def test_a_new_password_signs_out_the_other_sessions_and_keeps_this_one(
    live: LiveStack, signup: Signup, services: Services
) -> None:
    ana = signup("ana")
    elsewhere = ok(login(live.api_url, ana.email, PASSWORD))["token"]
    script = ok(ana.http.post("/api/tokens", json={"name": "script"}))["token"]
    project = ok(ana.http.post("/api/projects", json={"name": "Plans"}))["id"]
    async with (
        connect(live.ws_url, token=elsewhere) as signed_out,
        connect(live.ws_url, token=ana.token) as staying,
    ):
        for client in (signed_out, staying):
            await client.join(project)

        assert change(ana, PASSWORD, NEW_PASSWORD).status_code == 204

        # The gateway hears at once, well before its periodic check.
        assert await signed_out.closed(within=5) == SIGNED_OUT
        ok(ana.http.post(f"/api/projects/{project}/tasks", json={"name": "Still here"}))
        assert (await staying.until("task_created"))["data"]["task"]["name"] == "Still here"

    with bearer(live.api_url, elsewhere) as other:
        assert_error(other.get("/api/auth/me"), 401, "unauthorized")
    with bearer(live.api_url, script) as program:  # a personal token is no session
        assert ok(program.get("/api/auth/me"))["id"] == ana.id
    assert ok(ana.http.get("/api/auth/me"))["id"] == ana.id
    assert_error(login(live.api_url, ana.email, PASSWORD), 401, "invalid_credentials")
    assert ok(login(live.api_url, ana.email, NEW_PASSWORD))["user"]["id"] == ana.id

    async with services.runtime.db.read() as session:
        stored = await session.scalar(select(User.password_hash).where(User.id == ana.id))
    assert stored is not None
    assert PasswordHasher().verify(stored, NEW_PASSWORD)  # stored as its hash


def test_the_current_password_must_be_right(live: LiveStack, signup: Signup) -> None:
    ana = signup("ana")
    elsewhere = ok(login(live.api_url, ana.email, PASSWORD))["token"]
    assert_error(change(ana, "not my password", NEW_PASSWORD), 403, "wrong_password")
    assert_error(change(ana, PASSWORD, PASSWORD), 422, "password_unchanged")
    with bearer(live.api_url, elsewhere) as other:  # nothing changed
        assert ok(other.get("/api/auth/me"))["id"] == ana.id
    assert ok(login(live.api_url, ana.email, PASSWORD))


def test_the_new_password_follows_the_sign_up_rule(signup: Signup) -> None:
    ana = signup("ana")
    for new in ("short", "       ", "x" * 201):
        error = assert_error(change(ana, PASSWORD, new), 422, "validation_error")
        assert error["details"][0]["location"] == ["body", "newPassword"]
    missing = ana.http.post("/api/auth/password", json={"newPassword": NEW_PASSWORD})
    assert assert_error(missing, 422, "validation_error")["details"][0]["location"] == [
        "body",
        "currentPassword",
    ]


def test_password_tries_are_limited_like_sign_ins(database_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(database_url, tmp_path, auth_rate=0.001, auth_burst=3))
    limits: Limits = app.state.limits
    email = unique_email("guesser")
    with live_server(app) as url:
        registered = httpx.post(
            f"{url}/api/auth/register",
            json={"email": email, "name": "G", "password": PASSWORD},
            timeout=30,
        )  # one of the address's three
        token = ok(registered)["token"]
        with bearer(url, token) as http:
            body = {"currentPassword": "guess one", "newPassword": NEW_PASSWORD}
            assert_error(http.post("/api/auth/password", json=body), 403, "wrong_password")
            body["currentPassword"] = "guess two"
            assert_error(http.post("/api/auth/password", json=body), 403, "wrong_password")
            body["currentPassword"] = PASSWORD
            refused = http.post("/api/auth/password", json=body)
            assert_error(refused, 429, "rate_limited")
            assert int(refused.headers["Retry-After"]) >= 1
            assert ok(http.get("/api/auth/me"))["email"] == email  # still signed in
    assert limits.anonymous.take("elsewhere") == 0.0  # another address is not held back
