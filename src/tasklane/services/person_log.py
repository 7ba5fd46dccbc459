"""Each person's own log, written in the transaction of the change it copies.

A project event that concerns someone is appended to their log too, under their next
``seq``: a task event to whoever the task is assigned to, and to whoever it was
assigned to before the change (the writer names them: ``also``); a membership event to
the member it is about; a project's creation, update or deletion to each of its
members. The copy is the same event (type and ``data``); its envelope names the
person's log as its ``projectId``, and ``data.projectId`` the project
(docs/protocol.md, "A person's own log").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.models import PersonEvent, PersonLog, ProjectMember
from tasklane.protocol.events import (
    EventData,
    MemberAdded,
    MemberRemoved,
    MemberUpdated,
    ProjectCreated,
    ProjectDeleted,
    ProjectUpdated,
    TaskCreated,
    TaskStatusChanged,
    TaskUpdated,
)
from tasklane.realtime.log import Committed
from tasklane.services.event_log import committed

_logs: Table = PersonLog.__table__  # type: ignore[assignment]
_APPEND = insert(PersonEvent.__table__)  # type: ignore[arg-type]

PROJECT_WIDE = (ProjectCreated, ProjectUpdated, ProjectDeleted)
ABOUT_A_MEMBER = (MemberAdded, MemberUpdated, MemberRemoved)
CARRYING_A_TASK = (TaskCreated, TaskUpdated, TaskStatusChanged)


def _next_seq(dialect: str) -> Any:
    """Take the person's next ``seq``, making their counter on their first event. The
    upsert takes the counter row's write lock until commit, as a project's does."""
    values = {"user_id": bindparam("user_id"), "last_seq": 1}
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_logs)
    return (
        statement.values(values)
        .on_conflict_do_update(
            index_elements=[_logs.c.user_id], set_={"last_seq": _logs.c.last_seq + 1}
        )
        .returning(_logs.c.last_seq)
    )


_NEXT_SEQ = {dialect: _next_seq(dialect) for dialect in ("postgresql", "sqlite")}


async def concerned(
    session: AsyncSession, data: EventData, also: Iterable[str | None] = ()
) -> list[str]:
    """The people whose logs ``data`` goes to, in one order (so that two transactions
    take their counters' locks in the same order)."""
    people = {person for person in also if person is not None}
    if isinstance(data, PROJECT_WIDE):
        members = await session.scalars(
            select(ProjectMember.user_id).where(ProjectMember.project_id == data.project_id)
        )
        people.update(members)
    elif isinstance(data, ABOUT_A_MEMBER):
        people.add(data.user_id)
    elif isinstance(data, CARRYING_A_TASK) and data.task.assignee_id is not None:
        people.add(data.task.assignee_id)
    return sorted(people)


async def append(
    session: AsyncSession,
    person: str,
    *,
    type: str,
    actor_id: str | None,
    data: dict[str, Any],
    at: datetime,
) -> Committed:
    """Append an event to ``person``'s log with their next ``seq``."""
    dialect = (await session.connection()).dialect.name
    seq = (await session.execute(_NEXT_SEQ[dialect], {"user_id": person})).scalar_one()
    row = {
        "user_id": person,
        "seq": seq,
        "type": type,
        "actor_id": actor_id,
        "data": data,
        "created_at": at,
    }
    await session.execute(_APPEND, row)
    return committed(type=type, project_id=person, seq=seq, actor_id=actor_id, data=data, at=at)
