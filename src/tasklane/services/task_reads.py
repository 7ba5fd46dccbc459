"""Reading tasks: a project's tasks a page at a time (filtered, ordered by rank), one
task, its subtasks, and My Tasks; and the public shape of a task."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from tasklane.models import Project, ProjectMember, Task, User
from tasklane.protocol.task import TaskPage, TaskPublic
from tasklane.services.access import Action, require
from tasklane.services.errors import Invalid, NotFound
from tasklane.services.runtime import Runtime


@dataclass(frozen=True)
class TaskFilters:
    section_id: str | None = None
    status: str | None = None
    assignee_id: str | None = None
    due_before: date | None = None
    due_after: date | None = None
    text: str | None = None


def public(task: Task) -> TaskPublic:
    return TaskPublic.model_validate(task)


def public_row(task: Mapping[str, Any]) -> TaskPublic:
    """``public`` for a task read with Core: its columns and the two counts."""
    return TaskPublic.model_validate({**task, "completed": task["status"] == "done"})


async def find_task(session: AsyncSession, task_id: str) -> Task:
    task = await session.get(Task, task_id)
    if task is None:
        raise NotFound("task not found", resource="task")
    return task


class TaskReads:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def page(
        self,
        user: User,
        project_id: str,
        filters: TaskFilters,
        *,
        cursor: str | None,
        limit: int,
        subtasks: bool = False,
    ) -> TaskPage:
        """A project's top-level tasks, ordered by rank, a page at a time.

        With ``subtasks``, the filters reach subtasks too, and matching ones are listed
        after the top-level tasks: grouped by parent (in parent ID order), in rank order
        within a parent. A subtask has no section of its own: the section filter takes
        its parent's. The two orders have cursors of their own; one is refused by the
        other."""
        async with self.runtime.db.read() as session:
            await require(session, project_id, user.id, Action.READ)
            if subtasks:
                rows = await _with_subtasks(session, project_id, filters, cursor, limit)
            else:
                query = _filtered(
                    select(Task).where(Task.project_id == project_id, Task.parent_id.is_(None)),
                    filters,
                )
                if cursor is not None:
                    rank, task_id = _decode_cursor(cursor, 2)
                    query = query.where(
                        or_(Task.rank > rank, and_(Task.rank == rank, Task.id > task_id))
                    )
                rows = list(
                    await session.scalars(query.order_by(Task.rank, Task.id).limit(limit + 1))
                )
        items = [public(task) for task in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            key = [last.parent_id or "", last.rank, last.id] if subtasks else [last.rank, last.id]
            next_cursor = _encode_cursor(key)
        return TaskPage(items=items, next_cursor=next_cursor)

    async def get(self, user: User, task_id: str) -> TaskPublic:
        async with self.runtime.db.read() as session:
            task = await find_task(session, task_id)
            await require(session, task.project_id, user.id, Action.READ, resource="task")
            return public(task)

    async def subtasks(self, user: User, task_id: str) -> list[TaskPublic]:
        async with self.runtime.db.read() as session:
            parent = await find_task(session, task_id)
            await require(session, parent.project_id, user.id, Action.READ, resource="task")
            rows = await session.scalars(
                select(Task).where(Task.parent_id == task_id).order_by(Task.rank, Task.id)
            )
            return [public(task) for task in rows]

    async def my_tasks(self, user: User, *, limit: int, offset: int = 0) -> list[TaskPublic]:
        """Tasks assigned to ``user`` in projects they still belong to: open ones first,
        soonest due first, undated last, then oldest first, then by ID — a total order,
        so pages taken ``offset`` by ``offset`` neither overlap nor leave gaps while the
        tasks stay as they are."""
        async with self.runtime.db.read() as session:
            rows = await session.scalars(
                select(Task)
                .join(Project, Project.id == Task.project_id)
                .join(
                    ProjectMember,
                    and_(
                        ProjectMember.project_id == Task.project_id,
                        ProjectMember.user_id == user.id,
                    ),
                )
                .where(Task.assignee_id == user.id, Project.deleted_at.is_(None))
                .order_by(
                    Task.status == "done",
                    Task.due_on.is_(None),
                    Task.due_on,
                    Task.created_at,
                    Task.id,
                )
                .offset(offset)
                .limit(limit)
            )
            return [public(task) for task in rows]


async def _with_subtasks(
    session: AsyncSession,
    project_id: str,
    filters: TaskFilters,
    cursor: str | None,
    limit: int,
) -> list[Task]:
    """A page of the project's tasks at every level (``TaskReads.page``'s second order):
    keyed by (parent ID, with "" for a top-level task; rank; ID)."""
    parent = aliased(Task)
    group = func.coalesce(Task.parent_id, "")
    query = select(Task).outerjoin(parent, parent.id == Task.parent_id)
    query = query.where(Task.project_id == project_id)
    if filters.section_id is not None:
        query = query.where(func.coalesce(Task.section_id, parent.section_id) == filters.section_id)
    query = _filtered(query, replace(filters, section_id=None))
    if cursor is not None:
        after_group, rank, task_id = _decode_cursor(cursor, 3)
        query = query.where(
            or_(
                group > after_group,
                and_(group == after_group, Task.rank > rank),
                and_(group == after_group, Task.rank == rank, Task.id > task_id),
            )
        )
    return list(await session.scalars(query.order_by(group, Task.rank, Task.id).limit(limit + 1)))


def _filtered(query: Select[Task], filters: TaskFilters) -> Select[Task]:
    if filters.section_id is not None:
        query = query.where(Task.section_id == filters.section_id)
    if filters.status is not None:
        query = query.where(Task.status == filters.status)
    if filters.assignee_id is not None:
        query = query.where(Task.assignee_id == filters.assignee_id)
    if filters.due_before is not None:
        query = query.where(Task.due_on < filters.due_before)
    if filters.due_after is not None:
        query = query.where(Task.due_on > filters.due_after)
    if filters.text:
        pattern = (
            "%" + filters.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(Task.name.ilike(pattern, escape="\\"), Task.notes.ilike(pattern, escape="\\"))
        )
    return query


def _encode_cursor(key: list[str]) -> str:
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, length: int) -> list[str]:
    """The key a cursor holds: ``length`` strings, as ``_encode_cursor`` wrote them."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
        if (
            isinstance(key, list)
            and len(key) == length
            and all(isinstance(part, str) and "\x00" not in part for part in key)
        ):
            return key
    except (binascii.Error, ValueError, TypeError):
        pass
    raise Invalid(
        "the cursor is not one this server handed out", code="invalid_cursor", field="cursor"
    )
