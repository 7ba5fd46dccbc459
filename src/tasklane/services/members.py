"""Project membership and roles."""

from __future__ import annotations

from sqlalchemy import func, select

from tasklane.models import Project, ProjectMember, User
from tasklane.protocol.auth import UserPublic
from tasklane.protocol.events import MemberAdded, MemberRemoved, MemberUpdated
from tasklane.protocol.project import MemberAdd, MemberPublic, MemberUpdate
from tasklane.services.access import Action, lock_projects, require
from tasklane.services.assignees import unassign
from tasklane.services.errors import Conflict, NotFound
from tasklane.services.runtime import Runtime, Transaction


def member_public(member: ProjectMember, user: User) -> MemberPublic:
    return MemberPublic(
        project_id=member.project_id,
        user_id=member.user_id,
        role=member.role,
        user=UserPublic.model_validate(user),
        created_at=member.created_at,
    )


class MemberService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def list(self, user: User, project_id: str) -> list[MemberPublic]:
        async with self.runtime.db.read() as session:
            await require(session, project_id, user.id, Action.READ)
            rows = (
                await session.execute(
                    select(ProjectMember, User)
                    .join(User, User.id == ProjectMember.user_id)
                    .where(ProjectMember.project_id == project_id)
                    .order_by(ProjectMember.created_seq)
                )
            ).all()
        return [member_public(member, person) for member, person in rows]

    async def add(self, user: User, project_id: str, body: MemberAdd) -> MemberPublic:
        async with self.runtime.transaction() as tx:
            await require(tx.session, project_id, user.id, Action.MANAGE, lock=True)
            if body.user_id is not None:
                person = await tx.session.get(User, body.user_id)
            else:
                assert body.email is not None
                person = await tx.session.scalar(
                    select(User).where(User.email == body.email.lower())
                )
            if person is None:
                raise NotFound("no user with that id or email", resource="user")
            if await self.membership(tx, project_id, person.id) is not None:
                raise Conflict("already a member of this project", code="already_member")
            return await self.join(tx, project_id, person, body.role, actor_id=user.id)

    async def join(
        self, tx: Transaction, project_id: str, person: User, role: str, *, actor_id: str
    ) -> MemberPublic:
        """Make ``person`` a member in ``tx``, with its ``member_added``. The caller has
        checked that they may join (an owner added them, or they accepted an invitation)
        and that they are not a member yet."""
        member = ProjectMember(
            id=self.runtime.ids.new("mem"),
            project_id=project_id,
            user_id=person.id,
            role=role,
            created_at=self.runtime.clock.now(),
        )
        tx.session.add(member)
        public = member_public(member, person)
        event = await tx.emit(
            MemberAdded(project_id=project_id, user_id=person.id, member=public),
            actor_id=actor_id,
        )
        member.created_seq = event.seq
        return public

    async def update(
        self, user: User, project_id: str, user_id: str, body: MemberUpdate
    ) -> MemberPublic:
        async with self.runtime.transaction() as tx:
            await require(tx.session, project_id, user.id, Action.MANAGE, lock=True)
            member = await self._existing(tx, project_id, user_id)
            previous = member.role
            if previous == "owner" and body.role != "owner":
                await self._keep_an_owner(tx, project_id)
            member.role = body.role
            person = await tx.session.get(User, user_id)
            assert person is not None
            public = member_public(member, person)
            if previous != body.role:
                await tx.emit(
                    MemberUpdated(
                        project_id=project_id,
                        user_id=user_id,
                        member=public,
                        previous_role=previous,
                        changes=["role"],
                    ),
                    actor_id=user.id,
                )
        return public

    async def remove(self, user: User, project_id: str, user_id: str) -> None:
        """Owners remove anyone; every member may remove themselves (leave).

        The removed member is unassigned from every task of the project (the assignee
        rule, ``services/assignees.py``), in the same transaction: one ``task_updated``
        per task, then ``member_removed`` last, so that at every ``seq`` of the log no
        task names a non-member, and the removed member's subscriptions end with the
        removal, after they were told of the rest."""
        action = Action.READ if user_id == user.id else Action.MANAGE
        async with self.runtime.transaction() as tx:
            await require(tx.session, project_id, user.id, action, lock=True)
            member = await self._existing(tx, project_id, user_id)
            if member.role == "owner":
                await self._keep_an_owner(tx, project_id)
            await unassign(tx, project_id, user_id, actor_id=user.id)
            await tx.session.delete(member)
            await tx.emit(MemberRemoved(project_id=project_id, user_id=user_id), actor_id=user.id)

    async def membership(
        self, tx: Transaction, project_id: str, user_id: str
    ) -> ProjectMember | None:
        return await tx.session.scalar(
            select(ProjectMember).where(
                ProjectMember.project_id == project_id, ProjectMember.user_id == user_id
            )
        )

    async def _existing(self, tx: Transaction, project_id: str, user_id: str) -> ProjectMember:
        member = await self.membership(tx, project_id, user_id)
        if member is None:
            raise NotFound("not a member of this project", resource="member")
        return member

    async def _keep_an_owner(self, tx: Transaction, project_id: str) -> None:
        owners = await tx.session.scalar(
            select(func.count()).where(
                ProjectMember.project_id == project_id, ProjectMember.role == "owner"
            )
        )
        if (owners or 0) <= 1:
            raise Conflict("a project keeps at least one owner", code="last_owner")


async def announce_profile(tx: Transaction, person: User, changes: list[str]) -> None:
    """Tell every live project ``person`` is a member of (archived ones too) that their
    profile changed: one ``member_updated`` each, their role as it was, with ``changes``
    naming the fields (``name``, ``avatarColor``). The projects' locks are taken first,
    in ID order, as for any transaction that writes to several logs; a project deleted
    or left meanwhile is passed over."""
    live = (ProjectMember.user_id == person.id, Project.deleted_at.is_(None))
    project_ids = list(
        await tx.session.scalars(
            select(Project.id)
            .join(ProjectMember, ProjectMember.project_id == Project.id)
            .where(*live)
        )
    )
    await lock_projects(tx.session, project_ids)
    members = await tx.session.scalars(
        select(ProjectMember)
        .join(Project, Project.id == ProjectMember.project_id)
        .where(*live, ProjectMember.project_id.in_(project_ids))
        .order_by(ProjectMember.project_id)
    )
    for member in list(members):
        await tx.emit(
            MemberUpdated(
                project_id=member.project_id,
                user_id=person.id,
                member=member_public(member, person),
                previous_role=member.role,
                changes=changes,
            ),
            actor_id=person.id,
        )
