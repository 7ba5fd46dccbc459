"""Tasks and comments as the API reads and writes them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from tasklane.protocol.base import (
    Day,
    Identifier,
    InputModel,
    LongName,
    Notes,
    PatchModel,
    PublicModel,
    Timestamp,
)

Status = Literal["todo", "in_progress", "done"]
CommentText = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
Position = Annotated[int, Field(ge=0, le=1_000_000)]


class TaskCreate(InputModel):
    name: LongName
    notes: Notes = ""
    status: Status = "todo"
    assignee_id: Identifier | None = None
    due_on: Day | None = None
    section_id: Identifier | None = Field(
        None, description="Top-level tasks only; defaults to the project's first section."
    )
    position: Position | None = Field(None, description="Index among siblings; default: last.")


class TaskUpdate(PatchModel):
    """Fields left out stay as they are; ``null`` clears the assignee or due date."""

    nullable = frozenset({"assignee_id", "due_on"})

    name: LongName | None = None
    notes: Notes | None = None
    status: Status | None = None
    assignee_id: Identifier | None = None
    due_on: Day | None = None


class TaskMove(InputModel):
    project_id: Identifier | None = Field(
        None,
        description="Destination project (top-level tasks, which take their subtasks and "
        "comments along; the caller must be able to edit both projects); default: the "
        "task's own. Assignees who are not members there are unassigned.",
    )
    section_id: Identifier | None = Field(
        None,
        description="Destination section (top-level tasks), in the destination project; "
        "default: the current one, or the destination project's first section.",
    )
    position: Position | None = Field(None, description="Index among siblings; default: last.")


class TaskPublic(PublicModel):
    id: str
    project_id: str
    section_id: str | None
    parent_id: str | None
    name: str
    notes: str
    status: Status
    completed: bool
    completed_at: Timestamp | None
    completed_by: str | None
    assignee_id: str | None
    due_on: date | None
    rank: str
    subtask_count: int
    comment_count: int
    created_by: str
    created_at: Timestamp
    modified_at: Timestamp


class TaskPage(PublicModel):
    items: list[TaskPublic]
    next_cursor: str | None


class CommentCreate(InputModel):
    text: CommentText


class CommentUpdate(InputModel):
    text: CommentText


class CommentPublic(PublicModel):
    id: str
    task_id: str
    project_id: str
    author_id: str
    text: str
    created_at: Timestamp
    edited_at: Timestamp | None
