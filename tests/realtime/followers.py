"""One interface over the three ways of following a project, for tests that must see
the same events whichever way they listen: WebSocket, Server-Sent Events, long poll."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.realtime.client import Client, connect

Frame = dict[str, Any]
NOT_EVENTS = {"connected", "joined", "left", "pong", "error", "resync_required", "close"}
PRESENCE = {"user_connected", "user_disconnected"}


@dataclass
class SseEvent:
    event: str
    data: Frame
    id: str | None


class SseReader:
    """Parses a ``text/event-stream`` as the browser's EventSource does."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()
        self.comments: list[str] = []
        self.retry: int | None = None

    async def next(self, within: float = 5.0) -> SseEvent:
        async with asyncio.timeout(within):  # not wait_for: see Client.next
            return await self._next()

    async def _next(self) -> SseEvent:
        event, last_id = "message", None
        data: list[str] = []
        async for line in self.lines:
            if line == "":
                if data:
                    return SseEvent(event, json.loads("\n".join(data)), last_id)
                continue
            if line.startswith(":"):
                self.comments.append(line)
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id":
                last_id = value
            elif name == "retry":
                self.retry = int(value)
        raise EOFError("the stream ended")


@asynccontextmanager
async def sse_stream(
    gateway_http: str, token: str, project_ids: list[str], last_event_id: str | None = None
) -> AsyncIterator[SseReader]:
    headers = {"Authorization": f"Bearer {token}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    params = httpx.QueryParams([("projectId", p) for p in project_ids])
    async with (
        httpx.AsyncClient(base_url=gateway_http, timeout=30) as http,
        http.stream("GET", "/sse", params=params, headers=headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        yield SseReader(response)


@dataclass
class Follower:
    """Follows one project; ``session(cursor)`` connects, resuming after ``cursor``."""

    transport: str
    api_url: str
    ws_url: str
    gateway_http: str
    token: str
    project_id: str
    _source: Any = field(default=None, repr=False)

    @asynccontextmanager
    async def session(self, cursor: int) -> AsyncIterator[Follower]:
        async with AsyncExitStack() as stack:
            if self.transport == "ws":
                client: Client = await stack.enter_async_context(
                    connect(self.ws_url, token=self.token)
                )
                await client.join(self.project_id, last_seq=cursor)
                self._source = client
            elif self.transport == "sse":
                self._source = await stack.enter_async_context(
                    sse_stream(self.gateway_http, self.token, [self.project_id], str(cursor))
                )
            else:
                http = await stack.enter_async_context(
                    httpx.AsyncClient(
                        base_url=self.api_url,
                        timeout=30,
                        headers={"Authorization": f"Bearer {self.token}"},
                    )
                )
                self._source = (http, [cursor])
            yield self

    async def take(self, count: int) -> list[Frame]:
        """The next ``count`` durable events."""
        got: list[Frame] = []
        while len(got) < count:
            if self.transport == "ws":
                frame = await self._source.next()
                if frame["type"] not in NOT_EVENTS | PRESENCE:
                    got.append(frame)
            elif self.transport == "sse":
                event = await self._source.next()
                if event.event not in NOT_EVENTS | PRESENCE:
                    assert event.id == str(event.data["seq"])
                    got.append(event.data)
            else:
                http, cursor = self._source
                response = await http.get(
                    f"/api/projects/{self.project_id}/events",
                    params={"after": cursor[0], "wait": 5, "limit": count - len(got)},
                )
                assert response.status_code == 200, response.text
                events = response.json()["events"]
                got += events
                if events:
                    cursor[0] = events[-1]["seq"]
        return got
