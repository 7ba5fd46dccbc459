"""Reading the event log: the source of truth every transport replays from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tasklane.db import Database
from tasklane.models import Event, Project, User
from tasklane.services.access import Action, require


@dataclass(frozen=True)
class LogPage:
    events: list[Event]
    head: int  # the project's latest seq when the page was read
    ended: bool = False  # the project was deleted: nothing will follow project_deleted


class EventLog:
    """Reads a project's events in ``seq`` order. The gateway gets one of these injected
    for replay and gap-filling; it has no SQL of its own."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def after(self, project_id: str, after: int, limit: int) -> LogPage:
        """Up to ``limit`` events with ``seq > after``, and the head ``seq``."""
        async with self.db.read() as session:
            head = await session.scalar(select(Project.last_seq).where(Project.id == project_id))
            rows = await session.scalars(
                select(Event)
                .where(Event.project_id == project_id, Event.seq > after)
                .order_by(Event.seq)
                .limit(limit)
            )
            return LogPage(events=list(rows), head=head or 0)

    async def heads(self, project_ids: list[str]) -> dict[str, int]:
        """The latest ``seq`` of each project (0 for one with no events)."""
        if not project_ids:
            return {}
        async with self.db.read() as session:
            rows = await session.execute(
                select(Project.id, Project.last_seq).where(Project.id.in_(project_ids))
            )
            return {project_id: seq for project_id, seq in rows}

    async def read(self, user: User, project_id: str, after: int, limit: int) -> LogPage:
        """``after`` for a member of the project (viewers included), also once the project
        is deleted, so that every way of following it ends with ``project_deleted``.

        The events are read before access is checked: a removal that commits in between
        makes the check fail, so a removed member never reads their own removal (as on
        the WebSocket, where they get ``left`` instead)."""
        page = await self.after(project_id, after, limit)
        async with self.db.read() as session:
            project, _ = await require(
                session, project_id, user.id, Action.READ, include_deleted=True
            )
            ended = project.deleted_at is not None
        if ended:  # deleted after the first read: read again, up to project_deleted
            page = await self.after(project_id, after, limit)
        return LogPage(page.events, page.head, ended)
