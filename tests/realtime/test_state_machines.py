"""The delivery core's state machines: a connection, a subscription and a room each go
only where they can from where they are, and an impossible step fails loudly."""

from __future__ import annotations

import asyncio

import pytest

from tasklane.protocol import closes
from tasklane.realtime import outgoing
from tasklane.realtime.connection import BUSY, CLOSING, GONE, IDLE, Connection, QueueLimits
from tasklane.realtime.room import CLOSED, OPEN, OPENING, Room
from tasklane.realtime.states import InvalidTransition
from tasklane.realtime.subscription import ENDED, LIVE, PENDING, REPLAYING, Subscription


def connection(
    limits: QueueLimits = QueueLimits(), slow: list[Connection] | None = None
) -> Connection:
    told = slow if slow is not None else []
    return Connection("conn_1", "user_1", "Ana", "127.0.0.1", limits, on_slow=told.append)


def frame(seq: int, size: int = 10) -> outgoing.Outgoing:
    return outgoing.Outgoing("task_updated", b"x" * size, "proj_1", seq)


async def test_an_idle_connection_writes_straight_to_the_socket_while_it_takes_data() -> None:
    conn = connection()
    written: list[int | None] = []
    socket_takes = True

    def direct(sent: outgoing.Outgoing) -> bool:
        if socket_takes:
            written.append(sent.seq)
        return socket_takes

    conn.direct = direct
    conn.send(frame(1))
    assert (conn.state, written, conn.queued) == (IDLE, [1], 0)
    socket_takes = False  # backed up: the frame must wait, and so must the next
    conn.send(frame(2))
    socket_takes = True
    conn.send(frame(3))  # queued behind 2, never ahead of it
    assert (conn.state, written, conn.queued) == (BUSY, [1], 2)
    assert [(await conn.next()).seq for _ in range(2)] == [2, 3]  # type: ignore[union-attr]
    # The transport asks for more once it sent 3: the connection is idle again.
    waiting = asyncio.ensure_future(conn.next())
    await asyncio.sleep(0)
    assert conn.state is IDLE
    conn.send(frame(4))
    assert written == [1, 4]
    conn.close(1000, "bye")
    assert await waiting is None
    assert conn.state is CLOSING


async def test_closing_flushes_what_is_queued_unless_told_not_to() -> None:
    conn = connection()
    conn.send(frame(1))
    conn.send(frame(2))
    conn.close(4001, "drain")
    conn.send(frame(3))  # nothing new goes out once closing
    assert [(await conn.next()).seq for _ in range(2)] == [1, 2]  # type: ignore[union-attr]
    assert await conn.next() is None
    assert conn.close_frame == (4001, "drain")
    conn.close(1000, "again")  # asking again changes nothing
    assert conn.close_frame == (4001, "drain")
    dropped = connection()
    dropped.send(frame(1))
    dropped.close(closes.UNAUTHORIZED, "signed out", flush=False)
    assert await dropped.next() is None


async def test_a_consumer_over_its_queue_limit_is_closed_as_slow() -> None:
    slow: list[Connection] = []
    conn = connection(QueueLimits(messages=3, bytes=1_000), slow)
    for seq in range(1, 5):
        conn.send(frame(seq))
    assert conn.state is CLOSING
    assert conn.close_frame is not None
    assert conn.close_frame[0] == closes.SLOW_CONSUMER
    assert slow == [conn]
    assert conn.queued == 0  # not flushed: it resumes from its last seq instead


async def test_a_gone_connection_takes_nothing_and_cannot_come_back() -> None:
    conn = connection()
    conn.send(frame(1))
    conn.gone()
    assert conn.state is GONE
    conn.send(frame(2))
    conn.close(1000, "")  # a close asked after the transport finished: nothing to do
    assert await conn.next() is None
    with pytest.raises(InvalidTransition, match="gone -> gone"):
        conn.gone()


def test_a_subscription_hears_nothing_until_admitted_and_merges_what_waited() -> None:
    conn = connection()
    sent: list[int | None] = []

    def direct(written: outgoing.Outgoing) -> bool:
        sent.append(written.seq)
        return True

    conn.direct = direct
    sub = Subscription(conn, "proj_1")
    assert (sub.state, sub.joined) == (PENDING, False)
    sub.deliver(5, frame(5))
    assert sent == []
    sub.admit()
    assert (sub.state, sub.joined) == (REPLAYING, True)
    sub.deliver(6, frame(6))
    assert sent == []
    sub.go_live(cursor=5)  # the replay reached 5: 5 was in it, 6 was not
    assert (sub.state, sent) == (LIVE, [6])
    sub.deliver(6, frame(6))  # a duplicate
    sub.deliver(7, frame(7))
    assert sent == [6, 7]
    assert sub.end() is True
    assert sub.end() is False  # ending twice is not a mistake
    sub.deliver(8, frame(8))
    assert (sub.state, sent) == (ENDED, [6, 7])


@pytest.mark.parametrize(
    "steps",
    [
        ["go_live"],  # live without having been admitted
        ["admit", "admit"],
        ["admit", "go_live", "admit"],
        ["end", "admit"],  # an ended subscription never comes back
    ],
)
def test_impossible_subscription_steps_fail_loudly(steps: list[str]) -> None:
    sub = Subscription(connection(), "proj_1")
    *before, last = steps
    for step in before:
        getattr(sub, step)(**({"cursor": 0} if step == "go_live" else {}))
    with pytest.raises(InvalidTransition):
        getattr(sub, last)(**({"cursor": 0} if last == "go_live" else {}))


async def test_a_room_opens_once_and_closes_for_good() -> None:
    room = Room("proj_1")
    assert room.state is OPENING
    room.open(7)
    assert (room.state, room.head, room.opened.is_set()) == (OPEN, 7, True)
    with pytest.raises(InvalidTransition, match="open -> open"):
        room.open(8)
    room.close()
    assert room.state is CLOSED
    with pytest.raises(InvalidTransition, match="closed -> open"):
        room.open(9)
