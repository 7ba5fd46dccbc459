"""What the JSON API says about following projects: where the gateway is and which
protocol it speaks, a page of a project's event log (the polling view), a realtime
ticket, and who is present."""

from __future__ import annotations

from tasklane.protocol.base import PublicModel, Timestamp
from tasklane.protocol.events import EventEnvelope

PROTOCOL_VERSION = 1
"""The realtime protocol's version (docs/protocol.md): a change a client written for an
earlier version could not follow raises it. The JavaScript packages' major version."""


class GatewayAddress(PublicModel):
    """The realtime gateway as a client outside reaches it: ``ws`` is the base of
    ``/ws``, ``http`` of ``/sse`` (``wss://``/``https://`` behind TLS)."""

    ws: str
    http: str


class RealtimeInfo(PublicModel):
    """``GET /api/realtime``: where to connect, and the protocol spoken there."""

    protocol: int
    gateway: GatewayAddress
    ticket_ttl_seconds: int


class EventPage(PublicModel):
    """Events after the cursor in ``seq`` order, and the log's head ``seq``. Ask again
    with ``after`` = the last ``seq`` received while ``hasMore`` is true. With ``wait``,
    the answer comes as soon as there is an event, or empty when the wait is over.
    ``ended`` says the project was deleted: its log ends with ``project_deleted``."""

    project_id: str
    head_seq: int
    has_more: bool
    ended: bool
    events: list[EventEnvelope]


class TicketOut(PublicModel):
    ticket: str
    expires_at: Timestamp
    url: str


class PresentUser(PublicModel):
    user_id: str
    name: str
