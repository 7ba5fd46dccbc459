"""Putting one project's events back in ``seq`` order: pure, no I/O, no clock.

Transactions commit in ``seq`` order, but their publishes can overtake one another and
some can be lost. A ``Sequencer`` takes events as they arrive (``offer``), hands out
those that are next in order (``ready``), and says what is missing before the rest
(``gap``), which its owner reads from the log after giving it a moment to arrive.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Sequencer(Generic[T]):
    """Items keyed by ``seq``, released strictly in order after ``head``, the last one
    released. A duplicate, or anything at or below the head, is refused."""

    __slots__ = ("_pending", "head")

    def __init__(self, head: int = 0) -> None:
        self.head = head
        self._pending: dict[int, T] = {}

    def offer(self, seq: int, item: T) -> bool:
        """Take an item; False if it was released or taken already."""
        if seq <= self.head or seq in self._pending:
            return False
        self._pending[seq] = item
        return True

    def ready(self) -> list[T]:
        """The items next in order, in order; the head moves past them."""
        pending = self._pending
        released: list[T] = []
        head = self.head
        while head + 1 in pending:
            head += 1
            released.append(pending.pop(head))
        self.head = head
        return released

    def peek(self) -> list[T]:
        """The items ``ready`` would release, without releasing them."""
        found: list[T] = []
        seq = self.head + 1
        while seq in self._pending:
            found.append(self._pending[seq])
            seq += 1
        return found

    @property
    def waiting(self) -> bool:
        """Whether anything is held back (by a gap before it)."""
        return bool(self._pending)

    def gap(self) -> int:
        """How many events are missing between the head and the first held back (0 when
        nothing is held back)."""
        if not self._pending:
            return 0
        return min(self._pending) - self.head - 1

    def restart(self, head: int) -> None:
        """Continue from ``head``: what is held back at or below it is dropped, and
        everything above it is kept (events that arrived before the head was known)."""
        self.head = head
        for seq in [s for s in self._pending if s <= head]:
            del self._pending[seq]

    def clear(self, head: int) -> None:
        """Forget everything held back and continue from ``head`` (the log started again)."""
        self._pending.clear()
        self.head = head
