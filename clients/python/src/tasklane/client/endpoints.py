"""Every call of the JSON API, written once for both REST clients (see ``calls``).

Results are the API's own pydantic models (``tasklane.protocol``), so a
client and the server cannot disagree about a shape. Bodies are built from the API's
input schemas. Optional arguments left as ``None`` are not sent; in ``update_task``,
``assignee_id`` and ``due_on`` default to :data:`UNSET` because ``None`` clears them.

Over 400 lines, and kept whole: one short method per endpoint, in the API's order, so
the table of calls reads in one place.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from tasklane.client.calls import (
    UNSET,
    Call,
    Unset,
    body,
    endpoint,
    nothing,
    path,
    query,
    returns,
)
from tasklane.protocol.auth import (
    AuthResult,
    LoginIn,
    RegisterIn,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UserPublic,
)
from tasklane.protocol.gym import AnswerOut
from tasklane.protocol.project import (
    MemberAdd,
    MemberPublic,
    MemberUpdate,
    ProjectCreate,
    ProjectUpdate,
    ProjectView,
    Role,
    SectionCreate,
    SectionPublic,
    SectionUpdate,
)
from tasklane.protocol.realtime import EventPage, PresentUser, RealtimeInfo, TicketOut
from tasklane.protocol.task import (
    CommentCreate,
    CommentPublic,
    CommentUpdate,
    Status,
    TaskCreate,
    TaskMove,
    TaskPage,
    TaskPublic,
    TaskUpdate,
)
from tasklane.protocol.workspace import Person, Today

LONG_POLL_MARGIN = 15.0  # seconds a long poll's answer may take beyond its wait


class Endpoints:
    """The JSON API, one method per endpoint (README, "The JSON API")."""

    # -- auth and tokens ---------------------------------------------------------------

    @endpoint
    def register(self, *, email: str, name: str, password: str) -> Call[AuthResult]:
        """Create an account and sign in: the client uses the new session's token."""
        fields = body(RegisterIn, email=email, name=name, password=password)
        return Call("POST", "/api/auth/register", returns(AuthResult), body=fields, session="adopt")

    @endpoint
    def login(self, *, email: str, password: str) -> Call[AuthResult]:
        """Sign in: the client uses the session's token from now on."""
        fields = body(LoginIn, email=email, password=password)
        return Call("POST", "/api/auth/login", returns(AuthResult), body=fields, session="adopt")

    @endpoint
    def logout(self) -> Call[None]:
        """End the session whose token the client holds (a personal token is not ended
        by this: delete it with ``delete_token``)."""
        return Call("POST", "/api/auth/logout", nothing, session="drop")

    @endpoint
    def me(self) -> Call[UserPublic]:
        return Call("GET", "/api/auth/me", returns(UserPublic))

    @endpoint
    def create_token(self, name: str) -> Call[TokenCreated]:
        """A personal API token; its secret is in this answer and nowhere else, ever."""
        return Call("POST", "/api/tokens", returns(TokenCreated), body=body(TokenCreate, name=name))

    @endpoint
    def list_tokens(self) -> Call[list[TokenPublic]]:
        return Call("GET", "/api/tokens", returns(list[TokenPublic]))

    @endpoint
    def delete_token(self, token_id: str) -> Call[None]:
        return Call("DELETE", path("/api/tokens/{}", token_id), nothing)

    # -- projects and members ----------------------------------------------------------

    @endpoint
    def list_projects(self) -> Call[list[ProjectView]]:
        """Your projects, each with your role and the head ``seq`` of its log."""
        return Call("GET", "/api/projects", returns(list[ProjectView]))

    @endpoint
    def create_project(
        self,
        name: str,
        *,
        description: str | None = None,
        color: str | None = None,
        workspace_id: str | None = None,
        sections: list[str] | None = None,
    ) -> Call[ProjectView]:
        """A new project (you are its owner) with its first sections, free of any status
        (default: To do, In progress and Done, standing for todo, in_progress and done)."""
        fields = body(
            ProjectCreate,
            name=name,
            description=description,
            color=color,
            workspace_id=workspace_id,
            sections=sections,
        )
        return Call("POST", "/api/projects", returns(ProjectView), body=fields)

    @endpoint
    def get_project(self, project_id: str) -> Call[ProjectView]:
        """The project and its log's head ``seq``: follow its events from there."""
        return Call("GET", path("/api/projects/{}", project_id), returns(ProjectView))

    @endpoint
    def update_project(
        self,
        project_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        color: str | None = None,
        archived: bool | None = None,
    ) -> Call[ProjectView]:
        fields = body(
            ProjectUpdate, name=name, description=description, color=color, archived=archived
        )
        return Call(
            "PATCH", path("/api/projects/{}", project_id), returns(ProjectView), body=fields
        )

    @endpoint
    def delete_project(self, project_id: str) -> Call[None]:
        return Call("DELETE", path("/api/projects/{}", project_id), nothing)

    @endpoint
    def list_members(self, project_id: str) -> Call[list[MemberPublic]]:
        return Call(
            "GET", path("/api/projects/{}/members", project_id), returns(list[MemberPublic])
        )

    @endpoint
    def add_member(
        self,
        project_id: str,
        *,
        user_id: str | None = None,
        email: str | None = None,
        role: Role | None = None,
    ) -> Call[MemberPublic]:
        """Add an existing user, by ``user_id`` or ``email`` (one of them), with a role
        (default: editor)."""
        fields = body(MemberAdd, user_id=user_id, email=email, role=role)
        return Call(
            "POST",
            path("/api/projects/{}/members", project_id),
            returns(MemberPublic),
            body=fields,
        )

    @endpoint
    def update_member(self, project_id: str, user_id: str, *, role: Role) -> Call[MemberPublic]:
        return Call(
            "PATCH",
            path("/api/projects/{}/members/{}", project_id, user_id),
            returns(MemberPublic),
            body=body(MemberUpdate, role=role),
        )

    @endpoint
    def remove_member(self, project_id: str, user_id: str) -> Call[None]:
        """Owners remove anyone; a member may remove themselves. Every task of the
        project assigned to them is unassigned with it (a task's assignee is a member)."""
        return Call("DELETE", path("/api/projects/{}/members/{}", project_id, user_id), nothing)

    # -- sections ----------------------------------------------------------------------

    @endpoint
    def list_sections(self, project_id: str) -> Call[list[SectionPublic]]:
        return Call(
            "GET", path("/api/projects/{}/sections", project_id), returns(list[SectionPublic])
        )

    @endpoint
    def create_section(
        self,
        project_id: str,
        name: str,
        *,
        position: int | None = None,
        status: Status | None = None,
    ) -> Call[SectionPublic]:
        """A new section, free or standing for ``status`` (tasks moved into it take it)."""
        return Call(
            "POST",
            path("/api/projects/{}/sections", project_id),
            returns(SectionPublic),
            body=body(SectionCreate, name=name, position=position, status=status),
        )

    @endpoint
    def update_section(
        self,
        section_id: str,
        *,
        name: str | None = None,
        position: int | None = None,
        status: Status | Unset | None = UNSET,
    ) -> Call[SectionPublic]:
        """Rename, move to ``position`` among the project's sections, or make it stand
        for ``status`` (``status=None`` frees it)."""
        return Call(
            "PATCH",
            path("/api/sections/{}", section_id),
            returns(SectionPublic),
            body=body(
                SectionUpdate,
                nullable=SectionUpdate.nullable,
                name=name,
                position=position,
                status=status,
            ),
        )

    @endpoint
    def delete_section(self, section_id: str) -> Call[None]:
        """Delete an empty section (``ConflictError`` ``section_not_empty`` otherwise)."""
        return Call("DELETE", path("/api/sections/{}", section_id), nothing)

    # -- tasks, subtasks and moves -----------------------------------------------------

    @endpoint
    def list_tasks(
        self,
        project_id: str,
        *,
        section: str | None = None,
        status: Status | None = None,
        assignee: str | None = None,
        due_before: date | None = None,
        due_after: date | None = None,
        q: str | None = None,
        subtasks: bool = False,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Call[TaskPage]:
        """One page of the project's top-level tasks in rank order; pass the page's
        ``next_cursor`` as ``cursor`` for the next one. With ``subtasks=True`` the
        filters reach subtasks too: they follow the top-level tasks, grouped by parent."""
        params = query(
            section=section,
            status=status,
            assignee=assignee,
            dueBefore=due_before.isoformat() if due_before else None,
            dueAfter=due_after.isoformat() if due_after else None,
            q=q,
            subtasks="true" if subtasks else None,
            cursor=cursor,
            limit=limit,
        )
        return Call(
            "GET", path("/api/projects/{}/tasks", project_id), returns(TaskPage), params=params
        )

    @endpoint
    def create_task(
        self,
        project_id: str,
        name: str,
        *,
        notes: str | None = None,
        status: Status | None = None,
        assignee_id: str | None = None,
        due_on: date | None = None,
        section_id: str | None = None,
        position: int | None = None,
    ) -> Call[TaskPublic]:
        """A top-level task, in ``section_id`` (default: the first section), at
        ``position`` among its siblings (default: last)."""
        fields = body(
            TaskCreate,
            name=name,
            notes=notes,
            status=status,
            assignee_id=assignee_id,
            due_on=due_on,
            section_id=section_id,
            position=position,
        )
        return Call(
            "POST", path("/api/projects/{}/tasks", project_id), returns(TaskPublic), body=fields
        )

    @endpoint
    def get_task(self, task_id: str) -> Call[TaskPublic]:
        return Call("GET", path("/api/tasks/{}", task_id), returns(TaskPublic))

    @endpoint
    def update_task(
        self,
        task_id: str,
        *,
        name: str | None = None,
        notes: str | None = None,
        status: Status | None = None,
        assignee_id: str | Unset | None = UNSET,
        due_on: date | Unset | None = UNSET,
    ) -> Call[TaskPublic]:
        """Change the fields given; ``assignee_id=None`` or ``due_on=None`` clears them.
        A status change is announced as ``task_status_changed``."""
        fields = body(
            TaskUpdate,
            nullable=TaskUpdate.nullable,
            name=name,
            notes=notes,
            status=status,
            assignee_id=assignee_id,
            due_on=due_on,
        )
        return Call("PATCH", path("/api/tasks/{}", task_id), returns(TaskPublic), body=fields)

    @endpoint
    def delete_task(self, task_id: str) -> Call[None]:
        """Delete a task with its subtasks and comments."""
        return Call("DELETE", path("/api/tasks/{}", task_id), nothing)

    @endpoint
    def move_task(
        self,
        task_id: str,
        *,
        section_id: str | None = None,
        position: int | None = None,
        project_id: str | None = None,
    ) -> Call[TaskPublic]:
        """Move to ``position`` among its siblings (default: last), in ``section_id``
        (top-level tasks; default: where it is). With ``project_id``, a top-level task
        goes to another project with its subtasks and comments, into ``section_id`` there
        (default: its first section); you must be able to edit both projects, and
        assignees who are not members there are unassigned."""
        return Call(
            "POST",
            path("/api/tasks/{}/move", task_id),
            returns(TaskPublic),
            body=body(TaskMove, project_id=project_id, section_id=section_id, position=position),
        )

    @endpoint
    def list_subtasks(self, task_id: str) -> Call[list[TaskPublic]]:
        return Call("GET", path("/api/tasks/{}/subtasks", task_id), returns(list[TaskPublic]))

    @endpoint
    def create_subtask(
        self,
        task_id: str,
        name: str,
        *,
        notes: str | None = None,
        status: Status | None = None,
        assignee_id: str | None = None,
        due_on: date | None = None,
        position: int | None = None,
    ) -> Call[TaskPublic]:
        fields = body(
            TaskCreate,
            name=name,
            notes=notes,
            status=status,
            assignee_id=assignee_id,
            due_on=due_on,
            position=position,
        )
        return Call(
            "POST", path("/api/tasks/{}/subtasks", task_id), returns(TaskPublic), body=fields
        )

    @endpoint
    def my_tasks(
        self, *, limit: int | None = None, offset: int | None = None
    ) -> Call[list[TaskPublic]]:
        """Tasks assigned to you across projects: open ones first, soonest due first,
        undated last, then oldest first. Page with ``offset`` (+ the number received)
        until a page comes back shorter than ``limit``."""
        return Call(
            "GET",
            "/api/me/tasks",
            returns(list[TaskPublic]),
            params=query(limit=limit, offset=offset),
        )

    # -- the workspace: people and the date ---------------------------------------------

    @endpoint
    def find_people(self, q: str | None = None, *, limit: int | None = None) -> Call[list[Person]]:
        """People in your workspaces whose name or email contains ``q`` (any case):
        those that start with it first; at most ``limit``, and never more than 50."""
        return Call("GET", "/api/people", returns(list[Person]), params=query(q=q, limit=limit))

    @endpoint
    def today(self) -> Call[Today]:
        """The app's date and moment (UTC), as the pages use them: in a gym episode,
        the episode's clock."""
        return Call("GET", "/api/today", returns(Today))

    @endpoint
    def submit_answer(
        self, status: Literal["done", "infeasible"], answer: Any = None
    ) -> Call[AnswerOut]:
        """End a gym task (docs/tasks.md): ``done``, with the ``answer`` a question asks
        for, or ``infeasible``. Only on a server in gym mode."""
        fields = {"status": status, "answer": answer}
        return Call("POST", "/api/answer", returns(AnswerOut), body=fields)

    # -- comments ----------------------------------------------------------------------

    @endpoint
    def list_comments(self, task_id: str) -> Call[list[CommentPublic]]:
        """A task's comments, oldest first."""
        return Call("GET", path("/api/tasks/{}/comments", task_id), returns(list[CommentPublic]))

    @endpoint
    def create_comment(self, task_id: str, text: str) -> Call[CommentPublic]:
        return Call(
            "POST",
            path("/api/tasks/{}/comments", task_id),
            returns(CommentPublic),
            body=body(CommentCreate, text=text),
        )

    @endpoint
    def update_comment(self, comment_id: str, text: str) -> Call[CommentPublic]:
        """Edit your own comment."""
        return Call(
            "PATCH",
            path("/api/comments/{}", comment_id),
            returns(CommentPublic),
            body=body(CommentUpdate, text=text),
        )

    @endpoint
    def delete_comment(self, comment_id: str) -> Call[None]:
        """Delete your own comment."""
        return Call("DELETE", path("/api/comments/{}", comment_id), nothing)

    # -- the event log and the realtime side -------------------------------------------

    @endpoint
    def list_events(
        self,
        project_id: str,
        *,
        after: int = 0,
        limit: int | None = None,
        wait: float | None = None,
    ) -> Call[EventPage]:
        """Events with ``seq > after``, in order. With ``wait`` (seconds), a long poll:
        the answer comes as soon as an event commits, or empty when the wait is over.
        While ``has_more``, ask again with ``after`` = the last ``seq`` received."""
        return Call(
            "GET",
            path("/api/projects/{}/events", project_id),
            returns(EventPage),
            params=query(after=after, limit=limit, wait=wait),
            timeout=wait + LONG_POLL_MARGIN if wait else None,
        )

    @endpoint
    def realtime_info(self) -> Call[RealtimeInfo]:
        """Where the realtime gateway is (its public address) and the protocol it speaks."""
        return Call("GET", "/api/realtime", returns(RealtimeInfo))

    @endpoint
    def create_ticket(self) -> Call[TicketOut]:
        """A single-use realtime ticket, for clients that cannot send a header."""
        return Call("POST", "/api/realtime/ticket", returns(TicketOut))

    @endpoint
    def presence(self, project_id: str) -> Call[list[PresentUser]]:
        """Who is viewing the project now (one entry per user)."""
        return Call(
            "GET", path("/api/projects/{}/presence", project_id), returns(list[PresentUser])
        )
