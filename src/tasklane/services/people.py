"""The people lookup: who is in the caller's workspace.

A person belongs to no workspace directly: a workspace holds projects, and a person is
in a workspace through membership of one of its projects (not a deleted one). So the
people a caller may find are those who share a workspace with them that way, the
caller included; someone in none of the caller's workspaces (another workspace's
people, or a new account in no project yet) is not listed. Such a newcomer is added by
email (``MemberService.add``), which needs no lookup.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, select

from tasklane.models import Project, ProjectMember, User
from tasklane.protocol.workspace import Person
from tasklane.services.runtime import Runtime


def _pattern(text: str, *, prefix: bool) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if prefix else f"%{escaped}%"


def _workspaces_of(user_id: str) -> Select[str]:
    return (
        select(Project.workspace_id)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(ProjectMember.user_id == user_id, Project.deleted_at.is_(None))
    )


class PeopleService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def search(self, user: User, text: str | None, *, limit: int) -> list[Person]:
        """People of ``user``'s workspaces whose name or email contains ``text``
        (case-insensitive; everyone without it): those whose name or email starts with
        it first, then by name, then by ID; at most ``limit``."""
        in_a_shared_workspace = exists(
            select(ProjectMember.id)
            .join(Project, Project.id == ProjectMember.project_id)
            .where(
                ProjectMember.user_id == User.id,
                Project.deleted_at.is_(None),
                Project.workspace_id.in_(_workspaces_of(user.id)),
            )
        )
        query = select(User).where(in_a_shared_workspace)
        first: list[ColumnElement[Any]] = []  # prefix matches, when there is a text
        if text:
            anywhere = _pattern(text, prefix=False)
            query = query.where(
                User.name.ilike(anywhere, escape="\\") | User.email.ilike(anywhere, escape="\\")
            )
            start = _pattern(text, prefix=True)
            starts = User.name.ilike(start, escape="\\") | User.email.ilike(start, escape="\\")
            first.append(case((starts, 0), else_=1))
        async with self.runtime.db.read() as session:
            rows = await session.scalars(query.order_by(*first, User.name, User.id).limit(limit))
            return [Person.model_validate(person) for person in rows]
