"""The event log over HTTP: the polling view of a project's changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from tasklane.api.deps import CurrentUser, ServicesDep, SettingsDep
from tasklane.events import EventEnvelope, encode, event_frame
from tasklane.schemas.base import MAX_SEQ, PublicModel

router = APIRouter(prefix="/api", tags=["events"])


class EventPage(PublicModel):
    """Events after the cursor in ``seq`` order, and the log's head ``seq``. Ask again
    with ``after`` = the last ``seq`` received while ``hasMore`` is true."""

    project_id: str
    head_seq: int
    has_more: bool
    events: list[EventEnvelope]


@router.get("/projects/{project_id}/events", response_model=EventPage)
async def list_events(
    project_id: str,
    user: CurrentUser,
    services: ServicesDep,
    settings: SettingsDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_SEQ, description="Return events with seq > after.")
    ] = 0,
    limit: Annotated[int, Query(ge=1)] = 100,
) -> Response:
    limit = min(limit, settings.event_page_limit)
    page = await services.events.read(user, project_id, after, limit)
    # The head is read before the events, so a page may reach past it; never report
    # less than what the page holds, and never the caller's cursor as the head.
    head = max(page.head, page.events[-1].seq if page.events else 0)
    last = page.events[-1].seq if page.events else after
    # Each event goes out as the single serialiser made it, as on every other transport.
    body = b"".join(
        [
            encode({"projectId": project_id, "headSeq": head, "hasMore": last < head})[:-1],
            b',"events":[',
            b",".join(encode(event_frame(e)) for e in page.events),
            b"]}",
        ]
    )
    return Response(body, media_type="application/json")
