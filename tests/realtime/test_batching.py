"""Batching: a client that connects with ``?batch=1`` gets the frames that queued up
while the gateway was writing as one JSON array per message — here, a replay of fifty
events — in order, none lost; a client that did not ask still gets one frame per
message."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from tests.live import LiveStack
from tests.realtime.test_delivery import add_task, shared_project


async def messages_of_a_replay(
    live: LiveStack, token: str, project_id: str, query: str
) -> list[Any]:
    """Every message of a join with ``lastSeq`` 0, until the project's 50th event."""
    async with websockets.connect(
        f"{live.ws_url}/ws{query}", additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        await ws.send(json.dumps({"type": "join", "projectId": project_id, "lastSeq": 0}))
        messages: list[Any] = []
        seen = 0
        while seen < 50:
            message = json.loads(await asyncio.wait_for(ws.recv(), 5))
            messages.append(message)
            frames = message if isinstance(message, list) else [message]
            seen = max([seen, *(f.get("seq", 0) for f in frames if "data" in f)])
        return messages


async def test_a_batching_client_gets_a_burst_in_fewer_messages_and_in_order(
    live: LiveStack, signup: Any
) -> None:
    ana = signup("ana")
    project = shared_project(ana)
    for number in range(50 - project["seq"]):
        add_task(ana, project, f"Task {number}")

    batched = await messages_of_a_replay(live, ana.token, project["id"], "?batch=1")
    frames = [f for m in batched for f in (m if isinstance(m, list) else [m])]
    events = [f for f in frames if "data" in f and "seq" in f]
    assert [e["seq"] for e in events] == list(range(1, 51))
    assert any(isinstance(m, list) and len(m) > 1 for m in batched)
    assert len(batched) < len(frames)

    single = await messages_of_a_replay(live, ana.token, project["id"], "")
    assert all(isinstance(m, dict) for m in single)
    assert [m["seq"] for m in single if "data" in m and "seq" in m] == list(range(1, 51))
