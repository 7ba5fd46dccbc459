"""Rooms, connections and fan-out: the delivery core of the gateway, free of I/O.

A **room** is one project on one gateway. It delivers that project's durable events to
its subscribers strictly in ``seq`` order: an event that arrives ahead of a missing one
waits ``gap_wait`` seconds for it, then the missing range is read from the event log;
a late duplicate is dropped by ``seq``. Each frame arrives serialised once and is handed
to every subscriber as is.

A **connection** has a bounded send queue (messages and bytes). A consumer that cannot
keep up is closed with ``SLOW_CONSUMER`` and resumes from its last ``seq``; the room
never waits for it.

A **subscription** (one connection's interest in one project) that joins with
``lastSeq`` first replays the log after it. Live events that arrive meanwhile are
buffered and merged by ``seq``, so nothing is lost or doubled.

A room exists while it has subscribers; while it exists the hub ``follow``s its project
on the broker (with Redis: the gateway is subscribed to the project's channel).
Presence is best effort: a store that cannot be reached costs the ``user_connected`` /
``user_disconnected`` frames until ``keep_presence`` puts it right, never an event.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from tasklane.clock import Clock
from tasklane.events import PresenceData, encode, event_frame, presence_frame
from tasklane.models import Event
from tasklane.realtime import closes, wire
from tasklane.realtime.broker import Broker, BrokerMessage
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.presence import PresenceStore
from tasklane.services.event_log import LogPage

log = logging.getLogger(__name__)

Access = Callable[[str, str], Awaitable[bool]]  # (user_id, project_id) -> may read?


class LogReader(Protocol):
    async def after(self, project_id: str, after: int, limit: int) -> LogPage: ...
    async def heads(self, project_ids: list[str]) -> dict[str, int]: ...


@dataclass(frozen=True)
class HubLimits:
    queue_messages: int = 2_000
    queue_bytes: int = 8 * 1024 * 1024
    gap_wait: float = 0.05
    replay_page: int = 500
    max_replay: int = 10_000


def _ignore(_conn: Connection) -> None:
    pass


# Events that change who may be in a room: each is sent on its own (see ``_drain``).
_REVOKING = frozenset({"member_removed", "project_deleted"})

# The queue of every connection with nothing queued and nothing being sent: shared, and
# (maxlen 0) it keeps nothing, so that a connection must get its own before it queues.
_IDLE: deque[wire.Outgoing] = deque(maxlen=0)


class Connection:
    """One client connection: who it is, what it joined, and its bounded send queue.

    A gateway holds thousands of these for hours, so each is kept small: slots, no
    Event or deque of its own while idle. The queue exists only while frames wait in
    it or its transport is sending one it took (see ``next``); its consumer waits on a
    future made for that one wait."""

    __slots__ = (
        "_bytes",
        "_closed",
        "_frames",
        "_waiter",
        "address",
        "batching",
        "closing",
        "direct",
        "id",
        "limits",
        "name",
        "on_close",
        "on_slow",
        "subscriptions",
        "token_id",
        "user_id",
    )

    def __init__(
        self,
        connection_id: str,
        user_id: str,
        name: str,
        address: str,
        limits: HubLimits,
        token_id: str = "",
        on_slow: Callable[[Connection], None] = _ignore,
    ) -> None:
        self.id = connection_id
        self.user_id = user_id
        self.token_id = token_id  # the session or personal token it authenticated with
        self.name = name
        self.address = address
        self.limits = limits
        self.subscriptions: dict[str, Subscription] = {}
        self.closing: tuple[int, str] | None = None
        self.on_slow = on_slow
        # Told once, when the connection is first asked to close (the transport's cue).
        self.on_close: Callable[[], None] | None = None
        # Writes a frame to the socket at once when it can (see realtime.direct).
        self.direct: Callable[[wire.Outgoing], bool] | None = None
        self.batching = False  # takes several frames in one message (``?batch=1``)
        # _IDLE while nothing is queued or being sent by the transport: then, and only
        # then, a frame may go straight to the socket without overtaking another.
        self._frames = _IDLE
        self._bytes = 0
        self._waiter: asyncio.Future[None] | None = None  # ``next`` waiting for a frame
        self._closed: asyncio.Event | None = None

    def send(self, frame: wire.Outgoing) -> None:
        """Send a frame without waiting: straight to the socket when nothing is queued
        and the socket takes it, else through the queue; over the queue's limits, close
        as a slow consumer."""
        if self.closing is not None:
            return
        frames = self._frames
        if frames is _IDLE:
            if self.direct is not None and self.direct(frame):
                return
            frames = self._frames = deque()
        size = len(frame.text)
        limits = self.limits
        if len(frames) >= limits.queue_messages or self._bytes + size > limits.queue_bytes:
            self.close(closes.SLOW_CONSUMER, "slow consumer: reconnect and resume", flush=False)
            self.on_slow(self)
            return
        frames.append(frame)
        self._bytes += size
        self._wake()

    def close(self, code: int, reason: str, *, flush: bool = True) -> None:
        """Ask the transport to close; with ``flush``, after the frames already queued."""
        if self.closing is not None:
            return
        self.closing = (code, reason)
        if self._closed is not None:
            self._closed.set()
        if not flush and self._frames:
            self._frames.clear()
            self._bytes = 0
        self._wake()
        if self.on_close is not None:
            self.on_close()

    @property
    def closed(self) -> asyncio.Event:
        """Set once the connection is to be closed (made for whoever first asks)."""
        if self._closed is None:
            self._closed = asyncio.Event()
            if self.closing is not None:
                self._closed.set()
        return self._closed

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next(self) -> wire.Outgoing | None:
        """The next frame to send, or None once the connection is to be closed.

        The frame counts as being sent until ``next`` is called again: meanwhile new
        frames queue behind it rather than go straight to the socket ahead of it."""
        frames = self._frames
        if not frames:  # the last one taken (if any) has been sent
            self._frames = frames = _IDLE
        while not frames:
            if self.closing is not None:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
            frames = self._frames
        frame = frames.popleft()
        self._bytes -= len(frame.text)
        return frame

    def take(self, frames: int, max_bytes: int) -> list[wire.Outgoing]:
        """Up to ``frames`` more queued frames, at most ``max_bytes`` of text in all, at
        once (for a client that takes several events in one message)."""
        taken: list[wire.Outgoing] = []
        queue = self._frames
        if not queue:
            return taken
        size = 0
        while queue and len(taken) < frames:
            length = len(queue[0].text)
            if taken and size + length > max_bytes:
                break
            frame = queue.popleft()
            self._bytes -= length
            size += length
            taken.append(frame)
        return taken

    @property
    def queued(self) -> int:
        return len(self._frames)


@dataclass(eq=False, slots=True)
class Subscription:
    connection: Connection
    project_id: str
    cursor: int = 0  # the last seq this subscriber has been sent
    replaying: bool = True
    active: bool = True
    buffer: list[tuple[int, wire.Outgoing]] = field(default_factory=list)

    def deliver(self, seq: int, frame: wire.Outgoing) -> None:
        if not self.active:
            return
        if self.replaying:
            self.buffer.append((seq, frame))
        elif seq > self.cursor:
            self.cursor = seq
            self.connection.send(frame)


@dataclass(eq=False)
class Room:
    project_id: str
    head: int | None = None  # last seq delivered; None while the room is being opened
    subscribers: dict[str, Subscription] = field(default_factory=dict)
    pending: dict[int, tuple[wire.Outgoing, float]] = field(default_factory=dict)
    settling: bool = False  # a send of what is pending is due at the loop's next turn
    filling: asyncio.Task[None] | None = None
    opened: asyncio.Event = field(default_factory=asyncio.Event)


class Hub:
    def __init__(
        self,
        *,
        log: LogReader,
        access: Access,
        presence: PresenceStore,
        broker: Broker,
        clock: Clock,
        metrics: GatewayMetrics,
        limits: HubLimits = HubLimits(),
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.log = log
        self.access = access
        self.presence = presence
        self.broker = broker
        self.clock = clock
        self.metrics = metrics
        self.limits = limits
        self.wall = wall
        self.rooms: dict[str, Room] = {}
        self.connections: dict[str, Connection] = {}
        self.empty = asyncio.Event()  # set while no connection is open
        self.empty.set()
        self._per_user: Counter[str] = Counter()
        self._per_address: Counter[str] = Counter()
        self._on_slow = self._slow  # one bound method for every connection, not one each

    # -- connections ---------------------------------------------------------------

    def connect(
        self, connection_id: str, user_id: str, name: str, address: str, token_id: str = ""
    ) -> Connection:
        conn = Connection(
            connection_id, user_id, name, address, self.limits, token_id, self._on_slow
        )
        self.connections[connection_id] = conn
        self.empty.clear()
        self._per_user[user_id] += 1
        self._per_address[address] += 1
        self.metrics.connections.set(len(self.connections))
        return conn

    async def disconnect(self, conn: Connection) -> None:
        """Forget a connection that has gone, and everything it joined."""
        if self.connections.pop(conn.id, None) is None:
            return
        self._per_user -= Counter({conn.user_id: 1})
        self._per_address -= Counter({conn.address: 1})
        if not self.connections:
            self.empty.set()
        for sub in list(conn.subscriptions.values()):
            await self._unsubscribe(sub)
        self.metrics.connections.set(len(self.connections))

    def connections_of(self, *, user_id: str = "", address: str = "") -> int:
        """Open connections of a user, or from an address."""
        return self._per_user[user_id] if user_id else self._per_address[address]

    def token_ids(self) -> set[str]:
        """The tokens the open connections authenticated with."""
        return {conn.token_id for conn in self.connections.values() if conn.token_id}

    def end_credentials(self, token_ids: set[str]) -> int:
        """Close, as unauthorized, every connection opened with one of these tokens (signed
        out, revoked or expired); returns how many."""
        ended = [c for c in self.connections.values() if c.token_id in token_ids]
        for conn in ended:
            conn.close(
                closes.UNAUTHORIZED, "signed out, or the token was revoked or expired", flush=False
            )
        self.metrics.credential_closes.inc(len(ended))
        return len(ended)

    def _slow(self, conn: Connection) -> None:
        self.metrics.slow_consumer_closes.inc()
        log.warning(
            "slow consumer closed",
            extra={"connection_id": conn.id, "user_id": conn.user_id, "queued": conn.queued},
        )
        asyncio.get_running_loop().create_task(self.disconnect(conn))

    # -- joining and leaving -----------------------------------------------------------

    async def join(self, conn: Connection, project_id: str, last_seq: int | None) -> None:
        """Subscribe ``conn`` to a project: ``joined``, then the replay after
        ``last_seq`` if given, then live events, in ``seq`` order without gaps."""
        previous = conn.subscriptions.get(project_id)
        room = await self._open(project_id)
        sub = Subscription(conn, project_id)
        room.subscribers[conn.id] = sub
        conn.subscriptions[project_id] = sub
        if previous is not None:  # a re-join (to resume after a gap) replaces the old one
            previous.active = False
            previous.buffer.clear()
        # Checked after subscribing: a removal committed after this check reaches the
        # room as an event and revokes the new subscription; one before it fails here.
        # One that reaches the room during the check has revoked it already (`left`):
        # refused too, neither joined nor present.
        if not await self.access(conn.user_id, project_id) or not sub.active:
            self.metrics.joins.labels(result="forbidden").inc()
            self._detach(sub)
            if previous is not None:
                await self._absent(previous)
            conn.send(wire.error("forbidden", "you cannot follow this project", project_id))
            return
        self.metrics.joins.labels(result="ok").inc()
        assert room.head is not None
        head = room.head
        first = previous is None and await self._present(project_id, conn)
        present = await self._who(project_id)
        if not sub.active:  # revoked while presence was recorded (a store that waits)
            await self._absent(sub)
            return
        conn.send(wire.joined(project_id, head, present))
        if first:
            await self._announce("user_connected", project_id, conn.user_id, conn.name)
        sub.cursor = head if last_seq is None else await self._replay(sub, last_seq)
        sub.replaying = False
        for seq, frame in sub.buffer:
            if seq > sub.cursor and sub.active:
                sub.cursor = seq
                conn.send(frame)
        sub.buffer.clear()

    async def leave(self, conn: Connection, project_id: str, reason: str = "left") -> None:
        sub = conn.subscriptions.get(project_id)
        if sub is not None:
            await self._unsubscribe(sub)
        conn.send(wire.left(project_id, reason))

    async def _replay(self, sub: Subscription, last_seq: int) -> int:
        """Send the log after ``last_seq``; the cursor reached. If the log cannot serve
        it (pruned, too far back, or ahead of the log), say ``resync_required`` and
        continue live from the head."""
        conn, project_id = sub.connection, sub.project_id
        heads = await self.log.heads([project_id])
        head = heads.get(project_id, 0)
        if last_seq > head or head - last_seq > self.limits.max_replay:
            return self._resync(sub, head, "ahead of the log" if last_seq > head else "too far")
        cursor = last_seq
        while sub.active and conn.closing is None:
            page = await self.log.after(project_id, cursor, self.limits.replay_page)
            if not sub.active:  # revoked while the page was read: it said `left`, and ends
                break
            if page.events and page.events[0].seq != cursor + 1:
                return self._resync(sub, page.head, "no longer in the log")
            frames: list[wire.Outgoing] = []
            for row in page.events:
                if (
                    row.type == "member_removed"
                    and row.data.get("userId") == conn.user_id
                    and (not await self.access(conn.user_id, project_id) or not sub.active)
                ):
                    # Removed since the access check (unless back in since): neither the
                    # removal nor what follows is theirs; the room revokes with `left`
                    # when the removal reaches it. If it did while access was asked,
                    # `left` has gone out: nothing may follow it, not even what came before.
                    if sub.active:
                        self._send_all(conn, frames)
                    return cursor
                frames.append(_logged(row))
                cursor = row.seq
            self._send_all(conn, frames)
            self.metrics.replayed.inc(len(page.events))
            if len(page.events) < self.limits.replay_page:
                break
        return cursor

    def _send_all(self, conn: Connection, frames: list[wire.Outgoing]) -> None:
        """Frames in a row for one connection: as few messages as the batch limits
        allow if it takes batches, else one message each."""
        for message in self._batched(frames, 1) if conn.batching else frames:
            conn.send(message)

    def _batched(self, frames: list[wire.Outgoing], connections: int) -> list[wire.Outgoing]:
        """Frames in a row as the messages for a client that takes batches, counted as
        sent to this many connections."""
        messages: list[wire.Outgoing] = []
        for group in wire.groups(frames):
            if len(group) == 1:
                messages.append(group[0])
                continue
            messages.append(wire.batch(group))
            self.metrics.batches.inc(connections)
            self.metrics.batched_frames.inc(connections * len(group))
        return messages

    def _resync(self, sub: Subscription, head: int, why: str) -> int:
        self.metrics.resyncs.inc()
        sub.connection.send(wire.resync_required(sub.project_id, head, why))
        return head

    def _detach(self, sub: Subscription) -> None:
        conn = sub.connection
        sub.active = False
        sub.buffer.clear()
        if conn.subscriptions.get(sub.project_id) is sub:
            del conn.subscriptions[sub.project_id]
        room = self.rooms.get(sub.project_id)
        if room is not None and room.subscribers.get(conn.id) is sub:
            del room.subscribers[conn.id]
            self._close_if_empty(room)

    async def _unsubscribe(self, sub: Subscription) -> None:
        self._detach(sub)
        await self._absent(sub)

    async def _absent(self, sub: Subscription) -> None:
        conn = sub.connection
        try:
            last = await self.presence.remove(sub.project_id, conn.user_id, conn.id)
        except Exception as exc:  # the entry expires; a sweep announces the departure
            log.warning("presence unavailable: %s", exc, extra={"connection_id": conn.id})
            return
        if last:
            await self._announce("user_disconnected", sub.project_id, conn.user_id, conn.name)

    async def _present(self, project_id: str, conn: Connection) -> bool:
        """Record the connection as present; True if it made its user present."""
        try:
            return await self.presence.add(project_id, conn.user_id, conn.name, conn.id)
        except Exception as exc:  # ``keep_presence`` adds it once the store is back
            log.warning("presence unavailable: %s", exc, extra={"connection_id": conn.id})
            return False

    async def _who(self, project_id: str) -> list[dict[str, str]]:
        try:
            return await self.presence.list(project_id)
        except Exception as exc:
            log.warning("presence unavailable: %s", exc)
            return []

    async def _announce(self, kind: str, project_id: str, user_id: str, name: str) -> None:
        data = PresenceData(project_id=project_id, user_id=user_id, name=name)
        frame = encode(presence_frame(kind, data, self.clock.now()))
        await self.broker.publish(
            BrokerMessage(project_id, None, kind, frame, published_at=self.wall())
        )

    async def keep_presence(self) -> None:
        """Renew this gateway's presence entries and sweep its rooms' projects for
        expired ones (a gateway that died), announcing who came back and who left.
        Run every third of the store's entry lifetime, and after a broker interruption."""
        for change in await self.presence.refresh():
            await self._announce("user_connected", change.project_id, change.user_id, change.name)
        swept = await self.presence.sweep(list(self.rooms))
        for change in swept:
            await self._announce(
                "user_disconnected", change.project_id, change.user_id, change.name
            )
        self.metrics.presence_expired.inc(len(swept))

    # -- rooms ---------------------------------------------------------------------

    async def _open(self, project_id: str) -> Room:
        room = self.rooms.get(project_id)
        if room is None:
            room = self.rooms[project_id] = Room(project_id)
            self.metrics.rooms.set(len(self.rooms))
            # Follow first, then read the head: an event committed after the read is
            # published after the subscription, so it reaches the room. Messages that
            # arrive while the head is read wait in ``pending``.
            try:
                await self.broker.follow(project_id)
                head = (await self.log.heads([project_id])).get(project_id, 0)
            except BaseException:
                self.broker.unfollow(project_id)
                del self.rooms[project_id]
                room.opened.set()
                raise
            room.head = head
            for seq in [s for s in room.pending if s <= head]:
                del room.pending[seq]
            self._settle(room)
            room.opened.set()
        await room.opened.wait()
        if room.head is None:  # the join that opened it failed; try afresh
            return await self._open(project_id)
        return room

    def _close_if_empty(self, room: Room) -> None:
        if not room.subscribers and self.rooms.get(room.project_id) is room:
            del self.rooms[room.project_id]
            self.broker.unfollow(room.project_id)
            if room.filling is not None:
                room.filling.cancel()
            self.metrics.rooms.set(len(self.rooms))

    async def receive(self, message: BrokerMessage) -> None:
        """The broker listener: every message published to any project."""
        room = self.rooms.get(message.project_id)
        if room is None:
            return
        frame = wire.event(message.type, message.project_id, message.seq, message.frame)
        if message.seq is None:  # presence: unordered, never stored
            for sub in list(room.subscribers.values()):
                sub.connection.send(frame)
            self.metrics.delivered(message.type, len(room.subscribers))
            return
        if not self.offer(room, frame, message.published_at) or room.head is None:
            return
        if frame.type in _REVOKING:  # whoever lost access loses it now
            self._settle(room)
        elif not room.settling:
            # Sent at the loop's next turn rather than now: the events that reach the
            # room before then (a burst, several messages from one read of the broker)
            # go out together, as one message to each client that takes batches.
            room.settling = True
            asyncio.get_running_loop().call_soon(self._settle_soon, room)

    def offer(self, room: Room, frame: wire.Outgoing, published_at: float) -> bool:
        """Take a durable event for delivery in ``seq`` order; False if it was sent or
        taken already. It waits in ``pending`` until ``_settle`` or ``_drain``."""
        assert frame.seq is not None
        if (room.head is not None and frame.seq <= room.head) or frame.seq in room.pending:
            self.metrics.duplicates.inc()
            return False
        room.pending[frame.seq] = (frame, published_at)
        return True

    def _settle_soon(self, room: Room) -> None:
        room.settling = False
        if room.head is not None and self.rooms.get(room.project_id) is room:
            self._settle(room)

    def _settle(self, room: Room) -> None:
        """Send what is next in ``seq`` order; if a gap holds the rest back, fill it from
        the log once the missing event has had its chance to arrive."""
        self._drain(room)
        if room.pending and room.filling is None:
            room.filling = asyncio.get_running_loop().create_task(self._fill(room))

    def _drain(self, room: Room) -> None:
        """Send the events that are next in ``seq`` order: several in a row together,
        unless one of them changes who is in the room."""
        assert room.head is not None
        ready: list[int] = []
        while room.head + len(ready) + 1 in room.pending:
            ready.append(room.head + len(ready) + 1)
        if len(ready) > 1 and not any(room.pending[s][0].type in _REVOKING for s in ready):
            run = [room.pending.pop(seq) for seq in ready]
            room.head = ready[-1]
            self._fanout_run(room, run)
            return
        for seq in ready:
            frame, published_at = room.pending.pop(seq)
            room.head = seq
            self._fanout(room, frame, published_at)

    async def _fill(self, room: Room) -> None:
        """Read a gap from the log once the missing event had its chance to arrive."""
        try:
            await asyncio.sleep(self.limits.gap_wait)
            while room.pending and self.rooms.get(room.project_id) is room:
                assert room.head is not None
                missing = min(room.pending) - room.head - 1
                page = await self.log.after(room.project_id, room.head, missing)
                self.metrics.gap_fills.inc()
                for row in page.events:
                    if row.seq > room.head:
                        self.offer(room, _logged(row), 0.0)
                self._drain(room)
                if room.pending and not page.events:
                    await asyncio.sleep(self.limits.gap_wait)
        finally:
            room.filling = None

    async def catch_up(self, project_ids: list[str] | None = None) -> None:
        """Deliver whatever the log holds beyond each room's head (of all rooms, or of
        ``project_ids``): the last event of a burst may have been lost in transit with
        nothing after it to reveal the gap. Run periodically, after every broker
        reconnect, and when another process says it committed something."""
        rooms = [
            r
            for r in self.rooms.values()
            if r.head is not None and (project_ids is None or r.project_id in project_ids)
        ]
        heads = await self.log.heads([r.project_id for r in rooms])
        for room in rooms:
            target = heads.get(room.project_id, 0)
            if room.head is None or target <= room.head or room.filling is not None:
                continue
            page = await self.log.after(room.project_id, room.head, target - room.head)
            self.metrics.gap_fills.inc()
            for row in page.events:
                self.offer(room, _logged(row), 0.0)
            self._settle(room)

    def _fanout(self, room: Room, frame: wire.Outgoing, published_at: float) -> None:
        seq = frame.seq
        assert seq is not None
        subscribers = list(room.subscribers.values())
        if frame.type == "member_removed":
            revoked = json.loads(frame.text)["data"]["userId"]
            for sub in subscribers:
                if sub.connection.user_id == revoked:
                    self._revoke(sub, "access_revoked")
                else:
                    sub.deliver(seq, frame)
        else:  # the loop every event takes, once per subscriber: nothing in it to spare
            for sub in subscribers:
                sub.deliver(seq, frame)
        self.metrics.delivered(frame.type, len(room.subscribers))
        if published_at:
            self.metrics.publish_to_send.observe(max(0.0, self.wall() - published_at))
        if frame.type == "project_deleted":
            for sub in list(room.subscribers.values()):
                self._revoke(sub, "project_deleted")

    def _fanout_run(self, room: Room, run: list[tuple[wire.Outgoing, float]]) -> None:
        """Events in a row, none of which changes who is in the room: a client that
        takes batches gets them in as few messages as the limits allow (built once for
        all such clients), any other client one message each."""
        frames = [frame for frame, _ in run]
        first, last = frames[0].seq or 0, frames[-1].seq or 0
        subscribers = list(room.subscribers.values())
        together = [
            sub
            for sub in subscribers
            if sub.connection.batching and sub.active and not sub.replaying and sub.cursor < first
        ]
        messages = self._batched(frames, len(together)) if together else []
        for sub in together:
            sub.cursor = last
            for message in messages:
                sub.connection.send(message)
        if len(together) < len(subscribers):
            alone = set(together)
            for sub in subscribers:
                if sub not in alone:
                    for frame in frames:
                        sub.deliver(frame.seq or 0, frame)
        now = self.wall()
        for frame, published_at in run:
            self.metrics.delivered(frame.type, len(subscribers))
            if published_at:
                self.metrics.publish_to_send.observe(max(0.0, now - published_at))

    def _revoke(self, sub: Subscription, reason: str) -> None:
        """End a subscription whose user lost access: ``left`` with the reason, at once."""
        self._detach(sub)
        sub.connection.send(wire.left(sub.project_id, reason))
        asyncio.get_running_loop().create_task(self._absent(sub))
        self.metrics.revocations.inc()

    async def reset(self, reason: str = "reset") -> None:
        """The whole state was replaced (a gym reset or restore): every log may have
        started again from a lower ``seq``. Each room takes the log's head as it is now,
        and each subscriber still allowed in gets ``resync_required`` from there."""
        rooms = list(self.rooms.values())
        heads = await self.log.heads([room.project_id for room in rooms])
        for room in rooms:
            if room.head is None:  # still opening: it reads the head itself
                continue
            if room.filling is not None:
                room.filling.cancel()
                room.filling = None
            room.pending.clear()
            room.head = heads.get(room.project_id, 0)
            for sub in list(room.subscribers.values()):
                if room.project_id not in heads:  # made after the state now restored
                    self._revoke(sub, "project_deleted")
                    continue
                if not await self.access(sub.connection.user_id, room.project_id):
                    self._revoke(sub, "access_revoked")
                    continue
                sub.buffer.clear()
                sub.cursor = room.head
                self._resync(sub, room.head, reason)

    # -- shutdown ------------------------------------------------------------------

    def drain(self, retry_after_ms: Callable[[], int]) -> None:
        """Close every connection with ``SHUTDOWN`` and a jittered retry hint, so
        clients come back spread out rather than all at once."""
        for conn in list(self.connections.values()):
            hint = json.dumps({"retryAfterMs": retry_after_ms()}, separators=(",", ":"))
            conn.close(closes.SHUTDOWN, hint)


def _logged(row: Event) -> wire.Outgoing:
    """A row of the event log as a frame (serialised as at publish)."""
    return wire.event(row.type, row.project_id, row.seq, encode(event_frame(row)))
