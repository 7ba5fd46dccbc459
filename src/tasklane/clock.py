"""The one source of time. Nothing else in Tasklane calls ``datetime.now()``.

Timestamps are UTC and truncated to milliseconds, the precision of the wire format,
so a value survives a round trip through any database unchanged.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol


def to_millis(moment: datetime) -> datetime:
    """``moment`` in UTC, truncated to whole milliseconds."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def iso_millis(moment: datetime) -> str:
    """The wire form of a timestamp: ``2026-01-01T12:00:00.000Z``."""
    return to_millis(moment).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


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
