"""Sections that stand for a status, and what that does to the tasks in them.

A section may stand for a task status (``Section.status``) or be free (None). The two
rules, which keep a board's columns and its cards' statuses in agreement:

- a top-level task put into a section that stands for a status (created in it, moved
  into it, or moved into it from another project) takes that status;
- a top-level task whose status changes while it sits in a section standing for another
  status moves to the first section (by rank) of its project standing for the new one,
  if there is one; in a free section it stays where it is.

Either way the change is one mutation and one event (``task_status_changed``), and the
completion fields follow the status as for any status change. Subtasks have no section:
neither rule touches them. Giving a section a status changes none of the tasks already
in it: they take it when they next move in or change status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.models import Section


async def status_of(session: AsyncSession, section_id: str | None) -> str | None:
    """The status section ``section_id`` stands for; None for a free one, or none."""
    if section_id is None:
        return None
    return await session.scalar(select(Section.status).where(Section.id == section_id))


async def section_for(session: AsyncSession, project_id: str, status: str) -> str | None:
    """The first section (by rank) of the project that stands for ``status``, if any."""
    return await session.scalar(
        select(Section.id)
        .where(Section.project_id == project_id, Section.status == status)
        .order_by(Section.rank, Section.id)
        .limit(1)
    )


def completion(status: str, now: datetime, user_id: str) -> dict[str, Any]:
    """The completion fields a task takes with ``status``: who completed it and when,
    or nobody and never."""
    done = status == "done"
    return {"completed_at": now if done else None, "completed_by": user_id if done else None}
