"""What each tool of ``tools`` takes: a pydantic model per kind of call, snake_case,
each field described for the LLM that fills it in, nothing unknown accepted. A model's
JSON schema (``schema``) is the tool's input schema."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, WithJsonSchema, model_validator
from pydantic.json_schema import GenerateJsonSchema

from tasklane.protocol.base import Identifier, LongName, Name, Notes
from tasklane.protocol.project import Color, Role
from tasklane.protocol.task import CommentText, Status


class Arguments(BaseModel):
    """A tool's arguments: snake_case, nothing unknown."""

    model_config = ConfigDict(extra="forbid")


class _Untitled(GenerateJsonSchema):
    """Schemas without pydantic's titles ("Task Id" for ``task_id``): noise to an LLM."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def schema(arguments: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of a tool's arguments, as its input schema."""
    found = arguments.model_json_schema(schema_generator=_Untitled)
    found.pop("title", None)
    return found


ProjectId = Annotated[Identifier, Field(description="The project's id (proj_…).")]
SectionId = Annotated[Identifier, Field(description="The section's id (sec_…).")]
TaskId = Annotated[Identifier, Field(description="The task's id (task_…).")]
CommentId = Annotated[Identifier, Field(description="The comment's id (cmt_…).")]
UserId = Annotated[Identifier, Field(description="The person's user id (user_…).")]
ANY_JSON = {
    "anyOf": [
        {"type": t} for t in ("string", "number", "integer", "boolean", "array", "object", "null")
    ]
}
Position = Annotated[int, Field(ge=0, le=1_000_000, description="0 is the first place.")]


class NoArguments(Arguments):
    pass


class ProjectRef(Arguments):
    project_id: ProjectId


class SectionRef(Arguments):
    section_id: SectionId


class TaskRef(Arguments):
    task_id: TaskId


class CommentRef(Arguments):
    comment_id: CommentId


class CreateProject(Arguments):
    name: Name = Field(description="The project's name.")
    description: Notes | None = Field(None, description="What it is for.")
    color: Color | None = Field(None, description="Its color, #rrggbb.")
    sections: list[Name] | None = Field(
        None,
        max_length=50,
        description="Its sections, in order; default: To do, In progress, Done.",
    )


class UpdateProject(Arguments):
    project_id: ProjectId
    name: Name | None = Field(None, description="A new name.")
    description: Notes | None = Field(None, description="A new description.")
    color: Color | None = Field(None, description="A new color, #rrggbb.")
    archived: bool | None = Field(None, description="Archive (true) or restore (false).")


class AddMember(Arguments):
    project_id: ProjectId
    email: str | None = Field(None, description="Their email (give this or user_id).")
    user_id: Identifier | None = Field(None, description="Their user id (or give email).")
    role: Role = Field("editor", description="What they may do in the project.")

    @model_validator(mode="after")
    def _one_of(self) -> AddMember:
        if (self.email is None) == (self.user_id is None):
            raise ValueError("give exactly one of email or user_id")
        return self


class ChangeMemberRole(Arguments):
    project_id: ProjectId
    user_id: UserId
    role: Role = Field(description="Their new role.")


class RemoveMember(Arguments):
    project_id: ProjectId
    user_id: UserId


class FindPeople(Arguments):
    query: str | None = Field(
        None, max_length=200, description="Part of a name or email, any case; none: anyone."
    )
    limit: int = Field(20, ge=1, le=50, description="At most this many (50 at most).")


class CreateSection(Arguments):
    project_id: ProjectId
    name: Name = Field(description="The section's name.")
    position: Position | None = Field(
        None, description="Its place among the project's sections, 0 first; default: last."
    )


class RenameSection(Arguments):
    section_id: SectionId
    name: Name = Field(description="The new name.")


class MoveSection(Arguments):
    section_id: SectionId
    position: Position = Field(description="Its new place among the project's sections, 0 first.")


class ListTasks(Arguments):
    project_id: ProjectId
    assignee_id: Identifier | None = Field(None, description="Only tasks assigned to this user id.")
    status: Status | None = Field(None, description="Only tasks of this status.")
    section_id: Identifier | None = Field(None, description="Only tasks of this section.")
    text: str | None = Field(
        None, max_length=200, description="Only tasks whose name or notes contain it, any case."
    )
    due_before: date | None = Field(None, description="Only tasks due before this day (exclusive).")
    due_after: date | None = Field(None, description="Only tasks due after this day (exclusive).")
    include_subtasks: bool = Field(
        False, description="Also subtasks that match, after the top-level tasks."
    )
    cursor: str | None = Field(None, description="The nextCursor of the previous page.")
    limit: int = Field(100, ge=1, le=500, description="Tasks per page.")


