"""Where a :class:`~tasklane.client.realtime.RealtimeClient` stands: :class:`Status`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tasklane.client.backoff import TransportName

State = Literal["connecting", "connected", "reconnecting", "sse", "polling", "offline"]
# The state a transport's link is in once it works.
LIVE: dict[TransportName, State] = {"ws": "connected", "sse": "sse", "poll": "polling"}


@dataclass(frozen=True)
class Status:
    """Where the client stands (the seed's ``RealtimeStatus``).

    ``state``: ``connecting``; ``connected`` (WebSocket); ``sse`` or ``polling`` (live on a
    fallback); ``reconnecting`` (``retry_in`` seconds from now, over ``transport``);
    ``offline`` (``reason`` and ``code`` say why: refused, or closed).
    """

    state: State
    transport: TransportName | None = None
    retry_in: float | None = None
    reason: str | None = None
    code: int | None = None

    @property
    def is_connected(self) -> bool:
        """Live on some transport: changes arrive (the seed's ``isConnected``)."""
        return self.state in ("connected", "sse", "polling")
