"""The session cookie that the API, the pages and the gateway all read."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from tasklane.edge.episodes import root_of, session_cookie_name
from tasklane.settings import Settings

SESSION_COOKIE = "tasklane_session"  # at the root; an episode's has its id after it


def set_session_cookie(
    response: Response, request: HTTPConnection, settings: Settings, secret: str
) -> None:
    """Sign a browser in: the session cookie that the API, the pages and the gateway
    read, one per episode, sent only under the episode's prefix."""
    response.set_cookie(
        session_cookie_name(request),
        secret,
        max_age=settings.session_ttl_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path=root_of(request) or "/",
    )


def clear_session_cookie(response: Response, request: HTTPConnection) -> None:
    response.delete_cookie(session_cookie_name(request), path=root_of(request) or "/")
