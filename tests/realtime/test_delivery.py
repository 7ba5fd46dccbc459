"""Delivery over real sockets: the API and the gateway served as ``tasklane serve``
serves them, clients on the ``websockets`` library."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from tasklane.protocol import closes
from tests.conftest import Person, make_settings
from tests.live import LiveStack, live_stack
from tests.processes import eventually
from tests.realtime.client import connect

ENVELOPE_KEYS = ["type", "projectId", "userId", "seq", "data", "timestamp"]


def shared_project(owner: Person, *others: Person, role: str = "editor") -> dict[str, Any]:
    project: dict[str, Any] = owner.http.post("/api/projects", json={"name": "Live"}).json()
    for person in others:
        added = owner.http.post(
            f"/api/projects/{project['id']}/members", json={"userId": person.id, "role": role}
        )
        assert added.status_code == 201, added.text
    project["seq"] = owner.http.get(f"/api/projects/{project['id']}").json()["seq"]
    return project


def add_task(person: Person, project: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    response = person.http.post(
        f"/api/projects/{project['id']}/tasks", json={"name": name, **fields}
    )
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


async def test_two_members_see_each_others_changes_with_the_envelope_and_seq(
    live: LiveStack, signup: Any
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    async with (
        connect(live.ws_url, token=ana.token) as a,
        connect(live.ws_url, token=ben.token) as b,
    ):
        assert (await a.join(project["id"]))["seq"] == project["seq"]
        await b.join(project["id"])
        task = add_task(ana, project, "Write the spec")
        ben.http.patch(f"/api/tasks/{task['id']}", json={"status": "in_progress"})
        ben.http.post(f"/api/tasks/{task['id']}/comments", json={"text": "On it"})
        seen_by_ana, seen_by_ben = await a.events(3), await b.events(3)
    assert seen_by_ana == seen_by_ben
    assert [e["seq"] for e in seen_by_ana] == [project["seq"] + n for n in (1, 2, 3)]
    assert [e["type"] for e in seen_by_ana] == [
        "task_created",
        "task_status_changed",
        "comment_created",
    ]
    assert all(list(e) == ENVELOPE_KEYS for e in seen_by_ana)
    assert [e["userId"] for e in seen_by_ana] == [ana.id, ben.id, ben.id]
    status = seen_by_ana[1]["data"]
    assert (status["previousStatus"], status["newStatus"]) == ("todo", "in_progress")
    assert status["task"]["status"] == "in_progress"
    # What the socket says is exactly what the log says.
    log = ana.http.get(f"/api/projects/{project['id']}/events?after={project['seq']}").json()
    assert log["events"] == seen_by_ana


async def test_a_client_that_missed_five_changes_gets_exactly_those_on_rejoin(
    live: LiveStack, signup: Any
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    async with connect(live.ws_url, token=ben.token) as b:
        await b.join(project["id"])
        add_task(ana, project, "seen")
        (last,) = await b.events(1)
    missed = [add_task(ana, project, f"missed {n}")["id"] for n in range(5)]
    async with connect(live.ws_url, token=ben.token) as b:
        await b.join(project["id"], last_seq=last["seq"])
        replayed = await b.events(5)
        add_task(ana, project, "live again")
        (live_event,) = await b.events(1)
        add_task(ana, project, "and after it")
        after = await b.next()  # the next change, and nothing again before it
    assert [e["seq"] for e in replayed] == [last["seq"] + n for n in range(1, 6)]
    assert [e["data"]["taskId"] for e in replayed] == missed
    assert live_event["seq"] == last["seq"] + 6
    assert (after["type"], after["seq"]) == ("task_created", last["seq"] + 7)


async def test_changes_committed_while_a_long_replay_runs_arrive_once_in_order(
    live: LiveStack, signup: Any
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    for n in range(700):  # a backlog of more than one replay page
        add_task(ana, project, f"backlog {n}")
    head = ana.http.get(f"/api/projects/{project['id']}").json()["seq"]

    def keep_writing() -> list[int]:
        return [add_task(ana, project, f"during {n}")["id"] for n in range(30)]

    async with connect(live.ws_url, token=ben.token) as b:
        writer = asyncio.get_running_loop().run_in_executor(None, keep_writing)
        await b.join(project["id"], last_seq=0)
        await writer
        got = await b.events(head + 30, within=20)
        add_task(ana, project, "after")
        after = await b.next()  # the next change, and nothing again before it
    assert [e["seq"] for e in got] == list(range(1, head + 31))
    assert (after["type"], after["seq"]) == ("task_created", head + 31)


def slow_closed(stack: LiveStack) -> bool:
    assert stack.stack.gateway is not None
    return bool(stack.stack.gateway.metrics.slow_consumer_closes._value.get())


def small_socket(ws_url: str) -> socket.socket:
    """A connected TCP socket with a small receive buffer, for a client that lags."""
    address = urlparse(ws_url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((address.hostname, address.port))
    sock.setblocking(False)
    return sock


@pytest.fixture
def cramped(database_url: str, tmp_path: Path) -> Iterator[LiveStack]:
    """A stack whose connections may queue only a little."""
    settings = make_settings(
        database_url, tmp_path, ws_queue_messages=20, ws_queue_bytes=256 * 1024
    )
    with live_stack(settings) as running:
        yield running


async def test_a_slow_consumer_is_closed_to_resume_while_the_room_goes_on(
    cramped: LiveStack,
) -> None:
    http = httpx.AsyncClient(base_url=cramped.api_url, timeout=30)
    body = {"email": "slow-owner@example.com", "name": "Owner", "password": "correct horse"}
    token = (await http.post("/api/auth/register", json=body)).json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    project = (await http.post("/api/projects", json={"name": "Busy"})).json()
    notes = "x" * 15_000
    # The slow client's library stops reading after one frame; the kernel's buffers
    # fill, then the gateway's queue, and the gateway must cut it loose.
    async with (
        connect(cramped.ws_url, sock=small_socket(cramped.ws_url), token=token) as slow,
        connect(cramped.ws_url, token=token) as fast,
    ):
        await slow.join(project["id"])
        await fast.join(project["id"])
        # The slow client stops reading: its small kernel buffer fills, then the
        # gateway's send buffer, then its queue, and the gateway must cut it loose.
        slow.ws.transport.pause_reading()
        sent = 0
        received: list[int] = []
        for _ in range(1_200):
            response = await http.post(
                f"/api/projects/{project['id']}/tasks", json={"name": "t", "notes": notes}
            )
            assert response.status_code == 201
            sent += 1
            received += [e["seq"] for e in await fast.events(1)]
            # Come back as soon as the gateway has given up on it.
            if cramped.stack.gateway is not None and slow_closed(cramped):
                break
        # It comes back to read what was sent, and finds the close frame at the end.
        slow.ws.transport.resume_reading()
        code, reason = await slow.closed()
    assert code == closes.SLOW_CONSUMER
    assert "resume" in reason
    # The fast client kept up the whole time: every event, in order, nothing missing.
    assert received == list(range(2, sent + 2))
    metrics = (await http.get(f"{cramped.gateway_http}/metrics")).text
    assert "tasklane_slow_consumer_closes_total 1.0" in metrics
    await http.aclose()


async def test_presence_counts_people_not_tabs(live: LiveStack, signup: Any) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    url = f"/api/projects/{project['id']}/presence"
    async with connect(live.ws_url, token=ana.token) as watcher:
        await watcher.join(project["id"])
        own = await watcher.expect("user_connected")  # everyone sees their own arrival too
        assert own["userId"] == ana.id
        async with connect(live.ws_url, token=ben.token) as tab1:
            await tab1.join(project["id"])
            async with connect(live.ws_url, token=ben.token) as tab2:
                joined = await tab2.join(project["id"])
                assert sorted(p["userId"] for p in joined["presence"]) == sorted([ana.id, ben.id])
                present = ana.http.get(url).json()
                assert sorted(p["userId"] for p in present) == sorted([ana.id, ben.id])
                arrived = await watcher.next()
                assert (arrived["type"], arrived["userId"]) == ("user_connected", ben.id)
                assert "seq" not in arrived
                # The second tab's join has been answered: no second arrival came of it.
                assert await watcher.drained() == []
            await eventually(lambda: live.connections_of(ben.id) == 1, "the second tab gone")
            assert await watcher.drained() == []  # one tab left: Ben is still here
        gone = await watcher.next()
        assert (gone["type"], gone["userId"]) == ("user_disconnected", ben.id)
    assert [p["userId"] for p in ana.http.get(url).json()] == []


async def test_removal_from_a_project_stops_delivery_at_once(live: LiveStack, signup: Any) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    async with connect(live.ws_url, token=ben.token) as b:
        await b.join(project["id"])
        await b.expect("user_connected")
        removed = ana.http.delete(f"/api/projects/{project['id']}/members/{ben.id}")
        assert removed.status_code == 204
        left = await b.expect("left")
        assert left == {"type": "left", "projectId": project["id"], "reason": "access_revoked"}
        async with connect(live.ws_url, token=ana.token) as a:
            await a.join(project["id"])
            add_task(ana, project, "after the removal")
            await a.events(1)  # fanned out to the room: Ben would have had it by now
        assert await b.drained() == []
        await b.send({"type": "join", "projectId": project["id"], "lastSeq": 0})
        refused = await b.expect("error")
        assert refused["code"] == "forbidden"


async def test_no_one_receives_another_projects_events(live: LiveStack, signup: Any) -> None:
    ana, ben = signup("ana"), signup("ben")
    mine, theirs = shared_project(ana), shared_project(ben)
    async with connect(live.ws_url, token=ana.token) as a:
        await a.join(mine["id"])
        await a.expect("user_connected")
        async with connect(live.ws_url, token=ben.token) as b:
            await b.join(theirs["id"])
            add_task(ben, theirs, "not for Ana")
            await b.events(1)  # fanned out to that room: Ana would have had it by now
        await a.send({"type": "join", "projectId": theirs["id"], "lastSeq": 0})
        assert (await a.expect("error"))["code"] == "forbidden"
        add_task(ana, mine, "for Ana")
        event = await a.next()  # and nothing before it
        assert (event["type"], event["projectId"]) == ("task_created", mine["id"])


@pytest.fixture
def brisk(database_url: str, tmp_path: Path) -> Iterator[LiveStack]:
    """A stack whose heartbeat is short enough to watch."""
    with live_stack(make_settings(database_url, tmp_path, heartbeat_seconds=0.3)) as running:
        yield running


async def test_a_half_open_connection_is_dropped_within_two_heartbeats(brisk: LiveStack) -> None:
    http = httpx.AsyncClient(base_url=brisk.api_url, timeout=30)
    people = []
    for label in ("watcher", "ghost"):
        body = {"email": f"{label}@example.com", "name": label, "password": "correct horse"}
        people.append((await http.post("/api/auth/register", json=body)).json())
    watcher, ghost = people
    headers = {"Authorization": f"Bearer {watcher['token']}"}
    project = (await http.post("/api/projects", json={"name": "P"}, headers=headers)).json()
    member = {"userId": ghost["user"]["id"], "role": "viewer"}
    await http.post(f"/api/projects/{project['id']}/members", json=member, headers=headers)
    async with (
        connect(brisk.ws_url, token=watcher["token"]) as w,
        connect(brisk.ws_url, token=ghost["token"], ping_interval=None) as g,
    ):
        await w.join(project["id"])
        await g.join(project["id"])
        # The ghost's side goes silent, as a peer behind a dead link would: it reads
        # nothing more, so it answers no ping.
        g.ws.transport.pause_reading()
        frames = [await w.next(within=5) for _ in range(3)]
        assert [f["type"] for f in frames] == [
            "user_connected",
            "user_connected",
            "user_disconnected",
        ]
        assert frames[2]["userId"] == ghost["user"]["id"]
        g.ws.transport.resume_reading()
        code, _ = await g.closed()
        assert code == 1011  # keepalive ping timeout
    await http.aclose()


async def test_one_connection_follows_several_projects_each_in_order(
    live: LiveStack, signup: Any
) -> None:
    ana = signup("ana")
    first, second = shared_project(ana), shared_project(ana)
    async with connect(live.ws_url, token=ana.token) as a:
        await a.join(first["id"])
        await a.join(second["id"])
        for n in range(3):
            add_task(ana, first, f"first {n}")
            add_task(ana, second, f"second {n}")
        got = await a.events(6)
        await a.send({"type": "leave", "projectId": first["id"]})
        assert (await a.until("left"))["reason"] == "left"
        add_task(ana, first, "after leaving")
        add_task(ana, second, "still followed")
        (last,) = await a.events(1)
    by_project = {
        p["id"]: [e["seq"] for e in got if e["projectId"] == p["id"]] for p in (first, second)
    }
    assert by_project[first["id"]] == [first["seq"] + n for n in (1, 2, 3)]
    assert by_project[second["id"]] == [second["seq"] + n for n in (1, 2, 3)]
    assert last["projectId"] == second["id"]
