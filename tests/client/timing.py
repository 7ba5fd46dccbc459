"""Injected time for the realtime client: every delay it asks for is recorded, and
passes a thousand times faster (or waits for the test, when told to hold). The wait
after which a connection counts as lasting (``STABLE_AFTER``) never passes on its own:
a connection in these tests lasts only as long as the test says (``lasted()``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tasklane.client.backoff import STABLE_AFTER

FORGIVING = "tasklane-forgive"  # the client's task that waits for a connection to last

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
        self._lasted = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        task = asyncio.current_task()
        if seconds == STABLE_AFTER and task is not None and task.get_name() == FORGIVING:
            await self._lasted.wait()
            return
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

    def lasted(self) -> None:
        """Every connection up now has lasted ``STABLE_AFTER``."""
        self._lasted.set()
        self._lasted = asyncio.Event()
