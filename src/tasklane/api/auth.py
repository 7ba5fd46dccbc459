"""Sign-up, sign-in, sign-out, and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from tasklane.api.errors import error_responses
from tasklane.edge.deps import (
    AnonymousQuota,
    CurrentUser,
    PresentedSecret,
    ServicesDep,
    SettingsDep,
)
from tasklane.edge.session import clear_session_cookie, set_session_cookie
from tasklane.models import Token, User
from tasklane.protocol.auth import (
    AuthResult,
    LoginIn,
    RegisterIn,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UserPublic,
)
from tasklane.settings import Settings

router = APIRouter(prefix="/api", tags=["auth"])


def _signed_in(
    request: Request,
    response: Response,
    settings: Settings,
    signed_in: tuple[User, Token, str],
) -> AuthResult:
    user, token, secret = signed_in
    assert token.expires_at is not None
    set_session_cookie(response, request, settings, secret)
    return AuthResult(
        user=UserPublic.model_validate(user), token=secret, expires_at=token.expires_at
    )


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    dependencies=[AnonymousQuota],
    responses=error_responses(409, description="`email_taken`: an account with this email exists."),
)
async def register(
    body: RegisterIn,
    request: Request,
    response: Response,
    services: ServicesDep,
    settings: SettingsDep,
) -> AuthResult:
    """Create an account and sign in: sets the session cookie and returns its token."""
    return _signed_in(request, response, settings, await services.auth.register(body))


@router.post(
    "/auth/login",
    dependencies=[AnonymousQuota],
    responses=error_responses(401, description="`invalid_credentials`: wrong email or password."),
)
async def login(
    body: LoginIn,
    request: Request,
    response: Response,
    services: ServicesDep,
    settings: SettingsDep,
) -> AuthResult:
    """Sign in: sets the session cookie and returns the same token for Bearer use."""
    signed_in = await services.auth.login(body.email, body.password)
    return _signed_in(request, response, settings, signed_in)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request, _user: CurrentUser, services: ServicesDep, secret: PresentedSecret
) -> Response:
    """End this session (a personal token stays valid: delete it to revoke it)."""
    assert secret is not None
    await services.auth.logout(secret)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, request)
    return response


@router.get("/auth/me")
async def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
async def create_token(body: TokenCreate, user: CurrentUser, services: ServicesDep) -> TokenCreated:
    """A personal API token. Its secret is in this response and nowhere else, ever."""
    token, secret = await services.auth.create_token(user, body)
    return TokenCreated.shown(token, secret)


@router.get("/tokens")
async def list_tokens(user: CurrentUser, services: ServicesDep) -> list[TokenPublic]:
    return [TokenPublic.model_validate(t) for t in await services.auth.list_tokens(user)]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_token(token_id: str, user: CurrentUser, services: ServicesDep) -> None:
    await services.auth.delete_token(user, token_id)
