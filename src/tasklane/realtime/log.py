"""What the delivery core knows of the event log: a durable event in the one shape it
has once committed, and a reader of the log. The log itself, in SQL, is the services'
(``services/event_log.py``); the core reads it through ``LogReader``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from tasklane.protocol.streams import is_person

# Durable events after which some subscribers may no longer follow their project.
MEMBER_REMOVED = "member_removed"
PROJECT_DELETED = "project_deleted"


@dataclass(frozen=True, slots=True)
class Committed:
    """One durable event as its transaction committed it: its project, its place in the
    project's log, its type, and its envelope (docs/protocol.md) encoded once. Every
    transport sends ``frame`` as it is; nothing downstream reads it again.

    ``revoked_user`` is who lost access to the project by this event (the user a
    ``member_removed`` removed), so that delivery acts on it without parsing the frame.
    ``published_at`` is the wall time it was handed to the broker, for the
    publish-to-send metric only; 0 when it was read from the log.
    """

    project_id: str
    seq: int
    type: str
    frame: bytes
    revoked_user: str | None = None
    published_at: float = 0.0

    @property
    def ends(self) -> bool:
        """Whether it is the last of its log: a project's deletion (in a person's own
        log, a copy of one that other events follow)."""
        return self.type == PROJECT_DELETED and not is_person(self.project_id)

    @property
    def revokes(self) -> bool:
        """Whether anyone loses access by it: a removal, or the project's deletion."""
        return self.ends or self.revoked_user is not None

    def published(self, at: float) -> Committed:
        return replace(self, published_at=at)


@dataclass(frozen=True, slots=True)
class LogPage:
    """Events of one project in ``seq`` order, and the project's head when read."""

    events: list[Committed]
    head: int  # the project's latest seq when the page was read
    ended: bool = False  # the project was deleted: nothing will follow project_deleted


class LogReader(Protocol):
    async def after(self, project_id: str, after: int, limit: int) -> LogPage:
        """Up to ``limit`` events with ``seq > after``, and the head ``seq``."""
        ...

    async def heads(self, project_ids: list[str]) -> dict[str, int]:
        """The latest ``seq`` of each project that exists (0 for one with no events)."""
        ...


class CommitsInFlight:
    """How many of this process's write transactions have begun and not yet published
    their event, and who wants to know when none are left.

    A room that receives an event while others are on their way holds it until they
    have landed (or for ``HOLD_SECONDS`` at most): the run then goes out together, one
    write per subscriber instead of one per event."""

    __slots__ = ("_idle", "count")

    def __init__(self) -> None:
        self.count = 0
        self._idle: list[Callable[[], None]] = []

    @property
    def busy(self) -> bool:
        return self.count > 0

    def begin(self) -> None:
        self.count += 1

    def end(self) -> None:
        self.count -= 1
        if self.count == 0 and self._idle:
            waiting, self._idle = self._idle, []
            for callback in waiting:
                callback()

    def on_idle(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once, when no commit is in flight any more."""
        if self.count == 0:
            callback()
        else:
            self._idle.append(callback)
