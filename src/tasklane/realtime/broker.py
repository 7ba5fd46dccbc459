"""The broker seam: how what one process commits or announces reaches every other.

Three kinds of message travel on it: a durable event (``Committed``) and a presence
change (``Presence``) on their project's channel, and an ``Announcement`` on the
control channel that every process always hears. Implementations sit beside this
module: ``memory_broker`` in one process (``tasklane serve`` without ``REDIS_URL``),
``redis_broker`` (Redis pub/sub, one channel per project) between processes, and
``notifier`` for an API-only process that reaches one gateway over HTTP.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from tasklane.realtime.control import GymClock, GymReset, TokensRevoked
from tasklane.realtime.log import Committed


@dataclass(frozen=True, slots=True)
class Presence:
    """An ephemeral frame for a project's room: ``user_connected`` or
    ``user_disconnected``, already encoded; never stored, no ``seq``."""

    project_id: str
    type: str
    frame: bytes
    published_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Announcement:
    """A notice for every process (``realtime.control``)."""

    notice: TokensRevoked | GymReset | GymClock


Message = Committed | Presence | Announcement
Listener = Callable[[Message], Awaitable[None]]
Resumed = Callable[[], Awaitable[None]]


class Broker(Protocol):
    async def publish(self, message: Message) -> None:
        """Hand ``message`` to every subscriber that follows its project (every
        subscriber, for an announcement). Delivery is best effort: a lost event is a
        gap that the gateway fills from the event log. Publishing never raises because
        the broker is unreachable."""
        ...

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every message published from now on to a followed
        project, and for every announcement (a broker may also pass on other projects'
        messages: listeners filter); returns an unsubscribe function. Messages of one
        publisher to one project reach each listener in the order they were published."""
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
