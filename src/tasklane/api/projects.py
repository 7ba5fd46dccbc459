"""Projects and their members."""

from __future__ import annotations

from fastapi import APIRouter, status

from tasklane.api.errors import error_responses
from tasklane.edge.deps import CurrentUser, ServicesDep
from tasklane.protocol.project import (
    MemberAdd,
    MemberPublic,
    MemberUpdate,
    ProjectCreate,
    ProjectUpdate,
    ProjectView,
)

router = APIRouter(prefix="/api", tags=["projects"])

KEEPS_AN_OWNER = error_responses(409, description="`last_owner`: a project keeps an owner.")


@router.get("/projects")
async def list_projects(user: CurrentUser, services: ServicesDep) -> list[ProjectView]:
    """The projects the caller is a member of, each with their role and head ``seq``."""
    return await services.projects.list_for(user)


@router.post("/projects", status_code=status.HTTP_201_CREATED)
async def create_project(
    body: ProjectCreate, user: CurrentUser, services: ServicesDep
) -> ProjectView:
    """Create a project (the caller becomes its owner), with its first sections."""
    return await services.projects.create(user, body)


@router.get("/projects/{project_id}")
async def get_project(project_id: str, user: CurrentUser, services: ServicesDep) -> ProjectView:
    return await services.projects.get(user, project_id)


@router.patch("/projects/{project_id}")
async def update_project(
    project_id: str, body: ProjectUpdate, user: CurrentUser, services: ServicesDep
) -> ProjectView:
    return await services.projects.update(user, project_id, body)


@router.delete("/projects/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_project(project_id: str, user: CurrentUser, services: ServicesDep) -> None:
    await services.projects.delete(user, project_id)


@router.get("/projects/{project_id}/members")
async def list_members(
    project_id: str, user: CurrentUser, services: ServicesDep
) -> list[MemberPublic]:
    return await services.members.list(user, project_id)


@router.post(
    "/projects/{project_id}/members",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(409, description="`already_member`: they are a member already."),
)
async def add_member(
    project_id: str, body: MemberAdd, user: CurrentUser, services: ServicesDep
) -> MemberPublic:
    """Add an existing user, by id or email, with a role."""
    return await services.members.add(user, project_id, body)


@router.patch("/projects/{project_id}/members/{user_id}", responses=KEEPS_AN_OWNER)
async def update_member(
    project_id: str, user_id: str, body: MemberUpdate, user: CurrentUser, services: ServicesDep
) -> MemberPublic:
    return await services.members.update(user, project_id, user_id, body)


@router.delete(
    "/projects/{project_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=KEEPS_AN_OWNER,
)
async def remove_member(
    project_id: str, user_id: str, user: CurrentUser, services: ServicesDep
) -> None:
    """Owners remove anyone; a member may remove themselves. A project keeps an owner.
    The member is unassigned from every task of the project (open and done, subtasks
    too): a ``task_updated`` for each, then ``member_removed``, in one transaction."""
    await services.members.remove(user, project_id, user_id)
