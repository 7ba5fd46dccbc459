"""One client connection as the delivery core sees it: who it is, what it follows, and
its bounded send queue, with the state of its sending as an explicit machine.

A gateway holds thousands of these for hours, so each is kept small (slots, no queue
or event of its own while idle), and sending a frame to an idle connection costs one
call: straight to the socket when the transport can take it (``direct``).
"""

from __future__ import annotations

import asyncio
import enum
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tasklane.protocol import closes
from tasklane.realtime.outgoing import Outgoing
from tasklane.realtime.states import check

if TYPE_CHECKING:
    from tasklane.realtime.subscription import Subscription


@dataclass(frozen=True)
class QueueLimits:
    messages: int = 2_000
    bytes: int = 8 * 1024 * 1024


class ConnectionState(enum.Enum):
    IDLE = "idle"  # open, nothing queued and nothing being sent: a frame may go straight out
    BUSY = "busy"  # open, frames wait in the queue or the transport is sending one it took
    CLOSING = "closing"  # asked to close: what is queued may still go, nothing new does
    GONE = "gone"  # the transport has finished with it


IDLE, BUSY, CLOSING, GONE = ConnectionState
TRANSITIONS = {
    IDLE: {BUSY, CLOSING, GONE},
    BUSY: {IDLE, CLOSING, GONE},
    CLOSING: {GONE},
    GONE: set(),
}


def _ignore(_conn: Connection) -> None:
    pass


class Connection:
    """``send`` never waits: straight to the socket when the connection is idle and the
    socket takes data, else through the queue; over the queue's limits, the connection
    is closed as a slow consumer (it resumes from its last ``seq``). The transport takes
    frames with ``next`` (and ``take`` for batches) until ``next`` says it is over."""

    __slots__ = (
        "_bytes",
        "_closed",
        "_queue",
        "_waiter",
        "address",
        "batching",
        "close_frame",
        "direct",
        "id",
        "limits",
        "name",
        "on_close",
        "on_slow",
        "state",
        "subscriptions",
        "token_id",
        "user_id",
    )

    def __init__(
        self,
        connection_id: str,
        user_id: str,
        name: str,
        address: str,
        limits: QueueLimits,
        token_id: str = "",
        on_slow: Callable[[Connection], None] = _ignore,
    ) -> None:
        self.id = connection_id
        self.user_id = user_id
        self.token_id = token_id  # the session or personal token it authenticated with
        self.name = name
        self.address = address
        self.limits = limits
        self.subscriptions: dict[str, Subscription] = {}
        self.state = IDLE
        self.close_frame: tuple[int, str] | None = None  # the code and reason, once closing
        self.on_slow = on_slow
        # Told once, when the connection is first asked to close (the transport's cue).
        self.on_close: Callable[[], None] | None = None
        # Writes a frame to the socket at once when it can (see gateway.direct).
        self.direct: Callable[[Outgoing], bool] | None = None
        self.batching = False  # takes several frames in one message (``?batch=1``)
        self._queue: deque[Outgoing] | None = None  # made when the first frame must wait
        self._bytes = 0
        self._waiter: asyncio.Future[None] | None = None  # ``next`` waiting for a frame
        self._closed: asyncio.Event | None = None

    def _become(self, state: ConnectionState) -> None:
        check(self, self.state, state, TRANSITIONS)
        self.state = state

    def send(self, frame: Outgoing) -> None:
        state = self.state
        if state is IDLE:
            direct = self.direct
            if direct is not None and direct(frame):
                return
            self._become(BUSY)
            self._queue = deque()
        elif state is not BUSY:
            return  # closing or gone: nothing more goes out
        queue = self._queue
        assert queue is not None
        size = len(frame.data)
        limits = self.limits
        if len(queue) >= limits.messages or self._bytes + size > limits.bytes:
            self.close(closes.SLOW_CONSUMER, "slow consumer: reconnect and resume", flush=False)
            self.on_slow(self)
            return
        queue.append(frame)
        self._bytes += size
        self._wake()

    def send_run(self, run: Outgoing) -> None:
        """Send a run (``outgoing.run``): in one write straight to the socket when the
        connection is idle and the socket takes it, else frame by frame."""
        if self.state is IDLE and self.direct is not None and self.direct(run):
            return
        for frame in run.parts or ():
            self.send(frame)

    def close(self, code: int, reason: str, *, flush: bool = True) -> None:
        """Ask the transport to close; with ``flush``, after the frames already queued.
        Asking again, or once the transport is gone, changes nothing."""
        if self.state is CLOSING or self.state is GONE:
            return
        self._become(CLOSING)
        self.close_frame = (code, reason)
        if self._closed is not None:
            self._closed.set()
        if not flush and self._queue:
            self._queue.clear()
            self._bytes = 0
        self._wake()
        if self.on_close is not None:
            self.on_close()

    def gone(self) -> None:
        """The transport has finished with the connection: nothing is sent any more."""
        self._become(GONE)
        self._queue = None
        self._bytes = 0
        self._wake()

    @property
    def open(self) -> bool:
        return self.state is IDLE or self.state is BUSY

    @property
    def closed(self) -> asyncio.Event:
        """Set once the connection is to be closed (made for whoever first asks)."""
        if self._closed is None:
            self._closed = asyncio.Event()
            if not self.open:
                self._closed.set()
        return self._closed

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next(self) -> Outgoing | None:
        """The next frame to send, or None once the connection is to be closed and
        nothing queued is left to send.

        The frame counts as being sent until ``next`` is called again: meanwhile new
        frames queue behind it rather than go straight to the socket ahead of it."""
        while True:
            frame = self._pop()
            if frame is not None:
                return frame
            if self.state is not IDLE:
                return None
            # Waiting holds nothing of the connection's but this future: thousands of
            # idle connections wait here for hours.
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def _pop(self) -> Outgoing | None:
        """The next queued frame; with none left, the one taken before has been sent,
        and the connection is idle again (its queue goes)."""
        queue = self._queue
        if queue:
            frame = queue.popleft()
            self._bytes -= len(frame.data)
            return frame
        if self.state is BUSY:
            self._become(IDLE)
            self._queue = None
        return None

    def take(self, frames: int, max_bytes: int) -> list[Outgoing]:
        """Up to ``frames`` more queued frames, at most ``max_bytes`` of JSON in all, at
        once (for a client that takes several events in one message)."""
        taken: list[Outgoing] = []
        queue = self._queue
        if not queue:
            return taken
        size = 0
        while queue and len(taken) < frames:
            length = len(queue[0].data)
            if taken and size + length > max_bytes:
                break
            frame = queue.popleft()
            self._bytes -= length
            size += length
            taken.append(frame)
        return taken

    @property
    def queued(self) -> int:
        return len(self._queue) if self._queue else 0
