"""Who may do what in a project.

viewer < commenter < editor < owner; each role can do everything the one before can.
A user who is not a member of a project cannot tell it exists: every path answers
404 for them, exactly as for a project that never was.
"""

from __future__ import annotations

from enum import IntEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.models import Project, ProjectMember
from tasklane.services.errors import Forbidden, NotFound


class Action(IntEnum):
    """What an action needs, as the lowest role rank allowed to do it."""

    READ = 0  # see the project, its tasks, comments and events
    COMMENT = 1  # add comments
    EDIT = 2  # create, edit, move and delete tasks and sections
    MANAGE = 3  # manage members and the project itself


ROLE_RANK = {"viewer": 0, "commenter": 1, "editor": 2, "owner": 3}

VERBS = {
    Action.READ: "view this project",
    Action.COMMENT: "comment in this project",
    Action.EDIT: "edit this project's tasks and sections",
    Action.MANAGE: "manage this project and its members",
}


def allows(role: str, action: Action) -> bool:
    return ROLE_RANK[role] >= action


async def require(
    session: AsyncSession,
    project_id: str,
    user_id: str,
    action: Action,
    *,
    lock: bool = False,
    resource: str = "project",
    include_deleted: bool = False,
) -> tuple[Project, ProjectMember]:
    """The live project and the caller's membership, or NotFound / Forbidden.

    ``lock`` takes the project row's write lock first (PostgreSQL; SQLite's write
    transactions are already exclusive), so the rest of the transaction reads a
    project that no concurrent writer is changing.
    """
    query = select(Project).where(Project.id == project_id)
    if not include_deleted:
        query = query.where(Project.deleted_at.is_(None))
    if lock:
        query = query.with_for_update()
    project = await session.scalar(query)
    member = None
    if project is not None:
        member = await session.scalar(
            select(ProjectMember).where(
                ProjectMember.project_id == project_id, ProjectMember.user_id == user_id
            )
        )
    if project is None or member is None:
        raise NotFound(f"{resource} not found", resource=resource)
    if not allows(member.role, action):
        raise Forbidden(
            f"a {member.role} cannot {VERBS[action]}", role=member.role, needs=action.name.lower()
        )
    return project, member
