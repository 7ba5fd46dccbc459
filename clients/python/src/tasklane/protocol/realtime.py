"""What the JSON API says about following projects: a page of a project's event log
(the polling view), a realtime ticket, and who is present."""

from __future__ import annotations

from tasklane.protocol.base import PublicModel, Timestamp
from tasklane.protocol.events import EventEnvelope


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
