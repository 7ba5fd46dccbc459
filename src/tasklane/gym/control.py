"""The gym's announcements between processes: "the state was reset" and "the clock is
now this" (``realtime.control.GymReset`` and ``GymClock``). They travel on the broker's
control channel, so every process hears them the way it hears events: in memory in one
process, over Redis between several, and through the gateway's ``/control`` endpoint
from an API-only process without Redis."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from tasklane.clock import AdjustableClock, Clock
from tasklane.realtime.broker import Announcement, Broker, Message
from tasklane.realtime.control import ClockSetting, GymClock, GymReset


def clock_setting(clock: AdjustableClock) -> ClockSetting:
    """The clock's setting as announced: ``now`` null for wall time."""
    setting = clock.setting()
    if setting is None:
        return ClockSetting(now=None)
    moment, frozen, set_at = setting
    return ClockSetting(now=moment.isoformat(), frozen=frozen, set_at=set_at)


def apply_clock(clock: Clock, setting: ClockSetting) -> None:
    """Set this process's clock as another process announced it."""
    if not isinstance(clock, AdjustableClock):
        return
    if setting.now is None:
        clock.release()
        return
    clock.set(datetime.fromisoformat(setting.now), frozen=setting.frozen, set_at=setting.set_at)


def listener(
    clock: Clock, on_reset: Callable[[], Awaitable[None]]
) -> Callable[[Message], Awaitable[None]]:
    """A broker listener that applies announced clocks and runs ``on_reset`` after a
    reset (or a restore): every other message passes by."""

    async def hear(message: Message) -> None:
        if not isinstance(message, Announcement):
            return
        notice = message.notice
        if isinstance(notice, GymReset | GymClock) and notice.clock is not None:
            apply_clock(clock, notice.clock)
        if isinstance(notice, GymReset):
            await on_reset()

    return hear


async def announce(broker: Broker, notice: GymReset | GymClock) -> None:
    await broker.publish(Announcement(notice))
