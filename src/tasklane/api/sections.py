"""Sections: list headers and board columns."""

from __future__ import annotations

from fastapi import APIRouter, status

from tasklane.api.errors import error_responses
from tasklane.edge.deps import CurrentUser, ServicesDep
from tasklane.protocol.project import SectionCreate, SectionPublic, SectionUpdate

router = APIRouter(prefix="/api", tags=["sections"])


@router.get("/projects/{project_id}/sections")
async def list_sections(
    project_id: str, user: CurrentUser, services: ServicesDep
) -> list[SectionPublic]:
    return await services.sections.list(user, project_id)


@router.post("/projects/{project_id}/sections", status_code=status.HTTP_201_CREATED)
async def create_section(
    project_id: str, body: SectionCreate, user: CurrentUser, services: ServicesDep
) -> SectionPublic:
    return await services.sections.create(user, project_id, body)


@router.patch("/sections/{section_id}")
async def update_section(
    section_id: str, body: SectionUpdate, user: CurrentUser, services: ServicesDep
) -> SectionPublic:
    """Rename, or move to ``position`` (an index among the project's sections)."""
    return await services.sections.update(user, section_id, body)


@router.delete(
    "/sections/{section_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(409, description="`section_not_empty`: it still holds tasks."),
)
async def delete_section(section_id: str, user: CurrentUser, services: ServicesDep) -> None:
    """Delete an empty section (409 ``section_not_empty`` otherwise)."""
    await services.sections.delete(user, section_id)
