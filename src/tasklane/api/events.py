"""The event log over HTTP: the polling view of a project's changes."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from tasklane.api.errors import error_responses
from tasklane.edge.deps import (
    CurrentUser,
    ServicesDep,
    SettingsDep,
    bearer_scheme,
    session_cookie,
)
from tasklane.edge.episodes import episode_of
from tasklane.protocol.base import MAX_SEQ
from tasklane.protocol.events import encode
from tasklane.protocol.realtime import EventPage
from tasklane.realtime.waiters import Slots, long_poll
from tasklane.services.errors import RateLimited, Unauthorized

router = APIRouter(prefix="/api", tags=["events"])


@router.get(
    "/projects/{project_id}/events",
    response_model=EventPage,
    responses=error_responses(
        429,
        description="`rate_limited`: more long polls at once than `POLL_MAX_PER_USER`; "
        "try again after `Retry-After` seconds.",
    ),
)
async def list_events(
    project_id: str,
    request: Request,
    user: CurrentUser,
    services: ServicesDep,
    settings: SettingsDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_SEQ, description="Return events with seq > after.")
    ] = 0,
    limit: Annotated[int, Query(ge=1)] = 100,
    wait: Annotated[
        float,
        Query(
            ge=0,
            description="Long poll: wait up to this many seconds (capped by "
            "POLL_MAX_WAIT_SECONDS) for an event after `after`; 0 answers at once.",
        ),
    ] = 0,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)] = None,
    cookie: Annotated[str | None, Depends(session_cookie)] = None,
) -> Response:
    limit = min(limit, settings.event_page_limit)
    page = await services.events.read(user, project_id, after, limit)
    # A cursor ahead of the log (the log started again: a gym reset) is answered at
    # once: the head below the cursor tells the client to reload.
    if not page.events and wait > 0 and not page.ended and after <= page.head:
        slots: Slots = episode_of(request).slots
        if not slots.take(user.id):
            raise RateLimited(
                "too many long polls at once; wait for one to answer", retry_after=1.0
            )
        # A poll ends with its credential: a sign-out or a deleted token answers 401
        # within POLL_RECHECK_SECONDS, as a connection on the gateway is closed with 4401.
        secret = bearer.credentials if bearer else cookie
        revoked = False

        async def gone() -> bool:
            nonlocal revoked
            if await request.is_disconnected():
                return True
            revoked = secret is not None and await services.auth.credential(secret) is None
            return revoked

        try:
            page = await long_poll(
                partial(services.events.read, user, project_id, after, limit),
                partial(episode_of(request).waiters.signal, project_id),
                after=after,
                wait=min(wait, settings.poll_max_wait_seconds),
                recheck=settings.poll_recheck_seconds,
                gone=gone,
            )
        finally:
            slots.give_back(user.id)
        if revoked:
            raise Unauthorized("signed out, or the token was revoked or expired")
    # The head is read before the events, so a page may reach past it; never report
    # less than what the page holds, and never the caller's cursor as the head.
    head = max(page.head, page.events[-1].seq if page.events else 0)
    last = page.events[-1].seq if page.events else after
    # Each event goes out as the single serialiser made it, as on every other transport.
    body = b"".join(
        [
            encode(
                {
                    "projectId": project_id,
                    "headSeq": head,
                    "hasMore": last < head,
                    "ended": page.ended,
                }
            )[:-1],
            b',"events":[',
            b",".join(event.frame for event in page.events),
            b"]}",
        ]
    )
    return Response(body, media_type="application/json")
