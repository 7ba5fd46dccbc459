"""The typed tool set: what an agent may do in Tasklane, as the person it is signed in
as, through the public API (the SDK) and nothing else.

Each ``Tool`` has a stable snake_case name, a description an LLM reads, a pydantic
model of its arguments (whose JSON schema is the tool's input schema) and a ``run``
that calls the API and returns JSON: the API's models dumped as the API writes them
(camelCase), lists as lists. ``call`` validates and runs one; whatever goes wrong —
an unknown tool, arguments that do not fit, the API refusing — is a ``ToolError`` with
a message the agent can act on and a machine-readable ``code`` (the API's own when the
API refused). The MCP server (``mcp_server``) and the gymnasium environment
(``gym_env``) serve this one set; docs/tasks.md lists it.

The tools are kept in one list, like the SDK's ``endpoints``: one short entry per
tool, in the order of the API, so that the set reads in one place; what they take is
in ``tool_arguments``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from tasklane.agents.tool_arguments import (
    AddComment,
    AddMember,
    ChangeMemberRole,
    CommentRef,
    CreateProject,
    CreateSection,
    CreateSubtask,
    CreateTask,
    EditComment,
    FindPeople,
    ListTasks,
    MoveSection,
    MoveTask,
    MyTasks,
    NewTask,
    NoArguments,
    ProjectRef,
    RemoveMember,
    RenameSection,
    SearchTasks,
    SectionRef,
    SubmitAnswer,
    TaskRef,
    UpdateProject,
    UpdateTask,
    schema,
)
from tasklane.client import TasklaneClient, TasklaneError
from tasklane.protocol.task import TaskPage, TaskPublic


@dataclass(frozen=True)
class Tool:
    """One thing an agent may do: ``run(api, arguments)`` with ``arguments`` an
    instance of ``arguments``, returning JSON. ``changes`` is False for a tool that
    only reads."""

    name: str
    description: str
    arguments: type[BaseModel]
    run: Callable[[TasklaneClient, Any], Any]
    changes: bool


class ToolError(Exception):
    """A tool call that did not happen, or that the API refused: ``str()`` says why
    in words an agent can act on; ``code`` is machine-readable (``unknown_tool``,
    ``invalid_arguments``, or the API's code: ``not_found``, ``forbidden`` …)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def call(api: TasklaneClient, name: str, arguments: Mapping[str, Any]) -> Any:
    """Run the tool ``name`` with ``arguments`` (JSON, as an agent sent them) as the
    person ``api`` is signed in as; its result as JSON."""
    tool = TOOLS.get(name)
    if tool is None:
        close = difflib.get_close_matches(name, TOOLS, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ToolError(
            f"There is no tool named {name!r}.{hint} The tools are: {', '.join(TOOLS)}.",
            code="unknown_tool",
        )
    try:
        validated = tool.arguments.model_validate(dict(arguments))
    except ValidationError as exc:
        raise ToolError(_invalid(tool, exc), code="invalid_arguments") from None
    try:
        return tool.run(api, validated)
    except TasklaneError as exc:
        raise ToolError(_refused(exc), code=exc.code) from exc


def describe() -> list[dict[str, Any]]:
    """Every tool as an LLM is shown it: ``name``, ``description`` and
    ``inputSchema`` (the JSON schema of its arguments)."""
    return [
        {
            "name": tool.name,
            "description": tool.description,
            "inputSchema": schema(tool.arguments),
        }
        for tool in TOOLS.values()
    ]


def _invalid(tool: Tool, error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        problems.append(f"{where}: {item['msg']}")
    fields = ", ".join(tool.arguments.model_fields) or "none"
    return f"Invalid arguments for {tool.name}: {'; '.join(problems)}. It takes: {fields}."


def _refused(error: TasklaneError) -> str:
    message = error.message
    if isinstance(error.details, list) and error.details:
        said = [str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in error.details]
        message = f"{message} ({'; '.join(said)})"
    return message


def _json(value: Any) -> Any:
    """The SDK's answer as JSON: models as the API writes them, lists as lists."""
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True, mode="json")
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value


def _tool(
    name: str,
    description: str,
    arguments: type[BaseModel],
    run: Callable[[TasklaneClient, Any], Any],
    *,
    changes: bool,
) -> Tool:
    return Tool(name, description, arguments, lambda api, a: _json(run(api, a)), changes)


# -- what the tools do, where one call of the SDK is not enough -------------------------


def _update_task(api: TasklaneClient, a: UpdateTask) -> TaskPublic:
    changes: dict[str, Any] = {
        key: getattr(a, key)
        for key in ("name", "notes", "status", "assignee_id", "due_on")
        if getattr(a, key) is not None
    }
    if a.clear_assignee:
        changes["assignee_id"] = None
    if a.clear_due_on:
        changes["due_on"] = None
    return api.update_task(a.task_id, **changes)


def _move_task(api: TasklaneClient, a: MoveTask) -> TaskPublic:
    """The API places a task at an index among its siblings; before or after another
    task is that task's index among them (the moved one left out)."""
    anchor_id = a.before_task_id or a.after_task_id
    if anchor_id is None:
        return api.move_task(
            a.task_id, section_id=a.section_id, position=a.position, project_id=a.project_id
        )
    if anchor_id == a.task_id:
        raise ToolError("a task cannot be placed beside itself", code="invalid_arguments")
    task, anchor = api.get_task(a.task_id), api.get_task(anchor_id)
    if a.project_id is not None and a.project_id != anchor.project_id:
        raise ToolError(
            f"{anchor_id} is not in the project {a.project_id}", code="invalid_arguments"
        )
    if anchor.project_id != task.project_id:
        if a.section_id not in (None, anchor.section_id):
            raise ToolError(f"{anchor_id} is not in {a.section_id}", code="invalid_arguments")
        return api.move_task(  # to another project, beside the anchor there
            a.task_id,
            project_id=anchor.project_id,
            section_id=anchor.section_id,
            position=_place(api, anchor, task.id, after=a.after_task_id is not None),
        )
    section_id = a.section_id or (anchor.section_id if task.parent_id is None else None)
    if anchor.parent_id != task.parent_id or anchor.section_id != (section_id or task.section_id):
        raise ToolError(
            f"{anchor_id} is not beside {a.task_id}: a task is placed among the tasks of its "
            "section (a subtask among its parent's subtasks)",
            code="invalid_arguments",
        )
    position = _place(api, anchor, task.id, after=a.after_task_id is not None)
    return api.move_task(a.task_id, section_id=section_id, position=position)


def _place(api: TasklaneClient, anchor: TaskPublic, moved_id: str, *, after: bool) -> int:
    """The index just before (or after) ``anchor`` among its siblings, the moved task
    left out."""
    siblings = [t.id for t in _siblings(api, anchor) if t.id != moved_id]
    return siblings.index(anchor.id) + (1 if after else 0)


def _siblings(api: TasklaneClient, task: TaskPublic) -> list[TaskPublic]:
    """The tasks ``task`` is placed among, in order, itself included."""
    if task.parent_id is not None:
        return api.list_subtasks(task.parent_id)
    found: list[TaskPublic] = []
    cursor = None
    while True:
        page = api.list_tasks(task.project_id, section=task.section_id, cursor=cursor, limit=500)
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def _search_tasks(api: TasklaneClient, a: SearchTasks) -> list[TaskPublic]:
    found: list[TaskPublic] = []
    for project in api.list_projects():
        if len(found) >= a.limit:
            break
        cursor = None
        while len(found) < a.limit:
            page = api.list_tasks(
                project.id, q=a.text, status=a.status, subtasks=True, cursor=cursor, limit=500
            )
            found.extend(page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return found[: a.limit]


def _list_tasks(api: TasklaneClient, a: ListTasks) -> TaskPage:
    return api.list_tasks(
        a.project_id,
        section=a.section_id,
        status=a.status,
        assignee=a.assignee_id,
        due_before=a.due_before,
        due_after=a.due_after,
        q=a.text,
        subtasks=a.include_subtasks,
        cursor=a.cursor,
        limit=a.limit,
    )


def _new_task(a: NewTask) -> dict[str, Any]:
    return {
        "notes": a.notes,
        "status": a.status,
        "assignee_id": a.assignee_id,
        "due_on": a.due_on,
        "position": a.position,
    }


def _done(run: Callable[[], None], **what: str) -> dict[str, str]:
    """What a call that answers nothing did, said back: ``{"deleted": id}`` …"""
    run()
    return what


# -- the set ---------------------------------------------------------------------------

_LIST = (
    _tool(
        "me",
        "Who you are signed in as: your user id, name and email.",
        NoArguments,
        lambda api, a: api.me(),
        changes=False,
    ),
    _tool(
        "today",
        "The app's date and time (UTC): what 'today', 'overdue' and 'due this week' mean here.",
        NoArguments,
        lambda api, a: api.today(),
        changes=False,
    ),
    _tool(
        "list_projects",
        "The projects you are a member of, each with your role in it.",
        NoArguments,
        lambda api, a: api.list_projects(),
        changes=False,
    ),
    _tool(
        "get_project",
        "One project: its name, description, color, whether it is archived, and your role.",
        ProjectRef,
        lambda api, a: api.get_project(a.project_id),
        changes=False,
    ),
    _tool(
        "create_project",
        "Make a new project, with its sections; you are its owner.",
        CreateProject,
        lambda api, a: api.create_project(
            a.name, description=a.description, color=a.color, sections=a.sections
        ),
        changes=True,
    ),
    _tool(
        "update_project",
        "Change a project's name, description or color, or archive it (owners and editors).",
        UpdateProject,
        lambda api, a: api.update_project(
            a.project_id,
            name=a.name,
            description=a.description,
            color=a.color,
            archived=a.archived,
        ),
        changes=True,
    ),
    _tool(
        "delete_project",
        "Delete a project, with everything in it (its owners only).",
        ProjectRef,
        lambda api, a: _done(lambda: api.delete_project(a.project_id), deleted=a.project_id),
        changes=True,
    ),
    _tool(
        "list_members",
        "The members of a project: each person's user id, name, email and role "
        "(owner, editor, commenter or viewer).",
        ProjectRef,
        lambda api, a: api.list_members(a.project_id),
        changes=False,
    ),
    _tool(
        "add_member",
        "Add someone to a project with a role, by email or user id (owners only). "
        "They must already have an account.",
        AddMember,
        lambda api, a: api.add_member(a.project_id, user_id=a.user_id, email=a.email, role=a.role),
        changes=True,
    ),
    _tool(
        "change_member_role",
        "Change a member's role in a project (owners only).",
        ChangeMemberRole,
        lambda api, a: api.update_member(a.project_id, a.user_id, role=a.role),
        changes=True,
    ),
    _tool(
        "remove_member",
        "Remove someone from a project (owners; anyone may remove themselves).",
        RemoveMember,
        lambda api, a: _done(lambda: api.remove_member(a.project_id, a.user_id), removed=a.user_id),
        changes=True,
    ),
    _tool(
        "find_people",
        "People of your workspace whose name or email contains the query: their user ids, "
        "names and emails.",
        FindPeople,
        lambda api, a: api.find_people(a.query, limit=a.limit),
        changes=False,
    ),
    _tool(
        "list_sections",
        "A project's sections, in board order.",
        ProjectRef,
        lambda api, a: api.list_sections(a.project_id),
        changes=False,
    ),
    _tool(
        "create_section",
        "Add a section to a project, last or at a position.",
        CreateSection,
        lambda api, a: api.create_section(a.project_id, a.name, position=a.position),
        changes=True,
    ),
    _tool(
        "rename_section",
        "Rename a section.",
        RenameSection,
        lambda api, a: api.update_section(a.section_id, name=a.name),
        changes=True,
    ),
    _tool(
        "move_section",
        "Move a section to another place among its project's sections.",
        MoveSection,
        lambda api, a: api.update_section(a.section_id, position=a.position),
        changes=True,
    ),
    _tool(
        "delete_section",
        "Delete a section. Only an empty one: move its tasks elsewhere first.",
        SectionRef,
        lambda api, a: _done(lambda: api.delete_section(a.section_id), deleted=a.section_id),
        changes=True,
    ),
    _tool(
        "list_tasks",
        "One page of a project's tasks in board order, filtered by assignee, status, section, "
        "text or due date; pass nextCursor back as cursor for the next page.",
        ListTasks,
        _list_tasks,
        changes=False,
    ),
    _tool(
        "search_tasks",
        "Tasks whose name or notes contain a text, in every project you are a member of, "
        "subtasks included.",
        SearchTasks,
        _search_tasks,
        changes=False,
    ),
    _tool(
        "get_task",
        "One task: name, notes, status, assignee, due date, section, parent and counts.",
        TaskRef,
        lambda api, a: api.get_task(a.task_id),
        changes=False,
    ),
    _tool(
        "create_task",
        "Add a task to a project, in a section (default: the first).",
        CreateTask,
        lambda api, a: api.create_task(
            a.project_id, a.name, section_id=a.section_id, **_new_task(a)
        ),
        changes=True,
    ),
    _tool(
        "create_subtask",
        "Add a subtask under a task.",
        CreateSubtask,
        lambda api, a: api.create_subtask(a.task_id, a.name, **_new_task(a)),
        changes=True,
    ),
    _tool(
        "list_subtasks",
        "A task's subtasks, in order.",
        TaskRef,
        lambda api, a: api.list_subtasks(a.task_id),
        changes=False,
    ),
    _tool(
        "update_task",
        "Change a task's name, notes, status, assignee or due date; clear_assignee or "
        "clear_due_on leave it unassigned or undated. Fields not given stay as they are.",
        UpdateTask,
        _update_task,
        changes=True,
    ),
    _tool(
        "move_task",
        "Move a task to another section and/or place: at a position, or just before or after "
        "another task (a subtask moves among its parent's subtasks).",
        MoveTask,
        _move_task,
        changes=True,
    ),
    _tool(
        "delete_task",
        "Delete a task, with its subtasks and comments.",
        TaskRef,
        lambda api, a: _done(lambda: api.delete_task(a.task_id), deleted=a.task_id),
        changes=True,
    ),
    _tool(
        "list_comments",
        "A task's comments, oldest first, with their authors' user ids.",
        TaskRef,
        lambda api, a: api.list_comments(a.task_id),
        changes=False,
    ),
    _tool(
        "add_comment",
        "Comment on a task.",
        AddComment,
        lambda api, a: api.create_comment(a.task_id, a.text),
        changes=True,
    ),
    _tool(
        "edit_comment",
        "Change the text of one of your own comments.",
        EditComment,
        lambda api, a: api.update_comment(a.comment_id, a.text),
        changes=True,
    ),
    _tool(
        "delete_comment",
        "Delete one of your own comments.",
        CommentRef,
        lambda api, a: _done(lambda: api.delete_comment(a.comment_id), deleted=a.comment_id),
        changes=True,
    ),
    _tool(
        "my_tasks",
        "Tasks assigned to you across your projects: open ones first, soonest due first; "
        "page with offset.",
        MyTasks,
        lambda api, a: api.my_tasks(limit=a.limit, offset=a.offset),
        changes=False,
    ),
    _tool(
        "submit_answer",
        "End the task: status done (with the answer when a question was asked) or "
        "infeasible (when what was asked cannot be done). A later answer replaces this one.",
        SubmitAnswer,
        lambda api, a: api.submit_answer(a.status, a.answer),
        changes=True,
    ),
)
TOOLS: dict[str, Tool] = {tool.name: tool for tool in _LIST}
