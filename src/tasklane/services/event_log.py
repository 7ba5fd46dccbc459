"""The event log: the source of truth every transport replays from.

A committed event has one shape (``realtime.log.Committed``): its project, ``seq``,
type and envelope encoded once. ``committed`` makes it, for the transaction that
appends the event and for every read of the log, so the two cannot differ.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select

from tasklane.db import Database
from tasklane.models import Event, PersonEvent, PersonLog, Project, User
from tasklane.protocol.events import encode, envelope
from tasklane.protocol.streams import is_person
from tasklane.realtime.log import MEMBER_REMOVED, Committed, LogPage
from tasklane.services.access import Action, require
from tasklane.services.errors import NotFound


def committed(
    *,
    type: str,
    project_id: str,
    seq: int,
    actor_id: str | None,
    data: dict[str, Any],
    at: datetime,
) -> Committed:
    """A durable event in its one shape: the envelope encoded once, and who lost access
    by it (the user a ``member_removed`` removed). ``project_id`` is the log that holds
    it: a project's, or a person's own (whose id is the person's), where nobody loses
    access to anything."""
    frame = encode(
        envelope(type=type, project_id=project_id, user_id=actor_id, seq=seq, data=data, at=at)
    )
    revoked = data.get("userId") if type == MEMBER_REMOVED and not is_person(project_id) else None
    return Committed(project_id, seq, type, frame, revoked if isinstance(revoked, str) else None)


def from_row(row: Event) -> Committed:
    return committed(
        type=row.type,
        project_id=row.project_id,
        seq=row.seq,
        actor_id=row.actor_id,
        data=row.data,
        at=row.created_at,
    )


class HasDatabase(Protocol):
    db: Database


class EventLog:
    """Reads a project's events in ``seq`` order: the ``LogReader`` the gateway gets for
    replay and gap-filling (it has no SQL of its own), and the long poll's reader."""

    def __init__(self, runtime: HasDatabase) -> None:
        self.runtime = runtime

    @property
    def db(self) -> Database:
        """The runtime's database now (a gym episode's reset may replace it)."""
        return self.runtime.db

    async def after(self, project_id: str, after: int, limit: int) -> LogPage:
        """Up to ``limit`` events with ``seq > after``, and the head ``seq``, of a
        project's log or of a person's own."""
        if is_person(project_id):
            return await self._person_after(project_id, after, limit)
        head, rows = await self._rows(project_id, after, limit)
        return LogPage(events=[from_row(row) for row in rows], head=head)

    async def _person_after(self, person: str, after: int, limit: int) -> LogPage:
        async with self.db.read() as session:
            head = await session.scalar(
                select(PersonLog.last_seq).where(PersonLog.user_id == person)
            )
            rows = await session.scalars(
                select(PersonEvent)
                .where(PersonEvent.user_id == person, PersonEvent.seq > after)
                .order_by(PersonEvent.seq)
                .limit(limit)
            )
            events = [
                committed(
                    type=row.type,
                    project_id=row.user_id,
                    seq=row.seq,
                    actor_id=row.actor_id,
                    data=row.data,
                    at=row.created_at,
                )
                for row in rows
            ]
            return LogPage(events=events, head=head or 0)

    async def _rows(self, project_id: str, after: int, limit: int) -> tuple[int, list[Event]]:
        async with self.db.read() as session:
            head = await session.scalar(select(Project.last_seq).where(Project.id == project_id))
            rows = await session.scalars(
                select(Event)
                .where(Event.project_id == project_id, Event.seq > after)
                .order_by(Event.seq)
                .limit(limit)
            )
            return head or 0, list(rows)

    async def heads(self, project_ids: list[str]) -> dict[str, int]:
        """The latest ``seq`` of each project (0 for one with no events)."""
        people = [log_id for log_id in project_ids if is_person(log_id)]
        projects = [log_id for log_id in project_ids if not is_person(log_id)]
        heads: dict[str, int] = {}
        async with self.db.read() as session:
            if projects:
                rows = await session.execute(
                    select(Project.id, Project.last_seq).where(Project.id.in_(projects))
                )
                heads.update({project_id: seq for project_id, seq in rows})
            if people:
                # Everyone has a log, empty (0) until the first event concerning them.
                known = await session.scalars(select(User.id).where(User.id.in_(people)))
                heads.update({person: 0 for person in known})
                rows = await session.execute(
                    select(PersonLog.user_id, PersonLog.last_seq).where(
                        PersonLog.user_id.in_(people)
                    )
                )
                heads.update({person: seq for person, seq in rows})
        return heads

    async def read(self, user: User, project_id: str, after: int, limit: int) -> LogPage:
        """``after`` for a member of the project (viewers included), also once the project
        is deleted, so that every way of following it ends with ``project_deleted``.

        The events are read before access is checked: a removal that commits in between
        makes the check fail, so a removed member never reads their own removal (as on
        the WebSocket, where they get ``left`` instead)."""
        if is_person(project_id):
            if project_id != user.id:
                raise NotFound("project not found", resource="project")
            return await self.after(project_id, after, limit)
        page = await self.after(project_id, after, limit)
        if await self._readable(user, project_id):  # deleted after the first read
            page = await self.after(project_id, after, limit)
            return LogPage(page.events, page.head, ended=True)
        return page

    async def history(self, user: User, project_id: str, after: int, limit: int) -> list[Event]:
        """The rows after ``after`` as stored, for a member: what the activity trail
        is written from."""
        _, rows = await self._rows(project_id, after, limit)
        await self._readable(user, project_id)
        return rows

    async def _readable(self, user: User, project_id: str) -> bool:
        """Check that ``user`` may read the project's log; True if it was deleted."""
        async with self.db.read() as session:
            project, _ = await require(
                session, project_id, user.id, Action.READ, include_deleted=True
            )
            return project.deleted_at is not None
