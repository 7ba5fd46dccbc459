"""Invitations of people who have no account yet.

An owner invites an email address with a role and gets a link carrying a secret, shown
once and stored as its hash. Whoever opens the link signs up (or in) with that email
and accepts: they become a member through ``MemberService.join``, so the project's log
gets its one ``member_added`` in the same transaction, and the invitation is used up.

Invitations are not in the project's log: every member reads the log, and whom the
owners invited is the owners' business until that person joins.

An invitation expires on the app's clock, unlike sign-in sessions (``services/auth.py``):
the link alone lets nobody in (accepting takes a signed-in account with the invited
email), so it is a dated offer rather than a credential, and its dates are the data's
own. A gym episode's invitations then expire with the episode's time, and the same seed
and the same actions give the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.ids import hash_secret, new_secret
from tasklane.models import Invitation, Project, User
from tasklane.protocol.invitations import InvitationCreate, InvitationPublic
from tasklane.protocol.project import MemberPublic
from tasklane.services.access import Action, require
from tasklane.services.errors import Conflict, Forbidden, NotFound
from tasklane.services.members import MemberService, member_public
from tasklane.services.runtime import Runtime

INVITATION_TTL = timedelta(days=14)


class InvitationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


def state_of(invitation: Invitation, now: datetime) -> InvitationState:
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.PENDING


# Why an invitation that is no longer pending cannot be accepted: (code, message).
REFUSALS = {
    InvitationState.ACCEPTED: ("invitation_used", "this invitation has been used already"),
    InvitationState.REVOKED: ("invitation_revoked", "this invitation was revoked"),
    InvitationState.EXPIRED: ("invitation_expired", "this invitation has expired"),
}


@dataclass(frozen=True)
class InvitationView:
    """An invitation as its link's page shows it: its project and who invited."""

    invitation: Invitation
    state: InvitationState
    project_name: str
    inviter_name: str


def invitation_public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic.model_validate(invitation)


def _not_found() -> NotFound:
    return NotFound(
        "no invitation with this link", code="invitation_not_found", resource="invitation"
    )


class InvitationService:
    def __init__(self, runtime: Runtime, members: MemberService) -> None:
        self.runtime = runtime
        self.members = members

    async def create(
        self, user: User, project_id: str, body: InvitationCreate
    ) -> tuple[InvitationPublic, str]:
        """Invite an email that has no account (owners). A pending invitation of the same
        email to the project is revoked: its link stops working, the new one works.
        Returns the invitation and its secret, which is stored nowhere but as a hash."""
        email = body.email.lower()
        now = self.runtime.clock.now()
        async with self.runtime.db.write() as session:
            await require(session, project_id, user.id, Action.MANAGE, lock=True)
            if await session.scalar(select(User.id).where(User.email == email)):
                raise Conflict(
                    "someone has an account with this email: add them as a member instead",
                    code="account_exists",
                )
            for earlier in await self._pending(session, project_id, now, email=email):
                earlier.revoked_at = now
            secret = new_secret()
            invitation = Invitation(
                id=self.runtime.ids.new("inv"),
                project_id=project_id,
                email=email,
                role=body.role,
                invited_by=user.id,
                created_at=now,
                expires_at=now + INVITATION_TTL,
                secret_hash=hash_secret(secret),
            )
            session.add(invitation)
            await session.flush()
            return invitation_public(invitation), secret

    async def pending(self, user: User, project_id: str) -> list[InvitationPublic]:
        """The project's invitations that can still be accepted, oldest first (owners)."""
        async with self.runtime.db.read() as session:
            await require(session, project_id, user.id, Action.MANAGE)
            rows = await self._pending(session, project_id, self.runtime.clock.now())
            return [invitation_public(row) for row in rows]

    async def revoke(self, user: User, invitation_id: str) -> None:
        """Withdraw a pending invitation (owners of its project): its link stops working.
        Revoking one revoked or expired already changes nothing."""
        async with self.runtime.db.write() as session:
            invitation = await session.get(Invitation, invitation_id)
            if invitation is None:
                raise NotFound("invitation not found", resource="invitation")
            await require(
                session, invitation.project_id, user.id, Action.MANAGE, resource="invitation"
            )
            now = self.runtime.clock.now()
            state = state_of(invitation, now)
            if state is InvitationState.ACCEPTED:
                code, message = REFUSALS[state]
                raise Conflict(message, code=code)
            if state is InvitationState.PENDING:
                invitation.revoked_at = now

    async def look_up(self, secret: str) -> InvitationView:
        """What the link with ``secret`` invites to, whatever state it is in: anyone
        holding the link may read it."""
        async with self.runtime.db.read() as session:
            row = (
                await session.execute(
                    select(Invitation, Project.name, User.name)
                    .join(Project, Project.id == Invitation.project_id)
                    .join(User, User.id == Invitation.invited_by)
                    .where(
                        Invitation.secret_hash == hash_secret(secret),
                        Project.deleted_at.is_(None),
                    )
                )
            ).first()
        if row is None:
            raise _not_found()
        invitation, project_name, inviter_name = row
        state = state_of(invitation, self.runtime.clock.now())
        return InvitationView(invitation, state, project_name, inviter_name)

    async def accept(self, user: User, secret: str) -> MemberPublic:
        """Join the project the link invites to, with its role, as ``user``, whose email
        must be the invited one. Someone who is a member already keeps their role, and
        the invitation is used up all the same."""
        async with self.runtime.transaction() as tx:
            session = tx.session
            found = await session.scalar(
                select(Invitation.project_id).where(Invitation.secret_hash == hash_secret(secret))
            )
            if found is None:
                raise _not_found()
            # The project's lock first, as every writer to the project takes it.
            project = await session.scalar(
                select(Project)
                .where(Project.id == found, Project.deleted_at.is_(None))
                .with_for_update()
            )
            invitation = await session.scalar(
                select(Invitation)
                .where(Invitation.secret_hash == hash_secret(secret))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if project is None or invitation is None:
                raise _not_found()
            now = self.runtime.clock.now()
            state = state_of(invitation, now)
            if state is not InvitationState.PENDING:
                code, message = REFUSALS[state]
                raise Conflict(message, code=code)
            if user.email.lower() != invitation.email:
                raise Forbidden(
                    "this invitation is for another email address",
                    code="invitation_email_mismatch",
                )
            invitation.accepted_at = now
            invitation.accepted_by = user.id
            existing = await self.members.membership(tx, project.id, user.id)
            if existing is not None:
                return member_public(existing, user)
            return await self.members.join(tx, project.id, user, invitation.role, actor_id=user.id)

    async def _pending(
        self, session: AsyncSession, project_id: str, now: datetime, *, email: str | None = None
    ) -> list[Invitation]:
        query = select(Invitation).where(
            Invitation.project_id == project_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        if email is not None:
            query = query.where(Invitation.email == email)
        rows = await session.scalars(query.order_by(Invitation.created_at, Invitation.id))
        return list(rows)
