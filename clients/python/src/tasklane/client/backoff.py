"""When to reconnect and over what: the delay schedule and the fallback ladder, pure.

The schedule (the seed's): the first retry comes after 2 s, each next one after twice
as long, never more than 30 s, each with ±20 % jitter so that clients dropped together
do not come back together. Five WebSocket retries (2, 4, 8, 16, 30 s); then Server-Sent
Events (three retries once a stream has worked; one refused before its first frame
means SSE is blocked, so straight on); then long polling, retried for ever. While on a
fallback, a WebSocket is probed about every 30 s to move back up. A rung's failures are
forgiven once a connection on it has lasted 30 s, not as soon as it opens.

Nothing here does I/O or reads a clock: the random source is passed in, and the realtime
client does the sleeping. The browser's client (``web/static/js/realtime/constants.js``
and ``ladder.js``) takes the same steps with the same numbers;
``tests/web/test_js_constants.py`` holds the two together.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from tasklane.protocol import closes

TransportName = Literal["ws", "sse", "poll"]
TRANSPORTS: tuple[TransportName, ...] = ("ws", "sse", "poll")

FIRST_DELAY = 2.0  # seconds before the first retry
FACTOR = 2.0
MAX_DELAY = 30.0
JITTER = 0.2  # each delay is its nominal value times [0.8, 1.2), capped at MAX_DELAY
PROBE_EVERY = 30.0  # seconds between WebSocket probes while on a fallback (± JITTER)
# Seconds a connection must last before the failures of its rung are forgiven: one that
# a proxy accepts and cuts at once still counts, so the client moves on to a fallback.
STABLE_AFTER = 30.0
RETRIES: dict[TransportName, int | None] = {"ws": 5, "sse": 3, "poll": None}  # None: for ever

Random = Callable[[], float]  # like random.random: a float in [0, 1)


def jittered(nominal: float, random: Random) -> float:
    return nominal * (1.0 - JITTER + 2.0 * JITTER * random())


def retry_delay(failures: int, random: Random) -> float:
    """Seconds before retry number ``failures + 1``: 2, 4, 8, 16, 30, 30 … ± 20 %, and
    never more than 30."""
    nominal = min(MAX_DELAY, FIRST_DELAY * FACTOR ** min(failures, 16))
    return min(MAX_DELAY, jittered(nominal, random))


def probe_delay(random: Random) -> float:
    return jittered(PROBE_EVERY, random)


def is_final(code: int | None) -> bool:
    """4400-4499: "do not reconnect" (credentials, origin, abuse)."""
    return code is not None and code in closes.FINAL


def retry_hint(code: int | None, reason: str) -> float | None:
    """Seconds a 4001 (shutdown) close asks the client to wait: its ``retryAfterMs``."""
    if code != closes.SHUTDOWN:
        return None
    try:
        millis = json.loads(reason)["retryAfterMs"]
    except (ValueError, TypeError, KeyError):
        return None
    if isinstance(millis, bool) or not isinstance(millis, int | float) or millis < 0:
        return None
    return float(millis) / 1000.0


@dataclass(frozen=True)
class Retry:
    """Wait ``delay`` seconds, then try the same transport again."""

    transport: TransportName
    delay: float


@dataclass(frozen=True)
class FallBack:
    """Give up on the transport: try ``transport``, the next one down, at once."""

    transport: TransportName


class Ladder:
    """Which transport to use next, and after how long, from what happened to the last.

    ``transports`` are the rungs, best first (a subset of ws, sse, poll in that order).
    """

    def __init__(self, transports: Sequence[TransportName], random: Random) -> None:
        rungs = tuple(transports)
        known = all(rung in TRANSPORTS for rung in rungs)
        if not known or not rungs or list(rungs) != sorted(set(rungs), key=TRANSPORTS.index):
            raise ValueError(f"transports must be some of {TRANSPORTS}, in that order")
        self.transports = rungs
        self.random = random
        self.level = 0
        self.failures = 0  # failed attempts since the transport last worked
        self.worked = False  # whether the current rung has worked since we came to it

    @property
    def transport(self) -> TransportName:
        return self.transports[self.level]

    @property
    def probing(self) -> bool:
        """Whether to probe a WebSocket in the background: on a fallback, with ws allowed."""
        return self.level > 0 and self.transports[0] == "ws"

    def established(self) -> None:
        """The transport works (its first frame arrived): SSE is not blocked here."""
        self.worked = True

    def forgive(self) -> None:
        """The connection has lasted ``STABLE_AFTER``: the failures so far no longer count."""
        self.failures = 0

    def upgrade(self) -> None:
        """A WebSocket probe succeeded: back to the top rung."""
        self.level = 0
        self.failures = 0
        self.worked = True

    def lost(self, *, was_up: bool, hint: float | None = None) -> Retry | FallBack:
        """The connection ended (``was_up``: after it had worked) or could not be made.
        ``hint`` is the server's own delay (4001 on shutdown)."""
        if was_up and hint is not None:
            # A server that drains asks us back at a moment of its choosing; that is not a
            # failed attempt.
            return Retry(self.transport, hint)
        limit = RETRIES[self.transport]
        can_fall = self.level + 1 < len(self.transports)
        # SSE that never gave a first frame here is blocked on the way (a proxy, a
        # firewall): retrying it only delays the fallback that works.
        blocked = self.transport == "sse" and not was_up and not self.worked
        if can_fall and (blocked or (limit is not None and self.failures >= limit)):
            self.level += 1
            self.failures = 0
            self.worked = False
            return FallBack(self.transport)
        delay = retry_delay(self.failures, self.random)
        if hint is not None:
            delay = max(delay, hint)
        self.failures += 1
        return Retry(self.transport, delay)
