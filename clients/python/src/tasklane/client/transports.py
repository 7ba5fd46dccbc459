"""The three ways of following projects, behind one shape: a :class:`Link`.

A link is one connection over one transport. The realtime client opens it, asks it to
follow projects from their cursors, and reads typed frames (``frames.Frame``) from it
until it yields an :class:`End`: :class:`Lost` (reconnect and resume), :class:`Refused`
(do not reconnect) or :class:`Upgraded` (a WebSocket probe took over). Links only move
bytes and translate failures into those outcomes; ordering, de-duplication, backoff and
fallback are the client's.

* :class:`WebSocketLink`: ``/ws`` on the gateway, one connection for every project.
* :class:`SseLink`: ``/sse`` on the gateway, one stream per project, so that following
  one more project never restarts the others and a refusal names its project. Each
  stream counts toward the gateway's per-user connection limit.
* :class:`PollLink`: ``GET /api/projects/{id}/events?after=&wait=`` on the API, one long
  poll per project (the API allows ``POLL_MAX_PER_USER``, 10, at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from tasklane.client.backoff import TransportName, is_final, retry_hint
from tasklane.client.errors import (
    ForbiddenError,
    NotFoundError,
    TasklaneError,
    UnauthorizedError,
    error_from,
)
from tasklane.client.frames import (
    Closing,
    Connected,
    Frame,
    Joined,
    Left,
    ResyncRequired,
    parse_message,
)
from tasklane.client.frames import parse_frame as parse
from tasklane.client.rest import USER_AGENT, AsyncTasklaneClient, tls_context
from tasklane.protocol import closes

log = logging.getLogger(__name__)

OPEN_TIMEOUT = 10.0  # seconds to connect and get the first frame
SSE_READ_TIMEOUT = 60.0  # silence that means a dead stream (the server's heartbeat is 20 s)
POLL_WAIT = 25.0  # seconds each long poll waits (the server caps it at 30)
POLL_PAGE = 500
ABNORMAL = 1006  # the connection dropped without a close frame


@dataclass(frozen=True)
class Lost:
    """The link ended or could not be opened; reconnect and resume."""

    reason: str
    code: int | None = None
    retry_after: float | None = None  # the server's own delay (4001), in seconds


@dataclass(frozen=True)
class Refused:
    """The server said "do not reconnect" (4400-4499, or 401)."""

    reason: str
    code: int | None = None


@dataclass(frozen=True)
class Upgraded:
    """A WebSocket probe succeeded while on a fallback: it takes over."""

    link: WebSocketLink


End = Lost | Refused | Upgraded


def closed(code: int | None, reason: str) -> Lost | Refused:
    """The outcome of a close code: 4400-4499 refuse; anything else is resumable."""
    if is_final(code):
        return Refused(reason or f"closed with {code}", code)
    return Lost(reason or f"closed with {code}", code, retry_hint(code, reason))


class Link(ABC):
    """One connection over one transport; see the module's docstring."""

    kind: ClassVar[TransportName]

    def __init__(self) -> None:
        self._items: asyncio.Queue[Frame | End] = asyncio.Queue()
        self.opened = False
        self.following: set[str] = set()  # bookkeeping of the client: projects followed here

    @abstractmethod
    async def _open(self) -> Lost | Refused | None: ...

    @abstractmethod
    async def follow(self, project_id: str, after: int | None) -> None:
        """Follow a project after ``after`` (or live from its head); again: resume."""

    @abstractmethod
    async def unfollow(self, project_id: str) -> None: ...

    @abstractmethod
    async def _shut(self) -> None: ...

    async def open(self) -> Lost | Refused | None:
        """Connect; None once the link can follow projects, else why it cannot."""
        failed = await self._open()
        self.opened = failed is None
        return failed

    async def next(self) -> Frame | End:
        return await self._items.get()

    def put(self, item: Frame) -> None:
        self._items.put_nowait(item)

    def end(self, outcome: End) -> None:
        """End the link: ``next`` yields ``outcome`` after what was already received."""
        self._items.put_nowait(outcome)

    async def close(self) -> list[Upgraded]:
        """Close the connection. Returns the probes that were handed over too late, so
        that their connections get closed as well."""
        await self._shut()
        late: list[Upgraded] = []
        while not self._items.empty():
            item = self._items.get_nowait()
            if isinstance(item, Upgraded):
                late.append(item)
        return late


