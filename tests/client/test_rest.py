"""``TasklaneClient`` and ``AsyncTasklaneClient`` against a real server: every endpoint
answers with the API's own models, and every error is raised as its class, carrying
the API's ``code``. Each test runs with both clients."""

from __future__ import annotations

import inspect
import socket
from collections.abc import AsyncIterator, Awaitable
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest

from tasklane.client import (
    UNSET,
    AsyncTasklaneClient,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    TasklaneClient,
    TasklaneConnectionError,
    TasklaneError,
    UnauthorizedError,
    UnprocessableError,
)
from tasklane.protocol.auth import AuthResult, TokenCreated, UserPublic
from tasklane.protocol.events import EventEnvelope
from tasklane.protocol.project import MemberPublic, ProjectView, SectionPublic
from tasklane.protocol.task import CommentPublic, TaskPage, TaskPublic
from tests.client.story import PASSWORD
from tests.conftest import make_settings, unique_email
from tests.live import LiveStack, live_stack

T = TypeVar("T")
Client = TasklaneClient | AsyncTasklaneClient
KINDS = ("sync", "async")


async def done(value: Awaitable[T] | T) -> T:
    """The result of a call of either client: awaited if it is a coroutine."""
    if inspect.isawaitable(value):
        result: T = await value
        return result
    return value


def client_of(kind: str, url: str, token: str | None = None) -> Client:
    if kind == "sync":
        return TasklaneClient(url, token)
    return AsyncTasklaneClient(url, token)


async def close(client: Client) -> None:
    if isinstance(client, TasklaneClient):
        client.close()
    else:
        await client.aclose()


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
async def clients(kind: str, live: LiveStack) -> AsyncIterator[list[Client]]:
    """Up to three signed-out clients of the kind under test; closed afterwards."""
    made = [client_of(kind, live.api_url) for _ in range(3)]
    yield made
    for client in made:
        await close(client)


async def signed_up(client: Client, label: str) -> AuthResult:
    return await done(
        client.register(email=unique_email(label), name=label.title(), password=PASSWORD)
    )


async def test_auth_and_tokens(kind: str, live: LiveStack, clients: list[Client]) -> None:
    api, other, _ = clients
    registered = await signed_up(api, "ana")
    assert isinstance(registered, AuthResult)
    assert api.token == registered.token
    assert await done(api.me()) == registered.user
    again = await done(other.login(email=registered.user.email, password=PASSWORD))
    assert again.user == registered.user
    assert other.token == again.token != registered.token
    created = await done(api.create_token("script"))
    assert isinstance(created, TokenCreated)
    assert created.id in [token.id for token in await done(api.list_tokens())]
    scripted = client_of(kind, live.api_url, created.token)
    try:
        assert await done(scripted.me()) == registered.user
        await done(api.delete_token(created.id))
        with pytest.raises(UnauthorizedError) as refused:
            await done(scripted.me())
    finally:
        await close(scripted)
    assert (refused.value.status, refused.value.code) == (401, "unauthorized")
    await done(other.logout())
    assert other.token is None
    with pytest.raises(UnauthorizedError):
        await done(other.me())
    assert isinstance(await done(api.me()), UserPublic)  # the other session lives on


async def test_projects_members_and_sections(clients: list[Client]) -> None:
    api, ben_api, _ = clients
    await signed_up(api, "ana")
    ben = await signed_up(ben_api, "ben")
    project = await done(api.create_project("Launch", color="#112233", sections=["A", "B"]))
    assert isinstance(project, ProjectView)
    assert (project.role, project.color, project.seq) == ("owner", "#112233", 1)
    assert project.id in [p.id for p in await done(api.list_projects())]
    renamed = await done(api.update_project(project.id, name="Launch day", description="go"))
    assert (renamed.name, renamed.description, renamed.seq) == ("Launch day", "go", 2)
    assert await done(api.get_project(project.id)) == renamed

    member = await done(api.add_member(project.id, email=ben.user.email, role="viewer"))
    assert isinstance(member, MemberPublic)
    assert (member.user_id, member.role) == (ben.user.id, "viewer")
    promoted = await done(api.update_member(project.id, ben.user.id, role="editor"))
    assert promoted.role == "editor"
    members = await done(api.list_members(project.id))
    assert sorted(m.role for m in members) == ["editor", "owner"]
    assert (await done(ben_api.get_project(project.id))).role == "editor"
    await done(api.remove_member(project.id, ben.user.id))
    with pytest.raises(NotFoundError):
        await done(ben_api.get_project(project.id))

    sections = await done(api.list_sections(project.id))
    assert [s.name for s in sections] == ["A", "B"]
    first = await done(api.create_section(project.id, "First", position=0))
    assert isinstance(first, SectionPublic)
    moved = await done(api.update_section(first.id, name="Last", position=2))
    assert [s.name for s in await done(api.list_sections(project.id))] == ["A", "B", "Last"]
    await done(api.delete_section(moved.id))
    assert len(await done(api.list_sections(project.id))) == 2
    await done(api.delete_project(project.id))
    with pytest.raises(NotFoundError):
        await done(api.get_project(project.id))


