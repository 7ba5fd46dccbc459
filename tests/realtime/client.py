"""A small WebSocket client for the tests, on the ``websockets`` library."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

Frame = dict[str, Any]
_markers = itertools.count(1)


class Client:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, frame: Frame | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    async def next(self, within: float = 5.0) -> Frame:
        """The next frame, whatever its type.

        A cancelled wait is always cancelled: ``asyncio.wait_for`` (before Python 3.12)
        returns the frame instead when it arrives in the same turn as the cancellation,
        and a reader told to stop would wait for the next frame, which may never come."""
        async with asyncio.timeout(within):
            raw = await self.ws.recv()
        frame: Frame = json.loads(raw)
        return frame

    async def expect(self, kind: str, within: float = 5.0) -> Frame:
        """The next frame, which must be of type ``kind``."""
        frame = await self.next(within)
        assert frame["type"] == kind, frame
        return frame

    async def until(self, kind: str, within: float = 5.0) -> Frame:
        """The next frame of type ``kind``, passing over presence frames only."""
        while True:
            frame = await self.next(within)
            if frame["type"] == kind:
                return frame
            assert frame["type"] in ("user_connected", "user_disconnected"), frame

    async def join(self, project_id: str, last_seq: int | None = None) -> Frame:
        frame: Frame = {"type": "join", "projectId": project_id}
        if last_seq is not None:
            frame["lastSeq"] = last_seq
        await self.send(frame)
        return await self.until("joined")

    async def events(self, count: int, within: float = 5.0) -> list[Frame]:
        """The next ``count`` durable events (frames with a ``seq``), skipping presence."""
        got: list[Frame] = []
        while len(got) < count:
            frame = await self.next(within)
            if "seq" in frame and frame["type"] not in ("joined", "resync_required"):
                got.append(frame)
        return got

    async def drained(self, within: float = 5.0) -> list[Frame]:
        """The frames that arrive before the answer to a ping sent now: to show what was
        on its way to this connection, or that nothing was (``[]``).

        The gateway sends a connection's frames in order, and reads the ping only once
        it has acted on the frames before it (a ``join`` is answered, presence included).
        So whatever it sent or queued for this connection before reading the ping comes
        first: a frame the test waits for elsewhere (an event fanned out to the same
        room, a close seen by another client) shows that the moment has passed."""
        marker = f"drained-{next(_markers)}"
        await self.send({"type": "ping", "id": marker})
        frames: list[Frame] = []
        while (frame := await self.next(within)) != {"type": "pong", "id": marker}:
            frames.append(frame)
        return frames

    async def through(self, seq: int, within: float = 5.0) -> list[Frame]:
        """Every frame up to and including the event ``seq`` of a joined project."""
        frames: list[Frame] = []
        while not frames or frames[-1].get("seq") != seq or frames[-1]["type"] == "joined":
            frames.append(await self.next(within))
        return frames

    async def closed(self, within: float = 5.0) -> tuple[int, str]:
        """Wait for the server to close; its close code and reason."""
        try:
            while True:
                async with asyncio.timeout(within):
                    await self.ws.recv()
        except websockets.ConnectionClosed as closed:
            if closed.rcvd is None:
                raise AssertionError("closed without a close frame") from closed
            return closed.rcvd.code, closed.rcvd.reason


@asynccontextmanager
async def connect(
    ws_url: str,
    *,
    token: str | None = None,
    cookie: str | None = None,
    origin: str | None = None,
    ticket: str | None = None,
    expect_connected: bool = True,
    **options: Any,
) -> AsyncIterator[Client]:
    headers: dict[str, str] = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if cookie is not None:
        headers["Cookie"] = f"tasklane_session={cookie}"
    url = f"{ws_url}/ws" + (f"?ticket={ticket}" if ticket is not None else "")
    async with websockets.connect(
        url,
        additional_headers=headers,
        origin=Origin(origin) if origin is not None else None,
        open_timeout=10,
        **options,
    ) as ws:
        client = Client(ws)
        if expect_connected:
            await client.expect("connected")
        yield client
