"""A room: one project on one gateway, and its life as an explicit machine."""

from __future__ import annotations

import asyncio
import enum

from tasklane.realtime.log import Committed
from tasklane.realtime.sequencer import Sequencer
from tasklane.realtime.states import check
from tasklane.realtime.subscription import Subscription


class RoomState(enum.Enum):
    OPENING = "opening"  # following the project on the broker and reading its head
    OPEN = "open"  # delivering in seq order
    CLOSED = "closed"  # its last subscriber left (or opening failed): it is forgotten


OPENING, OPEN, CLOSED = RoomState
TRANSITIONS = {OPENING: {OPEN, CLOSED}, OPEN: {CLOSED}, CLOSED: set()}


class Room:
    """Delivers one project's durable events to its subscribers strictly in ``seq``
    order. Events that arrive while it opens wait in its sequencer, and are sent from
    the head it opens at."""

    __slots__ = ("due", "filling", "opened", "project_id", "sequencer", "state", "subscribers")

    def __init__(self, project_id: str) -> None:
        self.project_id = project_id
        self.state = OPENING
        self.sequencer: Sequencer[Committed] = Sequencer()
        self.subscribers: dict[str, Subscription] = {}  # by connection id
        self.due: asyncio.Handle | None = None  # a send of what is ready, at the next turn
        self.filling: asyncio.Task[None] | None = None  # reading a gap from the log
        self.opened = asyncio.Event()  # set once it is open, or failed to open

    @property
    def head(self) -> int:
        """The last ``seq`` sent to the room (meaningful once it is open)."""
        return self.sequencer.head

    def open(self, head: int) -> None:
        self._become(OPEN)
        self.sequencer.restart(head)
        self.opened.set()

    def close(self) -> None:
        self._become(CLOSED)
        if self.due is not None:
            self.due.cancel()
            self.due = None
        if self.filling is not None:
            self.filling.cancel()
        self.opened.set()

    def _become(self, state: RoomState) -> None:
        check(self, self.state, state, TRANSITIONS)
        self.state = state
