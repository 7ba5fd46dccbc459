"""The one source of time. Nothing else in Tasklane calls ``datetime.now()``.

Timestamps are UTC and truncated to milliseconds, the precision of the wire format
(``tasklane.protocol.timestamps``), so a value survives a round trip through any
database unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from tasklane.protocol.timestamps import to_millis


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, UTC, millisecond precision."""
        ...

    def today(self) -> date:
        """The current UTC date."""
        ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return to_millis(datetime.now(UTC))

    def today(self) -> date:
        return self.now().date()


class FrozenClock:
    """A clock that only moves when told to: for tests and replayable episodes."""

    def __init__(self, start: datetime) -> None:
        self._now = to_millis(start)

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def set(self, moment: datetime) -> None:
        self._now = to_millis(moment)


class AdjustableClock:
    """The gym's one clock for the whole app: wall time until set, then a chosen
    moment that either stays put (frozen) or runs on from there at wall speed."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._set_at: float | None = None  # wall time when the clock was set
        self._moment = self.now()
        self.frozen = False

    @property
    def adjusted(self) -> bool:
        return self._set_at is not None

    def now(self) -> datetime:
        if self._set_at is None:
            return to_millis(datetime.fromtimestamp(self._wall(), UTC))
        if self.frozen:
            return self._moment
        return to_millis(self._moment + timedelta(seconds=self._wall() - self._set_at))

    def today(self) -> date:
        return self.now().date()

    def set(self, moment: datetime, *, frozen: bool, set_at: float | None = None) -> None:
        """Show ``moment`` from ``set_at`` (wall time, default now) on; frozen, it
        stays there; otherwise it advances with the wall clock."""
        self._moment = to_millis(moment)
        self._set_at = self._wall() if set_at is None else set_at
        self.frozen = frozen

    def setting(self) -> tuple[datetime, bool, float] | None:
        """What it was set to: the moment, frozen or not, and the wall time it was set
        at; None while it shows wall time."""
        if self._set_at is None:
            return None
        return self._moment, self.frozen, self._set_at

    def release(self) -> None:
        """Back to wall time."""
        self._set_at = None
        self.frozen = False
