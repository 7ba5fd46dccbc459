"""Invitations of people who have no account yet: owners invite an email with a role
and send the link; the person signs up with that email and accepts."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from tasklane.api.errors import error_responses
from tasklane.edge.deps import CurrentUser, ServicesDep
from tasklane.edge.invitations import invite_link
from tasklane.protocol.invitations import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationPublic,
)
from tasklane.protocol.project import MemberPublic

router = APIRouter(prefix="/api", tags=["invitations"])

ACCEPT_REFUSALS = {
    **error_responses(
        403, description="`invitation_email_mismatch`: the invitation is for another email."
    ),
    **error_responses(404, description="`invitation_not_found`: no invitation has this token."),
    **error_responses(
        409,
        description="`invitation_used`, `invitation_revoked` or `invitation_expired`: it can "
        "no longer be accepted.",
    ),
}


@router.post(
    "/projects/{project_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        409,
        description="`account_exists`: someone has an account with this email; add them "
        "with `POST /api/projects/{id}/members` instead.",
    ),
)
async def create_invitation(
    project_id: str,
    body: InvitationCreate,
    request: Request,
    user: CurrentUser,
    services: ServicesDep,
) -> InvitationCreated:
    """Invite an email that has no account yet, with a role (owners). The answer holds
    the invite link, shown here and nowhere else; it works for 14 days, once, for the
    account that signs up with this email. Inviting the same email again replaces the
    pending invitation (its link stops working)."""
    invitation, secret = await services.invitations.create(user, project_id, body)
    return InvitationCreated(
        **invitation.model_dump(), token=secret, url=invite_link(request, secret)
    )


@router.get("/projects/{project_id}/invitations")
async def list_invitations(
    project_id: str, user: CurrentUser, services: ServicesDep
) -> list[InvitationPublic]:
    """The project's pending invitations, oldest first (owners)."""
    return await services.invitations.pending(user, project_id)


@router.delete(
    "/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(409, description="`invitation_used`: it was accepted already."),
)
async def revoke_invitation(invitation_id: str, user: CurrentUser, services: ServicesDep) -> None:
    """Revoke a pending invitation (owners of its project): its link stops working."""
    await services.invitations.revoke(user, invitation_id)


@router.post("/invitations/accept", responses=ACCEPT_REFUSALS)
async def accept_invitation(
    body: InvitationAccept, user: CurrentUser, services: ServicesDep
) -> MemberPublic:
    """Accept an invitation as the signed-in person, whose email must be the invited
    one: they become a member with its role (the project's log gets `member_added`), and
    the invitation is used up. A member already keeps their role."""
    return await services.invitations.accept(user, body.token)
