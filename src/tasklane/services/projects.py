"""Projects: create, list, read, change, delete."""

from __future__ import annotations

import zlib

from pydantic.alias_generators import to_camel
from sqlalchemy import select

from tasklane.models import Project, ProjectMember, Section, User, Workspace
from tasklane.protocol.events import ProjectCreated, ProjectDeleted, ProjectUpdated
from tasklane.protocol.project import (
    DEFAULT_SECTION_STATUSES,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    ProjectView,
    SectionPublic,
)
from tasklane.protocol.streams import is_person
from tasklane.services.access import Action, require
from tasklane.services.errors import NotFound, ServiceError
from tasklane.services.ranking import rank_at
from tasklane.services.runtime import Runtime, Transaction

PALETTE = ("#4f6bed", "#e8384f", "#fd9a00", "#eec300", "#62d26f", "#37c5ab", "#aa62e3", "#ea4e9d")
DEFAULT_WORKSPACE = "Tasklane"


def view(project: Project, role: str) -> ProjectView:
    return ProjectView.model_validate(
        {
            **ProjectPublic.model_validate(project).model_dump(),
            "role": role,
            "seq": project.last_seq,
        }
    )


class ProjectService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def list_for(self, user: User, *, include_archived: bool = True) -> list[ProjectView]:
        async with self.runtime.db.read() as session:
            query = (
                select(Project, ProjectMember.role)
                .join(ProjectMember, ProjectMember.project_id == Project.id)
                .where(ProjectMember.user_id == user.id, Project.deleted_at.is_(None))
                .order_by(Project.created_at, Project.id)
            )
            if not include_archived:
                query = query.where(Project.archived.is_(False))
            rows = (await session.execute(query)).all()
        return [view(project, role) for project, role in rows]

    async def get(self, user: User, project_id: str) -> ProjectView:
        async with self.runtime.db.read() as session:
            project, member = await require(session, project_id, user.id, Action.READ)
            return view(project, member.role)

    async def can_read(self, user_id: str, project_id: str) -> bool:
        """Whether the user may follow the project (any role; the project is live), or
        the log: a person's own log is theirs alone."""
        if is_person(project_id):
            return project_id == user_id
        async with self.runtime.db.read() as session:
            try:
                await require(session, project_id, user_id, Action.READ)
            except ServiceError:
                return False
            return True

    async def create(self, user: User, body: ProjectCreate) -> ProjectView:
        ids, now = self.runtime.ids, self.runtime.clock.now()
        async with self.runtime.transaction() as tx:
            workspace_id = await self._workspace_id(tx, body.workspace_id)
            project_id = ids.new("proj")
            project = Project(
                id=project_id,
                workspace_id=workspace_id,
                name=body.name,
                description=body.description,
                color=body.color or PALETTE[zlib.crc32(project_id.encode()) % len(PALETTE)],
                archived=False,
                created_by=user.id,
                created_at=now,
                modified_at=now,
                last_seq=0,
            )
            tx.session.add(project)
            await tx.session.flush()
            tx.session.add(
                ProjectMember(
                    id=ids.new("mem"),
                    project_id=project_id,
                    user_id=user.id,
                    role="owner",
                    created_at=now,
                    created_seq=1,  # project_created opens every log
                )
            )
            sections: list[Section] = []
            # The default sections stand for the statuses they are named after; sections
            # named by the caller are free.
            linked = "sections" not in body.model_fields_set
            for number, name in enumerate(body.sections):
                rank = rank_at([s.rank for s in sections], None)
                sections.append(
                    Section(
                        id=ids.new("sec"),
                        project_id=project_id,
                        name=name,
                        rank=rank,
                        status=DEFAULT_SECTION_STATUSES[number] if linked else None,
                        created_at=now,
                    )
                )
            tx.session.add_all(sections)
            await tx.emit(
                ProjectCreated(
                    project_id=project_id,
                    project=ProjectPublic.model_validate(project),
                    sections=[SectionPublic.model_validate(s) for s in sections],
                ),
                actor_id=user.id,
            )
        return view(project, "owner")

    async def update(self, user: User, project_id: str, body: ProjectUpdate) -> ProjectView:
        async with self.runtime.transaction() as tx:
            project, member = await require(
                tx.session, project_id, user.id, Action.MANAGE, lock=True
            )
            changes = [
                field
                for field in sorted(body.model_fields_set)
                if (value := getattr(body, field)) is not None and getattr(project, field) != value
            ]
            if changes:
                for field in changes:
                    setattr(project, field, getattr(body, field))
                project.modified_at = self.runtime.clock.now()
                await tx.emit(
                    ProjectUpdated(
                        project_id=project_id,
                        project=ProjectPublic.model_validate(project),
                        changes=[to_camel(field) for field in changes],
                    ),
                    actor_id=user.id,
                )
        return view(project, member.role)

    async def delete(self, user: User, project_id: str) -> None:
        async with self.runtime.transaction() as tx:
            project, _ = await require(tx.session, project_id, user.id, Action.MANAGE, lock=True)
            project.deleted_at = self.runtime.clock.now()
            await tx.emit(ProjectDeleted(project_id=project_id), actor_id=user.id)

    async def _workspace_id(self, tx: Transaction, requested: str | None) -> str:
        if requested is not None:
            if await tx.session.get(Workspace, requested) is None:
                raise NotFound("workspace not found", resource="workspace")
            return requested
        found = await tx.session.scalar(
            select(Workspace.id).order_by(Workspace.created_at, Workspace.id).limit(1)
        )
        if found is not None:
            return found
        workspace = Workspace(
            id=self.runtime.ids.new("ws"),
            name=DEFAULT_WORKSPACE,
            created_at=self.runtime.clock.now(),
        )
        tx.session.add(workspace)
        await tx.session.flush()
        return workspace.id
