"""The broker seam: how a committed event travels from the process that wrote it to
every gateway. Implementations sit beside this module; ``memory_broker`` is the
in-process one used by ``tasklane serve`` with no ``REDIS_URL``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BrokerMessage:
    """One already-serialised frame for a project's room.

    ``seq`` is the event's place in the project's log, or ``None`` for ephemeral
    frames (presence) that are never stored. ``type`` is the event type, so a gateway
    can act on access changes without parsing every frame; ``published_at`` (epoch
    seconds) measures publish-to-send latency.
    """

    project_id: str
    seq: int | None
    type: str
    frame: bytes
    published_at: float = 0.0


Listener = Callable[[BrokerMessage], Awaitable[None]]


class Broker(Protocol):
    async def publish(self, message: BrokerMessage) -> None:
        """Hand ``message`` to every subscriber. Delivery is best effort: a lost
        message is a gap that the gateway fills from the event log."""
        ...

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every message published from now on; returns an
        unsubscribe function."""
        ...

    async def close(self) -> None: ...
