"""A person's own log: the changes that concern them, numbered per person.

A change in a project appends its event to the project's log; when it concerns someone
— a task that is or was assigned to them, their membership or role, a project they are
a member of — the same event is also appended to each such person's log, in the same
transaction, with that person's next ``seq``. It is what the pages that are about a
person rather than a project (My Tasks, Home, the sidebar) follow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tasklane.models.base import Base, UtcDateTime


class PersonLog(Base):
    """The counter of one person's log: the seq of the last event appended to it. Made
    on the first event; a person without one has an empty log (head 0)."""

    __tablename__ = "person_logs"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class PersonEvent(Base):
    """An event of a person's log: the project event it copies, under the person's
    ``seq``."""

    __tablename__ = "person_events"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
