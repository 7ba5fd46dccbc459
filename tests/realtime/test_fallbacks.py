"""The fallbacks for clients that cannot hold a WebSocket, over real sockets: the
Server-Sent Events stream of the gateway (refused before it starts, resumed from
``Last-Event-ID``, kept alive, ended by a revocation or the shutdown drain, counted
like a WebSocket) and the long poll of the API (at once, woken by a commit, or empty
when the wait runs out; capped in length and in number)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tasklane.app import build_stack
from tasklane.serving import build_servers
from tasklane.settings import Settings
from tests.conftest import Person, make_settings, unique_email
from tests.live import LiveStack, live_stack, running
from tests.processes import eventually
from tests.realtime.client import connect
from tests.realtime.followers import NOT_EVENTS, PRESENCE, SseEvent, SseReader, sse_stream

Signup = Callable[[str], Person]
Json = dict[str, Any]
Params = list[tuple[str, str]]
MADE_UP = "proj_madeup0000000000000"


@pytest.fixture
def unhurried(database_url: str, tmp_path: Path) -> Iterator[LiveStack]:
    """A stack whose long polls never look at the log on their own: only the broker's
    wake-up can answer them before their wait is over."""
    settings = make_settings(database_url, tmp_path, poll_recheck_seconds=300)
    with live_stack(settings) as running:
        yield running


# -- helpers -----------------------------------------------------------------------


def shared_project(owner: Person, *editors: Person) -> Json:
    """A new project of ``owner`` with ``editors`` as members; ``seq`` is its head."""
    response = owner.http.post("/api/projects", json={"name": "Fallbacks"})
    assert response.status_code == 201, response.text
    project: Json = response.json()
    for editor in editors:
        added = owner.http.post(
            f"/api/projects/{project['id']}/members", json={"userId": editor.id, "role": "editor"}
        )
        assert added.status_code == 201, added.text
    project["seq"] = owner.http.get(f"/api/projects/{project['id']}").json()["seq"]
    return project


@contextlib.asynccontextmanager
async def api(base_url: str, person: Person) -> AsyncIterator[httpx.AsyncClient]:
    """An async HTTP client signed in as ``person``."""
    headers = {"Authorization": f"Bearer {person.token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
        yield http


@contextlib.asynccontextmanager
async def stream(
    gateway_http: str, params: Params, headers: dict[str, str] | None = None
) -> AsyncIterator[SseReader]:
    """An SSE stream opened with any query and headers; it must start."""
    async with (
        httpx.AsyncClient(base_url=gateway_http, timeout=30) as http,
        http.stream("GET", "/sse", params=tuple(params), headers=headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield SseReader(response)


async def answer(
    gateway_http: str, params: Params, headers: dict[str, str] | None = None
) -> tuple[int, Json | None]:
    """The status of an SSE request, and its body unless a stream started (then None:
    the stream is closed at once)."""
    async with (
        httpx.AsyncClient(base_url=gateway_http, timeout=10) as http,
        http.stream("GET", "/sse", params=tuple(params), headers=headers) as response,
    ):
        if response.headers["content-type"].startswith("text/event-stream"):
            return response.status_code, None
        raw = await response.aread()
    if response.status_code >= 500:
        # The gateway logs its traceback after answering. On CPython 3.11, two threads
        # building ASTs at once (its traceback's carets, pytest's failure report) can
        # abort the whole run (pytest-dev/pytest#10763): let it finish first.
        await asyncio.sleep(0.5)
    assert response.headers["content-type"] == "application/json", (response.status_code, raw)
    body: Json = json.loads(raw)
    return response.status_code, body


async def refused(
    gateway_http: str, params: Params, headers: dict[str, str] | None = None
) -> tuple[int, Json]:
    """The status and body of an SSE request that must be answered before any stream."""
    status, body = await answer(gateway_http, params, headers)
    assert body is not None, f"a stream started with {status}"
    return status, body


def error_of(body: Json, code: str) -> Json:
    """The error of a body in the one error shape, which must carry ``code``."""
    assert set(body) == {"error"}, body
    error: Json = body["error"]
    assert error["code"] == code, body
    assert isinstance(error["message"], str)
    assert error["message"]
    return error


def bearer(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}


async def until(reader: SseReader, kind: str) -> SseEvent:
    """The next event of type ``kind``, passing over presence events only."""
    while True:
        event = await reader.next()
        if event.event == kind:
            return event
        assert event.event in PRESENCE, event


async def joined(reader: SseReader) -> SseEvent:
    """Read a new stream's opening: ``connected``, then the project's ``joined``."""
    assert (await reader.next()).event == "connected"
    return await until(reader, "joined")


async def durable(reader: SseReader, count: int) -> list[SseEvent]:
    """The next ``count`` events of the log, passing over control and presence events."""
    got: list[SseEvent] = []
    while len(got) < count:
        event = await reader.next()
        if event.event not in NOT_EVENTS | PRESENCE:
            got.append(event)
    return got


async def add_task(http: httpx.AsyncClient, project_id: str, name: str) -> Json:
    response = await http.post(f"/api/projects/{project_id}/tasks", json={"name": name})
    assert response.status_code == 201, response.text
    task: Json = response.json()
    return task


async def poll(http: httpx.AsyncClient, project_id: str, after: int, wait: float) -> httpx.Response:
    return await http.get(
        f"/api/projects/{project_id}/events", params={"after": after, "wait": wait}
    )


async def browser_session(api_url: str) -> tuple[str, str]:
    """Register as a browser does; the session cookie it is given, and a project of its
    own (created with the Bearer token the registration also returns)."""
    async with httpx.AsyncClient(base_url=api_url, timeout=10) as browser:
        response = await browser.post(
            "/api/auth/register",
            json={"email": unique_email("cookie"), "name": "Cookie", "password": "correct horse"},
        )
        assert response.status_code == 201, response.text
        cookie: str = browser.cookies["tasklane_session"]
        created = await browser.post(
            "/api/projects",
            json={"name": "Own"},
            headers={"Authorization": f"Bearer {response.json()['token']}"},
        )
        assert created.status_code == 201, created.text
        project_id: str = created.json()["id"]
        return cookie, project_id


# -- SSE: refused before the stream ------------------------------------------------


async def test_an_sse_request_without_credentials_or_with_a_bad_token_is_refused_with_401(
    live: LiveStack,
) -> None:
    params = [("projectId", MADE_UP)]
    missing = await refused(live.gateway_http, params)
    bad = await refused(live.gateway_http, params, {"Authorization": "Bearer not-a-token"})
    for status, body in (missing, bad):
        assert status == 401
        error_of(body, "unauthorized")


async def test_the_session_cookie_opens_a_stream_from_the_apps_origin_but_not_a_foreign_one(
    live: LiveStack, settings: Settings
) -> None:
    cookie, project_id = await browser_session(live.api_url)
    params = [("projectId", project_id)]
    own = {"Cookie": f"tasklane_session={cookie}", "Origin": settings.app_origins()[0]}
    assert await answer(live.gateway_http, params, own) == (200, None)
    status, body = await refused(
        live.gateway_http, params, {**own, "Origin": "http://evil.example"}
    )
    assert status == 403
    error_of(body, "forbidden")


async def test_a_non_members_stream_and_a_made_up_projects_stream_get_the_same_403(
    live: LiveStack, signup: Signup
) -> None:
    ana, bob = signup("ana"), signup("bob")
    project = shared_project(ana)
    not_a_member = await refused(live.gateway_http, [("projectId", project["id"])], bearer(bob))
    made_up = await refused(live.gateway_http, [("projectId", MADE_UP)], bearer(bob))
    assert not_a_member[0] == made_up[0] == 403
    error_of(not_a_member[1], "forbidden")
    assert not_a_member[1] == made_up[1]


@pytest.mark.parametrize(
    ("params", "last_event_id"),
    [
        ([], None),
        ([("projectId", f"proj_{n:02}") for n in range(21)], None),
        ([("projectId", MADE_UP)], "abc"),
        ([("projectId", MADE_UP), ("projectId", "proj_other")], "7"),
        ([("projectId", MADE_UP)], "proj_elsewhere:7"),
        # "²" passes str.isdigit() but not int(); as a query parameter, since httpx
        # sends header values as ASCII.
        ([("projectId", MADE_UP), ("lastEventId", "\u00b2")], None),
        ([("projectId", MADE_UP), ("lastEventId", f"{MADE_UP}:1\u00b2")], None),
    ],
    ids=[
        "no-project",
        "21-projects",
        "cursor-abc",
        "plain-cursor-two-projects",
        "cursor-of-another-project",
        "superscript-digit",
        "superscript-digit-in-a-part",
    ],
)
async def test_missing_or_too_many_projects_and_a_malformed_last_event_id_are_400(
    live: LiveStack, signup: Signup, params: Params, last_event_id: str | None
) -> None:
    headers = bearer(signup("ana"))
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    status, body = await refused(live.gateway_http, params, headers)
    assert status == 400
    error_of(body, "bad_request")


async def test_a_ticket_opens_one_stream_and_its_second_use_is_refused_with_401(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    response = ana.http.post("/api/realtime/ticket")
    assert response.status_code == 201, response.text
    params = [("projectId", project["id"]), ("ticket", response.json()["ticket"])]
    async with stream(live.gateway_http, params) as first:
        connected = await first.next()
    assert connected.event == "connected"
    assert connected.data["userId"] == ana.id
    status, body = await refused(live.gateway_http, params)
    assert status == 401
    error_of(body, "unauthorized")


# -- SSE: the stream ---------------------------------------------------------------


async def test_a_stream_starts_with_a_retry_hint_and_connected_then_joined_at_the_head(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    async with sse_stream(live.gateway_http, ana.token, [project["id"]]) as reader:
        connected = await reader.next()
        assert reader.retry == 2000
        joined = await reader.next()
    assert connected.event == "connected"
    assert connected.id is None
    assert connected.data["userId"] == ana.id
    assert joined.event == "joined"
    assert joined.data["seq"] == project["seq"]
    assert joined.id == str(project["seq"])


@pytest.mark.parametrize("via", ["header", "query"])
async def test_last_event_id_resumes_exactly_after_that_seq(
    live: LiveStack, signup: Signup, via: str
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    pid, seq = project["id"], project["seq"]
    for name in ("one", "two", "three"):
        assert ana.http.post(f"/api/projects/{pid}/tasks", json={"name": name}).status_code == 201
    params: Params = [("projectId", pid)]
    headers = bearer(ana)
    if via == "header":
        headers["Last-Event-ID"] = str(seq + 1)
    else:
        params.append(("lastEventId", str(seq + 1)))
    async with api(live.api_url, ana) as http, stream(live.gateway_http, params, headers) as reader:
        replayed = await durable(reader, 2)
        await add_task(http, pid, "four")
        (live_event,) = await durable(reader, 1)
    seen = [*replayed, live_event]
    assert [e.id for e in seen] == [str(seq + n) for n in (2, 3, 4)]
    assert [e.data["seq"] for e in seen] == [seq + 2, seq + 3, seq + 4]
    assert [e.data["data"]["task"]["name"] for e in seen] == ["two", "three", "four"]


async def test_a_last_event_id_beyond_the_head_gets_resync_required_at_the_head_then_live(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    pid, head = project["id"], project["seq"]
    async with (
        api(live.api_url, ana) as http,
        sse_stream(live.gateway_http, ana.token, [pid], str(head + 50)) as reader,
    ):
        await joined(reader)
        resync = await until(reader, "resync_required")
        await add_task(http, pid, "after")
        (event,) = await durable(reader, 1)
    assert resync.id == str(head)
    assert resync.data["seq"] == head
    assert event.id == str(head + 1)
    assert event.data["seq"] == head + 1


async def test_an_idle_stream_carries_heartbeat_comments(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    with live_stack(make_settings(database_url, tmp_path, heartbeat_seconds=0.3)) as brisk:
        async with (
            api(brisk.api_url, ana) as http,
            sse_stream(brisk.gateway_http, ana.token, [project["id"]]) as reader,
        ):
            await joined(reader)
            reading = asyncio.create_task(durable(reader, 1))
            # Idle until the stream has carried two heartbeats, then something to say.
            await eventually(lambda: len(reader.comments) >= 2, "two heartbeats", within=5)
            await add_task(http, project["id"], "wake")
            (event,) = await asyncio.wait_for(reading, 5)
    assert event.event == "task_created"
    assert len(reader.comments) >= 2, reader.comments
    assert set(reader.comments) == {": heartbeat"}


async def test_another_users_websocket_joining_shows_on_the_stream_as_presence(
    live: LiveStack, signup: Signup
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    async with sse_stream(live.gateway_http, ben.token, [project["id"]]) as reader:
        await joined(reader)
        async with connect(live.ws_url, token=ana.token) as client:
            await client.join(project["id"])
            arrived = await until(reader, "user_connected")
            while arrived.data["userId"] != ana.id:  # ben's own arrival may come first
                arrived = await until(reader, "user_connected")
        gone = await until(reader, "user_disconnected")
    assert arrived.id is None
    assert arrived.data["data"] == {"projectId": project["id"], "userId": ana.id, "name": "Ana"}
    assert gone.data["userId"] == ana.id


async def test_removing_the_member_ends_their_stream_with_left_access_revoked(
    live: LiveStack, signup: Signup
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    pid = project["id"]
    async with (
        api(live.api_url, ana) as http,
        sse_stream(live.gateway_http, ben.token, [pid]) as reader,
    ):
        await joined(reader)
        removed = await http.delete(f"/api/projects/{pid}/members/{ben.id}")
        assert removed.status_code == 204, removed.text
        left = await until(reader, "left")
        with pytest.raises(EOFError):
            await reader.next()
    assert left.data == {"type": "left", "projectId": pid, "reason": "access_revoked"}
    status, body = await refused(live.gateway_http, [("projectId", pid)], bearer(ben))
    assert status == 403
    error_of(body, "forbidden")


async def test_deleting_the_project_ends_the_stream_with_project_deleted_then_left(
    live: LiveStack, signup: Signup
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    pid = project["id"]
    async with (
        api(live.api_url, ana) as http,
        sse_stream(live.gateway_http, ben.token, [pid]) as reader,
    ):
        await joined(reader)
        deleted = await http.delete(f"/api/projects/{pid}")
        assert deleted.status_code == 204, deleted.text
        event = await until(reader, "project_deleted")
        left = await reader.next()
        with pytest.raises(EOFError):
            await reader.next()
    assert event.id == str(project["seq"] + 1)
    assert event.data["seq"] == project["seq"] + 1
    assert left.event == "left"
    assert left.data == {"type": "left", "projectId": pid, "reason": "project_deleted"}
    status, body = await refused(live.gateway_http, [("projectId", pid)], bearer(ben))
    assert status == 403
    error_of(body, "forbidden")


async def test_sse_streams_count_toward_the_users_connection_limit(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana, bob = signup("ana"), signup("bob")
    project = shared_project(ana, bob)
    params = [("projectId", project["id"])]
    settings = make_settings(database_url, tmp_path, ws_max_connections_per_user=2)
    with live_stack(settings) as limited:
        async with connect(limited.ws_url, token=ana.token):
            async with sse_stream(limited.gateway_http, ana.token, [project["id"]]) as reader:
                await joined(reader)
                status, body = await refused(limited.gateway_http, params, bearer(ana))
                assert status == 429
                error_of(body, "rate_limited")
                async with sse_stream(limited.gateway_http, bob.token, [project["id"]]) as other:
                    assert (await other.next()).data["userId"] == bob.id
            # The closed stream gives its place back once the gateway notices it is gone.
            deadline = time.monotonic() + 3
            while (status := (await answer(limited.gateway_http, params, bearer(ana)))[0]) == 429:
                assert time.monotonic() < deadline, "a closed stream still counts"
                await asyncio.sleep(0.05)
            assert status == 200


async def test_shutdown_ends_a_stream_with_a_spread_retry_and_a_close_event_of_4001(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    settings = make_settings(database_url, tmp_path)
    stack = build_stack(settings)
    servers = build_servers(stack, "all", port=0, ws_port=0)
    with running(servers, stack) as (_api_port, ws_port):
        async with sse_stream(f"http://127.0.0.1:{ws_port}", ana.token, [project["id"]]) as reader:
            await joined(reader)
            # Stop the servers as SIGINT would, while this loop stays free to read.
            for server in servers:
                server.should_exit = True
            closing = await until(reader, "close")
            with pytest.raises(EOFError):
                await reader.next()
    assert closing.data["type"] == "close"
    assert closing.data["code"] == 4001
    hint = json.loads(closing.data["reason"])
    assert set(hint) == {"retryAfterMs"}
    assert reader.retry == hint["retryAfterMs"]
    assert 0 <= hint["retryAfterMs"] <= settings.drain_spread_ms


# -- long polling ------------------------------------------------------------------


async def test_a_poll_with_nothing_new_answers_at_once_or_empty_when_its_wait_runs_out(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    pid, head = project["id"], project["seq"]
    empty = {"projectId": pid, "headSeq": head, "hasMore": False, "ended": False, "events": []}
    async with api(live.api_url, ana) as http:
        started = time.monotonic()
        at_once = await poll(http, pid, head, 0)
        at_once_took = time.monotonic() - started
        started = time.monotonic()
        ran_out = await poll(http, pid, head, 2.0)
        ran_out_took = time.monotonic() - started
    assert at_once.status_code == ran_out.status_code == 200, (at_once.text, ran_out.text)
    assert at_once.json() == ran_out.json() == empty
    # wait=0 does not wait; wait=2 waits that long, and not for the 30 s maximum. (Long
    # enough apart that a busy machine's slow answer to the first is still the shorter.)
    assert at_once_took < ran_out_took, (at_once_took, ran_out_took)
    assert 2.0 <= ran_out_took < 10, ran_out_took


async def test_a_long_poll_answers_as_soon_as_another_user_commits(
    unhurried: LiveStack, signup: Signup
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    pid, head = project["id"], project["seq"]
    async with api(unhurried.api_url, ben) as watcher, api(unhurried.api_url, ana) as writer:
        waiting = asyncio.create_task(poll(watcher, pid, head, 20))
        await eventually(lambda: unhurried.poll_waits(pid), "the poll waiting")
        assert not waiting.done()
        task = await add_task(writer, pid, "Wake")
        # The poll waits 20 s and would not look again for 300: only a wake-up answers it.
        answered = await asyncio.wait_for(waiting, 5)
    assert answered.status_code == 200, answered.text
    page = answered.json()
    assert page["headSeq"] == head + 1
    assert page["hasMore"] is False
    assert [(e["type"], e["seq"]) for e in page["events"]] == [("task_created", head + 1)]
    assert page["events"][0]["data"]["task"]["id"] == task["id"]


async def test_a_wait_beyond_the_maximum_is_capped_and_a_negative_wait_is_422(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    pid, head = project["id"], project["seq"]
    with live_stack(make_settings(database_url, tmp_path, poll_max_wait_seconds=0.5)) as capped:
        async with api(capped.api_url, ana) as http:
            started = time.monotonic()
            long = await poll(http, pid, head, 100)
            took = time.monotonic() - started
            negative = await poll(http, pid, head, -1)
    assert long.status_code == 200, long.text
    assert long.json() == {
        "projectId": pid,
        "headSeq": head,
        "hasMore": False,
        "ended": False,
        "events": [],
    }
    assert 0.5 <= took < 10, took  # capped at 0.5 s, far from the 100 s asked for
    assert negative.status_code == 422, negative.text
    error_of(negative.json(), "validation_error")


async def test_a_users_second_concurrent_long_poll_is_429_while_another_users_is_fine(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    pid, head = project["id"], project["seq"]
    with live_stack(make_settings(database_url, tmp_path, poll_max_per_user=1)) as single:
        async with api(single.api_url, ana) as http, api(single.api_url, ben) as other:
            first = asyncio.create_task(poll(http, pid, head, 20))
            await eventually(lambda: single.poll_waits(pid), "the server holding the first poll")
            assert not first.done()
            second = await poll(http, pid, head, 20)
            others = await poll(other, pid, head, 0.2)
            await add_task(other, pid, "Answer the first")
            answered = await asyncio.wait_for(first, 5)
            again = await poll(http, pid, head + 1, 0.2)
    assert second.status_code == 429, second.text
    error_of(second.json(), "rate_limited")
    assert int(second.headers["Retry-After"]) >= 1
    assert others.status_code == 200, others.text
    assert others.json()["events"] == []
    assert answered.status_code == 200, answered.text
    assert [e["seq"] for e in answered.json()["events"]] == [head + 1]
    assert again.status_code == 200, again.text
    assert again.json()["events"] == []


async def test_a_member_removed_while_their_long_poll_waits_gets_404(
    unhurried: LiveStack, signup: Signup
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    pid, head = project["id"], project["seq"]
    async with api(unhurried.api_url, ben) as watcher, api(unhurried.api_url, ana) as owner:
        waiting = asyncio.create_task(poll(watcher, pid, head, 20))
        await eventually(lambda: unhurried.poll_waits(pid), "the poll waiting")
        assert not waiting.done()
        removed = await owner.delete(f"/api/projects/{pid}/members/{ben.id}")
        assert removed.status_code == 204, removed.text
        answered = await asyncio.wait_for(waiting, 5)  # woken: see test above
    assert answered.status_code == 404, answered.text
    error_of(answered.json(), "not_found")


async def test_a_long_poll_whose_token_is_deleted_answers_401_within_a_recheck(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    pid, head = project["id"], project["seq"]
    made = ana.http.post("/api/tokens", json={"name": "poller"})
    assert made.status_code == 201, made.text
    token = made.json()
    headers = {"Authorization": f"Bearer {token['token']}"}
    async with httpx.AsyncClient(base_url=live.api_url, headers=headers, timeout=30) as http:
        waiting = asyncio.create_task(poll(http, pid, head, 25))
        await eventually(lambda: live.poll_waits(pid), "the poll waiting")
        assert not waiting.done()
        deleted = ana.http.delete(f"/api/tokens/{token['id']}")
        assert deleted.status_code == 204, deleted.text
        # Nothing commits in the project: only the poll's own recheck (1 s) can end it,
        # long before the 25 s it asked to wait.
        answered = await asyncio.wait_for(waiting, 10)
    assert answered.status_code == 401, answered.text
    error_of(answered.json(), "unauthorized")
