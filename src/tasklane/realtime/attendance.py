"""Who is present where, as one gateway records it and tells it.

A user is present in a project while one of their connections has joined it (per user,
not per tab, across every gateway: the ``PresenceStore`` decides the first and the
last). Their arrival and departure are announced on the broker as ``user_connected`` and
``user_disconnected``, which every gateway's rooms pass to their joined subscribers.

Nobody is present in a person's own log: it is followed by that person alone, and
``arrive``, ``depart`` and ``who`` leave it out.

Presence is best effort: a store that cannot be reached costs those frames until
``keep`` puts it right, never an event.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from tasklane.clock import Clock
from tasklane.protocol.events import PresenceData, encode, presence_frame
from tasklane.protocol.streams import is_person
from tasklane.realtime.broker import Broker, Presence
from tasklane.realtime.connection import Connection
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.presence import PresenceStore

log = logging.getLogger(__name__)

CONNECTED = "user_connected"
DISCONNECTED = "user_disconnected"


class Attendance:
    def __init__(
        self,
        store: PresenceStore,
        broker: Broker,
        clock: Clock,
        metrics: GatewayMetrics,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.broker = broker
        self.clock = clock
        self.metrics = metrics
        self.wall = wall

    async def arrive(self, project_id: str, conn: Connection) -> bool:
        """Record the connection as present; True if it made its user present (the
        caller announces it once ``joined`` has gone out)."""
        if is_person(project_id):
            return False
        try:
            return await self.store.add(project_id, conn.user_id, conn.name, conn.id)
        except Exception as exc:  # ``keep`` adds it once the store is back
            log.warning("presence unavailable: %s", exc, extra={"connection_id": conn.id})
            return False

    async def depart(self, project_id: str, conn: Connection) -> None:
        """Forget the connection's presence; announce its user's departure if it was
        their last connection there."""
        if is_person(project_id):
            return
        try:
            last = await self.store.remove(project_id, conn.user_id, conn.id)
        except Exception as exc:  # the entry expires; a sweep announces the departure
            log.warning("presence unavailable: %s", exc, extra={"connection_id": conn.id})
            return
        if last:
            await self.announce(DISCONNECTED, project_id, conn.user_id, conn.name)

    async def who(self, project_id: str) -> list[dict[str, str]]:
        if is_person(project_id):
            return []
        try:
            return await self.store.list(project_id)
        except Exception as exc:
            log.warning("presence unavailable: %s", exc)
            return []

    async def announce(self, kind: str, project_id: str, user_id: str, name: str) -> None:
        data = PresenceData(project_id=project_id, user_id=user_id, name=name)
        frame = encode(presence_frame(kind, data, self.clock.now()))
        await self.broker.publish(Presence(project_id, kind, frame, self.wall()))

    async def keep(self, project_ids: Sequence[str]) -> None:
        """Renew this gateway's entries and sweep these projects for expired ones (a
        gateway that died), announcing who came back and who left. Run every third of
        the store's entry lifetime, and after a broker interruption."""
        for change in await self.store.refresh():
            await self.announce(CONNECTED, change.project_id, change.user_id, change.name)
        swept = await self.store.sweep([p for p in project_ids if not is_person(p)])
        for change in swept:
            await self.announce(DISCONNECTED, change.project_id, change.user_id, change.name)
        self.metrics.presence_expired.inc(len(swept))
