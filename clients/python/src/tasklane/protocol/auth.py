"""Sign-up, sign-in, profile, password and API token models."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args

from pydantic import EmailStr, StringConstraints

from tasklane.protocol.base import InputModel, Name, PatchModel, PublicModel, Timestamp

Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]

# The colours a person may give their avatar, each white-on-colour at 4.5:1 or better
# in both themes (app.css's --hue-0 … --hue-7, in this order). Without one, an avatar
# takes the colour its user ID picks.
AvatarColor = Literal["blue", "pink", "purple", "teal", "green", "orange", "indigo", "navy"]
AVATAR_COLORS: tuple[AvatarColor, ...] = get_args(AvatarColor)


class RegisterIn(InputModel):
    email: EmailStr
    name: Name
    password: Password


class LoginIn(InputModel):
    email: EmailStr
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class UserPublic(PublicModel):
    id: str
    email: str
    name: str
    avatar_color: AvatarColor | None = None  # None: the colour the ID picks
    created_at: Timestamp


class ProfileUpdate(PatchModel):
    """A change to the signed-in person's profile; ``avatarColor: null`` goes back to
    the colour the ID picks."""

    nullable: ClassVar[frozenset[str]] = frozenset({"avatar_color"})

    name: Name | None = None
    avatar_color: AvatarColor | None = None


class PasswordChange(InputModel):
    """The current password, to prove it is the person, and the new one (the same rule
    as at sign-up)."""

    current_password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    new_password: Password


class AuthResult(PublicModel):
    """A signed-in session: the cookie carries ``token`` too; programs send it as Bearer."""

    user: UserPublic
    token: str
    expires_at: Timestamp


class TokenCreate(InputModel):
    name: Name


class TokenPublic(PublicModel):
    id: str
    name: str
    created_at: Timestamp
    expires_at: Timestamp | None


class TokenCreated(TokenPublic):
    """The only time a personal token's secret is shown."""

    token: str

    @classmethod
    def shown(cls, token: object, secret: str) -> TokenCreated:
        """``token`` (a stored token) with its ``secret``, as its creator sees it."""
        return cls.model_validate(
            {**TokenPublic.model_validate(token).model_dump(), "token": secret}
        )
