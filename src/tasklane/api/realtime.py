"""What the API says about the realtime side: where the gateway is, tickets and presence."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import HTTPAuthorizationCredentials

from tasklane.edge.addresses import gateway_address
from tasklane.edge.deps import CurrentUser, ServicesDep, SettingsDep, bearer_scheme, session_cookie
from tasklane.edge.episodes import episode_of
from tasklane.protocol.realtime import PROTOCOL_VERSION, PresentUser, RealtimeInfo, TicketOut
from tasklane.protocol.streams import is_person
from tasklane.services.errors import Unauthorized

router = APIRouter(prefix="/api", tags=["realtime"])


@router.get("/realtime")
async def realtime_info(request: Request, settings: SettingsDep) -> RealtimeInfo:
    """Where the realtime gateway is and which protocol it speaks, for clients that are
    given only the API's address. No credential is needed: it names nothing private."""
    return RealtimeInfo(
        protocol=PROTOCOL_VERSION,
        gateway=gateway_address(request, settings),
        ticket_ttl_seconds=settings.ticket_ttl_seconds,
    )


@router.post("/realtime/ticket", status_code=status.HTTP_201_CREATED)
async def create_ticket(
    request: Request,
    _user: CurrentUser,
    services: ServicesDep,
    settings: SettingsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(session_cookie)],
) -> TicketOut:
    """A single-use ticket for the gateway's ``/ws?ticket=…`` or ``/sse?…&ticket=…``, for
    clients that can send neither the session cookie nor an Authorization header. It expires in
    ``TICKET_TTL_SECONDS``, and with the session or token that asked for it: a
    connection it opened closes when that is signed out or revoked."""
    secret = bearer.credentials if bearer else cookie
    credential = await services.auth.credential(secret) if secret else None
    if credential is None:  # signed out since the request was authenticated
        raise Unauthorized("sign in, or send a valid Bearer token")
    ticket, expires_at = await services.auth.issue_ticket(
        credential, timedelta(seconds=settings.ticket_ttl_seconds)
    )
    gateway = gateway_address(request, settings)
    return TicketOut(ticket=ticket, expires_at=expires_at, url=f"{gateway.ws}/ws?ticket={ticket}")


@router.get("/projects/{project_id}/presence")
async def presence(
    project_id: str, request: Request, user: CurrentUser, services: ServicesDep
) -> list[PresentUser]:
    """Who is viewing the project now: one entry per user, however many tabs. Nobody is
    ever present in a person's own log (its id in place of a project's), which only that
    person may ask about."""
    if is_person(project_id) and project_id == user.id:
        return []
    await services.projects.get(user, project_id)
    people = await episode_of(request).presence.list(project_id)
    return [PresentUser.model_validate(person) for person in people]
