"""The broker seam: how a committed event travels from the process that wrote it to
every gateway. Implementations sit beside this module: ``memory_broker`` is the
in-process one used by ``tasklane serve`` with no ``REDIS_URL``; ``redis_broker`` is
Redis pub/sub, one channel per project, for several processes or machines."""

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


# The channel of announcements that concern every process (the gym's reset and clock,
# revoked tokens).
# Project IDs start with ``proj_``, so it never names a project.
CONTROL_CHANNEL = "gym"

Listener = Callable[[BrokerMessage], Awaitable[None]]
Resumed = Callable[[], Awaitable[None]]


class Broker(Protocol):
    async def publish(self, message: BrokerMessage) -> None:
        """Hand ``message`` to every subscriber that follows its project. Delivery is
        best effort: a lost message is a gap that the gateway fills from the event
        log. Publishing never raises because the broker is unreachable."""
        ...

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every message published from now on to a followed
        project (a broker may also pass on others: listeners filter); returns an
        unsubscribe function. Messages of one publisher to one project reach each
        listener in the order they were published."""
        ...

    async def follow(self, project_id: str) -> None:
        """Declare interest in a project's messages. Follows are counted: the
        interest lasts until as many ``unfollow`` calls. Once this returns, messages
        published afterwards reach the listeners — unless the broker is down, in
        which case it returns at once and the interest takes effect on reconnect
        (followed by ``on_resume``)."""
        ...

    def unfollow(self, project_id: str) -> None:
        """Withdraw one ``follow``; takes effect shortly, without waiting."""
        ...

    @property
    def alive(self) -> bool:
        """Whether this process's subscription can hear what others publish now.
        False is a deaf process: it must not look ready."""
        ...

    def on_resume(self, callback: Resumed) -> Callable[[], None]:
        """Call ``callback`` each time the subscription is re-established after an
        interruption, once every followed project is subscribed again: anything
        published meanwhile was lost, and the log must fill the gap. Returns a
        function that removes the callback."""
        ...

    async def close(self) -> None: ...
