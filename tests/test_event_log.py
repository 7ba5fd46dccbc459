"""The event log's promises, on SQLite and PostgreSQL: every committed mutation appends
exactly one event with the next ``seq`` and the documented payload (one per change, in
order, for the removal of a member with tasks); a rejected one appends nothing;
concurrent writers never duplicate or skip a ``seq``; and only what committed is
published, after the commit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from tasklane.models import User
from tasklane.protocol.auth import ProfileUpdate, RegisterIn
from tasklane.protocol.events import DURABLE_TYPES, ProjectUpdated, TaskUpdated
from tasklane.protocol.project import (
    MemberAdd,
    MemberUpdate,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    SectionCreate,
    SectionUpdate,
)
from tasklane.protocol.task import CommentCreate, CommentUpdate, TaskCreate, TaskMove, TaskUpdate
from tasklane.realtime.broker import Message
from tasklane.realtime.log import Committed, LogPage
from tasklane.services import Services
from tasklane.services.errors import ServiceError
from tasklane.services.task_reads import TaskFilters
from tests.conftest import Person, unique_email


def stored(event: Committed) -> dict[str, Any]:
    """The envelope of a committed event, as every transport sends it."""
    envelope: dict[str, Any] = json.loads(event.frame)
    return envelope


async def register(services: Services, label: str) -> User:
    user, _token, _secret = await services.auth.register(
        RegisterIn(email=unique_email(label), name=label.title(), password="correct horse")
    )
    return user


@dataclass
class World:
    """One project with an owner, a second member, a section, a task and a comment."""

    services: Services
    owner: User
    other: User
    project_id: str
    section_id: str
    task_id: str
    comment_id: str

    async def log(self, after: int = 0) -> LogPage:
        return await self.services.events.after(self.project_id, after, 10_000)


@pytest.fixture
async def world(services: Services) -> World:
    owner = await register(services, "owner")
    other = await register(services, "other")
    project = await services.projects.create(owner, ProjectCreate(name="Log"))
    await services.members.add(owner, project.id, MemberAdd(user_id=other.id, role="editor"))
    section = (await services.sections.list(owner, project.id))[0]
    task = await services.tasks.create(owner, project.id, TaskCreate(name="First"))
    comment = await services.comments.create(owner, task.id, CommentCreate(text="Hello"))
    return World(services, owner, other, project.id, section.id, task.id, comment.id)


Mutation = Callable[[World], Awaitable[Any]]

# Every mutation the services offer, the event type it must append, and what its
# payload must say.
MUTATIONS: dict[str, tuple[Mutation, str, Callable[[World, dict[str, Any]], bool]]] = {
    "update project": (
        lambda w: w.services.projects.update(w.owner, w.project_id, ProjectUpdate(name="Renamed")),
        "project_updated",
        lambda w, d: d["project"]["name"] == "Renamed" and d["changes"] == ["name"],
    ),
    "delete project": (
        lambda w: w.services.projects.delete(w.owner, w.project_id),
        "project_deleted",
        lambda w, d: d == {"projectId": w.project_id},
    ),
    "add member": (
        lambda w: _add_third(w),
        "member_added",
        lambda w, d: d["member"]["role"] == "viewer" and d["userId"] == d["member"]["userId"],
    ),
    "change member role": (
        lambda w: w.services.members.update(
            w.owner, w.project_id, w.other.id, MemberUpdate(role="commenter")
        ),
        "member_updated",
        lambda w, d: (
            (d["previousRole"], d["member"]["role"], d["changes"])
            == ("editor", "commenter", ["role"])
        ),
    ),
    "rename a member": (
        lambda w: w.services.account.update_profile(w.other, ProfileUpdate(name="Renamed")),
        "member_updated",
        lambda w, d: (
            (d["changes"], d["previousRole"], d["member"]["role"], d["member"]["user"]["name"])
            == (["name"], "editor", "editor", "Renamed")
        ),
    ),
    "remove member": (
        lambda w: w.services.members.remove(w.owner, w.project_id, w.other.id),
        "member_removed",
        lambda w, d: d["userId"] == w.other.id,
    ),
    "create section": (
        lambda w: w.services.sections.create(w.owner, w.project_id, SectionCreate(name="Later")),
        "section_created",
        lambda w, d: d["section"]["name"] == "Later" and d["sectionId"] == d["section"]["id"],
    ),
    "rename section": (
        lambda w: w.services.sections.update(w.owner, w.section_id, SectionUpdate(name="Now")),
        "section_updated",
        lambda w, d: d["section"]["name"] == "Now" and d["changes"] == ["name"],
    ),
    "delete section": (
        lambda w: _delete_empty_section(w),
        "section_deleted",
        lambda w, d: d["sectionId"] != w.section_id,
    ),
    "create task": (
        lambda w: w.services.tasks.create(w.owner, w.project_id, TaskCreate(name="Second")),
        "task_created",
        lambda w, d: d["task"]["name"] == "Second" and d["taskId"] == d["task"]["id"],
    ),
    "create subtask": (
        lambda w: w.services.tasks.create_subtask(w.owner, w.task_id, TaskCreate(name="Sub")),
        "task_created",
        lambda w, d: d["task"]["parentId"] == w.task_id,
    ),
    "rename task": (
        lambda w: w.services.tasks.update(w.owner, w.task_id, TaskUpdate(name="Better")),
        "task_updated",
        lambda w, d: d["task"]["name"] == "Better" and d["changes"] == ["name"],
    ),
    "start task": (
        lambda w: w.services.tasks.update(w.owner, w.task_id, TaskUpdate(status="in_progress")),
        "task_status_changed",
        lambda w, d: (
            d["previousStatus"] == "todo"
            and d["newStatus"] == "in_progress"
            and d["task"]["status"] == "in_progress"
        ),
    ),
    "complete task": (
        lambda w: w.services.tasks.update(w.owner, w.task_id, TaskUpdate(status="done")),
        "task_status_changed",
        lambda w, d: d["task"]["completed"] and d["task"]["completedBy"] == w.owner.id,
    ),
    # Into "Done", which stands for done: the move and the status it sets are one event.
    "move task": (
        lambda w: _move_to_last_section(w),
        "task_status_changed",
        lambda w, d: d["changes"] == ["sectionId", "rank", "status"] and d["task"]["completed"],
    ),
    "delete task": (
        lambda w: w.services.tasks.delete(w.owner, w.task_id),
        "task_deleted",
        lambda w, d: d["taskId"] == w.task_id and d["parentId"] is None,
    ),
    "comment": (
        lambda w: w.services.comments.create(w.other, w.task_id, CommentCreate(text="Hi")),
        "comment_created",
        lambda w, d: d["comment"]["text"] == "Hi" and d["comment"]["authorId"] == w.other.id,
    ),
    "edit comment": (
        lambda w: w.services.comments.update(w.owner, w.comment_id, CommentUpdate(text="Hey")),
        "comment_updated",
        lambda w, d: d["comment"]["text"] == "Hey" and d["comment"]["editedAt"] is not None,
    ),
    "delete comment": (
        lambda w: w.services.comments.delete(w.owner, w.comment_id),
        "comment_deleted",
        lambda w, d: d["commentId"] == w.comment_id and d["taskId"] == w.task_id,
    ),
}


async def _add_third(w: World) -> Any:
    third = await register(w.services, "third")
    return await w.services.members.add(
        w.owner, w.project_id, MemberAdd(user_id=third.id, role="viewer")
    )


async def _delete_empty_section(w: World) -> None:
    sections = await w.services.sections.list(w.owner, w.project_id)
    await w.services.sections.delete(w.owner, sections[-1].id)


async def _move_to_last_section(w: World) -> Any:
    sections = await w.services.sections.list(w.owner, w.project_id)
    return await w.services.tasks.move(w.owner, w.task_id, TaskMove(section_id=sections[-1].id))


@pytest.mark.parametrize("name", sorted(MUTATIONS))
async def test_each_mutation_appends_exactly_one_event_with_the_next_seq(
    world: World, name: str
) -> None:
    mutate, expected_type, payload_ok = MUTATIONS[name]
    before = await world.log()
    await mutate(world)
    after = await world.log(before.head)
    assert after.head == before.head + 1
    assert [e.seq for e in after.events] == [before.head + 1]
    event = stored(after.events[0])
    assert event["type"] == expected_type
    assert event["userId"] in (world.owner.id, world.other.id)
    # The payload is exactly what the event's model describes, no more and no less.
    model = DURABLE_TYPES[event["type"]]
    assert model.model_validate(event["data"]).wire() == event["data"]
    assert event["data"]["projectId"] == world.project_id
    assert payload_ok(world, event["data"])


REJECTED: dict[str, Mutation] = {
    "viewer edits a task": lambda w: _as_viewer_rename(w),
    "assignee is no member": lambda w: w.services.tasks.update(
        w.owner, w.task_id, TaskUpdate(assignee_id="user_nobody0000000")
    ),
    "section still holds tasks": lambda w: w.services.sections.delete(w.owner, w.section_id),
    "last owner steps down": lambda w: w.services.members.update(
        w.owner, w.project_id, w.owner.id, MemberUpdate(role="editor")
    ),
    "stranger comments": lambda w: _as_stranger_comment(w),
    "someone else's comment": lambda w: w.services.comments.delete(w.other, w.comment_id),
    "task does not exist": lambda w: w.services.tasks.delete(w.owner, "task_missing000000000"),
}


async def _as_viewer_rename(w: World) -> Any:
    await w.services.members.update(w.owner, w.project_id, w.other.id, MemberUpdate(role="viewer"))
    return await w.services.tasks.update(w.other, w.task_id, TaskUpdate(name="No"))


async def _as_stranger_comment(w: World) -> Any:
    stranger = await register(w.services, "stranger")
    return await w.services.comments.create(stranger, w.task_id, CommentCreate(text="Hi"))


@pytest.mark.parametrize("name", sorted(REJECTED))
async def test_a_rejected_mutation_appends_nothing(world: World, name: str) -> None:
    with pytest.raises(ServiceError):
        await REJECTED[name](world)
    head = (await world.log()).head
    await world.services.tasks.update(world.owner, world.task_id, TaskUpdate(notes="after"))
    after = await world.log()
    # Nothing was appended by the rejection, and its seq was not used up either.
    assert after.head == head + 1
    assert [e.seq for e in after.events] == list(range(1, head + 2))
    assert stored(after.events[-1])["data"]["task"]["notes"] == "after"


async def test_a_transaction_that_fails_after_emitting_leaves_no_event(world: World) -> None:
    head = (await world.log()).head
    project = ProjectPublic.model_validate(
        await world.services.projects.get(world.owner, world.project_id)
    )

    async def emit_then_fail() -> None:
        async with world.services.runtime.transaction() as tx:
            await tx.emit(
                ProjectUpdated(project_id=world.project_id, project=project, changes=[]),
                actor_id=world.owner.id,
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await emit_then_fail()
    assert (await world.log()).head == head
    await world.services.tasks.update(world.owner, world.task_id, TaskUpdate(notes="next"))
    assert [e.seq for e in (await world.log(head)).events] == [head + 1]


async def test_a_transaction_that_fails_after_emitting_several_leaves_none(world: World) -> None:
    head = (await world.log()).head
    task = await world.services.tasks.get(world.owner, world.task_id)

    async def emit_twice_then_fail() -> None:
        async with world.services.runtime.transaction() as tx:
            for _ in range(2):
                await tx.emit(
                    TaskUpdated(
                        project_id=world.project_id, task_id=task.id, task=task, changes=[]
                    ),
                    actor_id=world.owner.id,
                )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await emit_twice_then_fail()
    assert (await world.log()).head == head
    await world.services.tasks.update(world.owner, world.task_id, TaskUpdate(notes="next"))
    assert [e.seq for e in (await world.log(head)).events] == [head + 1]


async def test_a_removal_that_unassigns_appends_and_publishes_each_change_in_order(
    world: World,
) -> None:
    """The one mutation that appends several events to one log: each with the next
    ``seq``, published after the commit in that order, the removal last."""
    services = world.services
    await services.tasks.update(world.owner, world.task_id, TaskUpdate(assignee_id=world.other.id))
    sub = await services.tasks.create_subtask(
        world.owner, world.task_id, TaskCreate(name="Sub", assignee_id=world.other.id)
    )
    before = await world.log()
    published: list[Committed] = []
    heads: list[int] = []

    async def listener(message: Message) -> None:
        assert isinstance(message, Committed)
        heads.append((await world.log()).head)
        published.append(message)

    unsubscribe = services.runtime.broker.subscribe(listener)
    try:
        await services.members.remove(world.owner, world.project_id, world.other.id)
    finally:
        unsubscribe()
    after = await world.log(before.head)
    assert [e.seq for e in after.events] == [before.head + n for n in (1, 2, 3)]
    envelopes = [stored(e) for e in after.events]
    parent = await services.tasks.get(world.owner, world.task_id)
    oldest_first = sorted([parent, sub], key=lambda t: (t.created_at, t.id))
    assert [(e["type"], e["data"].get("taskId")) for e in envelopes] == [
        ("task_updated", oldest_first[0].id),
        ("task_updated", oldest_first[1].id),
        ("member_removed", None),
    ]
    for envelope in envelopes:
        model = DURABLE_TYPES[envelope["type"]]
        assert model.model_validate(envelope["data"]).wire() == envelope["data"]
    # Published only once all three committed, in order, as the same bytes; then their
    # copies in the removed member's own log (the tasks were theirs, the removal too),
    # which revoke nothing there.
    assert heads == [before.head + 3] * 6
    project, theirs = published[:3], published[3:]
    assert [m.frame for m in project] == [e.frame for e in after.events]
    assert project[-1].revoked_user == world.other.id
    assert [m.revoked_user for m in project[:2]] == [None, None]
    assert {m.project_id for m in theirs} == {world.other.id}
    assert [m.type for m in theirs] == ["task_updated", "task_updated", "member_removed"]
    assert [m.seq for m in theirs] == [theirs[0].seq + n for n in range(3)]
    assert not any(m.revokes for m in theirs)


async def test_concurrent_writers_never_duplicate_or_skip_a_seq(world: World) -> None:
    head = (await world.log()).head
    writers = [world.owner, world.other]

    async def write(n: int) -> None:
        user = writers[n % 2]
        if n % 3 == 0:
            await world.services.comments.create(user, world.task_id, CommentCreate(text=f"c{n}"))
        else:
            await world.services.tasks.create(user, world.project_id, TaskCreate(name=f"t{n}"))

    await asyncio.gather(*(write(n) for n in range(40)))
    log = await world.log()
    assert log.head == head + 40
    assert [e.seq for e in log.events] == list(range(1, head + 41))


async def test_concurrent_moves_between_two_projects_both_ways_neither_deadlock_nor_skip(
    world: World,
) -> None:
    """A move to another project writes to two logs and takes both projects' locks: in
    one order, or a move from A to B and one from B to A would wait on each other
    (PostgreSQL would abort one as a deadlock)."""
    services, owner = world.services, world.owner
    other = await services.projects.create(owner, ProjectCreate(name="Other"))
    here = [
        (await services.tasks.create(owner, world.project_id, TaskCreate(name=f"a{n}"))).id
        for n in range(8)
    ]
    there = [
        (await services.tasks.create(owner, other.id, TaskCreate(name=f"b{n}"))).id
        for n in range(8)
    ]
    for task_id in here[:2]:
        await services.tasks.create_subtask(owner, task_id, TaskCreate(name="sub"))
    heads = [(await services.events.after(p, 0, 1)).head for p in (world.project_id, other.id)]

    moves = [
        *(services.tasks.move(owner, t, TaskMove(project_id=other.id)) for t in here),
        *(services.tasks.move(owner, t, TaskMove(project_id=world.project_id)) for t in there),
    ]
    await asyncio.gather(*moves)

    for project_id, head, arrivals in ((world.project_id, heads[0], 8), (other.id, heads[1], 10)):
        log = await services.events.after(project_id, 0, 10_000)
        assert [e.seq for e in log.events] == list(range(1, log.head + 1))
        # Each project lost 8 tasks (one task_deleted each) and gained the other's.
        assert log.head == head + 8 + arrivals
    moved_here = await services.tasks.page(
        owner, world.project_id, TaskFilters(), cursor=None, limit=100
    )
    assert {t.id for t in moved_here.items} == {world.task_id, *there}


def test_concurrent_http_clients_never_duplicate_or_skip_a_seq(signup: Any) -> None:
    owner: Person = signup("owner")
    project = owner.http.post("/api/projects", json={"name": "Busy"}).json()
    url = f"/api/projects/{project['id']}/tasks"

    def burst(worker: int) -> list[int]:
        return [
            owner.http.post(url, json={"name": f"w{worker}-{n}"}).status_code for n in range(10)
        ]

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = [s for batch in pool.map(burst, range(6)) for s in batch]
    assert statuses == [201] * 60
    page = owner.http.get(f"/api/projects/{project['id']}/events?limit=500").json()
    assert [e["seq"] for e in page["events"]] == list(range(1, 62))
    assert page["headSeq"] == 61
    assert sorted(e["data"]["task"]["name"] for e in page["events"][1:]) == sorted(
        f"w{w}-{n}" for w in range(6) for n in range(10)
    )


async def test_only_committed_events_are_published_after_commit(world: World) -> None:
    published: list[Committed] = []
    committed_heads: list[int] = []

    async def listener(message: Message) -> None:
        # At publish time the event must already be committed: a fresh read sees it.
        assert isinstance(message, Committed)
        committed_heads.append((await world.log()).head)
        published.append(message)

    unsubscribe = world.services.runtime.broker.subscribe(listener)
    try:
        task = await world.services.tasks.create(
            world.owner, world.project_id, TaskCreate(name="P")
        )
        with pytest.raises(ServiceError):
            await world.services.sections.delete(world.owner, world.section_id)
        await world.services.tasks.update(world.owner, task.id, TaskUpdate(status="done"))
    finally:
        unsubscribe()
    log = await world.log()
    assert [m.seq for m in published] == [log.head - 1, log.head]
    assert committed_heads == [log.head - 1, log.head]
    # What travels is exactly what a read of the log gives: the same bytes.
    assert [m.frame for m in published] == [e.frame for e in log.events[-2:]]
    assert json.loads(published[-1].frame)["type"] == "task_status_changed"


async def test_a_broken_broker_loses_nothing_that_committed(world: World) -> None:
    class Broken:
        async def publish(self, message: Message) -> None:
            raise ConnectionError("broker down")

        def subscribe(self, listener: Any) -> Callable[[], None]:
            return lambda: None

        async def follow(self, project_id: str) -> None:
            return None

        def unfollow(self, project_id: str) -> None:
            return None

        @property
        def alive(self) -> bool:
            return False

        def on_resume(self, callback: Any) -> Callable[[], None]:
            return lambda: None

        async def close(self) -> None:
            return None

    original = world.services.runtime.broker
    world.services.runtime.broker = Broken()
    try:
        task = await world.services.tasks.create(
            world.owner, world.project_id, TaskCreate(name="K")
        )
    finally:
        world.services.runtime.broker = original
    log = await world.log()
    assert log.events[-1].type == "task_created"
    assert stored(log.events[-1])["data"]["taskId"] == task.id
