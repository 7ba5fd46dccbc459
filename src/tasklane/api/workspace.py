"""What every signed-in person may ask about the workspace around them: its people
(to find a colleague to add or assign) and the app's date."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tasklane.edge.deps import CurrentUser, ServicesDep
from tasklane.protocol.workspace import Person, Today

router = APIRouter(prefix="/api", tags=["workspace"])

PEOPLE_LIMIT = 50  # the most one lookup answers: a lookup, not an export


@router.get("/people")
async def find_people(
    user: CurrentUser,
    services: ServicesDep,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Part of a name or email, any case; none: anyone."),
    ] = None,
    limit: Annotated[int, Query(ge=1)] = 20,
) -> list[Person]:
    """People in your workspaces (those in a project of a workspace you have a project
    in, you included) whose name or email contains ``q``: names or emails that start
    with it first, then by name. At most ``limit`` (50 at most): narrow ``q`` to find
    more."""
    text = (q or "").strip() or None
    return await services.people.search(user, text, limit=min(limit, PEOPLE_LIMIT))


@router.get("/today")
async def today(_user: CurrentUser, services: ServicesDep) -> Today:
    """The app's date and time, as the pages use them (e.g. for what is overdue): in a
    gym episode, the episode's clock; otherwise wall time. UTC."""
    clock = services.runtime.clock
    now = clock.now()
    return Today(today=now.date(), now=now)
