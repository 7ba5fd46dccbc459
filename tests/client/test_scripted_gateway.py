"""What the real gateway promises never to do, and what it does only on a bad day, played
by a scripted WebSocket server on a real socket: a gap and a duplicate in the stream, a
slow-consumer close, a shutdown close with its retry hint, and a "do not reconnect"
close. The client must hand over each event once, in order, and keep the schedule."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tasklane.client import RealtimeClient, RealtimeRefused
from tasklane.client.backoff import STABLE_AFTER
from tests.client.story import Seen
from tests.client.timing import FastTime, steady

PROJECT = "proj_scripted"
Script = Callable[[ServerConnection, int, dict[str, Any]], Coroutine[Any, Any, None]]


def event(seq: int) -> str:
    """A durable event of the scripted project, as the gateway would send it."""
    return json.dumps(
        {
            "type": "task_deleted",
            "projectId": PROJECT,
            "userId": None,
            "seq": seq,
            "data": {
                "projectId": PROJECT,
                "taskId": f"task_{seq}",
                "parentId": None,
                "deletedSubtaskIds": [],
            },
            "timestamp": "2026-01-01T12:00:00.000Z",
        }
    )


def joined(seq: int) -> str:
    return json.dumps({"type": "joined", "projectId": PROJECT, "seq": seq, "presence": []})


@asynccontextmanager
async def gateway(script: Script) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A WebSocket server on /ws that greets each connection, then hands each ``join``
    to ``script`` with the connection's number. Yields its URL and the joins received."""
    joins: list[dict[str, Any]] = []
    connections = 0

    async def handle(ws: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        number = connections
        greeting = {"type": "connected", "connectionId": f"conn_{number}", "userId": "u"}
        await ws.send(json.dumps({**greeting, "heartbeatSeconds": 20}))
        with contextlib.suppress(ConnectionClosed):
            async for text in ws:
                frame = json.loads(text)
                if frame["type"] == "join":
                    joins.append(frame)
                    await script(ws, number, frame)

    async with serve(handle, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}", joins


def following(url: str, time: FastTime) -> RealtimeClient:
    return RealtimeClient(
        "http://127.0.0.1:9",
        "a-token",
        gateway_url=url,
        transports=("ws",),
        sleep=time.sleep,
        random=steady(),
    )


async def test_a_gap_resumes_from_the_cursor_and_a_duplicate_is_dropped() -> None:
    async def script(ws: ServerConnection, _number: int, join: dict[str, Any]) -> None:
        await ws.send(joined(4))
        if join["lastSeq"] == 0:
            for seq in (1, 1, 3, 4):  # 1 twice, then 2 is missing
                await ws.send(event(seq))
        else:  # the replay, then a live event: once it has come, nothing else did
            for seq in range(join["lastSeq"] + 1, 6):
                await ws.send(event(seq))

    time = FastTime()
    async with gateway(script) as (url, joins):
        seen = Seen(following(url, time))
        await seen.client.join(PROJECT, after=0)
        await seen.client.start()
        await seen.until(5)
        await seen.stop()
    assert [e.seq for e in seen.events] == [1, 2, 3, 4, 5]
    assert [e.seq for e in seen.updates] == [1, 2, 3, 4, 5]  # type: ignore[union-attr]
    assert [j.get("lastSeq") for j in joins] == [0, 1]  # resumed on the same connection
    assert time.asked == []


async def test_resume_codes_reconnect_on_schedule_and_a_do_not_reconnect_code_ends_it() -> None:
    async def script(ws: ServerConnection, number: int, join: dict[str, Any]) -> None:
        await ws.send(joined(number))
        await ws.send(event(join["lastSeq"] + 1))
        if number == 1:
            await ws.close(4000, "slow consumer: reconnect and resume")
        elif number == 2:
            await ws.close(4001, '{"retryAfterMs":1234}')
        elif number == 3:
            await ws.close(1012, "service restart")
        else:
            await ws.close(4429, "too many refused frames")

    time = FastTime()
    async with gateway(script) as (url, joins):
        seen = Seen(following(url, time))
        await seen.client.join(PROJECT, after=0)
        await seen.client.start()
        await seen.state("offline")
        with pytest.raises(RealtimeRefused) as refused:
            async for _ in seen.client.updates():
                pass
        await seen.stop()
    assert [e.seq for e in seen.events] == [1, 2, 3, 4]
    assert [j["lastSeq"] for j in joins] == [0, 1, 2, 3]
    # Each connection worked but none lasted STABLE_AFTER: the schedule goes on (2.2,
    # then 4.4), and each connection after a failure waited to be forgiven; 4001 says when.
    assert time.asked == pytest.approx([2.2, STABLE_AFTER, 1.234, STABLE_AFTER, 4.4, STABLE_AFTER])
    assert [(s.state, s.code) for s in seen.statuses if s.state != "connecting"] == [
        ("connected", None),
        ("reconnecting", 4000),
        ("connected", None),
        ("reconnecting", 4001),
        ("connected", None),
        ("reconnecting", 1012),
        ("connected", None),
        ("offline", 4429),
    ]
    assert (refused.value.code, refused.value.reason) == (4429, "too many refused frames")
