from __future__ import annotations

import pytest

from tasklane.edge.buckets import TokenBuckets


class Ticker:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_the_rate_applies() -> None:
    ticker = Ticker()
    buckets = TokenBuckets(rate=50, burst=100, monotonic=ticker)
    assert all(buckets.take("ana") == 0 for _ in range(100))
    wait = buckets.take("ana")
    assert wait == pytest.approx(1 / 50)
    ticker.now += 0.02
    assert buckets.take("ana") == 0


def test_each_key_has_its_own_bucket() -> None:
    buckets = TokenBuckets(rate=1, burst=2, monotonic=Ticker())
    assert [buckets.take("ana") == 0 for _ in range(3)] == [True, True, False]
    assert buckets.take("ben") == 0


def test_fifty_a_second_are_sustained_indefinitely() -> None:
    ticker = Ticker()
    buckets = TokenBuckets(rate=50, burst=100, monotonic=ticker)
    refused = 0
    for _ in range(5_000):  # 100 s at 50/s
        ticker.now += 0.02
        refused += buckets.take("agent") > 0
    assert refused == 0


def test_full_buckets_are_forgotten_so_memory_stays_bounded() -> None:
    ticker = Ticker()
    buckets = TokenBuckets(rate=10, burst=10, monotonic=ticker, max_keys=100)
    for n in range(100):
        buckets.take(f"user{n}")
    ticker.now += 10
    buckets.take("late")
    assert len(buckets._buckets) <= 1