class WebSocketLink(Link):
    kind = "ws"

    def __init__(self, ws_url: str, token: str, *, open_timeout: float = OPEN_TIMEOUT) -> None:
        super().__init__()
        self.url = f"{ws_url}/ws?batch=1"  # bursts may come as one array of frames
        self.token = token
        self.open_timeout = open_timeout
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None

    async def _open(self) -> Lost | Refused | None:
        try:
            self._ws = await websockets.connect(
                self.url,
                additional_headers={"Authorization": f"Bearer {self.token}"},
                user_agent_header=USER_AGENT,
                open_timeout=self.open_timeout,
                # Frames are never compressed by the gateway (it serialises once for all).
                compression=None,
                max_size=16 * 1024 * 1024,
            )
        except (OSError, TimeoutError, websockets.InvalidHandshake) as exc:
            return Lost(f"cannot open a WebSocket: {exc}")
        try:
            first = parse(await asyncio.wait_for(self._ws.recv(), self.open_timeout))
        except websockets.ConnectionClosed:
            return closed(self._ws.close_code or ABNORMAL, self._ws.close_reason or "")
        except (TimeoutError, ValueError) as exc:
            await self._shut()
            return Lost(f"no connected frame: {exc!r}")
        if not isinstance(first, Connected):
            await self._shut()
            return Lost(f"expected a connected frame, got {first!r}")
        self._reader = asyncio.create_task(self._read(self._ws), name="tasklane-ws-reader")
        return None

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for text in ws:
                for frame in parse_message(text):
                    self.put(frame)
        except websockets.ConnectionClosed:
            pass
        except ValueError as exc:
            self.end(Lost(f"malformed frame: {exc}"))
            return
        self.end(closed(ws.close_code or ABNORMAL, ws.close_reason or ""))

    async def follow(self, project_id: str, after: int | None) -> None:
        join: dict[str, Any] = {"type": "join", "projectId": project_id}
        if after is not None:
            join["lastSeq"] = after
        await self._send(join)

    async def unfollow(self, project_id: str) -> None:
        await self._send({"type": "leave", "projectId": project_id})

    async def _send(self, frame: dict[str, Any]) -> None:
        # A send on a closing connection is lost with it; the reader reports the close
        # and the next connection joins again from the cursors.
        if self._ws is not None:
            with contextlib.suppress(websockets.ConnectionClosed):
                await self._ws.send(json.dumps(frame, separators=(",", ":")))

    async def _shut(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), self.open_timeout)


