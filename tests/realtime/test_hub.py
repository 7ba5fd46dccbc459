"""The hub's delivery promises, on a real database, without sockets: per connection and
project, events arrive in strictly increasing ``seq`` with no gap and no duplicate,
whatever order the broker delivers them in, whatever it loses, and while a replay runs."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from tasklane.models import User
from tasklane.protocol import closes
from tasklane.protocol.auth import RegisterIn
from tasklane.protocol.project import MemberAdd, ProjectCreate
from tasklane.protocol.task import TaskCreate, TaskUpdate
from tasklane.realtime.connection import Connection
from tasklane.realtime.hub import Hub, HubLimits
from tasklane.realtime.log import Committed, LogPage
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.presence import MemoryPresence
from tasklane.services import Services
from tests.conftest import unique_email

Frame = dict[str, Any]
_connections = itertools.count(1)


class GatedLog:
    """The real event log, whose first replay read waits until the test opens the gate."""

    def __init__(self, services: Services) -> None:
        self.inner = services.events
        self.gate = asyncio.Event()
        self.reading = asyncio.Event()

    async def after(self, project_id: str, after: int, limit: int) -> LogPage:
        self.reading.set()
        await self.gate.wait()
        return await self.inner.after(project_id, after, limit)

    async def heads(self, project_ids: list[str]) -> dict[str, int]:
        return await self.inner.heads(project_ids)


@dataclass
class Scene:
    services: Services
    hub: Hub
    owner: User
    other: User
    project_id: str
    task_id: str
    listening: bool

    def connect(self, user: User) -> Connection:
        return self.hub.connect(f"conn_{next(_connections)}", user.id, user.name, "127.0.0.1")

    async def change(self, note: str) -> int:
        """Commit one task change; its seq."""
        await self.services.tasks.update(self.owner, self.task_id, TaskUpdate(notes=note))
        return (await self.services.events.heads([self.project_id]))[self.project_id]

    async def message(self, seq: int) -> Committed:
        """The event the commit of ``seq`` published, as the log holds it."""
        return (await self.services.events.after(self.project_id, seq - 1, 1)).events[0]


async def register(services: Services, label: str) -> User:
    user, _, _ = await services.auth.register(
        RegisterIn(email=unique_email(label), name=label.title(), password="correct horse")
    )
    return user


async def frames(conn: Connection, count: int, within: float = 3.0) -> list[Frame]:
    got = []
    for _ in range(count):
        frame = await asyncio.wait_for(conn.next(), within)
        assert frame is not None, f"closed: {conn.close_frame}"
        got.append(json.loads(frame.text))
    return got


async def durable(conn: Connection, count: int) -> list[Frame]:
    """The next ``count`` frames that carry a seq (skipping presence and control)."""
    got: list[Frame] = []
    while len(got) < count:
        (frame,) = await frames(conn, 1)
        if frame["type"] not in ("joined", "user_connected", "user_disconnected"):
            got.append(frame)
    return got


def pending(conn: Connection) -> list[Frame]:
    """Frames queued right now, without waiting."""
    return [json.loads(frame.data) for frame in conn.take(1_000_000, 1 << 40)]


async def make_scene(
    services: Services, *, listening: bool = True, log: Any = None, **limits: Any
) -> AsyncIterator[Scene]:
    owner = await register(services, "owner")
    other = await register(services, "other")
    project = await services.projects.create(owner, ProjectCreate(name="Hub"))
    await services.members.add(owner, project.id, MemberAdd(user_id=other.id, role="editor"))
    task = await services.tasks.create(owner, project.id, TaskCreate(name="T"))
    hub = Hub(
        log=log or services.events,
        access=services.projects.can_read,
        presence=MemoryPresence(),
        broker=services.runtime.broker,
        clock=services.runtime.clock,
        metrics=GatewayMetrics(),
        limits=HubLimits(**{"gap_wait": 0.05, **limits}),
    )
    unsubscribe = services.runtime.broker.subscribe(hub.receive) if listening else None
    try:
        yield Scene(services, hub, owner, other, project.id, task.id, listening)
    finally:
        if unsubscribe is not None:
            unsubscribe()


@pytest.fixture
async def scene(services: Services) -> AsyncIterator[Scene]:
    async for built in make_scene(services):
        yield built


@pytest.fixture
async def deaf_scene(services: Services) -> AsyncIterator[Scene]:
    """A hub the broker does not reach: the test hands it messages itself."""
    async for built in make_scene(services, listening=False):
        yield built


async def test_events_published_out_of_order_are_delivered_in_seq_order(
    deaf_scene: Scene,
) -> None:
    s = deaf_scene
    conn = s.connect(s.other)
    await s.hub.join(conn, s.project_id, None)
    seqs = [await s.change(f"n{n}") for n in range(3)]
    messages = [await s.message(seq) for seq in seqs]
    for message in (messages[2], messages[0], messages[1], messages[0]):
        await s.hub.receive(message)
    got = await durable(conn, 3)
    assert [f["seq"] for f in got] == seqs
    await asyncio.sleep(0.1)
    assert conn.queued == 0  # the late duplicate was dropped
    assert s.hub.metrics.duplicates._value.get() == 1


async def test_events_that_reach_a_room_together_go_out_together_to_batching_clients(
    deaf_scene: Scene,
) -> None:
    """A burst that reaches the room within one turn of the loop: one message for a
    client that takes batches, built once for all of them; one frame each for a client
    that does not; in order, and a late duplicate of the burst is dropped."""
    s = deaf_scene
    fast, also_fast, plain = s.connect(s.other), s.connect(s.owner), s.connect(s.other)
    fast.batching = also_fast.batching = True
    for conn in (fast, also_fast, plain):
        await s.hub.join(conn, s.project_id, None)
        pending(conn)
    seqs = [await s.change(f"n{n}") for n in range(3)]
    messages = [await s.message(seq) for seq in seqs]
    batches_before = s.hub.metrics.batches._value.get()
    for message in messages:  # no await suspends: one turn of the loop
        await s.hub.receive(message)
    assert fast.queued == also_fast.queued == plain.queued == 0  # sent at the next turn
    for conn in (fast, also_fast):
        sent = await asyncio.wait_for(conn.next(), 3)
        assert sent is not None
        batch: list[Frame] = json.loads(sent.text)  # one message: an array of three
        assert [f["seq"] for f in batch] == seqs
    assert [f["seq"] for f in await frames(plain, 3)] == seqs
    assert s.hub.metrics.batches._value.get() == batches_before + 2
    await s.hub.receive(messages[1])
    await asyncio.sleep(0.05)
    assert fast.queued == plain.queued == 0


async def test_a_removal_inside_a_burst_still_ends_the_subscription_before_what_follows(
    deaf_scene: Scene,
) -> None:
    s = deaf_scene
    removed, stays = s.connect(s.other), s.connect(s.owner)
    removed.batching = stays.batching = True
    for conn in (removed, stays):
        await s.hub.join(conn, s.project_id, None)
        pending(conn)
    first = await s.change("before")
    await s.services.members.remove(s.owner, s.project_id, s.other.id)
    after = await s.change("after")
    for seq in range(first, after + 1):
        await s.hub.receive(await s.message(seq))
    await asyncio.sleep(0.05)
    got = [f for f in pending(removed) if f["type"] != "user_disconnected"]
    assert [f.get("seq") for f in got] == [first, None]
    assert got[1] == {"type": "left", "projectId": s.project_id, "reason": "access_revoked"}
    seen = [f for f in pending(stays) if "seq" in f]
    assert [f["seq"] for f in seen] == list(range(first, after + 1))


async def test_a_lost_message_is_filled_from_the_log(deaf_scene: Scene) -> None:
    s = deaf_scene
    conn = s.connect(s.other)
    await s.hub.join(conn, s.project_id, None)
    seqs = [await s.change(f"n{n}") for n in range(3)]
    await s.hub.receive(await s.message(seqs[2]))  # the first two never arrive
    got = await durable(conn, 3)
    assert [f["seq"] for f in got] == seqs
    assert got[0]["data"]["task"]["notes"] == "n0"


async def test_a_lost_last_message_is_found_by_catching_up_with_the_log(
    deaf_scene: Scene,
) -> None:
    s = deaf_scene
    conn = s.connect(s.other)
    await s.hub.join(conn, s.project_id, None)
    seq = await s.change("tail")
    await asyncio.sleep(0.1)
    assert [f["type"] for f in pending(conn)] == ["joined"]  # nothing reached the hub
    await s.hub.catch_up()
    (event,) = await durable(conn, 1)
    assert event["seq"] == seq


async def test_changes_committed_during_a_replay_are_neither_lost_nor_doubled(
    services: Services,
) -> None:
    gated = GatedLog(services)
    async for s in make_scene(services, log=gated):
        before = [await s.change(f"old{n}") for n in range(5)]
        conn = s.connect(s.other)
        join = asyncio.create_task(s.hub.join(conn, s.project_id, 0))
        await gated.reading.wait()  # the replay has started reading the log…
        during = [await s.change(f"new{n}") for n in range(5)]  # …and these commit meanwhile
        gated.gate.set()
        await join
        after = [await s.change("late")]
        got = await durable(conn, after[0])  # the whole log, from seq 1
        assert [f["seq"] for f in got] == list(range(1, after[0] + 1))
        notes = [f["data"]["task"]["notes"] for f in got if f["type"] == "task_updated"]
        assert notes == [f"old{n}" for n in range(5)] + [f"new{n}" for n in range(5)] + ["late"]
        assert before[-1] < during[0]
        await asyncio.sleep(0.1)
        assert conn.queued == 0


async def test_a_rejoin_with_last_seq_resumes_exactly_after_it(scene: Scene) -> None:
    s = scene
    conn = s.connect(s.other)
    await s.hub.join(conn, s.project_id, None)
    first = await s.change("a")
    await durable(conn, 1)
    missed = [await s.change(f"m{n}") for n in range(5)]
    pending(conn)  # the client lost these
    await s.hub.join(conn, s.project_id, first)
    got = await durable(conn, 5)
    assert [f["seq"] for f in got] == missed
    assert conn.queued == 0


async def test_a_slow_consumer_is_closed_and_the_room_goes_on(services: Services) -> None:
    async for s in make_scene(services, queue_messages=8):
        slow, fast = s.connect(s.other), s.connect(s.owner)
        await s.hub.join(slow, s.project_id, None)
        await s.hub.join(fast, s.project_id, None)
        pending(fast)
        seqs = []
        for n in range(12):
            seqs.append(await s.change(f"n{n}"))
            # the fast one has every event as soon as it commits, slow peer or not
            assert [f["seq"] for f in pending(fast) if "seq" in f] == [seqs[-1]]
        assert slow.close_frame is not None
        assert slow.close_frame[0] == closes.SLOW_CONSUMER
        await asyncio.sleep(0)
        assert slow.id not in s.hub.connections
        assert s.hub.metrics.slow_consumer_closes._value.get() == 1


async def test_a_consumer_over_its_byte_budget_is_closed_too(services: Services) -> None:
    async for s in make_scene(services, queue_bytes=6_000):
        slow = s.connect(s.other)
        await s.hub.join(slow, s.project_id, None)
        for n in range(4):
            await s.change("y" * 2_000 + str(n))
        assert slow.close_frame is not None
        assert slow.close_frame[0] == closes.SLOW_CONSUMER


async def test_presence_counts_users_not_tabs(scene: Scene) -> None:
    s = scene
    watcher = s.connect(s.owner)
    await s.hub.join(watcher, s.project_id, None)
    tab1, tab2 = s.connect(s.other), s.connect(s.other)
    await s.hub.join(tab1, s.project_id, None)
    await s.hub.join(tab2, s.project_id, None)
    joined = next(f for f in pending(tab2) if f["type"] == "joined")
    assert sorted(p["userId"] for p in joined["presence"]) == sorted([s.owner.id, s.other.id])
    assert [f["type"] for f in pending(watcher)] == ["joined", "user_connected", "user_connected"]
    await s.hub.disconnect(tab1)
    assert pending(watcher) == []
    await s.hub.disconnect(tab2)
    (gone,) = pending(watcher)
    assert gone["type"] == "user_disconnected"
    assert gone["userId"] == s.other.id
    assert "seq" not in gone


async def test_removal_from_the_project_ends_the_subscription_at_once(scene: Scene) -> None:
    s = scene
    removed, stays = s.connect(s.other), s.connect(s.owner)
    await s.hub.join(removed, s.project_id, None)
    await s.hub.join(stays, s.project_id, None)
    pending(removed)
    pending(stays)
    await s.services.members.remove(s.owner, s.project_id, s.other.id)
    left = pending(removed)
    assert left == [{"type": "left", "projectId": s.project_id, "reason": "access_revoked"}]
    await s.change("secret")
    await asyncio.sleep(0.05)
    assert pending(removed) == []
    types = [f["type"] for f in pending(stays)]
    assert types == ["member_removed", "user_disconnected", "task_updated"]
    await s.hub.join(removed, s.project_id, None)
    (refused,) = pending(removed)
    assert refused["type"] == "error"
    assert refused["code"] == "forbidden"


async def test_a_deleted_project_says_so_then_ends_every_subscription(scene: Scene) -> None:
    s = scene
    conn = s.connect(s.other)
    await s.hub.join(conn, s.project_id, None)
    pending(conn)
    await s.services.projects.delete(s.owner, s.project_id)
    got = pending(conn)
    assert [f["type"] for f in got] == ["project_deleted", "left"]
    assert got[1]["reason"] == "project_deleted"
    assert s.hub.rooms.get(s.project_id) is None


async def test_a_cursor_the_log_cannot_serve_gets_resync_required(services: Services) -> None:
    async for s in make_scene(services, max_replay=3):
        for n in range(5):
            await s.change(f"n{n}")
        head = (await services.events.heads([s.project_id]))[s.project_id]
        ahead = s.connect(s.other)
        await s.hub.join(ahead, s.project_id, head + 10)
        assert [f["type"] for f in pending(ahead)][-1] == "resync_required"
        behind = s.connect(s.owner)
        await s.hub.join(behind, s.project_id, head - 5)
        resync = pending(behind)[-1]
        assert resync == {
            "type": "resync_required",
            "projectId": s.project_id,
            "seq": head,
            "reason": "too far",
        }
        seq = await s.change("live again")
        assert [f["seq"] for f in pending(behind)] == [seq]


async def test_a_non_member_cannot_join(scene: Scene) -> None:
    s = scene
    stranger = await register(s.services, "stranger")
    conn = s.connect(stranger)
    await s.hub.join(conn, s.project_id, 0)
    await s.hub.join(conn, "proj_doesnotexist0000", 0)
    refusals = pending(conn)
    assert [f["code"] for f in refusals] == ["forbidden", "forbidden"]
    assert refusals[0]["message"] == refusals[1]["message"]
    await s.change("x")
    assert pending(conn) == []
    room = s.hub.rooms.get(s.project_id)
    assert room is None or conn.id not in room.subscribers
