"""WebSocket close codes, in two ranges a client can act on without a table:

* ``4000-4099``: **reconnect and resume**: come back (after the hint or a backoff) and
  join with ``lastSeq``; nothing is lost.
* ``4400-4499``: **do not reconnect**: the same attempt would fail again; fix the
  credentials, the origin or the client first.

The standard codes 1001 (going away) and 1012 (service restart) also mean "reconnect
and resume"; 1009 (message too big) means the client sent a frame over WS_MAX_FRAME_BYTES.
"""

from __future__ import annotations

from dataclasses import dataclass

# Reconnect and resume.
SLOW_CONSUMER = 4000  # the send queue overflowed
SHUTDOWN = 4001  # the gateway is draining; the reason is {"retryAfterMs": N}
TOO_MANY_CONNECTIONS = 4002  # per-user or per-address connection limit; retry later

# Do not reconnect.
UNAUTHORIZED = 4401  # missing, invalid or expired credentials or ticket
ORIGIN_REFUSED = 4403  # a cookie-authenticated upgrade from a foreign origin
ABUSE = 4429  # too many refused frames in a row
EPISODE_GONE = 4404  # the gym episode was deleted or expired

RESUME = range(4000, 4100)
FINAL = range(4400, 4500)


@dataclass(frozen=True)
class Refusal:
    """Why a connection (WebSocket or SSE) is not accepted: its close code, a reason a
    person can read, and the label it is counted under in metrics."""

    code: int
    reason: str
    metric: str
