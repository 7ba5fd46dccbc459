"""Undoing a deletion: a deleted task is kept, with its subtasks and their comments, for
``KEPT_FOR`` on the app's clock, and an editor of its project may restore it meanwhile.

Restoring is a change like any other: the rows come back as they were (same ids, rank,
author and times) in one transaction, and the project's log says so with what creating
them says — a ``task_created`` for the task, then one for each subtask after its parent,
counted as a task moved in from another project is (docs/protocol.md, "Undoing a
deletion"). What changed meanwhile is respected: a section that went puts the task in
the project's first section, an assignee who left the project is unassigned, and a
subtask whose parent went is not restored (409 ``parent_gone``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.models import Comment, DeletedTask, Section, Task, User
from tasklane.models.base import UtcDateTime
from tasklane.protocol.events import TaskCreated
from tasklane.protocol.task import TaskPublic
from tasklane.services.access import Action, require
from tasklane.services.assignees import members_among
from tasklane.services.errors import Conflict, NotFound
from tasklane.services.runtime import Runtime
from tasklane.services.task_reads import public_row

KEPT_FOR = timedelta(hours=1)

_tasks: Table = Task.__table__  # type: ignore[assignment]
_comments: Table = Comment.__table__  # type: ignore[assignment]


def _plain(row: Any, table: Table) -> dict[str, Any]:
    """A row's columns as JSON values (times and dates as ISO text)."""
    values: dict[str, Any] = {}
    for column in table.columns:
        value = getattr(row, column.key)
        values[column.name] = value.isoformat() if isinstance(value, date) else value
    return values


def _typed(values: dict[str, Any], table: Table) -> dict[str, Any]:
    """``_plain`` undone: the row's columns with their Python types."""
    row = dict(values)
    for column in table.columns:
        value = row.get(column.name)
        if value is None:
            continue
        if isinstance(column.type, UtcDateTime):
            row[column.name] = datetime.fromisoformat(value)
        elif isinstance(column.type, Date):
            row[column.name] = date.fromisoformat(value)
    return row


async def keep(
    session: AsyncSession, task: Task, subtask_ids: list[str], user_id: str, now: datetime
) -> None:
    """Keep ``task`` and its subtasks (each after its parent) with their comments, in
    the transaction about to delete them; forget what was kept longer than KEPT_FOR."""
    await session.execute(delete(DeletedTask).where(DeletedTask.deleted_at < now - KEPT_FOR))
    ids = [task.id, *subtask_ids]
    loaded = {row.id: row for row in await session.scalars(select(Task).where(Task.id.in_(ids)))}
    comments = await session.scalars(
        select(Comment).where(Comment.task_id.in_(ids)).order_by(Comment.created_seq, Comment.id)
    )
    await session.merge(
        DeletedTask(
            task_id=task.id,
            project_id=task.project_id,
            rows={
                "tasks": [_plain(loaded[each], _tasks) for each in ids if each in loaded],
                "comments": [_plain(comment, _comments) for comment in comments],
            },
            deleted_by=user_id,
            deleted_at=now,
        )
    )


class TrashService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def restore(self, user: User, task_id: str) -> TaskPublic:
        """Bring back a task deleted less than KEPT_FOR ago, as it was; the caller must
        be able to edit its project."""
        async with self.runtime.transaction() as tx:
            session = tx.session
            kept = await session.get(DeletedTask, task_id)
            now = self.runtime.clock.now()
            if kept is None or kept.deleted_at < now - KEPT_FOR:
                raise NotFound(
                    "there is no deleted task to restore by that id (or it was deleted "
                    "too long ago)",
                    resource="task",
                )
            project_id = kept.project_id
            await require(session, project_id, user.id, Action.EDIT, lock=True, resource="task")
            tasks = [_typed(row, _tasks) for row in kept.rows["tasks"]]
            comments = [_typed(row, _comments) for row in kept.rows["comments"]]
            top = tasks[0]
            if top["parent_id"] is not None and await session.get(Task, top["parent_id"]) is None:
                raise Conflict(
                    "its parent task was deleted: restore the parent first", code="parent_gone"
                )
            sections = await session.scalars(
                select(Section.id).where(Section.project_id == project_id).order_by(Section.rank)
            )
            section_ids = list(sections)
            if top["parent_id"] is None and top["section_id"] not in section_ids:
                top["section_id"] = section_ids[0] if section_ids else None
            assignees = {row["assignee_id"] for row in tasks if row["assignee_id"]}
            members = await members_among(session, project_id, assignees)
            for row in tasks:
                if row["assignee_id"] is not None and row["assignee_id"] not in members:
                    row["assignee_id"] = None
            await session.execute(insert(_tasks), tasks)
            if comments:
                await session.execute(insert(_comments), comments)
            await session.delete(kept)
            counts = {row["id"]: 0 for row in tasks}
            for comment in comments:
                counts[comment["task_id"]] += 1
            restored = [
                public_row({**row, "subtask_count": 0, "comment_count": counts[row["id"]]})
                for row in tasks
            ]
            for each in restored:
                await tx.emit(
                    TaskCreated(project_id=project_id, task_id=each.id, task=each),
                    actor_id=user.id,
                )
            return restored[0]
