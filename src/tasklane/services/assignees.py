"""The assignee rule: a task's assignee is a member of the task's project.

Every writer keeps it. Assigning someone who is not a member is refused
(``check_assignee``). Removing a member, or a member leaving, unassigns them from every
task of the project, subtasks and done tasks included (``unassign``), in the removal's
own transaction. A task moved to another project loses an assignee who is not a member
there (``members_among``, in ``TaskService.move``).

Done tasks too, and not only open ones: the rule is then one sentence with no exception
(no task ever names a non-member, whatever its status), a filter by assignee or a
client's list of members never meets a stranger, and nothing of value is lost, since a
done task keeps ``completedBy`` and the log keeps who was assigned when.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.models import ProjectMember, Task
from tasklane.protocol.events import TaskUpdated
from tasklane.services.errors import Invalid
from tasklane.services.runtime import Transaction
from tasklane.services.task_reads import public


async def check_assignee(session: AsyncSession, project_id: str, user_id: str) -> None:
    """Invalid (``assignee_not_member``) unless ``user_id`` is a member of the project."""
    if not await members_among(session, project_id, [user_id]):
        raise Invalid(
            "the assignee must be a member of the project",
            code="assignee_not_member",
            field="assigneeId",
        )


async def members_among(
    session: AsyncSession, project_id: str, user_ids: Iterable[str]
) -> set[str]:
    """Those of ``user_ids`` who are members of the project."""
    wanted = set(user_ids)
    if not wanted:
        return set()
    found = await session.scalars(
        select(ProjectMember.user_id).where(
            ProjectMember.project_id == project_id, ProjectMember.user_id.in_(wanted)
        )
    )
    return set(found)


async def unassign(tx: Transaction, project_id: str, user_id: str, *, actor_id: str) -> int:
    """Clear ``user_id`` from every task of the project they are assigned to, each with
    the event an ordinary ``PATCH {"assigneeId": null}`` appends (``task_updated``,
    ``changes: ["assigneeId"]``), so that what follows the project hears of it as of any
    other unassignment. Oldest task first. The number of tasks unassigned."""
    tasks = list(
        await tx.session.scalars(
            select(Task)
            .where(Task.project_id == project_id, Task.assignee_id == user_id)
            .order_by(Task.created_at, Task.id)
        )
    )
    now = tx.clock.now()
    for task in tasks:
        task.assignee_id = None
        task.modified_at = now
        await tx.emit(
            TaskUpdated(
                project_id=project_id, task_id=task.id, task=public(task), changes=["assigneeId"]
            ),
            actor_id=actor_id,
            also=(user_id,),
        )
    return len(tasks)
