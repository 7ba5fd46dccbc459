"""The realtime gateway at its edges, over real sockets: who may connect, what happens to
frames it cannot accept, its limits, the broadcast endpoint, health and metrics, the
shutdown drain, and an API process and a gateway process working as one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tasklane.app import build_stack
from tasklane.clock import AdjustableClock
from tasklane.serving import build_servers
from tasklane.settings import Settings
from tests.conftest import Person, make_settings, unique_email
from tests.live import LiveStack, live_stack, running
from tests.realtime.client import Client, connect

Signup = Callable[[str], Person]
Json = dict[str, Any]


# -- helpers -----------------------------------------------------------------------


def new_project(person: Person) -> Json:
    response = person.http.post("/api/projects", json={"name": "Launch"})
    assert response.status_code == 201, response.text
    project: Json = response.json()
    return project


async def still_alive(client: Client) -> None:
    """The connection survived: a ping still gets its pong."""
    await client.send({"type": "ping", "id": "alive?"})
    assert (await client.expect("pong"))["id"] == "alive?"


@contextlib.asynccontextmanager
async def gateway(live: LiveStack, secret: str | None) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the gateway port, sending ``secret`` as Bearer if given."""
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    async with httpx.AsyncClient(base_url=live.gateway_http, headers=headers, timeout=10) as http:
        yield http


def metric(page: str, name: str) -> float:
    """The sum of a Prometheus metric's samples over all its labels."""
    samples = [
        float(line.rsplit(" ", 1)[1])
        for line in page.splitlines()
        if line.startswith(name) and line[len(name)] in " {"
    ]
    assert samples, f"{name} is not on the metrics page"
    return sum(samples)


# -- authentication ------------------------------------------------------------------


async def test_a_connection_without_credentials_is_accepted_then_closed_with_4401(
    live: LiveStack,
) -> None:
    async with connect(live.ws_url, expect_connected=False) as client:
        code, _reason = await client.closed()
    assert code == 4401


async def test_a_bad_bearer_token_is_closed_with_4401(live: LiveStack) -> None:
    async with connect(live.ws_url, token="not-a-token", expect_connected=False) as client:
        code, _reason = await client.closed()
    assert code == 4401


