"""Long polls waiting for a project's log to grow, woken by the broker."""

from __future__ import annotations

import asyncio
import contextlib

from tasklane.realtime.broker import BrokerMessage


class ProjectWaiters:
    """One wake-up signal per project with waiters. Take ``signal(project)`` *before*
    reading the log, then ``wait`` on it: a commit in between has already set it, so
    it cannot slip through."""

    def __init__(self) -> None:
        self._signals: dict[str, asyncio.Event] = {}

    def signal(self, project_id: str) -> asyncio.Event:
        return self._signals.setdefault(project_id, asyncio.Event())

    async def listener(self, message: BrokerMessage) -> None:
        """Broker listener: wake everyone waiting on the message's project."""
        if message.seq is not None:
            signal = self._signals.pop(message.project_id, None)
            if signal is not None:
                signal.set()

    @staticmethod
    async def wait(signal: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), seconds)


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
