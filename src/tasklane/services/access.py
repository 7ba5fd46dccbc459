"""Who may do what in a project.

viewer < commenter < editor < owner; each role can do everything the one before can.
A user who is not a member of a project cannot tell it exists: every path answers
404 for them, exactly as for a project that never was.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, ScalarSelect, Select, Table, bindparam, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.models import Comment, Project, ProjectMember, Task
from tasklane.services.errors import Forbidden, NotFound

# A row that lives in a project, and may move to another one with its task.
InProject = TypeVar("InProject", Task, Comment)


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


_projects: Table = Project.__table__  # type: ignore[assignment]
_members: Table = ProjectMember.__table__  # type: ignore[assignment]


def allows(role: str, action: Action) -> bool:
    return ROLE_RANK[role] >= action


def check(role: str | None, action: Action, *, resource: str = "project") -> None:
    """NotFound for someone with no role in a live project (``role`` is None), Forbidden
    for a role below ``action``."""
    if role is None:
        raise NotFound(f"{resource} not found", resource=resource)
    if not allows(role, action):
        raise Forbidden(f"a {role} cannot {VERBS[action]}", role=role, needs=action.name.lower())


def caller_role(project_id: ColumnElement[str]) -> ScalarSelect[str]:
    """The role of the user bound as ``user_id`` in the live project ``project_id``, to
    select beside the row it guards (one round trip instead of two); NULL for a
    non-member and for a deleted project. ``check`` turns it into the answer."""
    return (
        select(_members.c.role)
        .join(_projects, _projects.c.id == _members.c.project_id)
        .where(
            _members.c.project_id == project_id,
            _members.c.user_id == bindparam("user_id"),
            _projects.c.deleted_at.is_(None),
        )
        .scalar_subquery()
    )


def project_lock(project_id: ColumnElement[str]) -> Select[tuple[str]]:
    """The statement that takes the live project ``project_id``'s row lock, as ``require``
    does with ``lock``. Run it before reading what it guards (see ``locks_rows``)."""
    return (
        select(_projects.c.id)
        .where(_projects.c.id == project_id, _projects.c.deleted_at.is_(None))
        .with_for_update()
    )


def locks_rows(session: AsyncSession) -> bool:
    """Whether ``project_lock`` does anything: on SQLite, a write transaction holds the
    whole database from its ``BEGIN IMMEDIATE`` (see ``db.py``), and ``FOR UPDATE`` is
    not even sent."""
    return session.get_bind().dialect.name != "sqlite"


async def lock_projects(session: AsyncSession, project_ids: Iterable[str]) -> None:
    """Take the row locks of several live projects, in ID order, before a transaction
    writes to all of their logs: two such transactions (a move from A to B and one from
    B to A) then queue behind each other instead of deadlocking."""
    if locks_rows(session):
        for project_id in sorted(set(project_ids)):
            await session.execute(project_lock(literal(project_id)))


async def locked(session: AsyncSession, model: type[InProject], row_id: str) -> InProject | None:
    """The task or comment ``row_id``, read under its project's row lock, and read again
    once the lock is held: a move to another project may have committed while this
    transaction waited, and what follows must check, write and announce the row where
    it now is. None if there is no such row."""
    row = await session.get(model, row_id)
    while row is not None and locks_rows(session):
        project_id = row.project_id
        await session.execute(project_lock(literal(project_id)))
        row = await session.get(model, row_id, populate_existing=True)
        if row is None or row.project_id == project_id:
            break
    return row


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
    check(member.role, action, resource=resource)
    return project, member
