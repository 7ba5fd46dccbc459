"""The Broker contract, once, for every implementation: the in-process broker and Redis
pub/sub. A "node" is one process's broker on a shared bus: for memory there is only
the one process, so every node is the same broker; for Redis each node is a broker with
its own connections, as each gateway and API process has."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest
from redis.asyncio import Redis

from tasklane.realtime.broker import Announcement, Broker, Message, Presence
from tasklane.realtime.control import GymClock, TokensRevoked
from tasklane.realtime.log import Committed
from tasklane.realtime.memory_broker import MemoryBroker
from tasklane.realtime.redis_broker import RedisBroker, redis_client
from tests.processes import TEST_REDIS, eventually


@dataclass
class Bus:
    node: Callable[[], Broker]


@pytest.fixture(params=["memory", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    brokers: list[Broker] = []
    clients: list[Redis] = []
    if request.param == "memory":
        shared = MemoryBroker()
        brokers.append(shared)
        yield Bus(lambda: shared)
    else:
        prefix = f"test-{uuid.uuid4().hex[:8]}"

        def node() -> Broker:
            client = redis_client(TEST_REDIS)
            clients.append(client)
            broker = RedisBroker(client, prefix=prefix)
            brokers.append(broker)
            return broker

        yield Bus(node)
    for broker in brokers:
        await broker.close()
    for client in clients:
        await client.aclose()


@dataclass
class Heard:
    """A listener that records what it hears."""

    messages: list[Message] = field(default_factory=list)
    grew: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)
        self.grew.set()

    async def first(self, count: int, within: float = 5.0) -> list[Message]:
        async with asyncio.timeout(within):
            while len(self.messages) < count:
                self.grew.clear()
                await self.grew.wait()
        return self.messages[:count]

    async def seqs(self, count: int) -> list[int]:
        return [m.seq for m in await self.first(count) if isinstance(m, Committed)]


async def listening(broker: Broker, listener: Heard, *project_ids: str) -> None:
    """Subscribe, wait for the subscription to be up, and follow the projects."""
    broker.subscribe(listener)
    await eventually(lambda: broker.alive, "subscribed")
    for project_id in project_ids:
        await broker.follow(project_id)


def project() -> str:
    return f"proj_{uuid.uuid4().hex[:12]}"


async def test_a_followed_projects_messages_reach_another_process_intact(bus: Bus) -> None:
    publisher, subscriber = bus.node(), bus.node()
    heard, pid = Heard(), project()
    await listening(subscriber, heard, pid)
    sent: list[Message] = [
        Committed(pid, 7, "task_created", '{"name":"Ünïcode ✓\\n"}'.encode(), None, 1767225600.125),
        Committed(pid, 8, "member_removed", b'{"type":"member_removed"}', "user_gone"),
        Presence(pid, "user_connected", b'{"type":"user_connected"}', 1767225601.5),
    ]
    for message in sent:
        await publisher.publish(message)
    assert await heard.first(3) == sent


async def test_one_publishers_messages_arrive_in_the_order_published(bus: Bus) -> None:
    publisher, subscriber = bus.node(), bus.node()
    heard, pid = Heard(), project()
    await listening(subscriber, heard, pid)
    for seq in range(1, 301):
        await publisher.publish(Committed(pid, seq, "task_updated", b"{}"))
    assert await heard.seqs(300) == list(range(1, 301))


async def test_a_process_hears_what_it_publishes_itself(bus: Bus) -> None:
    broker = bus.node()
    heard, pid = Heard(), project()
    await listening(broker, heard, pid)
    await broker.publish(Committed(pid, 1, "task_created", b"{}"))
    assert await heard.seqs(1) == [1]


async def test_projects_are_told_apart(bus: Bus) -> None:
    publisher, subscriber = bus.node(), bus.node()
    heard, one, two = Heard(), project(), project()
    await listening(subscriber, heard, one, two)
    await publisher.publish(Committed(one, 1, "task_created", b"1"))
    await publisher.publish(Committed(two, 1, "task_created", b"2"))
    got = await heard.first(2)
    assert {(m.project_id, m.frame) for m in got if isinstance(m, Committed)} == {
        (one, b"1"),
        (two, b"2"),
    }


async def test_every_listener_hears_until_it_unsubscribes(bus: Bus) -> None:
    publisher, subscriber = bus.node(), bus.node()
    stays, goes, pid = Heard(), Heard(), project()
    await listening(subscriber, stays, pid)
    unsubscribe = subscriber.subscribe(goes)
    await publisher.publish(Committed(pid, 1, "task_created", b"{}"))
    await stays.first(1)
    await goes.first(1)
    unsubscribe()
    await publisher.publish(Committed(pid, 2, "task_updated", b"{}"))
    assert await stays.seqs(2) == [1, 2]
    assert [m.seq for m in goes.messages if isinstance(m, Committed)] == [1]


async def test_a_failing_listener_does_not_starve_the_others(bus: Bus) -> None:
    publisher, subscriber = bus.node(), bus.node()

    async def broken(_message: Message) -> None:
        raise RuntimeError("listener bug")

    heard, pid = Heard(), project()
    subscriber.subscribe(broken)
    await listening(subscriber, heard, pid)
    await publisher.publish(Committed(pid, 1, "task_created", b"{}"))
    await publisher.publish(Committed(pid, 2, "task_updated", b"{}"))
    assert await heard.seqs(2) == [1, 2]


async def test_follows_are_counted(bus: Bus) -> None:
    """Two parts of one process (the hub and the long polls) may follow one project;
    one of them letting go must not deafen the other."""
    publisher, subscriber = bus.node(), bus.node()
    heard, pid = Heard(), project()
    await listening(subscriber, heard, pid)
    await subscriber.follow(pid)
    subscriber.unfollow(pid)
    # The unfollow is queued before this follow's SUBSCRIBE: once the follow of another
    # project returns, the unfollow has been acted on.
    await subscriber.follow(project())
    await publisher.publish(Committed(pid, 1, "task_created", b"{}"))
    assert await heard.seqs(1) == [1]


async def test_following_again_at_once_after_letting_go_still_hears(bus: Bus) -> None:
    """A room that closes and reopens at once (a leave, then a join) unsubscribes and
    subscribes again in quick succession; the last word must win."""
    publisher, subscriber = bus.node(), bus.node()
    heard, pid = Heard(), project()
    await listening(subscriber, heard)
    first = asyncio.create_task(subscriber.follow(pid))
    await asyncio.sleep(0)  # it has asked to subscribe, and waits to hear back
    subscriber.unfollow(pid)
    await asyncio.gather(first, subscriber.follow(pid))
    await publisher.publish(Committed(pid, 1, "task_created", b"{}"))
    assert await heard.seqs(1) == [1]


async def test_publishing_with_nobody_listening_is_harmless(bus: Bus) -> None:
    publisher = bus.node()
    await publisher.publish(Committed(project(), 1, "task_created", b"{}"))
    publisher.unfollow(project())  # an unfollow without a follow is ignored


async def test_a_closed_broker_delivers_nothing_more(bus: Bus) -> None:
    publisher, subscriber = bus.node(), bus.node()
    heard, pid = Heard(), project()
    await listening(subscriber, heard, pid)
    await subscriber.close()
    witness = Heard()
    await listening(bus.node(), witness, pid)
    await publisher.publish(Committed(pid, 1, "task_created", b"{}"))
    # Another process on the same bus heard it: by then the closed one would have too.
    assert await witness.seqs(1) == [1]
    assert heard.messages == []


async def test_announcements_reach_every_process_without_following(bus: Bus) -> None:
    """The control channel is heard by every process: a revoked token must close its
    connections on every gateway, whatever projects they follow."""
    publisher, subscriber = bus.node(), bus.node()
    heard = Heard()
    await listening(subscriber, heard)
    revoked = Announcement(TokensRevoked(token_ids=["tok_a", "tok_b"]))
    clock = Announcement(GymClock.model_validate({"clock": {"now": None}}))
    await publisher.publish(revoked)
    await publisher.publish(clock)
    assert await heard.first(2) == [revoked, clock]
