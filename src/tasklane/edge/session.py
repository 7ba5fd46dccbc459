"""The session cookie that the API, the pages and the gateway all read."""

from __future__ import annotations

from starlette.responses import Response

from tasklane.settings import Settings

SESSION_COOKIE = "tasklane_session"


def set_session_cookie(response: Response, settings: Settings, secret: str) -> None:
    """Sign a browser in: the one session cookie that the API and the pages both read."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_ttl_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
