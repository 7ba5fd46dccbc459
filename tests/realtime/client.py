"""A small WebSocket client for the tests, on the ``websockets`` library."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.typing import Origin

Frame = dict[str, Any]


class Client:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, frame: Frame | str | bytes) -> None:
        await self.ws.send(frame if isinstance(frame, str | bytes) else json.dumps(frame))

    async def next(self, within: float = 5.0) -> Frame:
        """The next frame, whatever its type."""
        raw = await asyncio.wait_for(self.ws.recv(), within)
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

    async def quiet(self, seconds: float = 0.3) -> list[Frame]:
        """Whatever arrives within ``seconds``: to show that nothing (more) does."""
        frames: list[Frame] = []
        try:
            while True:
                frames.append(await self.next(seconds))
        except TimeoutError:
            return frames

    async def closed(self, within: float = 5.0) -> tuple[int, str]:
        """Wait for the server to close; its close code and reason."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), within)
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
