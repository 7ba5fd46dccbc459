"""Sections: the ordered list headers and board columns of a project."""

from __future__ import annotations

from pydantic.alias_generators import to_camel
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.models import Section, Task, User
from tasklane.protocol.events import SectionCreated, SectionDeleted, SectionUpdated
from tasklane.protocol.project import SectionCreate, SectionPublic, SectionUpdate
from tasklane.services.access import Action, require
from tasklane.services.errors import Conflict, NotFound
from tasklane.services.ranking import place
from tasklane.services.runtime import Runtime


async def _siblings(
    session: AsyncSession, project_id: str, *, without: str = ""
) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(Section.id, Section.rank)
        .where(Section.project_id == project_id, Section.id != without)
        .order_by(Section.rank, Section.id)
    )
    return [(section_id, rank) for section_id, rank in rows]


async def _rerank(session: AsyncSession, reranked: dict[str, str]) -> None:
    for section_id, rank in reranked.items():
        await session.execute(
            update(Section)
            .where(Section.id == section_id)
            .values(rank=rank)
            .execution_options(synchronize_session=False)
        )


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
            rank, reranked = place(await _siblings(tx.session, project_id), body.position)
            await _rerank(tx.session, reranked)
            section = Section(
                id=self.runtime.ids.new("sec"),
                project_id=project_id,
                name=body.name,
                rank=rank,
                status=body.status,
                created_at=self.runtime.clock.now(),
            )
            tx.session.add(section)
            public = SectionPublic.model_validate(section)
            await tx.emit(
                SectionCreated(
                    project_id=project_id,
                    section_id=section.id,
                    section=public,
                    reranked=reranked or None,
                ),
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
            # A status given stands from now on; the tasks already in the section keep
            # theirs until they next move or change (services/section_status.py).
            if "status" in body.model_fields_set and body.status != section.status:
                section.status = body.status
                changes.append("status")
            reranked: dict[str, str] = {}
            if body.position is not None:
                others = await _siblings(tx.session, section.project_id, without=section.id)
                here = sum(1 for _, rank in others if rank < section.rank)
                # Moving to where it already is keeps the key: no change, no event.
                if here != min(body.position, len(others)):
                    section.rank, reranked = place(others, body.position)
                    await _rerank(tx.session, reranked)
                    changes.append("rank")
            public = SectionPublic.model_validate(section)
            if changes:
                await tx.emit(
                    SectionUpdated(
                        project_id=section.project_id,
                        section_id=section.id,
                        section=public,
                        changes=[to_camel(c) for c in changes],
                        reranked=reranked or None,
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
