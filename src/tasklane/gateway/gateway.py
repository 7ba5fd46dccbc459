"""What every part of the gateway shares: its settings, the services it reads through,
the hub that delivers, admission, presence and metrics; and the two things a transport
does with a connection it admitted: open it on the hub, and give its seat back."""

from __future__ import annotations

import logging
import random

from starlette.requests import HTTPConnection

from tasklane.edge.episodes import episode_of
from tasklane.gateway.admission import Admission, Admitted, Seat, address_of
from tasklane.realtime import outgoing
from tasklane.realtime.connection import Connection
from tasklane.realtime.hub import Hub
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.presence import PresenceStore
from tasklane.services import Services
from tasklane.settings import Settings

log = logging.getLogger(__name__)


class Gateway:
    def __init__(
        self,
        settings: Settings,
        services: Services,
        hub: Hub,
        presence: PresenceStore,
        metrics: GatewayMetrics,
        jitter: random.Random | None = None,
        *,
        reports_broker: bool = True,
    ) -> None:
        """``reports_broker``: whether ``metrics``' ``broker_up`` is this gateway's (the
        default workspace's, where a process's gateways share their metrics)."""
        self.settings = settings
        self.services = services
        self.hub = hub
        self.presence = presence
        self.metrics = metrics
        self.admission = Admission(settings, services.auth, metrics)
        self.secret = settings.resolved_broadcast_secret()
        self.jitter = jitter or random.Random()
        if reports_broker:
            metrics.broker_up.set_function(lambda: float(self.broker_alive))

    @property
    def broker_alive(self) -> bool:
        """Whether this gateway hears what other processes publish. A deaf gateway
        still delivers (it reads the log every ``CATCH_UP_SECONDS``) but is not ready."""
        return self.hub.broker.alive

    def open(self, admitted: Admitted, connection: HTTPConnection) -> Connection:
        """Register an admitted connection with the hub; it starts with ``connected``."""
        user = admitted.credential.user
        conn = self.hub.connect(
            self.services.runtime.ids.new("conn"),
            user.id,
            user.name,
            address_of(connection),
            admitted.credential.token_id,
        )
        log.info("connected", extra={"connection_id": conn.id, "user_id": conn.user_id})
        conn.send(outgoing.connected(conn.id, conn.user_id, self.settings.heartbeat_seconds))
        return conn

    async def close(self, conn: Connection, seat: Seat) -> None:
        """The transport has finished with the connection: the hub forgets it, and its
        seat is free again."""
        try:
            await self.hub.disconnect(conn)
        finally:
            self.admission.seats.give_back(seat)

    def drain(self) -> None:
        """Close every connection with a reconnect code and a jittered retry hint."""
        spread = self.settings.drain_spread_ms
        self.hub.drain(lambda: self.jitter.randint(0, spread))


def gateway_of(connection: HTTPConnection) -> Gateway:
    """The gateway of the episode a request or connection is for."""
    gateway: Gateway = episode_of(connection).gateway
    return gateway
