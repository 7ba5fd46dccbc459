"""Tasks and subtasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, aliased, column_property, mapped_column

from tasklane.models.base import Base, UtcDateTime, ordered_key
from tasklane.models.comment import Comment


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_project_rank", "project_id", "rank", "id"),
        Index("ix_tasks_parent_rank", "parent_id", "rank"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # Top-level tasks sit in a section (a list header, a board column); subtasks have none.
    section_id: Mapped[str | None] = mapped_column(
        ForeignKey("sections.id"), nullable=True, index=True
    )
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(500))
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="todo")
    assignee_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    completed_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # Order among siblings (same section, or same parent): a fractional-index key, so a
    # move rewrites only the moved task.
    rank: Mapped[str] = mapped_column(ordered_key())
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    modified_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @property
    def completed(self) -> bool:
        return self.status == "done"

    if TYPE_CHECKING:  # mapped below, once the class exists to correlate against
        subtask_count: int
        comment_count: int


_child = aliased(Task)
Task.subtask_count = column_property(  # type: ignore[assignment]
    select(func.count(_child.id)).where(_child.parent_id == Task.id).scalar_subquery()
)
Task.comment_count = column_property(  # type: ignore[assignment]
    select(func.count(Comment.id)).where(Comment.task_id == Task.id).scalar_subquery()
)
