"""Who may open a realtime connection, WebSocket or SSE alike: the credential (a ticket,
a Bearer token, or the session cookie from one of the app's own pages) and the limits
on open connections per user and per address.

A seat is taken the moment a connection is let in, before anything else is awaited, so
that concurrent requests cannot together overshoot a limit; whoever holds it gives it
back when the connection ends, or when it is refused later (a project it may not read).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import HTTPConnection

from tasklane.edge.episodes import session_cookie_name
from tasklane.protocol import closes
from tasklane.protocol.closes import Refusal
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.services.auth import AuthService, Credential
from tasklane.settings import Settings

log = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class Seat:
    """One open connection counted against its user's and its address's limits."""

    user_id: str
    address: str
    held: bool = True


class Seats:
    """Open connections per user and per address, each within its limit."""

    def __init__(self, per_user: int, per_address: int) -> None:
        self.per_user = per_user
        self.per_address = per_address
        self._users: Counter[str] = Counter()
        self._addresses: Counter[str] = Counter()

    def take(self, user_id: str, address: str) -> Seat | None:
        """A seat, or None if the user or the address has all theirs taken."""
        if self._users[user_id] >= self.per_user or self._addresses[address] >= self.per_address:
            return None
        self._users[user_id] += 1
        self._addresses[address] += 1
        return Seat(user_id, address)

    def give_back(self, seat: Seat) -> None:
        if not seat.held:
            return
        seat.held = False
        self._users -= Counter({seat.user_id: 1})
        self._addresses -= Counter({seat.address: 1})

    def of(self, *, user_id: str = "", address: str = "") -> int:
        """Seats held by a user, or from an address."""
        return self._users[user_id] if user_id else self._addresses[address]


@dataclass(frozen=True, slots=True)
class Admitted:
    credential: Credential
    seat: Seat


def address_of(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"


def cookie_allowed(headers: Mapping[str, str], origins: list[str]) -> bool:
    """Whether a request that authenticates with the session cookie comes from one of
    the app's own pages. Browsers send cookies whichever site opened the connection
    (cross-site WebSocket hijacking, a foreign page navigating a tab to ``/sse``): the
    ``Origin`` decides. A browser sends one with every WebSocket and every cross-origin
    request; without one, only a same-origin request that is not a navigation (an
    ``EventSource`` on the app's own origin, by its Fetch Metadata) passes."""
    origin = headers.get("origin")
    if origin is not None:
        return origin in origins
    return headers.get("sec-fetch-site") == "same-origin" and headers.get("sec-fetch-mode") not in (
        None,
        "navigate",
    )


class Admission:
    def __init__(self, settings: Settings, auth: AuthService, metrics: GatewayMetrics) -> None:
        self.settings = settings
        self.auth = auth
        self.metrics = metrics
        self.seats = Seats(settings.ws_max_connections_per_user, settings.ws_max_connections_per_ip)

    async def authenticate(self, connection: HTTPConnection) -> Credential | Refusal:
        ticket = connection.query_params.get("ticket")
        if ticket is not None:
            credential = await self.auth.redeem_ticket(ticket)
            return credential or Refusal(closes.UNAUTHORIZED, "invalid or expired ticket", "ticket")
        header = connection.headers.get("authorization", "")
        secret = header[7:].strip() if header.lower().startswith("bearer ") else None
        if secret is None:
            secret = connection.cookies.get(session_cookie_name(connection))
            if secret and not cookie_allowed(connection.headers, self.settings.app_origins()):
                return Refusal(closes.ORIGIN_REFUSED, "origin not allowed", "origin")
        if not secret:
            return Refusal(closes.UNAUTHORIZED, "sign in or send a Bearer token", "missing")
        credential = await self.auth.credential(secret)
        refusal = Refusal(closes.UNAUTHORIZED, "invalid or expired credentials", "invalid")
        return credential or refusal

    async def admit(self, connection: HTTPConnection) -> Admitted | Refusal:
        """Authenticate a WebSocket upgrade or an SSE request and take its seat."""
        address = address_of(connection)
        try:
            outcome: Credential | Refusal = await self.authenticate(connection)
        except Exception:
            log.exception("authentication failed")
            outcome = Refusal(closes.SHUTDOWN, '{"retryAfterMs":1000}', "unavailable")
        if not isinstance(outcome, Refusal):
            seat = self.seats.take(outcome.user.id, address)  # no await since the check
            if seat is not None:
                return Admitted(outcome, seat)
            outcome = Refusal(closes.TOO_MANY_CONNECTIONS, "too many connections", "limit")
        self.metrics.rejected_auths.labels(reason=outcome.metric).inc()
        log.info("connection refused: %s", outcome.reason, extra={"address": address})
        return outcome
