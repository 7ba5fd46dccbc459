"""Named dependencies, so that a route reads like a sentence: shared by the JSON API
and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from tasklane.edge.buckets import TokenBuckets
from tasklane.edge.episodes import episode_of, session_cookie_name
from tasklane.edge.session import SESSION_COOKIE
from tasklane.models import User
from tasklane.services import Services
from tasklane.services.errors import Forbidden, RateLimited, Unauthorized
from tasklane.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = HTTPBearer(auto_error=False, description="A session or personal API token.")
# Documents the cookie in the OpenAPI schema; the cookie read is the episode's
# (``session_cookie``), named ``tasklane_session`` at the root.
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False)


@dataclass(frozen=True)
class Limits:
    mutations: TokenBuckets  # per user
    anonymous: TokenBuckets  # sign-up and sign-in, per client address


async def get_services(request: Request) -> Services:
    services: Services = episode_of(request).services
    return services


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_limits(request: Request) -> Limits:
    limits: Limits = episode_of(request).limits
    return limits


async def session_cookie(
    request: Request, _documented: Annotated[str | None, Depends(cookie_scheme)]
) -> str | None:
    """The session cookie of the request's episode."""
    return request.cookies.get(session_cookie_name(request))


async def presented_secret(
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(session_cookie)],
) -> str | None:
    """The secret the request speaks with: its Bearer token, else its session cookie
    (``current_user`` authenticates with the same)."""
    return bearer.credentials if bearer else cookie


PresentedSecret = Annotated[str | None, Depends(presented_secret)]
ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LimitsDep = Annotated[Limits, Depends(get_limits)]


def spend(buckets: TokenBuckets, key: str) -> None:
    wait = buckets.take(key)
    if wait > 0:
        raise RateLimited(f"too many requests; try again in {wait:.2f} s", retry_after=wait)


def from_this_site(request: Request, settings: Settings) -> bool:
    """Whether a form was sent by one of the app's own pages (cross-site request
    forgery). The browser's ``Origin`` decides, else the ``Referer``'s origin; with
    neither (not a browser, or one told to send nothing), the request passes, as in the
    JSON API, and the ``SameSite=Lax`` session cookie still stays home on a cross-site
    POST."""
    origin = request.headers.get("origin")
    if origin is None and (referer := request.headers.get("referer")):
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin is None or origin in settings.app_origins()


async def current_user(
    request: Request,
    services: ServicesDep,
    settings: SettingsDep,
    limits: LimitsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(session_cookie)],
) -> User:
    """The signed-in user, by Bearer token or session cookie.

    A cookie is sent by the browser whoever asks, so a cookie-authenticated change must
    come from one of the app's own origins (cross-site request forgery). Every change
    also spends one token of the user's mutation budget.
    """
    secret = bearer.credentials if bearer else cookie
    user = await services.auth.authenticate(secret) if secret else None
    if user is None:
        raise Unauthorized("sign in, or send a valid Bearer token")
    mutating = request.method not in SAFE_METHODS
    if mutating and bearer is None and not from_this_site(request, settings):
        raise Forbidden("this origin may not act for a signed-in browser", code="origin_refused")
    if mutating:
        spend(limits.mutations, user.id)
    request.state.user_id = user.id
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def anonymous_quota(request: Request, limits: LimitsDep) -> None:
    """Sign-up and sign-in spend from a per-address budget (password guessing)."""
    client = request.client.host if request.client else "unknown"
    spend(limits.anonymous, client)


AnonymousQuota = Depends(anonymous_quota)
