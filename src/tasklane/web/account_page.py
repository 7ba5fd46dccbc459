"""The account page (``/account``): the signed-in person's profile, password and
personal API tokens, and its forms for a browser without the page's script. The forms
validate with the API's input models and call the same services as
``PATCH /api/auth/me``, ``POST /api/auth/password`` and ``/api/tokens``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from tasklane.edge.deps import LimitsDep, anonymous_quota, session_cookie, spend
from tasklane.edge.errors import retry_after_seconds
from tasklane.models import User
from tasklane.protocol.auth import (
    AVATAR_COLORS,
    PasswordChange,
    ProfileUpdate,
    TokenCreate,
    TokenCreated,
    TokenPublic,
)
from tasklane.services.errors import NotFound, RateLimited, ServiceError
from tasklane.web.auth_pages import refusal
from tasklane.web.form_errors import FORM, field_errors
from tasklane.web.forms import Refusal, back_to, parsed
from tasklane.web.guards import FormUser, PageUser
from tasklane.web.rendering import FormState, Json, load_frame, render, services_of, wire

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]
PROFILE_LABELS = {"name": "your name", "avatar_color": "an avatar colour"}
PASSWORD_LABELS = {
    "current_password": "your current password",
    "new_password": "a new password",
}
TOKEN_LABELS = {"name": "a name for the token"}
GONE = "That token no longer exists; it may have been deleted already."
MISMATCH = "The two new passwords don't match. Type the same one in both."
SAVED = ("profile", "password")  # what ``?saved=`` may say was just saved


async def account_response(
    request: Request,
    user: User,
    form: FormState | None = None,
    *,
    created: TokenCreated | None = None,
    saved: str = "",
    status_code: int = 200,
) -> Response:
    services = services_of(request)
    frame = await load_frame(request, user, "account")
    tokens = [TokenPublic.model_validate(t) for t in await services.auth.list_tokens(user)]
    data: Json = {
        **frame.data(),
        "avatarColors": list(AVATAR_COLORS),
        "tokens": [wire(token) for token in tokens],
    }
    return render(
        request,
        "account.html",
        title="Your account · Tasklane",
        data=data,
        frame=frame,
        form=form or FormState(),
        tokens=tokens,
        created=created,
        saved=saved if saved in SAVED else "",
        avatar_colors=AVATAR_COLORS,
        now=services.runtime.clock.now(),
        script="account.js",
        status_code=status_code,
    )


@router.get("/account")
async def account(request: Request, user: PageUser, saved: str = "") -> Response:
    return await account_response(request, user, saved=saved)


@router.post("/account/profile")
async def save_profile(
    request: Request, user: FormUser, name: FormText = "", avatar_color: FormText = ""
) -> Response:
    """Name and avatar colour together (an empty colour: the one the ID picks)."""
    values = {"name": name, "avatarColor": avatar_color or None}
    try:
        body = parsed(ProfileUpdate, "profile", values, PROFILE_LABELS)
    except Refusal as refused:
        state = FormState(
            {"profile:name": name, "profile:avatar_color": avatar_color}, refused.errors
        )
        return await account_response(request, user, state, status_code=refused.status)
    await services_of(request).account.update_profile(user, body)
    return back_to(request, "/account?saved=profile")


@router.post("/account/password")
async def change_password(
    request: Request,
    user: FormUser,
    limits: LimitsDep,
    cookie: Annotated[str | None, Depends(session_cookie)],
    current_password: FormText = "",
    new_password: FormText = "",
    confirm_password: FormText = "",
) -> Response:
    """A new password, proving the current one; every other session is signed out."""
    values = {"currentPassword": current_password, "newPassword": new_password}
    try:
        if new_password != confirm_password:
            raise Refusal(422, {"password:confirm_password": MISMATCH})
        await anonymous_quota(request, limits)
        spend(limits.anonymous, f"password:{user.id}")
        body = parsed(PasswordChange, "password", values, PASSWORD_LABELS)
        assert cookie is not None  # a page's user is signed in by the cookie
        await services_of(request).account.change_password(user, cookie, body)
    except Refusal as refused:
        return await account_response(
            request, user, FormState({}, refused.errors), status_code=refused.status
        )
    except ServiceError as exc:
        response = await account_response(
            request,
            user,
            FormState({}, {_password_field(exc): refusal(exc)}),
            status_code=exc.status,
        )
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(retry_after_seconds(exc.retry_after))
        return response
    return back_to(request, "/account?saved=password")


def _password_field(exc: ServiceError) -> str:
    """The field a refused password change shows its reason beside."""
    fields = {"wrong_password": "current_password", "password_unchanged": "new_password"}
    return f"password:{fields.get(exc.code, FORM)}"


@router.post("/account/tokens")
async def create_token(request: Request, user: FormUser, name: FormText = "") -> Response:
    """A personal API token, shown on the page this once."""
    try:
        body = TokenCreate.model_validate({"name": name})
    except ValidationError as exc:
        errors = {f"token:{k}": v for k, v in field_errors(exc, TOKEN_LABELS).items()}
        return await account_response(
            request, user, FormState({"token:name": name}, errors), status_code=422
        )
    token, secret = await services_of(request).auth.create_token(user, body)
    return await account_response(request, user, created=TokenCreated.shown(token, secret))


@router.post("/account/tokens/{token_id}/delete")
async def delete_token(token_id: str, request: Request, user: FormUser) -> Response:
    try:
        await services_of(request).auth.delete_token(user, token_id)
    except NotFound:
        state = FormState({}, {"token:": GONE})  # its row is gone: said under the form
        return await account_response(request, user, state, status_code=404)
    return back_to(request, "/account")
