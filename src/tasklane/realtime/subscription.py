"""One connection's interest in one project, with its life as an explicit machine.

A join subscribes first and checks access after (a removal that commits after the check
then reaches the subscription as an event): until the check says yes the subscription
is ``PENDING`` and receives nothing, not even presence; live events that arrive
meanwhile wait in its buffer. Once admitted it replays the log after ``lastSeq``
(``REPLAYING``, still buffering), then merges the buffer by ``seq`` and goes ``LIVE``.
"""

from __future__ import annotations

import enum

from tasklane.realtime.connection import Connection
from tasklane.realtime.outgoing import Outgoing
from tasklane.realtime.states import check


class SubscriptionState(enum.Enum):
    PENDING = "pending"  # in the room while its access is checked: nothing is sent
    REPLAYING = "replaying"  # joined: the log after lastSeq goes out; live events wait
    LIVE = "live"  # live events go out as they come, in seq order
    ENDED = "ended"  # left, refused, revoked or replaced: nothing more goes out


PENDING, REPLAYING, LIVE, ENDED = SubscriptionState
TRANSITIONS = {
    PENDING: {REPLAYING, ENDED},
    REPLAYING: {LIVE, ENDED},
    LIVE: {ENDED},
    ENDED: set(),
}


class Subscription:
    __slots__ = ("buffer", "connection", "cursor", "project_id", "state")

    def __init__(self, connection: Connection, project_id: str) -> None:
        self.connection = connection
        self.project_id = project_id
        self.cursor = 0  # the last seq this subscriber has been sent
        self.state = PENDING
        self.buffer: list[tuple[int, Outgoing]] = []  # live events held back, in arrival order

    def deliver(self, seq: int, frame: Outgoing) -> None:
        """A durable event for this subscriber: sent if live and new to it, held back
        while pending or replaying, dropped once ended."""
        state = self.state
        if state is LIVE:
            if seq > self.cursor:
                self.cursor = seq
                self.connection.send(frame)
        elif state is PENDING or state is REPLAYING:
            self.buffer.append((seq, frame))

    @property
    def joined(self) -> bool:
        """Whether its user was let in: only then does it hear who comes and goes."""
        return self.state is LIVE or self.state is REPLAYING

    @property
    def ended(self) -> bool:
        return self.state is ENDED

    def admit(self) -> None:
        """Access granted: ``joined`` goes out next, then the replay."""
        self._become(REPLAYING)

    def go_live(self, cursor: int) -> None:
        """The replay reached ``cursor``: send what was held back beyond it, in ``seq``
        order, and everything from now on as it comes."""
        self._become(LIVE)
        self.cursor = cursor
        held, self.buffer = self.buffer, []
        for seq, frame in sorted(held, key=lambda item: item[0]):
            if seq > self.cursor:
                self.cursor = seq
                self.connection.send(frame)

    def end(self) -> bool:
        """Stop sending; True if it was still going (ending twice is not a mistake:
        a revocation and a leave may cross)."""
        if self.state is ENDED:
            return False
        self._become(ENDED)
        self.buffer.clear()
        return True

    def _become(self, state: SubscriptionState) -> None:
        check(self, self.state, state, TRANSITIONS)
        self.state = state
