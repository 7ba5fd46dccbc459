"""Injected time for the realtime client: every delay it asks for is recorded, and
passes a thousand times faster (or waits for the test, when told to hold)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

SCALE = 0.001


def steady(value: float = 0.75) -> Callable[[], float]:
    """A "random" source that always says ``value``: 0.75 makes every jitter x1.1."""
    return lambda: value


class FastTime:
    """A ``sleep`` for the client: records each delay and sleeps ``SCALE`` of it. With
    ``hold(delay)``, the first sleep of that length waits until ``release()``."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.holding = asyncio.Event()  # set once a sleep is being held
        self._hold: float | None = None
        self._released = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        if self._hold is not None and abs(seconds - self._hold) < 1e-9:
            self._hold = None
            self.holding.set()
            await self._released.wait()
            return
        await asyncio.sleep(seconds * SCALE)

    def hold(self, seconds: float) -> None:
        self._hold = seconds

    def release(self) -> None:
        self._released.set()
