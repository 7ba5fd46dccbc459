"""The sequencer, with plain integers: events come back out strictly in ``seq`` order,
once each, whatever order and how many times they went in."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from tasklane.realtime.sequencer import Sequencer


def test_events_in_order_are_released_at_once() -> None:
    seq = Sequencer[int](head=4)
    assert seq.offer(5, 5)
    assert seq.ready() == [5]
    assert seq.head == 5
    assert not seq.waiting


def test_an_early_event_waits_for_the_missing_one() -> None:
    seq = Sequencer[int](head=0)
    assert seq.offer(3, 3)
    assert seq.ready() == []
    assert seq.waiting
    assert seq.gap() == 2  # 1 and 2 are missing
    assert seq.offer(1, 1)
    assert seq.peek() == [1]
    assert seq.ready() == [1]
    assert seq.gap() == 1
    assert seq.offer(2, 2)
    assert seq.ready() == [2, 3]
    assert (seq.head, seq.waiting, seq.gap()) == (3, False, 0)


def test_duplicates_and_what_is_behind_the_head_are_refused() -> None:
    seq = Sequencer[str](head=10)
    assert not seq.offer(10, "old")
    assert not seq.offer(3, "older")
    assert seq.offer(12, "twelve")
    assert not seq.offer(12, "twelve again")
    assert seq.offer(11, "eleven")
    assert seq.ready() == ["eleven", "twelve"]
    assert not seq.offer(11, "late")


def test_a_restart_keeps_only_what_lies_beyond_the_new_head() -> None:
    """A room that opens takes the head from the log: events that arrived while it was
    read and are at or below it are dropped, those after it go out."""
    seq = Sequencer[int]()
    for n in (6, 7, 9):
        seq.offer(n, n)
    seq.restart(7)
    assert seq.head == 7
    assert seq.ready() == []
    assert seq.gap() == 1
    seq.offer(8, 8)
    assert seq.ready() == [8, 9]


def test_clearing_forgets_everything_held_back() -> None:
    """The log started again (a gym reset): nothing held back is valid any more."""
    seq = Sequencer[int](head=50)
    seq.offer(52, 52)
    seq.clear(3)
    assert (seq.head, seq.waiting) == (3, False)
    assert seq.offer(4, 4)
    assert seq.ready() == [4]


@given(st.lists(st.integers(min_value=1, max_value=60), max_size=200), st.randoms())
def test_any_arrival_order_gives_each_event_once_in_order(
    arrivals: list[int], shuffler: random.Random
) -> None:
    seq = Sequencer[int](head=0)
    released: list[int] = []
    everything = sorted(set(arrivals))
    for n in arrivals:
        seq.offer(n, n)
        released += seq.ready()
    # What was released is a gapless prefix of what arrived, in order.
    assert released == list(range(1, len(released) + 1))
    assert set(released) <= set(everything)
    # Filling every gap (as the log would) releases the rest, still in order.
    missing = [n for n in range(1, max(everything, default=0) + 1) if n not in everything]
    shuffler.shuffle(missing)
    for n in missing:
        seq.offer(n, n)
        released += seq.ready()
    assert released == list(range(1, max(everything, default=0) + 1))
    assert not seq.waiting
