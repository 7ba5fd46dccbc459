"""The followers of the scale and fault tests stop when told to, always: a whole run once
hung for minutes after its assertions had passed, because a reader cancelled in the same
turn as its frame arrived took the frame instead and went on waiting for the next."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.realtime.client import Client
from tests.scale.people import Follower, Member


class Socket:
    """A WebSocket whose next message arrives when the test says."""

    def __init__(self) -> None:
        self.arrived: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def recv(self) -> str:
        return await self.arrived


async def test_a_read_cancelled_as_its_frame_arrives_still_ends() -> None:
    socket = Socket()
    client = Client(socket)  # type: ignore[arg-type]
    reading = asyncio.create_task(client.next(within=3600))
    await asyncio.sleep(0)  # the read waits for its frame
    socket.arrived.set_result('{"type": "pong"}')
    reading.cancel()  # in the same turn as the frame
    with pytest.raises(asyncio.CancelledError):
        await reading


async def test_a_follower_that_will_not_stop_fails_within_its_bound() -> None:
    member: Any = Member("user_x", "Ana", "tl_x", http=None)  # type: ignore[arg-type]
    follower = Follower(member, "proj_x", ["ws://127.0.0.1:9"], after=0)
    stubborn = asyncio.Event()

    async def ignores_cancellation() -> None:
        while not stubborn.is_set():
            try:
                await stubborn.wait()
            except asyncio.CancelledError:
                continue  # a reader that swallows its cancellation

    reader = follower._task = asyncio.create_task(ignores_cancellation())
    await asyncio.sleep(0)  # it is reading
    with pytest.raises(AssertionError, match=r"did not stop within 0\.2 s"):
        await follower.stop(within=0.2)
    stubborn.set()  # let it go, for the test's own sake
    await reader
