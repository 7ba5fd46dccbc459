"""``RealtimeClient``: follow projects live, over whatever transport gets through.

It connects with a token, follows the projects you ``join``, and hands every durable
event to your handlers and iterators **once, in ``seq`` order**, per project. It keeps
one cursor per project (the last ``seq`` handed over) and resumes from it on every
reconnection and every change of transport, so nothing is lost or doubled. Reconnection
follows ``backoff``: WebSocket with retries after 2, 4, 8, 16, 30 s (± jitter), then
Server-Sent Events, then long polling, probing WebSocket meanwhile to move back up. A
"do not reconnect" close (4400-4499, or 401) leaves it ``offline``.

This module holds the connection and the cursors; the handlers and their ``on…``
methods are in ``subscriptions``, the iterators in ``updates``, ``Status`` in ``status``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random as randomness
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType

import httpx

from tasklane.client.backoff import (
    STABLE_AFTER,
    TRANSPORTS,
    FallBack,
    Ladder,
    TransportName,
    probe_delay,
)
from tasklane.client.errors import NotFoundError, RealtimeRefused, TasklaneError
from tasklane.client.frames import (
    Closing,
    Connected,
    ErrorFrame,
    Frame,
    Joined,
    Left,
    PresenceEvent,
    ResyncRequired,
)
from tasklane.client.rest import AsyncTasklaneClient
from tasklane.client.status import LIVE, Status
from tasklane.client.subscriptions import Subscriptions
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
from tasklane.client.updates import Outbox, Update, Updates
from tasklane.client.urls import gateway_for, gateway_http, gateway_ws
from tasklane.protocol.events import EventEnvelope
from tasklane.protocol.realtime import PROTOCOL_VERSION

__all__ = ["RealtimeClient", "Status", "Update", "Updates"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class _Project:
    cursor: int | None  # the last seq handed over; None until the head is known
    joined: asyncio.Event = field(default_factory=asyncio.Event)
    rejoining: bool = False  # a resume after a gap is on its way


class RealtimeClient(Subscriptions):
    """Follows projects live. Use it as an async context manager::

        async with RealtimeClient("http://127.0.0.1:3001", token) as live:
            live.on_task_status_changed(lambda event: print(event.data["newStatus"]))
            await live.join(project.id, after=project.seq)
            async for update in live.updates():
                ...

    ``url`` is the API (for polling); the gateway is ``gateway_url``, by default the
    address the API names (``GET /api/realtime``, asked once, before the first WebSocket
    or event stream; a server too old to answer it is taken to be on port 3002).
    ``transports`` are the rungs of the fallback ladder, best first. ``sleep`` and
    ``random`` are how it waits and jitters (inject them to test the schedule without
    waiting); ``poll_wait`` is the seconds each long poll waits, and
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
        super().__init__()
        if not token:
            raise ValueError("a token is required: a personal API token or a session token")
        self.url = url.rstrip("/")
        self.token = token
        # Known now, or asked of the API by `_gateway` when a connection first needs it.
        self.gateway_http = gateway_http(gateway_url) if gateway_url else None
        self.gateway_ws = gateway_ws(gateway_url) if gateway_url else None
        self.transports = tuple(transports)
        Ladder(self.transports, random)  # refuse a bad ladder now, not in the background
        self._sleep = sleep
        self._random = random
        self._forgiving: asyncio.Task[None] | None = None  # the current rung's, once up
        self._poll_wait = poll_wait
        self._open_timeout = open_timeout
        self._api = AsyncTasklaneClient(self.url, token)
        self._projects: dict[str, _Project] = {}
        self._link: Link | None = None
        self._status = Status("offline", reason="not started")
        self._supervisor: asyncio.Task[None] | None = None
        self._outbox = Outbox()  # ended once closed, or refused: nothing more will come

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect in the background; joins made before or after are followed."""
        if self._supervisor is None and not self._outbox.ended:
            self._supervisor = asyncio.create_task(self._supervise(), name="tasklane-realtime")

    async def close(self) -> None:
        """Disconnect; iterators end. The client cannot be started again."""
        if self._supervisor is not None and not self._supervisor.done():
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        await self._api.aclose()
        if self._outbox.refusal is None and self._status.state != "offline":
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
        return project.cursor if project_id in self._projects and not self._outbox.ended else None

    def cursor(self, project_id: str) -> int | None:
        """The last ``seq`` handed over for a project (None if not known yet)."""
        project = self._projects.get(project_id)
        return project.cursor if project is not None else None

    # -- what it hands over ------------------------------------------------------------

    def updates(self) -> Updates:
        """An async iterator of events, resyncs and lefts from now on (see
        :class:`Updates`). Make it before joining to miss nothing."""
        return Updates(self._outbox)

    # -- the connection ------------------------------------------------------------------

    async def _supervise(self) -> None:
        ladder = Ladder(self.transports, self._random)
        handed: Link | None = None
        try:
            while True:
                opened: Link | Lost | Refused | None
                opened, handed = handed, None
                kind = ladder.transport
                if opened is None:
                    await self._set_status(Status("connecting", transport=kind))
                    opened = await self._new_link(kind)
                outcome: End
                if isinstance(opened, Lost | Refused):  # the gateway's address is not known
                    outcome, was_up = opened, False
                else:
                    kind = opened.kind
                    outcome, was_up = await self._run(opened, ladder)
                if isinstance(outcome, Upgraded):
                    ladder.upgrade()
                    handed = outcome.link
                    continue
                if isinstance(outcome, Refused):
                    self._outbox.refusal = RealtimeRefused(outcome.code, outcome.reason)
                    await self._set_status(
                        Status("offline", reason=outcome.reason, code=outcome.code)
                    )
                    return
                step = ladder.lost(was_up=was_up, hint=outcome.retry_after)
                log.info("realtime %s lost: %s; next: %s", kind, outcome.reason, step)
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

    async def _new_link(self, kind: TransportName) -> Link | Lost | Refused:
        if kind == "poll":
            return PollLink(self._api, wait=self._poll_wait)
        found = await self._gateway()
        if isinstance(found, Lost | Refused):
            return found
        ws, http = found
        if kind == "ws":
            return WebSocketLink(ws, self.token, open_timeout=self._open_timeout)
        return SseLink(http, self.token, open_timeout=self._open_timeout)

    async def _gateway(self) -> tuple[str, str] | Lost | Refused:
        """The gateway's ``ws`` and ``http`` bases: given, or asked of the API once."""
        if self.gateway_ws is None or self.gateway_http is None:
            try:
                info = await self._api.realtime_info()
            except NotFoundError:  # a server from before GET /api/realtime
                self.gateway_http = gateway_http(gateway_for(self.url))
                self.gateway_ws = gateway_ws(self.gateway_http)
            except TasklaneError as exc:
                return Lost(f"the API did not say where the gateway is: {exc}", exc.status)
            except httpx.HTTPError as exc:
                return Lost(f"the API did not say where the gateway is: {exc!r}")
            else:
                if info.protocol != PROTOCOL_VERSION:
                    return Refused(
                        f"the server speaks realtime protocol {info.protocol}; "
                        f"this client speaks {PROTOCOL_VERSION}"
                    )
                self.gateway_http = gateway_http(info.gateway.http)
                self.gateway_ws = gateway_ws(info.gateway.ws)
        return self.gateway_ws, self.gateway_http

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
            for chore in (probe, self._forgiving):
                if chore is not None:
                    chore.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await chore
            self._forgiving = None
            for late in await link.close():
                await late.link.close()

    async def _went_up(self, link: Link, ladder: Ladder) -> bool:
        ladder.established()
        if ladder.failures:  # forgiven only once this connection has lasted
            self._forgiving = asyncio.create_task(self._forgive(ladder), name="tasklane-forgive")
        await self._set_status(Status(LIVE[link.kind], transport=link.kind))
        return True

    async def _forgive(self, ladder: Ladder) -> None:
        await self._sleep(STABLE_AFTER)
        ladder.forgive()

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
            assert self.gateway_ws is not None  # a probe follows a fallback that found it
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
                await self._notify_presence(item)
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
                await self._notify_resync(item)
                self._outbox.hand_over(item)
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
        await self._notify_event(event)
        self._outbox.hand_over(event)

    async def _left(self, link: Link, left: Left) -> None:
        project = self._projects.pop(left.project_id, None)
        if project is None:
            return
        link.following.discard(left.project_id)
        project.joined.set()
        await self._notify_left(left)
        self._outbox.hand_over(left)

    def _end(self) -> None:
        for project in self._projects.values():
            project.joined.set()  # nobody waits for a join that cannot come
        self._outbox.end()

    async def _set_status(self, status: Status) -> None:
        self._status = status
        await self._notify_status(status)
