"""Sections: the ordered list headers and board columns of a project."""

from __future__ import annotations

from pydantic.alias_generators import to_camel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.events import SectionCreated, SectionDeleted, SectionUpdated
from tasklane.models import Section, Task, User
from tasklane.schemas.project import SectionCreate, SectionPublic, SectionUpdate
from tasklane.services.access import Action, require
from tasklane.services.errors import Conflict, NotFound
from tasklane.services.ranking import rank_at
from tasklane.services.runtime import Runtime


async def section_ranks(session: AsyncSession, project_id: str, *, without: str = "") -> list[str]:
    rows = await session.scalars(
        select(Section.rank)
        .where(Section.project_id == project_id, Section.id != without)
        .order_by(Section.rank, Section.id)
    )
    return list(rows)


class SectionService:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def list(self, user: User, project_id: str) -> list[SectionPublic]:
        async with self.runtime.db.read() as session:
            await require(session, project_id, user.id, Action.READ)
            rows = await session.scalars(
                select(Section)
                .where(Section.project_id == project_id)
                .order_by(Section.rank, Section.id)
            )
            return [SectionPublic.model_validate(s) for s in rows]

    async def create(self, user: User, project_id: str, body: SectionCreate) -> SectionPublic:
        async with self.runtime.transaction() as tx:
            await require(tx.session, project_id, user.id, Action.EDIT, lock=True)
            section = Section(
                id=self.runtime.ids.new("sec"),
                project_id=project_id,
                name=body.name,
                rank=rank_at(await section_ranks(tx.session, project_id), body.position),
                created_at=self.runtime.clock.now(),
            )
            tx.session.add(section)
            public = SectionPublic.model_validate(section)
            await tx.emit(
                SectionCreated(project_id=project_id, section_id=section.id, section=public),
                actor_id=user.id,
            )
        return public

    async def update(self, user: User, section_id: str, body: SectionUpdate) -> SectionPublic:
        async with self.runtime.transaction() as tx:
            section = await self._find(tx.session, section_id)
            await require(
                tx.session, section.project_id, user.id, Action.EDIT, lock=True, resource="section"
            )
            changes: list[str] = []
            if body.name is not None and body.name != section.name:
                section.name = body.name
                changes.append("name")
            if body.position is not None:
                others = await section_ranks(tx.session, section.project_id, without=section.id)
                rank = rank_at(others, body.position)
                # Moving to where it already is keeps the key: no change, no event.
                if _position_of(others, section.rank) != min(body.position, len(others)):
                    section.rank = rank
                    changes.append("rank")
            public = SectionPublic.model_validate(section)
            if changes:
                await tx.emit(
                    SectionUpdated(
                        project_id=section.project_id,
                        section_id=section.id,
                        section=public,
                        changes=[to_camel(c) for c in changes],
                    ),
                    actor_id=user.id,
                )
        return public

    async def delete(self, user: User, section_id: str) -> None:
        """Only an empty section can go: deleting tasks is a separate, explicit act."""
        async with self.runtime.transaction() as tx:
            section = await self._find(tx.session, section_id)
            await require(
                tx.session, section.project_id, user.id, Action.EDIT, lock=True, resource="section"
            )
            tasks = await tx.session.scalar(
                select(func.count()).select_from(Task).where(Task.section_id == section_id)
            )
            if tasks:
                raise Conflict(
                    f"the section still holds {tasks} task(s); move or delete them first",
                    code="section_not_empty",
                    tasks=tasks,
                )
            await tx.session.delete(section)
            await tx.emit(
                SectionDeleted(project_id=section.project_id, section_id=section_id),
                actor_id=user.id,
            )

    async def _find(self, session: AsyncSession, section_id: str) -> Section:
        section = await session.get(Section, section_id)
        if section is None:
            raise NotFound("section not found", resource="section")
        return section


def _position_of(others: list[str], rank: str) -> int:
    """Where a key sorts among ``others``."""
    return sum(1 for other in others if other < rank)