class _PerProject(Link):
    """A link that runs one task per followed project, all feeding one queue."""

    def __init__(self) -> None:
        super().__init__()
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def _open(self) -> Lost | Refused | None:
        return None

    @abstractmethod
    def _run(self, project_id: str, after: int | None) -> Coroutine[Any, Any, None]: ...

    async def follow(self, project_id: str, after: int | None) -> None:
        await self._stop(project_id)
        self._tasks[project_id] = asyncio.create_task(
            self._run(project_id, after), name=f"tasklane-{self.kind}-{project_id}"
        )

    async def unfollow(self, project_id: str) -> None:
        await self._stop(project_id)

    async def _stop(self, project_id: str) -> None:
        task = self._tasks.pop(project_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _shut(self) -> None:
        for project_id in list(self._tasks):
            await self._stop(project_id)


@dataclass(frozen=True)
class SseMessage:
    event: str
    data: str
    id: str | None


async def sse_messages(lines: AsyncIterator[str]) -> AsyncIterator[SseMessage]:
    """Read a ``text/event-stream`` (one line at a time, without line breaks) into its
    messages, as an EventSource does: comments are skipped, ``data`` lines are joined.
    ``retry`` lines are skipped too: this client keeps its own schedule."""
    event, last_id = "message", None
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield SseMessage(event, "\n".join(data), last_id)
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            last_id = value


class SseLink(_PerProject):
    kind = "sse"

    def __init__(
        self,
        gateway_http: str,
        token: str,
        *,
        open_timeout: float = OPEN_TIMEOUT,
        read_timeout: float = SSE_READ_TIMEOUT,
    ) -> None:
        super().__init__()
        self.token = token
        self._http = httpx.AsyncClient(
            base_url=gateway_http,
            timeout=httpx.Timeout(open_timeout, read=read_timeout),
            verify=tls_context(),
        )

    async def _run(self, project_id: str, after: int | None) -> None:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "text/event-stream",
            "Cache-Control": "no-cache",
            "User-Agent": USER_AGENT,
        }
        if after is not None:
            # Our own cursor, never the browser's automatic one: we resume from what
            # the caller was given, not from what merely arrived.
            headers["Last-Event-ID"] = str(after)
        try:
            async with self._http.stream(
                "GET", "/sse", params={"projectId": project_id}, headers=headers
            ) as response:
                if response.status_code != 200:
                    await response.aread()
                    self._refused(project_id, error_from(response))
                    return
                if not response.headers.get("content-type", "").startswith("text/event-stream"):
                    self.end(Lost("the SSE answer is not an event stream"))
                    return
                async for message in sse_messages(response.aiter_lines()):
                    frame = parse(message.data)
                    if isinstance(frame, Closing):
                        self.end(closed(frame.code, frame.reason))
                        return
                    if frame is not None:
                        self.put(frame)
                    if isinstance(frame, Left) and frame.project_id == project_id:
                        return  # the stream ends here; "left" said why
            self.end(Lost("the SSE stream ended", ABNORMAL))
        except (httpx.HTTPError, ValueError) as exc:
            self.end(Lost(f"SSE stream failed: {exc!r}", ABNORMAL))

    def _refused(self, project_id: str, error: TasklaneError) -> None:
        """A stream refused before it started (docs/protocol.md, "Server-Sent Events")."""
        if isinstance(error, UnauthorizedError):
            self.end(Refused(error.message, closes.UNAUTHORIZED))
        elif isinstance(error, ForbiddenError) and error.code == "forbidden":
            self.put(Left(project_id, "forbidden"))
        else:
            self.end(Lost(f"SSE refused: {error}", error.status))

    async def _shut(self) -> None:
        await super()._shut()
        await self._http.aclose()


class PollLink(_PerProject):
    kind = "poll"

    def __init__(self, api: AsyncTasklaneClient, *, wait: float = POLL_WAIT) -> None:
        super().__init__()
        self.api = api
        self.wait = wait

    async def _run(self, project_id: str, after: int | None) -> None:
        joined = False
        try:
            # The first page answers at once: it says where the head is (``joined``).
            page = await self.api.list_events(project_id, after=after or 0, limit=1, wait=0)
            cursor = page.head_seq if after is None else after
            self.put(Joined(project_id, page.head_seq))
            joined = True
            if cursor > page.head_seq:  # say so now, not after a long poll's wait
                self.put(ResyncRequired(project_id, page.head_seq, "ahead of the log"))
                cursor = page.head_seq
            while True:
                page = await self.api.list_events(
                    project_id, after=cursor, limit=POLL_PAGE, wait=self.wait
                )
                # As the gateway does: a cursor the log cannot serve is a resync.
                first = page.events[0].seq if page.events else None
                if cursor > page.head_seq or (first is not None and first != cursor + 1):
                    why = "ahead of the log" if cursor > page.head_seq else "no longer in the log"
                    self.put(ResyncRequired(project_id, page.head_seq, why))
                    cursor = page.head_seq
                    continue
                for event in page.events:
                    self.put(event)
                    cursor = event.seq
                if page.ended and not page.has_more:  # project_deleted was the last event
                    self.put(Left(project_id, "project_deleted"))
                    return
        except UnauthorizedError as exc:
            self.end(Refused(exc.message, closes.UNAUTHORIZED))
        except (NotFoundError, ForbiddenError):
            # Before the first answer: it cannot be followed (as /ws and /sse say with
            # "forbidden"). After: access was removed (a deletion ends the log instead).
            self.put(Left(project_id, "not_found" if joined else "forbidden"))
        except TasklaneError as exc:
            self.end(Lost(f"poll failed: {exc}", exc.status))
