"""Deleted tasks, kept for a while so that their deletion can be undone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from tasklane.models.base import Base, UtcDateTime


class DeletedTask(Base):
    """A deleted task with its subtasks and their comments, as their rows were (column
    names to JSON values), until it is restored (``POST /api/tasks/{id}/restore``) or
    it is too late (``services/trash.py``). Not part of the state: the task is deleted."""

    __tablename__ = "deleted_tasks"

    task_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(32), index=True)
    rows: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"tasks": [...], "comments": [...]}
    deleted_by: Mapped[str] = mapped_column(String(32))
    deleted_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
