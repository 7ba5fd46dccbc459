"""Long polls waiting for a project's log to grow, woken by the broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from tasklane.realtime.broker import Broker, Message
from tasklane.realtime.log import Committed, LogPage


class ProjectWaiters:
    """One wake-up signal per project with waiters. Take ``signal(project)`` *before*
    reading the log, then ``wait`` on it: a commit in between has already set it, so
    it cannot slip through.

    Given the process's ``broker``, a project with waiting polls is followed on it, so
    a commit made through another process (with Redis) wakes them too; a project no
    poll has waited on for ``linger`` seconds is let go."""

    def __init__(self, broker: Broker | None = None, linger: float = 60.0) -> None:
        self._signals: dict[str, asyncio.Event] = {}
        self._broker = broker
        self._linger = linger
        self._followed: dict[str, float] = {}  # project -> when a poll last waited on it
        self._swept = 0.0
        self._following: set[asyncio.Task[None]] = set()

    def signal(self, project_id: str) -> asyncio.Event:
        if self._broker is not None:
            self._follow(self._broker, project_id)
        return self._signals.setdefault(project_id, asyncio.Event())

    def _follow(self, broker: Broker, project_id: str) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if project_id not in self._followed:
            # The first poll of a project may miss a commit while this subscribes; it
            # re-reads the log within a second anyway.
            task = loop.create_task(broker.follow(project_id))
            self._following.add(task)
            task.add_done_callback(self._following.discard)
        self._followed[project_id] = now
        if now - self._swept > self._linger:
            self._swept = now
            for idle in [p for p, at in self._followed.items() if now - at > self._linger]:
                del self._followed[idle]
                broker.unfollow(idle)

    async def listener(self, message: Message) -> None:
        """Broker listener: wake everyone waiting on the project of a committed event."""
        if isinstance(message, Committed):
            signal = self._signals.pop(message.project_id, None)
            if signal is not None:
                signal.set()

    def wake_all(self) -> None:
        """Wake every waiting poll (the whole state was replaced: they read again)."""
        signals, self._signals = self._signals, {}
        for signal in signals.values():
            signal.set()

    @staticmethod
    async def wait(signal: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), seconds)


async def long_poll(
    read: Callable[[], Awaitable[LogPage]],
    signal: Callable[[], asyncio.Event],
    *,
    after: int,
    wait: float,
    recheck: float,
    gone: Callable[[], Awaitable[bool]],
) -> LogPage:
    """Read the log after ``after`` until it holds something, the project has ended,
    the log started again below the cursor (a gym reset), ``wait`` seconds have
    passed, or the caller has ``gone``. Woken through ``signal`` (a project's wake-up,
    set by the broker), and reading again every ``recheck`` seconds anyway, for commits
    no broker told this process about."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        woken = signal()  # taken before reading: a commit after the read sets it
        page = await read()
        left = deadline - loop.time()
        if page.events or page.ended or after > page.head or left <= 0 or await gone():
            return page
        await ProjectWaiters.wait(woken, min(left, recheck))


class Slots:
    """At most ``limit`` concurrent long polls per user."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: dict[str, int] = {}

    def take(self, user_id: str) -> bool:
        if self._held.get(user_id, 0) >= self.limit:
            return False
        self._held[user_id] = self._held.get(user_id, 0) + 1
        return True

    def give_back(self, user_id: str) -> None:
        left = self._held.get(user_id, 1) - 1
        if left:
            self._held[user_id] = left
        else:
            self._held.pop(user_id, None)