async def test_a_bearer_token_connects_and_the_connected_frame_names_the_user(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    async with connect(live.ws_url, token=ana.token, expect_connected=False) as client:
        connected = await client.expect("connected")
    assert connected["userId"] == ana.id
    assert connected["connectionId"].startswith("conn_")


async def session_cookie(live: LiveStack) -> tuple[str, str]:
    """Register in a browser's way; the new user's id and the session cookie set."""
    async with httpx.AsyncClient(base_url=live.api_url, timeout=10) as browser:
        response = await browser.post(
            "/api/auth/register",
            json={"email": unique_email("cookie"), "name": "Cookie", "password": "correct horse"},
        )
        assert response.status_code == 201, response.text
        return response.json()["user"]["id"], browser.cookies["tasklane_session"]


async def test_the_session_cookie_from_the_apps_own_origins_connects(
    live: LiveStack, settings: Settings
) -> None:
    user_id, cookie = await session_cookie(live)
    own = settings.app_origins()
    assert own[:2] == [f"http://localhost:{settings.port}", f"http://127.0.0.1:{settings.port}"]
    for origin in own[:2]:
        async with connect(
            live.ws_url, cookie=cookie, origin=origin, expect_connected=False
        ) as client:
            assert (await client.expect("connected"))["userId"] == user_id


async def test_the_session_cookie_from_a_foreign_origin_is_closed_with_4403(
    live: LiveStack, settings: Settings
) -> None:
    _user_id, cookie = await session_cookie(live)
    for origin in ("http://evil.example", f"http://localhost:{settings.port + 1}"):
        async with connect(
            live.ws_url, cookie=cookie, origin=origin, expect_connected=False
        ) as client:
            code, _reason = await client.closed()
        assert code == 4403, origin


async def test_a_ticket_opens_one_connection_and_a_second_use_is_closed_with_4401(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    response = ana.http.post("/api/realtime/ticket")
    assert response.status_code == 201, response.text
    ticket = response.json()["ticket"]
    async with connect(live.ws_url, ticket=ticket, expect_connected=False) as first:
        assert (await first.expect("connected"))["userId"] == ana.id
    async with connect(live.ws_url, ticket=ticket, expect_connected=False) as second:
        code, _reason = await second.closed()
    assert code == 4401


async def test_an_expired_ticket_is_closed_with_4401(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana = signup("ana")
    clock = AdjustableClock()  # the real-time clock that credentials expire on
    settings = make_settings(database_url, tmp_path, ticket_ttl_seconds=1)
    stack = build_stack(settings, wall_clock=clock)
    with running(build_servers(stack, "all", port=0, ws_port=0), stack) as (api, gateway):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api}", timeout=10) as http:
            tickets = [
                await http.post(
                    "/api/realtime/ticket", headers={"Authorization": f"Bearer {ana.token}"}
                )
                for _ in range(2)
            ]
        for response in tickets:
            assert response.status_code == 201, response.text
        fresh, expired = (response.json()["ticket"] for response in tickets)
        ws_url = f"ws://127.0.0.1:{gateway}"
        async with connect(ws_url, ticket=fresh, expect_connected=False) as client:
            assert (await client.expect("connected"))["userId"] == ana.id  # within its TTL
        clock.set(clock.now() + timedelta(seconds=1, milliseconds=1), frozen=True)
        async with connect(ws_url, ticket=expired, expect_connected=False) as client:
            code, _reason = await client.closed()
    assert code == 4401


# -- bad input -----------------------------------------------------------------------

BAD_FRAMES: list[tuple[str | bytes, str]] = [
    ("not json", "bad_request"),
    ("[1, 2]", "bad_request"),
    ('{"type": "dance"}', "bad_request"),
    (b'{"type": "ping"}', "bad_request"),
    ('{"type": "join"}', "bad_request"),
    ('{"type": "join", "projectId": "proj_1", "lastSeq": "x"}', "bad_request"),
    ('{"type": "join", "projectId": "proj_1", "lastSeq": -1}', "bad_request"),
    ("[" * 30_000 + "]" * 30_000, "bad_request"),  # nested deeper than the decoder goes
]
# A frame over WS_MAX_FRAME_BYTES is no bad frame but the end of the connection (1009):
# tests/security/test_fuzz_frames.py.


@pytest.mark.parametrize(
    ("frame", "code"),
    BAD_FRAMES,
    ids=[
        "invalid-json",
        "array",
        "unknown-type",
        "binary",
        "join-without-project",
        "last-seq-x",
        "last-seq-negative",
        "nested-too-deep",
    ],
)
async def test_a_bad_frame_gets_an_error_with_its_code_and_the_connection_survives(
    live: LiveStack, signup: Signup, frame: str | bytes, code: str
) -> None:
    ana = signup("ana")
    async with connect(live.ws_url, token=ana.token) as client:
        await client.send(frame)
        error = await client.expect("error")
        assert error["code"] == code
        assert error["message"]
        await still_alive(client)


async def test_more_frames_than_the_burst_are_rate_limited_and_the_connection_survives(
    live: LiveStack, settings: Settings, signup: Signup
) -> None:
    ana = signup("ana")
    sent = settings.ws_message_burst + 5  # a few over the burst, fewer than the strikes
    assert sent - settings.ws_message_burst < settings.ws_abuse_strikes
    async with connect(live.ws_url, token=ana.token) as client:
        for number in range(sent):
            await client.send({"type": "ping", "id": number})
        answers = [await client.next() for _ in range(sent)]
        limited = [a for a in answers if a["type"] == "error"]
        assert limited, "no frame was rate limited"
        assert {a["code"] for a in limited} == {"rate_limited"}
        assert {a["type"] for a in answers} == {"pong", "error"}
        await asyncio.sleep(0.3)  # let the bucket refill a token or two
        await still_alive(client)


async def test_too_many_refused_frames_in_a_row_close_the_connection_with_4429(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana = signup("ana")
    with live_stack(make_settings(database_url, tmp_path, ws_abuse_strikes=3)) as strict:
        async with connect(strict.ws_url, token=ana.token) as client:
            for _ in range(2):  # two strikes, then a good frame starts the count afresh
                await client.send("not json")
                assert (await client.expect("error"))["code"] == "bad_request"
            await still_alive(client)
            for _ in range(3):
                await client.send("not json")
            for _ in range(3):
                assert (await client.expect("error"))["code"] == "bad_request"
            code, _reason = await client.closed()
    assert code == 4429


async def test_a_non_members_join_and_a_made_up_projects_join_get_the_same_forbidden(
    live: LiveStack, signup: Signup
) -> None:
    ana, bob = signup("ana"), signup("bob")
    project = new_project(ana)
    async with connect(live.ws_url, token=bob.token) as client:
        await client.send({"type": "join", "projectId": project["id"]})
        not_a_member = await client.expect("error")
        await client.send({"type": "join", "projectId": "proj_madeup0000000000000"})
        made_up = await client.expect("error")
        await still_alive(client)
    assert not_a_member["code"] == made_up["code"] == "forbidden"
    assert not_a_member["message"] == made_up["message"]


# -- limits --------------------------------------------------------------------------


async def test_a_users_third_connection_is_closed_with_4002_while_another_user_connects(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana, bob = signup("ana"), signup("bob")
    settings = make_settings(database_url, tmp_path, ws_max_connections_per_user=2)
    with live_stack(settings) as limited:
        async with (
            connect(limited.ws_url, token=ana.token),
            connect(limited.ws_url, token=ana.token),
        ):
            async with connect(limited.ws_url, token=ana.token, expect_connected=False) as third:
                code, _reason = await third.closed()
            assert code == 4002
            async with connect(limited.ws_url, token=bob.token, expect_connected=False) as other:
                assert (await other.expect("connected"))["userId"] == bob.id


# -- the broadcast endpoint ------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "wrong-secret"], ids=["missing", "wrong"])
async def test_the_broadcast_endpoint_refuses_a_missing_or_wrong_secret_with_401(
    live: LiveStack, secret: str | None
) -> None:
    async with gateway(live, secret) as http:
        response = await http.post(
            "/broadcast", json={"projectId": "proj_x", "type": "project_deleted"}
        )
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthorized"
    assert error["message"]


async def test_the_broadcast_endpoint_refuses_invalid_json_a_bad_body_and_an_unknown_type(
    live: LiveStack, settings: Settings, signup: Signup
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    async with gateway(live, settings.resolved_broadcast_secret()) as http:
        invalid = await http.post(
            "/broadcast", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        bad_body = await http.post("/broadcast", json={"projectId": project["id"], "type": 7})
        bad_notice = await http.post("/broadcast", json={"projectId": project["id"], "seq": 0})
        unknown = await http.post(
            "/broadcast", json={"projectId": project["id"], "type": "task_exploded"}
        )
        misfit = await http.post(
            "/broadcast",
            json={"projectId": project["id"], "type": "comment_deleted", "data": {"taskId": 1}},
        )
    assert invalid.status_code == 400, invalid.text
    assert invalid.json()["error"]["code"] == "invalid_json"
    assert bad_body.status_code == 422, bad_body.text
    assert bad_notice.status_code == 422, bad_notice.text
    assert unknown.status_code == 422, unknown.text
    assert unknown.json()["error"]["code"] == "unknown_type"
    assert misfit.status_code == 422, misfit.text
    assert misfit.json()["error"]["code"] == "validation_error"
    assert ana.http.get(f"/api/projects/{project['id']}").json()["seq"] == project["seq"]


async def test_a_broadcast_with_the_longest_user_id_its_body_allows_is_never_a_server_error(
    live: LiveStack, settings: Settings, signup: Signup
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    body = {
        "projectId": project["id"],
        "type": "comment_deleted",
        "data": {"commentId": "cmt_gone", "taskId": "task_gone"},
        "userId": "user_" + "x" * 35,  # 40 characters: AppendBody's max_length
    }
    async with gateway(live, settings.resolved_broadcast_secret()) as http:
        response = await http.post("/broadcast", json=body)
    # Appended as given, or refused as a bad body: either is a fair answer; a 500 is not.
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert response.json()["error"]["code"] == "validation_error"
    else:
        logged = ana.http.get(f"/api/projects/{project['id']}/events").json()["events"]
        assert logged[-1]["userId"] == body["userId"]


async def test_a_broadcast_append_gets_the_next_seq_is_logged_and_reaches_a_joined_client(
    live: LiveStack, settings: Settings, signup: Signup
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    data = {"commentId": "cmt_gone", "taskId": "task_gone"}
    async with connect(live.ws_url, token=ana.token) as client:
        assert (await client.join(project["id"]))["seq"] == project["seq"]
        async with gateway(live, settings.resolved_broadcast_secret()) as http:
            response = await http.post(
                "/broadcast",
                json={"projectId": project["id"], "type": "comment_deleted", "data": data},
            )
        assert response.status_code == 201, response.text
        assert response.json() == {"projectId": project["id"], "seq": project["seq"] + 1}
        (received,) = await client.events(1)
    assert received["type"] == "comment_deleted"
    assert received["seq"] == project["seq"] + 1
    assert received["data"] == {"projectId": project["id"], **data}
    logged = ana.http.get(
        f"/api/projects/{project['id']}/events", params={"after": project["seq"]}
    ).json()["events"]
    assert logged == [received]


async def test_a_notice_of_a_committed_seq_is_accepted_with_202_on_its_own_route(
    live: LiveStack, settings: Settings, signup: Signup
) -> None:
    """A commit made elsewhere and an event to append have a route each: neither is told
    from the other by the shape of its body."""
    project = new_project(signup("ana"))
    notice = {"projectId": project["id"], "seq": project["seq"]}
    async with gateway(live, settings.resolved_broadcast_secret()) as http:
        response = await http.post("/notify", json=notice)
        as_append = await http.post("/broadcast", json=notice)
        unsigned = await http.post("/notify", json=notice, headers={"Authorization": ""})
    assert response.status_code == 202, response.text
    assert response.json() == notice
    assert as_append.status_code == 422
    assert as_append.json()["error"]["code"] == "validation_error"
    assert unsigned.status_code == 401


async def test_a_broadcast_to_a_deleted_or_unknown_project_is_404(
    live: LiveStack, settings: Settings, signup: Signup
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    assert ana.http.delete(f"/api/projects/{project['id']}").status_code == 204
    data = {"commentId": "cmt_gone", "taskId": "task_gone"}
    async with gateway(live, settings.resolved_broadcast_secret()) as http:
        answers = [
            await http.post(
                "/broadcast",
                json={"projectId": project_id, "type": "comment_deleted", "data": data},
            )
            for project_id in (project["id"], "proj_madeup0000000000000")
        ]
    for response in answers:
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not_found"


async def test_a_broadcast_task_assigned_to_a_non_member_is_refused_like_the_apis_and_not_logged(
    live: LiveStack, settings: Settings, signup: Signup
) -> None:
    """The assignee rule holds for announced tasks: someone who is not a member, or no one
    at all, is refused as ``PATCH /api/tasks/{id}`` refuses them, before anything is
    written (the event's copy for the assignee's own log was a server error)."""
    ana, stranger = signup("ana"), signup("stranger")
    project = new_project(ana)
    created = ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Plan"})
    assert created.status_code == 201, created.text
    task = created.json()
    head = ana.http.get(f"/api/projects/{project['id']}").json()["seq"]

    def assigned_to(user_id: str) -> Json:
        data = {"taskId": task["id"], "task": {**task, "assigneeId": user_id}}
        return {
            "projectId": project["id"],
            "type": "task_updated",
            "data": {**data, "changes": ["assigneeId"]},
        }

    async with gateway(live, settings.resolved_broadcast_secret()) as http:
        refused = [
            await http.post("/broadcast", json=assigned_to(user_id))
            for user_id in ("user_nosuchperson0000000", stranger.id)
        ]
        by_api = ana.http.patch(f"/api/tasks/{task['id']}", json={"assigneeId": stranger.id})
        accepted = await http.post("/broadcast", json=assigned_to(ana.id))
    for response in [*refused, by_api]:
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert (error["code"], error["details"]) == ("assignee_not_member", {"field": "assigneeId"})
    assert [r.json()["error"]["message"] for r in refused] == [
        by_api.json()["error"]["message"]
    ] * 2
    assert stranger.http.get(f"/api/projects/{stranger.id}/events").json()["events"] == []
    # A member is a fair assignee: the same event for ana goes in, and into her own log.
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["seq"] == head + 1
    mine = ana.http.get(f"/api/projects/{ana.id}/events").json()["events"]
    assert [(e["type"], e["data"]["task"]["assigneeId"]) for e in mine[-1:]] == [
        ("task_updated", ana.id)
    ]


# -- health and metrics ----------------------------------------------------------------


async def test_the_gateway_port_answers_healthz_readyz_and_metrics_after_traffic(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    async with connect(live.ws_url, token=ana.token) as client:
        await client.join(project["id"])
        renamed = ana.http.patch(f"/api/projects/{project['id']}", json={"name": "Renamed"})
        assert renamed.status_code == 200, renamed.text
        (event,) = await client.events(1)
        assert event["type"] == "project_updated"
        async with gateway(live, None) as http:
            healthz = await http.get("/healthz")
            readyz = await http.get("/readyz")
            metrics = await http.get("/metrics")
    assert healthz.status_code == 200
    assert healthz.json() == {"status": "ok"}
    assert readyz.status_code == 200
    assert readyz.json()["database"] == "ok"
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    page = metrics.text
    assert metric(page, "tasklane_connections") >= 1
    assert metric(page, "tasklane_joins_total") >= 1
    assert metric(page, "tasklane_deliveries_total") >= 1


# -- shutdown --------------------------------------------------------------------------


async def test_shutdown_closes_every_client_with_4001_and_a_spread_retry_hint(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana = signup("ana")
    settings = make_settings(database_url, tmp_path)
    stack = build_stack(settings)
    servers = build_servers(stack, "all", port=0, ws_port=0)
    with running(servers, stack) as (_api_port, ws_port):
        async with contextlib.AsyncExitStack() as opened:
            clients = [
                await opened.enter_async_context(
                    connect(f"ws://127.0.0.1:{ws_port}", token=ana.token)
                )
                for _ in range(3)
            ]
            # Stop the servers as SIGINT would, while this loop stays free to read.
            for server in servers:
                server.should_exit = True
            closed = [await client.closed(10) for client in clients]
    assert [code for code, _ in closed] == [4001, 4001, 4001]
    hints = [json.loads(reason) for _, reason in closed]
    assert all(set(hint) == {"retryAfterMs"} for hint in hints)
    waits = [hint["retryAfterMs"] for hint in hints]
    assert all(0 <= wait <= settings.drain_spread_ms for wait in waits), waits
    assert len(set(waits)) > 1, waits


# -- two processes ---------------------------------------------------------------------


@dataclass
class TwoProcesses:
    api_url: str  # tasklane serve --role api
    ws_url: str  # tasklane serve --role realtime
    gateway_http: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def two_processes(database_url: str, tmp_path: Path) -> Iterator[TwoProcesses]:
    """``tasklane serve --role realtime`` and ``--role api`` as real processes, sharing
    one DATA_DIR (so one generated broadcast secret) and one database."""
    port, ws_port = free_port(), free_port()
    api_url, gateway_http = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ws_port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "WS_PORT": str(ws_port),
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path),
        "GATEWAY_URL": gateway_http,
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "64",
        "ARGON2_PARALLELISM": "1",
        "LOG_LEVEL": "warning",
    }
    env.pop("BROADCAST_SECRET", None)
    tasklane = Path(sys.executable).parent / "tasklane"
    started: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        # The gateway first: it generates the broadcast secret the API process reads.
        for role in ("realtime", "api"):
            log = tmp_path / f"{role}.log"
            with log.open("w") as out:
                process = subprocess.Popen(
                    [str(tasklane), "serve", "--role", role],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append((process, log))
            wait_ready(gateway_http if role == "realtime" else api_url, process, log)
        yield TwoProcesses(api_url, f"ws://127.0.0.1:{ws_port}", gateway_http)
    finally:
        for process, _log in reversed(started):
            stop(process)


async def test_an_api_process_and_a_gateway_process_deliver_changes_in_order_and_share_presence(
    two_processes: TwoProcesses,
) -> None:
    async with httpx.AsyncClient(base_url=two_processes.api_url, timeout=10) as http:
        registered = await http.post(
            "/api/auth/register",
            json={"email": unique_email("two"), "name": "Two", "password": "correct horse"},
        )
        assert registered.status_code == 201, registered.text
        token, user_id = registered.json()["token"], registered.json()["user"]["id"]
        http.headers["Authorization"] = f"Bearer {token}"
        created = await http.post("/api/projects", json={"name": "Across"})
        assert created.status_code == 201, created.text
        project = created.json()
        async with connect(two_processes.ws_url, token=token) as client:
            assert (await client.join(project["id"]))["seq"] == project["seq"]
            task = await http.post(f"/api/projects/{project['id']}/tasks", json={"name": "One"})
            assert task.status_code == 201, task.text
            moved = await http.patch(f"/api/tasks/{task.json()['id']}", json={"status": "done"})
            assert moved.status_code == 200, moved.text
            renamed = await http.patch(f"/api/projects/{project['id']}", json={"name": "Over"})
            assert renamed.status_code == 200, renamed.text
            events = await client.events(3, 10)
            presence = await http.get(f"/api/projects/{project['id']}/presence")
    assert [(e["type"], e["seq"]) for e in events] == [
        ("task_created", project["seq"] + 1),
        ("task_status_changed", project["seq"] + 2),
        ("project_updated", project["seq"] + 3),
    ]
    assert presence.status_code == 200, presence.text
    assert presence.json() == [{"userId": user_id, "name": "Two"}]
