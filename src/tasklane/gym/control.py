"""Gym announcements between processes: "the state was reset" and "the clock is now
this". They travel on the broker under a reserved channel name (no project ID looks like
it), so every process hears them the way it hears events: in memory in one process,
over Redis between several, and through the gateway's ``/control`` endpoint from an
API-only process without Redis."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from tasklane.clock import AdjustableClock, Clock
from tasklane.realtime.broker import CONTROL_CHANNEL, Broker, BrokerMessage

CHANNEL = CONTROL_CHANNEL
RESET = "gym_reset"
CLOCK = "gym_clock"
KINDS = frozenset({RESET, CLOCK})


def clock_body(clock: AdjustableClock) -> dict[str, Any]:
    """The clock's setting as announced, or ``{"now": null}`` for wall time."""
    setting = clock.setting()
    if setting is None:
        return {"now": None, "frozen": False, "setAt": 0.0}
    moment, frozen, set_at = setting
    return {"now": moment.isoformat(), "frozen": frozen, "setAt": set_at}


def message(kind: str, body: dict[str, Any]) -> BrokerMessage:
    return BrokerMessage(CHANNEL, None, kind, json.dumps(body).encode(), published_at=time.time())


def apply_clock(clock: Clock, body: dict[str, Any]) -> None:
    """Set this process's clock as another process announced it."""
    if not isinstance(clock, AdjustableClock):
        return
    if body.get("now") is None:
        clock.release()
        return
    moment = datetime.fromisoformat(body["now"])
    clock.set(moment, frozen=bool(body.get("frozen")), set_at=float(body["setAt"]))


def listener(
    clock: Clock, on_reset: Callable[[], Awaitable[None]]
) -> Callable[[BrokerMessage], Awaitable[None]]:
    """A broker listener that applies announced clocks and runs ``on_reset`` after a
    reset (or a restore): every other message passes by."""

    async def hear(msg: BrokerMessage) -> None:
        if msg.project_id != CHANNEL or msg.type not in KINDS:
            return
        body = json.loads(msg.frame)
        if body.get("clock") is not None:
            apply_clock(clock, body["clock"])
        if msg.type == RESET:
            await on_reset()

    return hear


async def announce(broker: Broker, kind: str, body: dict[str, Any]) -> None:
    await broker.publish(message(kind, body))
