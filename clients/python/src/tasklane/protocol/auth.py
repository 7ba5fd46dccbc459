"""Sign-up, sign-in and API token models."""

from __future__ import annotations

from typing import Annotated

from pydantic import EmailStr, StringConstraints

from tasklane.protocol.base import InputModel, Name, PublicModel, Timestamp

Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]


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
    created_at: Timestamp


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