async def test_tasks_subtasks_moves_comments_my_tasks_and_the_event_log(
    clients: list[Client],
) -> None:
    api = clients[0]
    ana = await signed_up(api, "ana")
    project = await done(api.create_project("Work"))
    todo, doing, _ = await done(api.list_sections(project.id))
    task = await done(
        api.create_task(
            project.id,
            "Write",
            notes="draft",
            assignee_id=ana.user.id,
            due_on=date(2030, 1, 2),
            section_id=doing.id,
        )
    )
    assert isinstance(task, TaskPublic)
    assert (task.section_id, task.assignee_id, task.due_on) == (
        doing.id,
        ana.user.id,
        date(2030, 1, 2),
    )
    # A status and no section: the first section standing for that status.
    second = await done(api.create_task(project.id, "Review", status="in_progress"))
    assert (second.section_id, second.status) == (doing.id, "in_progress")

    page = await done(api.list_tasks(project.id, limit=1))
    assert isinstance(page, TaskPage)
    assert len(page.items) == 1
    assert page.next_cursor is not None
    rest = await done(api.list_tasks(project.id, cursor=page.next_cursor))
    assert {t.id for t in page.items + rest.items} == {task.id, second.id}
    due = await done(api.list_tasks(project.id, due_before=date(2031, 1, 1), section=doing.id))
    assert [t.id for t in due.items] == [task.id]
    assert [t.id for t in (await done(api.list_tasks(project.id, q="Review"))).items] == [second.id]

    kept = await done(api.update_task(task.id, name="Write it", due_on=UNSET))
    assert (kept.name, kept.due_on, kept.assignee_id) == ("Write it", date(2030, 1, 2), ana.user.id)
    assert [t.id for t in await done(api.my_tasks())] == [task.id]
    cleared = await done(api.update_task(task.id, assignee_id=None, due_on=None))
    assert (cleared.assignee_id, cleared.due_on) == (None, None)
    assert await done(api.my_tasks(limit=10)) == []
    moved = await done(api.move_task(task.id, section_id=todo.id, position=0))
    assert moved.section_id == todo.id
    assert [t.id for t in (await done(api.list_tasks(project.id))).items] == [task.id, second.id]

    subtask = await done(api.create_subtask(task.id, "Outline", status="done"))
    assert (subtask.parent_id, subtask.completed) == (task.id, True)
    assert await done(api.list_subtasks(task.id)) == [subtask]

    comment = await done(api.create_comment(task.id, "Looks good"))
    assert isinstance(comment, CommentPublic)
    edited = await done(api.update_comment(comment.id, "Looks great"))
    assert edited.edited_at is not None
    assert await done(api.list_comments(task.id)) == [edited]
    await done(api.delete_comment(comment.id))
    assert await done(api.list_comments(task.id)) == []
    assert (await done(api.get_task(task.id))).subtask_count == 1

    await done(api.delete_task(task.id))
    with pytest.raises(NotFoundError):
        await done(api.get_task(task.id))
    log = await done(api.list_events(project.id, after=1, limit=3))
    assert (log.project_id, log.has_more) == (project.id, True)
    assert all(isinstance(e, EventEnvelope) for e in log.events)
    assert [e.seq for e in log.events] == [2, 3, 4]
    whole = await done(api.list_events(project.id))
    assert whole.head_seq == whole.events[-1].seq == (await done(api.get_project(project.id))).seq
    assert whole.events[-1].type == "task_deleted"
    waited = await done(api.list_events(project.id, after=whole.head_seq, wait=0.2))
    assert waited.events == []

    ticket = await done(api.create_ticket())
    assert ticket.ticket in ticket.url
    assert await done(api.presence(project.id)) == []


async def test_errors_carry_the_apis_code(
    kind: str, live: LiveStack, clients: list[Client]
) -> None:
    ana_api, ben_api, anonymous = clients
    ana = await signed_up(ana_api, "ana")
    ben = await signed_up(ben_api, "ben")
    project = await done(ana_api.create_project("Private"))

    with pytest.raises(NotFoundError) as hidden:
        await done(ben_api.get_project(project.id))
    assert (hidden.value.status, hidden.value.code) == (404, "not_found")

    await done(ana_api.add_member(project.id, user_id=ben.user.id, role="viewer"))
    with pytest.raises(ForbiddenError) as viewer:
        await done(ben_api.create_task(project.id, "Sneaky"))
    assert viewer.value.code == "forbidden"
    assert viewer.value.details == {"role": "viewer", "needs": "edit"}

    with pytest.raises(UnprocessableError) as invalid:
        await done(ana_api.create_task(project.id, ""))
    assert invalid.value.code == "validation_error"
    assert isinstance(invalid.value.details, list)
    assert invalid.value.details

    with pytest.raises(ConflictError) as taken:
        await done(anonymous.register(email=ana.user.email, name="Again", password=PASSWORD))
    assert taken.value.code == "email_taken"
    todo = (await done(ana_api.list_sections(project.id)))[0]
    await done(ana_api.create_task(project.id, "Keep", section_id=todo.id))
    with pytest.raises(ConflictError) as busy:
        await done(ana_api.delete_section(todo.id))
    assert busy.value.code == "section_not_empty"

    with pytest.raises(UnauthorizedError) as wrong:
        await done(anonymous.login(email=ana.user.email, password="wrong password"))
    assert wrong.value.code == "invalid_credentials"
    assert "invalid_credentials" in str(wrong.value)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    nowhere = client_of(kind, f"http://127.0.0.1:{closed_port}")
    try:
        with pytest.raises(TasklaneConnectionError) as unreachable:
            await done(nowhere.me())
    finally:
        await close(nowhere)
    assert (unreachable.value.code, unreachable.value.status) == ("unreachable", None)
    assert isinstance(unreachable.value, TasklaneError)


async def test_a_rate_limited_change_says_when_to_come_back(
    kind: str, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, mutation_rate=0.1, mutation_burst=1)
    with live_stack(settings) as strict:
        api = client_of(kind, strict.api_url)
        try:
            await signed_up(api, "ana")
            await done(api.create_project("One"))
            with pytest.raises(RateLimitedError) as limited:
                await done(api.create_project("Two"))
        finally:
            await close(api)
    assert (limited.value.status, limited.value.code) == (429, "rate_limited")
    assert limited.value.retry_after is not None
    assert limited.value.retry_after >= 1
