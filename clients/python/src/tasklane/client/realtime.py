"""``RealtimeClient``: follow projects live, over whatever transport gets through.

It connects with a token, follows the projects you ``join``, and hands every durable
event to your handlers and iterators **once, in ``seq`` order**, per project. It keeps
one cursor per project (the last ``seq`` handed over) and resumes from it on every
reconnection and every change of transport, so nothing is lost or doubled. Reconnection
follows ``backoff``: WebSocket with retries after 2, 4, 8, 16, 30 s (± jitter), then
Server-Sent Events, then long polling, probing WebSocket meanwhile to move back up. A
"do not reconnect" close (4400-4499, or 401) leaves it ``offline``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import random as randomness
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

from tasklane.client.backoff import TRANSPORTS, FallBack, Ladder, TransportName, probe_delay
from tasklane.client.errors import RealtimeRefused
from tasklane.client.frames import (
    Closing,
    Connected,
    ErrorFrame,
    Frame,
    Joined,
    Left,
    PresenceEvent,
    PresenceType,
    ResyncRequired,
)
from tasklane.client.rest import AsyncTasklaneClient
from tasklane.client.transports import (
    OPEN_TIMEOUT,
    POLL_WAIT,
    End,
    Link,
    Lost,
    PollLink,
    Refused,
    SseLink,
    Upgraded,
    WebSocketLink,
)
from tasklane.client.urls import gateway_for, gateway_http, gateway_ws
from tasklane.protocol.events import EventEnvelope

log = logging.getLogger(__name__)

T = TypeVar("T")
State = Literal["connecting", "connected", "reconnecting", "sse", "polling", "offline"]
LIVE: dict[TransportName, State] = {"ws": "connected", "sse": "sse", "poll": "polling"}
Update = EventEnvelope | ResyncRequired | Left
Handler = Callable[[T], Awaitable[None] | None]
Sleep = Callable[[float], Awaitable[None]]
Unsubscribe = Callable[[], None]


@dataclass(frozen=True)
class Status:
    """Where the client stands (the seed's ``RealtimeStatus``).

    ``state``: ``connecting``; ``connected`` (WebSocket); ``sse`` or ``polling`` (live on a
    fallback); ``reconnecting`` (``retry_in`` seconds from now, over ``transport``);
    ``offline`` (``reason`` and ``code`` say why: refused, or closed).
    """

    state: State
    transport: TransportName | None = None
    retry_in: float | None = None
    reason: str | None = None
    code: int | None = None

    @property
    def is_connected(self) -> bool:
        """Live on some transport: changes arrive (the seed's ``isConnected``)."""
        return self.state in ("connected", "sse", "polling")


@dataclass
class _Project:
    cursor: int | None  # the last seq handed over; None until the head is known
    joined: asyncio.Event = field(default_factory=asyncio.Event)
    rejoining: bool = False  # a resume after a gap is on its way


class Updates:
    """An async iterator of what the client hands over, from the moment it was made:
    durable events, ``ResyncRequired`` and ``Left``. It ends when the client closes, and
    raises :class:`RealtimeRefused` if the server refused it."""

    def __init__(self, client: RealtimeClient) -> None:
        self._client = client
        self._queue: asyncio.Queue[Update | None] = asyncio.Queue()
        client._iterators.add(self._queue)
        if client._ended:
            self._queue.put_nowait(None)

    def __aiter__(self) -> Updates:
        return self

    async def __anext__(self) -> Update:
        item = await self._queue.get()
        if item is None:
            self.close()
            self._queue.put_nowait(None)  # stays ended
            if self._client._refusal is not None:
                raise self._client._refusal
            raise StopAsyncIteration
        return item

    def close(self) -> None:
        """Stop receiving (an iterator that is no longer read should be closed)."""
        self._client._iterators.discard(self._queue)


class RealtimeClient:
    """Follows projects live. Use it as an async context manager::

        async with RealtimeClient("http://127.0.0.1:3001", token) as live:
            live.on_task_status_changed(lambda event: print(event.data["newStatus"]))
            await live.join(project.id, after=project.seq)
            async for update in live.updates():
                ...

    ``url`` is the API (for polling); the gateway is ``gateway_url``, by default the
    API's host on port 3002. ``transports`` are the rungs of the fallback ladder, best
    first. ``sleep`` and ``random`` are how it waits and jitters (inject them to test the
    schedule without waiting); ``poll_wait`` is the seconds each long poll waits, and
    ``open_timeout`` how long a connection may take to open.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        gateway_url: str | None = None,
        transports: Sequence[TransportName] = TRANSPORTS,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = randomness.random,
        poll_wait: float = POLL_WAIT,
        open_timeout: float = OPEN_TIMEOUT,
    ) -> None:
        if not token:
            raise ValueError("a token is required: a personal API token or a session token")
        self.url = url.rstrip("/")
        self.token = token
        gateway = gateway_url or gateway_for(self.url)
        self.gateway_http = gateway_http(gateway)
        self.gateway_ws = gateway_ws(gateway)
        self.transports = tuple(transports)
        Ladder(self.transports, random)  # refuse a bad ladder now, not in the background
        self._sleep = sleep
        self._random = random
        self._poll_wait = poll_wait
        self._open_timeout = open_timeout
        self._api = AsyncTasklaneClient(self.url, token)
        self._projects: dict[str, _Project] = {}
        self._link: Link | None = None
        self._status = Status("offline", reason="not started")
        self._refusal: RealtimeRefused | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._ended = False  # closed, or refused: nothing more will come
        self._iterators: set[asyncio.Queue[Update | None]] = set()
        self._events: dict[str, list[Handler[EventEnvelope]]] = {}
        self._presence: dict[str, list[Handler[PresenceEvent]]] = {}
        self._statuses: list[Handler[Status]] = []
        self._resyncs: list[Handler[ResyncRequired]] = []
        self._lefts: list[Handler[Left]] = []

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect in the background; joins made before or after are followed."""
        if self._supervisor is None and not self._ended:
            self._supervisor = asyncio.create_task(self._supervise(), name="tasklane-realtime")

    async def close(self) -> None:
        """Disconnect; iterators end. The client cannot be started again."""
        if self._supervisor is not None and not self._supervisor.done():
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        await self._api.aclose()
        if self._refusal is None and self._status.state != "offline":
            await self._set_status(Status("offline", reason="closed"))
        self._end()

    async def __aenter__(self) -> RealtimeClient:
        await self.start()
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def status(self) -> Status:
        return self._status

    @property
    def is_connected(self) -> bool:
        return self._status.is_connected

    # -- projects ------------------------------------------------------------------------

    async def join(self, project_id: str, after: int | None = None) -> None:
        """Follow a project: every event after ``after`` (from the log first, then live),
        or, without it, live from the head. To load a project and then follow it
        without a gap, pass the ``seq`` its REST answer carried. Joining a project that
        is already followed changes nothing."""
        if project_id in self._projects:
            return
        self._projects[project_id] = _Project(after)
        link = self._link
        if link is not None and link.opened:
            await self._follow(link, project_id)

    async def leave(self, project_id: str) -> None:
        """Stop following a project."""
        if self._projects.pop(project_id, None) is None:
            return
        link = self._link
        if link is not None and project_id in link.following:
            link.following.discard(project_id)
            await link.unfollow(project_id)

    async def joined(self, project_id: str) -> int | None:
        """Wait until the project is followed (after a resync, if its cursor needed
        one); its cursor then. None if it was left, or could not be followed."""
        project = self._projects.get(project_id)
        if project is None:
            return None
        await project.joined.wait()
        return project.cursor if project_id in self._projects and not self._ended else None

    def cursor(self, project_id: str) -> int | None:
        """The last ``seq`` handed over for a project (None if not known yet)."""
        project = self._projects.get(project_id)
        return project.cursor if project is not None else None

    # -- handlers --------------------------------------------------------------------------

    @overload
    def on(self, type: PresenceType, handler: Handler[PresenceEvent]) -> Unsubscribe: ...
    @overload
    def on(self, type: str, handler: Handler[EventEnvelope]) -> Unsubscribe: ...
    def on(self, type: str, handler: Handler[Any]) -> Unsubscribe:
        """Call ``handler`` for each event of ``type``: a durable type such as
        ``task_created``; a kind (``task``, ``comment``, ``section``, ``member``,
        ``project``) for each of its types; ``*`` for every durable event; or
        ``user_connected`` / ``user_disconnected``. Handlers may be plain functions or
        coroutines; an exception in one is logged and does not stop the others. Returns
        a function that unsubscribes."""
        table: dict[str, list[Any]] = (
            self._presence if type in ("user_connected", "user_disconnected") else self._events
        )
        return _subscribe(table.setdefault(type, []), handler)

    def on_event(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        """Every durable event (the seed's ``useRealtimeUpdates``)."""
        return self.on("*", handler)

    def on_task(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        """Any change to a task: ``task_*`` (the seed's ``useTaskRealtimeUpdates``)."""
        return self.on("task", handler)

    def on_comment(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        """Any change to a comment: ``comment_*`` (``useCommentRealtimeUpdates``)."""
        return self.on("comment", handler)

    def on_task_created(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("task_created", handler)

    def on_task_updated(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("task_updated", handler)

    def on_task_status_changed(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("task_status_changed", handler)

    def on_task_deleted(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("task_deleted", handler)

    def on_comment_created(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("comment_created", handler)

    def on_comment_updated(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("comment_updated", handler)

    def on_comment_deleted(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("comment_deleted", handler)

    def on_project_updated(self, handler: Handler[EventEnvelope]) -> Unsubscribe:
        return self.on("project_updated", handler)

    def on_presence(self, handler: Handler[PresenceEvent]) -> Unsubscribe:
        """``user_connected`` and ``user_disconnected``."""
        unsubscribes = [self.on("user_connected", handler), self.on("user_disconnected", handler)]

        def unsubscribe() -> None:
            for each in unsubscribes:
                each()

        return unsubscribe

    def on_status(self, handler: Handler[Status]) -> Unsubscribe:
        """Every change of :attr:`status`."""
        return _subscribe(self._statuses, handler)

    def on_resync(self, handler: Handler[ResyncRequired]) -> Unsubscribe:
        """The log could not serve a project's cursor: reload that project's state.
        Events after the resync's ``seq`` follow."""
        return _subscribe(self._resyncs, handler)

    def on_left(self, handler: Handler[Left]) -> Unsubscribe:
        """A project is no longer followed (access revoked, deleted, or refused)."""
        return _subscribe(self._lefts, handler)

    def updates(self) -> Updates:
        """An async iterator of events, resyncs and lefts from now on (see
        :class:`Updates`). Make it before joining to miss nothing."""
        return Updates(self)

    # -- the connection ------------------------------------------------------------------

    async def _supervise(self) -> None:
        ladder = Ladder(self.transports, self._random)
        handed: Link | None = None
        try:
            while True:
                link, handed = handed, None
                if link is None:
                    await self._set_status(Status("connecting", transport=ladder.transport))
                    link = self._new_link(ladder.transport)
                outcome, was_up = await self._run(link, ladder)
                if isinstance(outcome, Upgraded):
                    ladder.upgrade()
                    handed = outcome.link
                    continue
                if isinstance(outcome, Refused):
                    self._refusal = RealtimeRefused(outcome.code, outcome.reason)
                    await self._set_status(
                        Status("offline", reason=outcome.reason, code=outcome.code)
                    )
                    return
                step = ladder.lost(was_up=was_up, hint=outcome.retry_after)
                log.info("realtime %s lost: %s; next: %s", link.kind, outcome.reason, step)
                if isinstance(step, FallBack):
                    continue
                await self._set_status(
                    Status(
                        "reconnecting",
                        transport=step.transport,
                        retry_in=step.delay,
                        reason=outcome.reason,
                        code=outcome.code,
                    )
                )
                await self._sleep(step.delay)
        finally:
            if handed is not None:
                await handed.close()
            self._end()

    def _new_link(self, kind: TransportName) -> Link:
        if kind == "ws":
            return WebSocketLink(self.gateway_ws, self.token, open_timeout=self._open_timeout)
        if kind == "sse":
            return SseLink(self.gateway_http, self.token, open_timeout=self._open_timeout)
        return PollLink(self._api, wait=self._poll_wait)

    async def _run(self, link: Link, ladder: Ladder) -> tuple[End, bool]:
        """Use one link until it ends; its outcome, and whether it ever worked."""
        self._link = link
        probe: asyncio.Task[None] | None = None
        up = False
        try:
            failed = None if link.opened else await link.open()  # a probe comes open
            if failed is not None:
                return failed, False
            # A WebSocket works once its ``connected`` frame came (``open`` waited for
            # it); SSE and polling once their first frame comes, or at once if there is
            # nothing to follow yet.
            if link.kind == "ws" or not self._projects:
                up = await self._went_up(link, ladder)
            for project_id in list(self._projects):
                await self._follow(link, project_id)
            if ladder.probing:
                probe = asyncio.create_task(self._probe(link), name="tasklane-ws-probe")
            while True:
                item = await link.next()
                if isinstance(item, Lost | Refused | Upgraded):
                    return item, up
                if not up:
                    up = await self._went_up(link, ladder)
                await self._handle(link, item)
        except Exception as exc:  # a bug must not end following for good; say so
            log.exception("realtime link failed")
            return Lost(f"internal error: {exc!r}"), up
        finally:
            self._link = None
            if probe is not None:
                probe.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await probe
            for late in await link.close():
                await late.link.close()

    async def _went_up(self, link: Link, ladder: Ladder) -> bool:
        ladder.established()
        await self._set_status(Status(LIVE[link.kind], transport=link.kind))
        return True

    async def _follow(self, link: Link, project_id: str) -> None:
        if project_id in link.following or project_id not in self._projects:
            return
        link.following.add(project_id)
        await link.follow(project_id, self._projects[project_id].cursor)

    async def _probe(self, current: Link) -> None:
        """While on a fallback: try a WebSocket now and then; the first that works takes
        over (the client then resumes every project on it from its cursor)."""
        while True:
            await self._sleep(probe_delay(self._random))
            candidate = WebSocketLink(self.gateway_ws, self.token, open_timeout=self._open_timeout)
            try:
                failed = await candidate.open()
            except Exception:  # a probe must never take the working fallback down
                log.exception("WebSocket probe failed")
                await candidate.close()
                continue
            if failed is None:
                current.end(Upgraded(candidate))
                return

    # -- what arrives ----------------------------------------------------------------------

    async def _handle(self, link: Link, item: Frame) -> None:
        if isinstance(item, EventEnvelope):
            await self._event(link, item)
        elif isinstance(item, PresenceEvent):
            if item.project_id in self._projects:
                for presence_handler in list(self._presence.get(item.type, ())):
                    await _call(presence_handler, item)
        elif isinstance(item, Joined):
            project = self._projects.get(item.project_id)
            if project is not None:
                if project.cursor is None:
                    project.cursor = item.seq
                project.rejoining = False
                if project.cursor <= item.seq:  # else a resync comes next, and sets it
                    project.joined.set()
        elif isinstance(item, ResyncRequired):
            project = self._projects.get(item.project_id)
            if project is not None:
                project.cursor = item.seq
                project.rejoining = False
                project.joined.set()
                for resync_handler in list(self._resyncs):
                    await _call(resync_handler, item)
                self._hand_over(item)
        elif isinstance(item, Left):
            await self._left(link, item)
        elif isinstance(item, ErrorFrame):
            if item.project_id is not None and item.code == "forbidden":
                await self._left(link, Left(item.project_id, "forbidden"))
            elif item.project_id is not None and item.code == "unavailable":
                link.end(Lost(f"the gateway could not follow {item.project_id}: {item.message}"))
            else:
                log.warning("the gateway refused a frame: %s %s", item.code, item.message)
        elif not isinstance(item, Connected | Closing):
            log.debug("ignored %r", item)

    async def _event(self, link: Link, event: EventEnvelope) -> None:
        project = self._projects.get(event.project_id)
        if project is None or project.cursor is None or event.seq <= project.cursor:
            return  # not followed, or already handed over
        if event.seq > project.cursor + 1:
            # A gap (the server promises none): resume from the cursor, once.
            if not project.rejoining:
                project.rejoining = True
                log.warning("gap in %s after %s; resuming", event.project_id, project.cursor)
                await link.follow(event.project_id, project.cursor)
            return
        project.cursor = event.seq
        project.joined.set()
        handlers = [
            *self._events.get(event.type, ()),
            *self._events.get(event.type.partition("_")[0], ()),
            *self._events.get("*", ()),
        ]
        for handler in handlers:
            await _call(handler, event)
        self._hand_over(event)

    async def _left(self, link: Link, left: Left) -> None:
        project = self._projects.pop(left.project_id, None)
        if project is None:
            return
        link.following.discard(left.project_id)
        project.joined.set()
        for handler in list(self._lefts):
            await _call(handler, left)
        self._hand_over(left)

    def _hand_over(self, update: Update) -> None:
        for queue in list(self._iterators):
            queue.put_nowait(update)

    def _end(self) -> None:
        self._ended = True
        for project in self._projects.values():
            project.joined.set()  # nobody waits for a join that cannot come
        for queue in list(self._iterators):
            queue.put_nowait(None)

    async def _set_status(self, status: Status) -> None:
        self._status = status
        for handler in list(self._statuses):
            await _call(handler, status)


def _subscribe(handlers: list[Any], handler: Any) -> Unsubscribe:
    handlers.append(handler)

    def unsubscribe() -> None:
        with contextlib.suppress(ValueError):
            handlers.remove(handler)

    return unsubscribe


async def _call(handler: Handler[T], value: T) -> None:
    try:
        result = handler(value)
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.exception("a realtime handler failed")
