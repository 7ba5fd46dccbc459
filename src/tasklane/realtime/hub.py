"""The hub: the delivery core of a gateway, free of I/O.

It keeps the gateway's connections and what each follows. A ``join`` subscribes the
connection to the project's room (``rooms``), checks access, sends ``joined``, replays
the log after ``lastSeq`` and then goes live, in ``seq`` order with no gap and no
duplicate. Everything that ends a subscription because its user lost access — a
removal, the project's deletion, a refused join, a reset of the whole state — goes
through ``revoke``; a connection whose token ended is closed by ``end_credentials``.

The transports (``tasklane.gateway``) only move bytes: they register connections here,
pass on clients' frames, and send what each connection's queue holds.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tasklane.clock import Clock
from tasklane.protocol import closes
from tasklane.realtime import outgoing
from tasklane.realtime.attendance import CONNECTED, Attendance
from tasklane.realtime.broker import Broker, Message, Presence
from tasklane.realtime.connection import Connection, QueueLimits
from tasklane.realtime.log import CommitsInFlight, Committed, LogReader
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.outgoing import Outgoing
from tasklane.realtime.presence import PresenceStore
from tasklane.realtime.rooms import Rooms, batched
from tasklane.realtime.subscription import Subscription

log = logging.getLogger(__name__)

Access = Callable[[str, str], Awaitable[bool]]  # (user_id, project_id) -> may read?


@dataclass(frozen=True)
class HubLimits:
    queue_messages: int = 2_000
    queue_bytes: int = 8 * 1024 * 1024
    gap_wait: float = 0.05
    replay_page: int = 500
    max_replay: int = 10_000


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
        commits: CommitsInFlight | None = None,
    ) -> None:
        """``commits``: the write transactions of the process the hub lives in, if it
        makes any (a burst of them is delivered together)."""
        self.log = log
        self.access = access
        self.broker = broker
        self.metrics = metrics
        self.limits = limits
        self.rooms = Rooms(
            log=log,
            broker=broker,
            metrics=metrics,
            revoke=self.revoke,
            gap_wait=limits.gap_wait,
            wall=wall,
            commits=commits,
        )
        self.attendance = Attendance(presence, broker, clock, metrics, wall)
        self.connections: dict[str, Connection] = {}
        self.empty = asyncio.Event()  # set while no connection is open
        self.empty.set()
        self._queue = QueueLimits(limits.queue_messages, limits.queue_bytes)
        self._on_slow = self._slow  # one bound method for every connection, not one each

    # -- connections ---------------------------------------------------------------

    def connect(
        self, connection_id: str, user_id: str, name: str, address: str, token_id: str = ""
    ) -> Connection:
        conn = Connection(
            connection_id, user_id, name, address, self._queue, token_id, self._on_slow
        )
        self.connections[connection_id] = conn
        self.empty.clear()
        self.metrics.connections.inc()  # the metrics may count several hubs (episodes)
        return conn

    async def disconnect(self, conn: Connection) -> None:
        """Forget a connection whose transport has finished, and everything it joined."""
        if self.connections.pop(conn.id, None) is None:
            return
        conn.gone()
        if not self.connections:
            self.empty.set()
        self.metrics.connections.dec()
        for sub in list(conn.subscriptions.values()):
            await self._unsubscribe(sub)

    def token_ids(self) -> set[str]:
        """The tokens the open connections authenticated with."""
        return {conn.token_id for conn in self.connections.values() if conn.token_id}

    def end_credentials(self, token_ids: set[str]) -> int:
        """Close, as unauthorized, every connection opened with one of these tokens (signed
        out, revoked or expired); returns how many."""
        ended = [c for c in self.connections.values() if c.token_id in token_ids and c.open]
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
        room = await self.rooms.open(project_id)
        sub = Subscription(conn, project_id)
        room.subscribers[conn.id] = sub
        conn.subscriptions[project_id] = sub
        if previous is not None:  # a re-join (to resume after a gap) replaces the old one
            previous.end()
        # Checked after subscribing: a removal committed after this check reaches the
        # room as an event and revokes the new subscription; one before it fails here.
        # Until then the subscription is pending: it hears nothing, presence included.
        if not await self.access(conn.user_id, project_id) or sub.ended:
            self.metrics.joins.labels(result="forbidden").inc()
            self._detach(sub)
            sub.end()
            if previous is not None:  # the user was present through the old one
                await self.attendance.depart(project_id, conn)
            conn.send(outgoing.error("forbidden", "you cannot follow this project", project_id))
            return
        sub.admit()
        self.metrics.joins.labels(result="ok").inc()
        head = room.head
        first = previous is None and await self.attendance.arrive(project_id, conn)
        present = await self.attendance.who(project_id)
        if sub.ended:  # revoked while presence was recorded (a store that waits)
            await self.attendance.depart(project_id, conn)
            return
        conn.send(outgoing.joined(project_id, head, present))
        if first:
            await self.attendance.announce(CONNECTED, project_id, conn.user_id, conn.name)
        cursor = head if last_seq is None else await self._replay(sub, last_seq)
        if not sub.ended:
            sub.go_live(cursor)

    async def leave(self, conn: Connection, project_id: str, reason: str = "left") -> None:
        sub = conn.subscriptions.get(project_id)
        if sub is not None:
            await self._unsubscribe(sub)
        conn.send(outgoing.left(project_id, reason))

    async def _replay(self, sub: Subscription, last_seq: int) -> int:
        """Send the log after ``last_seq``; the cursor reached. If the log cannot serve
        it (pruned, too far back, or ahead of the log), say ``resync_required`` and
        continue live from the head."""
        conn, project_id = sub.connection, sub.project_id
        head = (await self.log.heads([project_id])).get(project_id, 0)
        if last_seq > head or head - last_seq > self.limits.max_replay:
            return self._resync(sub, head, "ahead of the log" if last_seq > head else "too far")
        cursor = last_seq
        while not sub.ended and conn.open:
            page = await self.log.after(project_id, cursor, self.limits.replay_page)
            if sub.ended:  # revoked while the page was read: it said `left`, and ends
                break
            if page.events and page.events[0].seq != cursor + 1:
                return self._resync(sub, page.head, "no longer in the log")
            frames: list[Outgoing] = []
            for event in page.events:
                if event.revoked_user == conn.user_id and (
                    not await self.access(conn.user_id, project_id) or sub.ended
                ):
                    # Removed since the access check (unless back in since): neither the
                    # removal nor what follows is theirs; the room revokes with `left`
                    # when the removal reaches it. If it did while access was asked,
                    # `left` has gone out: nothing may follow it, not even what came before.
                    if not sub.ended:
                        self._send_all(conn, frames)
                    return cursor
                frames.append(outgoing.event(event))
                cursor = event.seq
            self._send_all(conn, frames)
            self.metrics.replayed.inc(len(page.events))
            if len(page.events) < self.limits.replay_page:
                break
        return cursor

    def _send_all(self, conn: Connection, frames: list[Outgoing]) -> None:
        """Frames in a row for one connection: as few messages as the batch limits
        allow if it takes batches, else one message each."""
        for message in batched(frames, self.metrics, 1) if conn.batching else frames:
            conn.send(message)

    def _resync(self, sub: Subscription, head: int, why: str) -> int:
        self.metrics.resyncs.inc()
        sub.connection.send(outgoing.resync_required(sub.project_id, head, why))
        return head

    def _detach(self, sub: Subscription) -> None:
        conn = sub.connection
        if conn.subscriptions.get(sub.project_id) is sub:
            del conn.subscriptions[sub.project_id]
        self.rooms.leave(sub)

    async def _unsubscribe(self, sub: Subscription) -> None:
        self._detach(sub)
        sub.end()
        await self.attendance.depart(sub.project_id, sub.connection)

    def revoke(self, sub: Subscription, reason: str) -> None:
        """End a subscription whose user lost access to its project, at once: ``left``
        with the reason if it had joined (a pending join is answered ``forbidden`` by
        the join itself), and its user's presence there goes."""
        joined = sub.joined
        self._detach(sub)
        if not sub.end():
            return
        self.metrics.revocations.inc()
        if joined:
            sub.connection.send(outgoing.left(sub.project_id, reason))
            asyncio.get_running_loop().create_task(
                self.attendance.depart(sub.project_id, sub.connection)
            )

    # -- what the broker brings --------------------------------------------------------

    async def receive(self, message: Message) -> None:
        """The broker listener: every event and presence change published to any
        project (announcements are the gateway's)."""
        if isinstance(message, Committed):
            self.rooms.receive(message)
        elif isinstance(message, Presence):
            room = self.rooms.get(message.project_id)
            if room is None:
                return
            frame = outgoing.presence(message)
            listeners = [sub for sub in room.subscribers.values() if sub.joined]
            for sub in listeners:
                sub.connection.send(frame)
            self.metrics.delivered(message.type, len(listeners))

    async def catch_up(self, project_ids: list[str] | None = None) -> None:
        """Deliver whatever the log holds beyond each room's head. Run periodically,
        after every broker reconnect, and when another process says it committed."""
        await self.rooms.catch_up(project_ids)

    async def keep_presence(self) -> None:
        await self.attendance.keep(list(self.rooms.by_project))

    async def reset(self, reason: str = "reset") -> None:
        """The whole state was replaced (a gym reset or restore): every log may have
        started again from a lower ``seq``. Each room takes the log's head as it is now,
        and each subscriber still allowed in gets ``resync_required`` from there."""
        rooms = self.rooms.open_rooms()
        heads = await self.log.heads([room.project_id for room in rooms])
        for room in rooms:
            self.rooms.restart(room, heads.get(room.project_id, 0))
            for sub in list(room.subscribers.values()):
                if room.project_id not in heads:  # made after the state now restored
                    self.revoke(sub, "project_deleted")
                elif not await self.access(sub.connection.user_id, room.project_id):
                    self.revoke(sub, "access_revoked")
                elif sub.joined:  # a pending join reads the new head itself
                    sub.buffer.clear()
                    sub.cursor = room.head
                    self._resync(sub, room.head, reason)

    # -- shutdown ------------------------------------------------------------------

    def close_all(self, code: int, reason: str) -> None:
        """Close every connection with ``code`` (the episode is gone: 4404)."""
        for conn in list(self.connections.values()):
            conn.close(code, reason)

    def drain(self, retry_after_ms: Callable[[], int]) -> None:
        """Close every connection with ``SHUTDOWN`` and a jittered retry hint, so
        clients come back spread out rather than all at once."""
        for conn in list(self.connections.values()):
            hint = json.dumps({"retryAfterMs": retry_after_ms()}, separators=(",", ":"))
            conn.close(closes.SHUTDOWN, hint)
