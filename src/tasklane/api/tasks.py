"""Tasks, subtasks and moves."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from tasklane.api.errors import error_responses
from tasklane.edge.deps import CurrentUser, ServicesDep, SettingsDep
from tasklane.protocol.task import Status, TaskCreate, TaskMove, TaskPage, TaskPublic, TaskUpdate
from tasklane.services.task_reads import TaskFilters

router = APIRouter(prefix="/api", tags=["tasks"])

MAX_OFFSET = 1_000_000
Text = Annotated[str | None, Query(max_length=200, description="Words in the name or notes.")]


@router.get("/projects/{project_id}/tasks")
async def list_tasks(
    project_id: str,
    user: CurrentUser,
    services: ServicesDep,
    settings: SettingsDep,
    section: Annotated[str | None, Query(max_length=40)] = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    assignee: Annotated[str | None, Query(max_length=40)] = None,
    due_before: Annotated[date | None, Query(alias="dueBefore")] = None,
    due_after: Annotated[date | None, Query(alias="dueAfter")] = None,
    q: Text = None,
    subtasks: Annotated[
        bool,
        Query(
            description="Include subtasks that match the filters too (each with its "
            "`parentId`): top-level tasks first, then subtasks grouped by parent, in rank "
            "order within a parent. A subtask's section is its parent's."
        ),
    ] = False,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1)] = 100,
) -> TaskPage:
    """A project's top-level tasks in rank order, filtered, a page at a time: pass the
    ``nextCursor`` of one page as ``cursor`` to get the next (with the same ``subtasks``).
    Due-date bounds are exclusive."""
    filters = TaskFilters(
        section_id=section,
        status=status_,
        assignee_id=assignee,
        due_before=due_before,
        due_after=due_after,
        text=q,
    )
    return await services.tasks.page(
        user,
        project_id,
        filters,
        cursor=cursor,
        limit=min(limit, settings.page_limit),
        subtasks=subtasks,
    )


@router.post("/projects/{project_id}/tasks", status_code=status.HTTP_201_CREATED)
async def create_task(
    project_id: str, body: TaskCreate, user: CurrentUser, services: ServicesDep
) -> TaskPublic:
    return await services.tasks.create(user, project_id, body)


@router.get("/tasks/{task_id}")
async def get_task(task_id: str, user: CurrentUser, services: ServicesDep) -> TaskPublic:
    return await services.tasks.get(user, task_id)


@router.patch("/tasks/{task_id}")
async def update_task(
    task_id: str, body: TaskUpdate, user: CurrentUser, services: ServicesDep
) -> TaskPublic:
    """Change fields; a status change is announced as ``task_status_changed``."""
    return await services.tasks.update(user, task_id, body)


@router.delete("/tasks/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_task(task_id: str, user: CurrentUser, services: ServicesDep) -> None:
    """Delete a task with its subtasks and comments."""
    await services.tasks.delete(user, task_id)


@router.post(
    "/tasks/{task_id}/restore",
    responses=error_responses(
        409,
        description="`parent_gone`: a subtask whose parent task was deleted too: restore "
        "the parent first.",
    ),
)
async def restore_task(task_id: str, user: CurrentUser, services: ServicesDep) -> TaskPublic:
    """Undo a deletion: bring back a task deleted less than an hour ago (on the app's
    clock), with its subtasks and their comments, as they were. The project's log gets a
    `task_created` for the task and one for each subtask. A section that went meanwhile
    puts it in the project's first section; an assignee who left is unassigned. 404 when
    there is nothing to restore by that id."""
    return await services.trash.restore(user, task_id)


@router.post(
    "/tasks/{task_id}/move",
    responses=error_responses(
        422,
        description="`unknown_section`: no such section in the destination project; "
        "`subtask_section`, `subtask_project`: a subtask moves with its parent; "
        "`validation_error`.",
    ),
)
async def move_task(
    task_id: str, body: TaskMove, user: CurrentUser, services: ServicesDep
) -> TaskPublic:
    """Move a task to ``position`` among its siblings, in ``sectionId`` if given; with
    ``projectId``, a top-level task into (a section of) another project, its subtasks
    and comments along: the source project's log gets ``task_deleted``, the
    destination's ``task_created`` for it and each subtask. The caller must be able to
    edit both projects; assignees who are not members of the destination are
    unassigned."""
    return await services.tasks.move(user, task_id, body)


@router.get("/tasks/{task_id}/subtasks")
async def list_subtasks(task_id: str, user: CurrentUser, services: ServicesDep) -> list[TaskPublic]:
    return await services.tasks.subtasks(user, task_id)


@router.post("/tasks/{task_id}/subtasks", status_code=status.HTTP_201_CREATED)
async def create_subtask(
    task_id: str, body: TaskCreate, user: CurrentUser, services: ServicesDep
) -> TaskPublic:
    return await services.tasks.create_subtask(user, task_id, body)


@router.get("/me/tasks")
async def my_tasks(
    user: CurrentUser,
    services: ServicesDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1)] = 200,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="How many tasks to skip: the paging.")
    ] = 0,
) -> list[TaskPublic]:
    """My Tasks: assigned to me, open ones first, soonest due first, undated last, then
    oldest first, then by ID. A page holds at most ``limit`` tasks (and at most the
    server's page limit); ask for the next with ``offset`` + the number received, until a
    page comes back shorter than asked."""
    return await services.tasks.my_tasks(user, limit=min(limit, settings.page_limit), offset=offset)
