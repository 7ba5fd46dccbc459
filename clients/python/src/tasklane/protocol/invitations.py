"""Invitations of people who have no account yet, as the API reads and writes them."""

from __future__ import annotations

from typing import Annotated

from pydantic import EmailStr, Field, StringConstraints

from tasklane.protocol.base import InputModel, PublicModel, Timestamp
from tasklane.protocol.project import Role


class InvitationCreate(InputModel):
    email: EmailStr
    role: Role = "editor"


class InvitationPublic(PublicModel):
    """A pending invitation, as a project's owners see it."""

    id: str
    project_id: str
    email: str
    role: Role
    invited_by: str = Field(description="The user id of the owner who invited.")
    created_at: Timestamp
    expires_at: Timestamp


class InvitationCreated(InvitationPublic):
    """The only time an invitation's secret is shown: send ``url`` to the person."""

    token: str = Field(description="The secret to accept with (`POST /api/invitations/accept`).")
    url: str = Field(description="The invite link, `…/invite/<token>`, to send to the person.")


class InvitationAccept(InputModel):
    token: Annotated[str, StringConstraints(min_length=1, max_length=200)]