class SearchTasks(Arguments):
    text: str = Field(
        min_length=1, max_length=200, description="What the task's name or notes contain, any case."
    )
    status: Status | None = Field(None, description="Only tasks of this status.")
    limit: int = Field(50, ge=1, le=500, description="At most this many tasks.")


class NewTask(Arguments):
    name: LongName = Field(description="The task's name.")
    notes: Notes | None = Field(None, description="A description.")
    status: Status | None = Field(None, description="Default: todo.")
    assignee_id: Identifier | None = Field(None, description="Assign it to this user id.")
    due_on: date | None = Field(None, description="Its due date, YYYY-MM-DD.")
    position: Position | None = Field(
        None, description="Its place among its siblings; default: last."
    )


class CreateTask(NewTask):
    project_id: ProjectId
    section_id: Identifier | None = Field(
        None, description="Its section; default: the project's first."
    )


class CreateSubtask(NewTask):
    task_id: TaskId = Field(description="The parent task's id.")


class UpdateTask(Arguments):
    task_id: TaskId
    name: LongName | None = Field(None, description="A new name.")
    notes: Notes | None = Field(None, description="New notes (the whole text).")
    status: Status | None = Field(None, description="A new status (done completes it).")
    assignee_id: Identifier | None = Field(None, description="Assign it to this user id.")
    due_on: date | None = Field(None, description="A new due date, YYYY-MM-DD.")
    clear_assignee: bool = Field(False, description="Leave it unassigned.")
    clear_due_on: bool = Field(False, description="Leave it without a due date.")

    @model_validator(mode="after")
    def _sensible(self) -> UpdateTask:
        if self.clear_assignee and self.assignee_id is not None:
            raise ValueError("give assignee_id or clear_assignee, not both")
        if self.clear_due_on and self.due_on is not None:
            raise ValueError("give due_on or clear_due_on, not both")
        given = [self.name, self.notes, self.status, self.assignee_id, self.due_on]
        if all(g is None for g in given) and not (self.clear_assignee or self.clear_due_on):
            raise ValueError("nothing to change: give at least one field")
        return self


class MoveTask(Arguments):
    task_id: TaskId
    project_id: Identifier | None = Field(
        None,
        description="Another project to move a top-level task to, with its subtasks and "
        "comments (into section_id there, default its first section); you must be able to "
        "edit both.",
    )
    section_id: Identifier | None = Field(
        None, description="The section to move it to (top-level tasks); default: where it is."
    )
    position: Position | None = Field(
        None, description="Its place among its siblings there, 0 first; default: last."
    )
    before_task_id: Identifier | None = Field(None, description="Put it just before this task.")
    after_task_id: Identifier | None = Field(None, description="Put it just after this task.")

    @model_validator(mode="after")
    def _one_place(self) -> MoveTask:
        places = [self.position, self.before_task_id, self.after_task_id]
        if sum(p is not None for p in places) > 1:
            raise ValueError("give at most one of position, before_task_id, after_task_id")
        if self.project_id is None and self.section_id is None and all(p is None for p in places):
            raise ValueError(
                "give a project_id, section_id, position, before_task_id or after_task_id"
            )
        return self


class AddComment(Arguments):
    task_id: TaskId
    text: CommentText = Field(description="What to say.")


class EditComment(Arguments):
    comment_id: CommentId
    text: CommentText = Field(description="The new text (your own comments only).")


class MyTasks(Arguments):
    limit: int = Field(100, ge=1, le=500, description="Tasks per page.")
    offset: int = Field(0, ge=0, description="How many to skip: the next page starts there.")


class SubmitAnswer(Arguments):
    status: Literal["done", "infeasible"] = Field(
        description="done: the task is done (or the question answered); infeasible: what "
        "was asked cannot be done."
    )
    answer: Annotated[JsonValue, WithJsonSchema(ANY_JSON)] = Field(
        None, description="The answer when the task asks a question: a number, a string, a list."
    )
