"""Comments on tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tasklane.models.base import Base, UtcDateTime


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_task_seq", "task_id", "created_seq"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    # Kept beside task_id so that access checks need no join.
    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # The seq of the event that created it: the order comments were written in, even
    # when several share a millisecond (or a frozen clock).
    created_seq: Mapped[int] = mapped_column(Integer, default=0)
