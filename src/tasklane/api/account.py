"""The signed-in person's own account: their profile and their password."""

from __future__ import annotations

from fastapi import APIRouter, status

from tasklane.api.errors import error_responses
from tasklane.edge.deps import (
    AnonymousQuota,
    CurrentUser,
    LimitsDep,
    PresentedSecret,
    ServicesDep,
    spend,
)
from tasklane.protocol.auth import AVATAR_COLORS, PasswordChange, ProfileUpdate, UserPublic

router = APIRouter(prefix="/api", tags=["auth"])


@router.patch(
    "/auth/me",
    responses=error_responses(
        422,
        description="`validation_error`: an empty or over-long `name`, or an `avatarColor` "
        f"outside the palette ({', '.join(AVATAR_COLORS)}); `details` names the field.",
    ),
)
async def update_me(body: ProfileUpdate, user: CurrentUser, services: ServicesDep) -> UserPublic:
    """Change your name or avatar colour (`null` gives back the colour your ID picks).
    Every project you are a member of hears it as a `member_updated` whose `changes` names
    the fields that changed; a change that changes nothing appends nothing."""
    return UserPublic.model_validate(await services.account.update_profile(user, body))


@router.post(
    "/auth/password",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[AnonymousQuota],
    responses={
        **error_responses(
            403, description="`wrong_password`: `currentPassword` is not the current password."
        ),
        **error_responses(
            422,
            description="`validation_error`: a `newPassword` shorter than 8 characters; "
            "`password_unchanged`: the new password is the current one.",
        ),
        **error_responses(
            429, description="`rate_limited`: too many tries, as at sign-in (`AUTH_RATE`)."
        ),
    },
)
async def change_password(
    body: PasswordChange,
    user: CurrentUser,
    services: ServicesDep,
    limits: LimitsDep,
    secret: PresentedSecret,
) -> None:
    """Set a new password, proving the current one. Every other sign-in session of yours
    ends, and its realtime connections close; this one and your personal API tokens stay.
    Tries are limited like sign-ins: per address, and per person."""
    spend(limits.anonymous, f"password:{user.id}")
    assert secret is not None  # CurrentUser authenticated with one of them
    await services.account.change_password(user, secret, body)
