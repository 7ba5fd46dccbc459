"""Projects, members and sections as the API reads and writes them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints, model_validator

from tasklane.protocol.auth import UserPublic
from tasklane.protocol.base import (
    Identifier,
    InputModel,
    Name,
    Notes,
    PatchModel,
    PublicModel,
    Timestamp,
)
from tasklane.protocol.task import Status

Role = Literal["owner", "editor", "commenter", "viewer"]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
DEFAULT_SECTIONS = ("To do", "In progress", "Done")
# What the default sections stand for, in their order: a new project's board columns
# and its tasks' status agree from the start.
DEFAULT_SECTION_STATUSES: tuple[Status, ...] = ("todo", "in_progress", "done")


class ProjectCreate(InputModel):
    name: Name
    description: Notes = ""
    color: Color | None = None
    workspace_id: Identifier | None = None
    sections: list[Name] = Field(
        default_factory=lambda: list(DEFAULT_SECTIONS),
        max_length=50,
        description="Section names, free of any status; left out: To do, In progress and "
        "Done, standing for the statuses todo, in_progress and done.",
    )


class ProjectUpdate(PatchModel):
    name: Name | None = None
    description: Notes | None = None
    color: Color | None = None
    archived: bool | None = None


class ProjectPublic(PublicModel):
    id: str
    workspace_id: str
    name: str
    description: str
    color: str
    archived: bool
    created_by: str
    created_at: Timestamp
    modified_at: Timestamp


class ProjectView(ProjectPublic):
    """A project as one member sees it: with their role and the log's head ``seq``.

    Load a project, then follow its events from ``seq``: nothing falls in between.
    """

    role: Role
    seq: int


class MemberAdd(InputModel):
    user_id: Identifier | None = None
    email: EmailStr | None = None
    role: Role = "editor"

    @model_validator(mode="after")
    def _one_of(self) -> MemberAdd:
        if (self.user_id is None) == (self.email is None):
            raise ValueError("give exactly one of userId or email")
        return self


class MemberUpdate(InputModel):
    role: Role


class MemberPublic(PublicModel):
    project_id: str
    user_id: str
    role: Role
    user: UserPublic
    created_at: Timestamp


_STANDS_FOR = (
    "The status the section stands for: a task moved into it takes that status, and a "
    "task in it whose status changes moves to the first section standing for the new "
    "one. null: a free section."
)


class SectionCreate(InputModel):
    name: Name
    position: Annotated[int, Field(ge=0)] | None = None
    status: Status | None = Field(None, description=_STANDS_FOR)


class SectionUpdate(PatchModel):
    """Fields left out stay as they are; ``status: null`` frees the section."""

    nullable = frozenset({"status"})

    name: Name | None = None
    position: Annotated[int, Field(ge=0)] | None = None
    status: Status | None = Field(None, description=_STANDS_FOR)


class SectionPublic(PublicModel):
    id: str
    project_id: str
    name: str
    rank: str
    status: Status | None = Field(description=_STANDS_FOR)
    created_at: Timestamp
