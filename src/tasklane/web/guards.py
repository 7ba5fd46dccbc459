"""Who may see a page and who may send a form.

Pages authenticate with the same session cookie as the JSON API (``api.deps``); what
differs is the answer to a stranger: a page redirects to the sign-in form, and a
refused form gets a page in words, not a JSON error.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from tasklane.edge.deps import (
    LimitsDep,
    ServicesDep,
    SettingsDep,
    from_this_site,
    session_cookie,
    spend,
)
from tasklane.edge.errors import retry_after_seconds
from tasklane.models import User
from tasklane.services.errors import RateLimited
from tasklane.settings import Settings
from tasklane.web.waiting import in_words


class SignInRequired(Exception):
    """The visitor is not signed in: answered with a redirect to ``/login?next=…``."""


class PageNotFound(Exception):
    """No such page for this visitor. A project they are not a member of is answered
    exactly like one that does not exist."""

    def __init__(self, user: User | None = None) -> None:
        super().__init__("not found")
        self.user = user


class PageRefused(Exception):
    """A request the pages will not serve, with a status and a sentence for a person
    (and, past a limit, the whole seconds to wait before trying again)."""

    def __init__(
        self,
        status: int,
        message: str,
        user: User | None = None,
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.user = user
        self.retry_after = retry_after


async def signed_in_user(
    services: ServicesDep, cookie: Annotated[str | None, Depends(session_cookie)]
) -> User | None:
    return await services.auth.authenticate(cookie) if cookie else None


async def page_user(user: Annotated[User | None, Depends(signed_in_user)]) -> User:
    if user is None:
        raise SignInRequired
    return user


def check_form_origin(request: Request, settings: Settings, user: User | None = None) -> None:
    if not from_this_site(request, settings):
        raise PageRefused(
            403,
            "This form was sent from another website, so Tasklane ignored it. "
            "Go back to Tasklane, reload the page and try again.",
            user,
        )


async def form_user(
    request: Request,
    user: Annotated[User, Depends(page_user)],
    settings: SettingsDep,
    limits: LimitsDep,
) -> User:
    """The signed-in sender of a form that changes something: from this site, and
    within the user's budget of changes (the same one the API spends)."""
    check_form_origin(request, settings, user)
    try:
        spend(limits.mutations, user.id)
    except RateLimited as exc:
        seconds = retry_after_seconds(exc.retry_after)
        raise PageRefused(
            429,
            f"You're making changes very quickly. Wait {in_words(seconds)} and try again.",
            user,
            retry_after=seconds,
        ) from exc
    return user


PageUser = Annotated[User, Depends(page_user)]
MaybeUser = Annotated[User | None, Depends(signed_in_user)]
FormUser = Annotated[User, Depends(form_user)]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path inside the episode, as the routes see it
    (the redirect puts the episode's prefix before it, ``urls.at``), never another site
    (``//evil.example`` and ``/\\evil.example`` are other sites to a browser)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if urlsplit(target).scheme or any(c in target for c in "\r\n"):
        return "/"
    return target
