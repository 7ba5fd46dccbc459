"""Tasks and subtasks: the rules of creating, changing, moving and deleting them."""

from __future__ import annotations

from typing import Any

from pydantic.alias_generators import to_camel
from sqlalchemy import (
    BindParameter,
    Table,
    and_,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.models import Comment, Section, Task, User
from tasklane.protocol.events import TaskCreated, TaskDeleted, TaskStatusChanged, TaskUpdated
from tasklane.protocol.task import TaskCreate, TaskMove, TaskPublic, TaskUpdate
from tasklane.services import trash
from tasklane.services.access import (
    Action,
    caller_role,
    check,
    lock_projects,
    locked,
    locks_rows,
    project_lock,
    require,
)
from tasklane.services.assignees import check_assignee, members_among
from tasklane.services.errors import Conflict, Invalid, NotFound
from tasklane.services.ranking import place
from tasklane.services.runtime import Transaction
from tasklane.services.section_status import completion, section_for, status_of
from tasklane.services.task_reads import TaskReads, find_task, public, public_row

# Task updates are the hottest write (bench/results, "API throughput"), so ``update``
# speaks Core with statements built once: the ORM's get, refresh and unit of work cost
# several times what the few statements below do.
_tasks: Table = Task.__table__  # type: ignore[assignment]
_child = _tasks.alias("child")
_comments: Table = Comment.__table__  # type: ignore[assignment]
_task_id: BindParameter[str] = bindparam("task_id")
# On PostgreSQL, the lock comes first and the read after it, so that the read sees
# what the last writer to the project committed (roles included).
_LOCK_PROJECT_OF_TASK = project_lock(
    select(_tasks.c.project_id).where(_tasks.c.id == _task_id).scalar_subquery()
)
# The counts are Task.subtask_count and Task.comment_count, written again over the
# tables: the mapped ones would make the statement an ORM one.
_TASK_AND_ROLE = select(
    *_tasks.c,
    select(func.count(_child.c.id))
    .where(_child.c.parent_id == _tasks.c.id)
    .scalar_subquery()
    .label("subtask_count"),
    select(func.count(_comments.c.id))
    .where(_comments.c.task_id == _tasks.c.id)
    .scalar_subquery()
    .label("comment_count"),
    caller_role(_tasks.c.project_id).label("role"),
).where(_tasks.c.id == _task_id)
# The columns to set are the keys of the parameters besides ``task_id``.
_WRITE_TASK = update(_tasks).where(_tasks.c.id == _task_id).returning(*_tasks.c)


class TaskService(TaskReads):
    # -- writing -------------------------------------------------------------------

    async def create(self, user: User, project_id: str, body: TaskCreate) -> TaskPublic:
        async with self.runtime.transaction() as tx:
            await require(tx.session, project_id, user.id, Action.EDIT, lock=True)
            section_id, status = await self._placing(tx.session, project_id, body)
            body = body.model_copy(update={"status": status})
            return await self._insert(
                tx, user, project_id, body, section_id=section_id, parent_id=None
            )

    async def create_subtask(self, user: User, parent_id: str, body: TaskCreate) -> TaskPublic:
        if body.section_id is not None:
            raise Invalid(
                "subtasks belong to their parent, not to a section", code="subtask_section"
            )
        async with self.runtime.transaction() as tx:
            parent = await _locked_task(tx.session, parent_id)
            await require(
                tx.session, parent.project_id, user.id, Action.EDIT, lock=True, resource="task"
            )
            return await self._insert(
                tx, user, parent.project_id, body, section_id=None, parent_id=parent_id
            )

    async def update(self, user: User, task_id: str, body: TaskUpdate) -> TaskPublic:
        async with self.runtime.transaction() as tx:
            task = await _editable_row(tx.session, user, task_id)
            values: dict[str, Any] = {}
            changes: list[str] = []
            for field in sorted(body.model_fields_set):
                value = getattr(body, field)
                if task[field] == value:
                    continue
                if field == "assignee_id" and value is not None:
                    await check_assignee(tx.session, task["project_id"], value)
                values[field] = value
                changes.append(to_camel(field))
            if not changes:
                return public_row(task)
            now = self.runtime.clock.now()
            previous_status = task["status"]
            reranked: dict[str, str] = {}
            if "status" in values:
                values.update(completion(values["status"], now, user.id))
                moved, reranked = await _following(tx.session, task, values["status"])
                values.update(moved)
                changes += [to_camel(field) for field in moved]
            values["modified_at"] = now
            written = await tx.session.execute(_WRITE_TASK, {"task_id": task_id, **values})
            # The counts are the ones just read: the project's lock keeps them.
            fresh = public_row({**task, **written.mappings().one()})
            if fresh.status != previous_status:
                await tx.emit(
                    _status_changed(fresh, previous_status, changes, reranked),
                    actor_id=user.id,
                    also=(task["assignee_id"],),
                )
            else:
                await tx.emit(
                    TaskUpdated(
                        project_id=fresh.project_id, task_id=fresh.id, task=fresh, changes=changes
                    ),
                    actor_id=user.id,
                    also=(task["assignee_id"],),
                )
            return fresh

    async def move(self, user: User, task_id: str, body: TaskMove) -> TaskPublic:
        """Put a task at ``position`` among its siblings, in another section if asked,
        or in another project (``project_id``: see ``_move_to_project``)."""
        async with self.runtime.transaction() as tx:
            if body.project_id is not None:
                task = await find_task(tx.session, task_id)
                if body.project_id != task.project_id:
                    return await self._move_to_project(tx, user, task, body.project_id, body)
            task = await self._editable(tx, user, task_id)
            changes: list[str] = []
            if body.section_id is not None and body.section_id != task.section_id:
                if task.parent_id is not None:
                    raise Invalid(
                        "subtasks belong to their parent, not to a section", code="subtask_section"
                    )
                await self._section_for(tx.session, task.project_id, body.section_id)
                task.section_id = body.section_id
                changes.append("sectionId")
            siblings = await _siblings(tx.session, task, without=task.id)
            here = sum(1 for _, rank in siblings if rank < task.rank)
            target = len(siblings) if body.position is None else min(body.position, len(siblings))
            reranked: dict[str, str] = {}
            if changes or here != target:
                task.rank, reranked = place(siblings, target)
                await _rerank(tx.session, reranked)
                changes.append("rank")
            if not changes:
                return public(task)
            task.modified_at = self.runtime.clock.now()
            previous_status = task.status
            if "sectionId" in changes and await _takes_status(tx.session, task, user):
                changes.append("status")
            fresh = await self._reload(tx, task)
            if fresh.status != previous_status:
                await tx.emit(
                    _status_changed(fresh, previous_status, changes, reranked),
                    actor_id=user.id,
                )
                return fresh
            await tx.emit(
                TaskUpdated(
                    project_id=task.project_id,
                    task_id=task.id,
                    task=fresh,
                    changes=changes,
                    reranked=reranked or None,
                ),
                actor_id=user.id,
            )
            return fresh

    async def _move_to_project(
        self, tx: Transaction, user: User, task: Task, target_id: str, body: TaskMove
    ) -> TaskPublic:
        """Move a top-level task, with its subtasks and their comments, into a section of
        another project; the caller must be able to edit both. Each project's log tells
        its followers what they already understand: the source's gets the
        ``task_deleted`` a deletion appends (the task and its subtasks leave), the
        target's a ``task_created`` for the task and then one for each subtask after its
        parent, as creating them would (the task arrives). An assignee who is not a
        member of the target project is unassigned (``services/assignees.py``)."""
        source_id = task.project_id
        await lock_projects(tx.session, [source_id, target_id])
        # Read again under the locks: a concurrent move may have committed meanwhile.
        fresh = await tx.session.get(Task, task.id, populate_existing=True)
        if fresh is None:
            raise NotFound("task not found", resource="task")
        if fresh.project_id != source_id:
            raise Conflict("the task moved to another project meanwhile; try again")
        task = fresh
        await require(tx.session, source_id, user.id, Action.EDIT, resource="task")
        if task.parent_id is not None:
            raise Invalid(
                "a subtask moves to another project with its parent: move the top-level task",
                code="subtask_project",
                field="projectId",
            )
        await require(tx.session, target_id, user.id, Action.EDIT)
        section_id = await self._section_for(tx.session, target_id, body.section_id)
        subtask_ids = await _descendants(tx.session, task.id)
        loaded = await tx.session.scalars(select(Task).where(Task.id.in_(subtask_ids)))
        by_id = {subtask.id: subtask for subtask in loaded}
        moved = [task, *(by_id[subtask_id] for subtask_id in subtask_ids)]
        comment_counts = {each.id: each.comment_count for each in moved}  # they come along
        assignees = {each.assignee_id for each in moved if each.assignee_id is not None}

        await tx.emit(
            TaskDeleted(
                project_id=source_id,
                task_id=task.id,
                parent_id=None,
                deleted_subtask_ids=subtask_ids,
            ),
            actor_id=user.id,
            also=assignees,
        )
        members = await members_among(tx.session, target_id, assignees)
        now = self.runtime.clock.now()
        for each in moved:
            each.project_id = target_id
            each.modified_at = now
            if each.assignee_id is not None and each.assignee_id not in members:
                each.assignee_id = None
        task.section_id = section_id
        await _takes_status(tx.session, task, user)
        task.rank, reranked = place(
            await _siblings(tx.session, task, without=task.id), body.position
        )
        await _rerank(tx.session, reranked)
        await tx.session.execute(
            update(Comment)
            .where(Comment.task_id.in_([each.id for each in moved]))
            .values(project_id=target_id)
            .execution_options(synchronize_session=False)
        )
        for each in moved:
            await tx.emit(
                TaskCreated(
                    project_id=target_id,
                    task_id=each.id,
                    task=_arriving(each, comment_counts[each.id]),
                    reranked=(reranked or None) if each is task else None,
                ),
                actor_id=user.id,
            )
        return await self._reload(tx, task)

    async def delete(self, user: User, task_id: str) -> None:
        """Delete a task with its subtasks and comments, as one event."""
        async with self.runtime.transaction() as tx:
            task = await self._editable(tx, user, task_id)
            descendants = await _descendants(tx.session, task.id)
            assigned = set(
                await tx.session.scalars(
                    select(Task.assignee_id).where(Task.id.in_([task.id, *descendants]))
                )
            )
            await trash.keep(tx.session, task, descendants, user.id, self.runtime.clock.now())
            await tx.session.execute(
                delete(Task)
                .where(Task.id.in_([task.id, *descendants]))
                .execution_options(synchronize_session=False)
            )
            await tx.emit(
                TaskDeleted(
                    project_id=task.project_id,
                    task_id=task.id,
                    parent_id=task.parent_id,
                    deleted_subtask_ids=descendants,
                ),
                actor_id=user.id,
                also=assigned,
            )

    # -- rules shared by the writers ------------------------------------------------

    async def _insert(
        self,
        tx: Transaction,
        user: User,
        project_id: str,
        body: TaskCreate,
        *,
        section_id: str | None,
        parent_id: str | None,
    ) -> TaskPublic:
        if body.assignee_id is not None:
            await check_assignee(tx.session, project_id, body.assignee_id)
        now = self.runtime.clock.now()
        task = Task(
            id=self.runtime.ids.new("task"),
            project_id=project_id,
            section_id=section_id,
            parent_id=parent_id,
            name=body.name,
            notes=body.notes,
            status=body.status,
            assignee_id=body.assignee_id,
            due_on=body.due_on,
            completed_at=now if body.status == "done" else None,
            completed_by=user.id if body.status == "done" else None,
            rank="",
            created_by=user.id,
            created_at=now,
            modified_at=now,
        )
        task.rank, reranked = place(await _siblings(tx.session, task, without=""), body.position)
        await _rerank(tx.session, reranked)
        tx.session.add(task)
        fresh = await self._reload(tx, task)
        await tx.emit(
            TaskCreated(
                project_id=project_id, task_id=task.id, task=fresh, reranked=reranked or None
            ),
            actor_id=user.id,
        )
        return fresh

    async def _editable(self, tx: Transaction, user: User, task_id: str) -> Task:
        task = await _locked_task(tx.session, task_id)
        await require(tx.session, task.project_id, user.id, Action.EDIT, lock=True, resource="task")
        return task

    async def _reload(self, tx: Transaction, task: Task) -> TaskPublic:
        """The task as committed will show it, counts included."""
        await tx.session.flush()
        await tx.session.refresh(task)
        return public(task)

    async def _placing(
        self, session: AsyncSession, project_id: str, body: TaskCreate
    ) -> tuple[str | None, str]:
        """The section a new top-level task goes in, and the status it has there: the
        status of the section it is created in, if that stands for one; or, asked for a
        status and no section, the first section standing for that status."""
        section_id = await self._section_for(session, project_id, body.section_id)
        stands_for = await status_of(session, section_id)
        if body.section_id is None and "status" in body.model_fields_set:
            if stands_for not in (None, body.status):
                section_id = await section_for(session, project_id, body.status) or section_id
            return section_id, body.status
        return section_id, stands_for or body.status

    async def _section_for(
        self, session: AsyncSession, project_id: str, section_id: str | None
    ) -> str | None:
        if section_id is None:
            return await session.scalar(
                select(Section.id)
                .where(Section.project_id == project_id)
                .order_by(Section.rank, Section.id)
                .limit(1)
            )
        section = await session.get(Section, section_id)
        if section is None or section.project_id != project_id:
            raise Invalid(
                "no such section in this project", code="unknown_section", field="sectionId"
            )
        return section_id


async def _editable_row(session: AsyncSession, user: User, task_id: str) -> dict[str, Any]:
    """``_editable`` in Core: the task's columns and counts, read under the project's
    lock, once ``user`` may edit it; NotFound and Forbidden as ``require`` answers."""
    if locks_rows(session):
        await session.execute(_LOCK_PROJECT_OF_TASK, {"task_id": task_id})
    found = await session.execute(_TASK_AND_ROLE, {"task_id": task_id, "user_id": user.id})
    row = found.mappings().first()
    if row is None:
        raise NotFound("task not found", resource="task")
    check(row["role"], Action.EDIT, resource="task")
    return {key: value for key, value in row.items() if key != "role"}


async def _locked_task(session: AsyncSession, task_id: str) -> Task:
    """``find_task`` under its project's lock, where it is once the lock is held."""
    task = await locked(session, Task, task_id)
    if task is None:
        raise NotFound("task not found", resource="task")
    return task


async def _takes_status(session: AsyncSession, task: Task, user: User) -> bool:
    """Give ``task``, just put into its section, the status that section stands for;
    whether that changed its status."""
    stands_for = await status_of(session, task.section_id)
    if stands_for is None or stands_for == task.status:
        return False
    task.status = stands_for
    for name, value in completion(stands_for, task.modified_at, user.id).items():
        setattr(task, name, value)
    return True


async def _following(
    session: AsyncSession, task: dict[str, Any], status: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The section and rank a top-level task takes as its status becomes ``status``:
    the end of the first section standing for it, if the task's own section stands for
    another (none otherwise); and the siblings reranked to make room."""
    stands_for = await status_of(session, task["section_id"])
    if stands_for is None or stands_for == status:
        return {}, {}
    target = await section_for(session, task["project_id"], status)
    if target is None:
        return {}, {}
    arriving = Task(project_id=task["project_id"], parent_id=None, section_id=target)
    rank, reranked = place(await _siblings(session, arriving, without=task["id"]), None)
    await _rerank(session, reranked)
    return {"section_id": target, "rank": rank}, reranked


def _status_changed(
    fresh: TaskPublic, previous_status: str, changes: list[str], reranked: dict[str, str]
) -> TaskStatusChanged:
    return TaskStatusChanged(
        project_id=fresh.project_id,
        task_id=fresh.id,
        task=fresh,
        previous_status=previous_status,
        new_status=fresh.status,
        changes=changes,
        reranked=reranked or None,
    )


async def _descendants(session: AsyncSession, task_id: str) -> list[str]:
    """The ids of a task's subtasks at every depth, a level at a time (each subtask
    after its parent), in id order within a level."""
    descendants: list[str] = []
    frontier = [task_id]
    while frontier:
        children = list(
            await session.scalars(
                select(Task.id).where(Task.parent_id.in_(frontier)).order_by(Task.id)
            )
        )
        descendants.extend(children)
        frontier = children
    return descendants


def _arriving(task: Task, comment_count: int) -> TaskPublic:
    """A task moved in from another project, as its ``task_created`` shows it: counts
    are as of the event (docs/protocol.md, "Derived task fields"), so its comments,
    which came along, count, and its subtasks do not yet: each arrives after it, with a
    ``task_created`` of its own that counts it, as when subtasks are created. Made from
    the columns, which the flush an event makes leaves loaded (the counts it expires)."""
    columns = {column.key: getattr(task, column.key) for column in _tasks.columns}
    return public_row({**columns, "subtask_count": 0, "comment_count": comment_count})


async def _siblings(session: AsyncSession, task: Task, *, without: str) -> list[tuple[str, str]]:
    """Ids and ranks of the tasks ``task`` is ordered among, in order: its parent's
    children, or the top-level tasks of its section."""
    if task.parent_id is not None:
        where = Task.parent_id == task.parent_id
    else:
        where = and_(
            Task.project_id == task.project_id,
            Task.parent_id.is_(None),
            Task.section_id.is_(None)
            if task.section_id is None
            else Task.section_id == task.section_id,
        )
    rows = await session.execute(
        select(Task.id, Task.rank).where(where, Task.id != without).order_by(Task.rank, Task.id)
    )
    return [(task_id, rank) for task_id, rank in rows]


async def _rerank(session: AsyncSession, reranked: dict[str, str]) -> None:
    for task_id, rank in reranked.items():
        await session.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(rank=rank)
            .execution_options(synchronize_session=False)
        )
