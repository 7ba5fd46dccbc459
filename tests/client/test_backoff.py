"""The reconnection schedule and the fallback ladder, as plain data: no sockets, no
clock."""

from __future__ import annotations

import pytest

from tasklane.client.backoff import (
    MAX_DELAY,
    STABLE_AFTER,
    FallBack,
    Ladder,
    Retry,
    is_final,
    probe_delay,
    retry_delay,
    retry_hint,
)
from tests.client.timing import steady

NOMINAL = [2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_delays_double_from_two_seconds_up_to_thirty() -> None:
    assert [retry_delay(n, steady(0.5)) for n in range(7)] == NOMINAL
    assert retry_delay(1000, steady(0.5)) == MAX_DELAY  # no overflow, however long


@pytest.mark.parametrize("random", [0.0, 0.25, 0.75, 0.999999])
def test_jitter_is_twenty_percent_either_way_and_never_past_thirty_seconds(
    random: float,
) -> None:
    for failures, nominal in enumerate(NOMINAL):
        delay = retry_delay(failures, steady(random))
        assert delay == pytest.approx(min(MAX_DELAY, nominal * (0.8 + 0.4 * random)))
        assert 0.8 * nominal <= delay <= MAX_DELAY
    assert 24.0 <= probe_delay(steady(random)) < 36.0


def test_a_websocket_is_retried_five_times_then_sse_then_polling_for_ever() -> None:
    ladder = Ladder(("ws", "sse", "poll"), steady(0.75))
    ws = [ladder.lost(was_up=False) for _ in range(5)]
    assert all(step.transport == "ws" for step in ws)
    assert [step.delay for step in ws if isinstance(step, Retry)] == pytest.approx(
        [2.2, 4.4, 8.8, 17.6, 30.0]
    )
    assert ladder.lost(was_up=False) == FallBack("sse")
    # An event stream that never gave a frame is blocked on the way: straight on.
    assert ladder.lost(was_up=False) == FallBack("poll")
    assert isinstance(ladder.lost(was_up=False), Retry)
    polls = [ladder.lost(was_up=False) for _ in range(20)]
    assert all(isinstance(step, Retry) and step.transport == "poll" for step in polls)
    assert polls[-1] == Retry("poll", 30.0)


def test_sse_that_worked_is_retried_three_times_before_polling() -> None:
    ladder = Ladder(("sse", "poll"), steady(0.5))
    ladder.established()
    assert ladder.lost(was_up=True) == Retry("sse", 2.0)  # worked: SSE is not blocked
    assert ladder.lost(was_up=False) == Retry("sse", 4.0)
    assert ladder.lost(was_up=False) == Retry("sse", 8.0)
    assert ladder.lost(was_up=False) == FallBack("poll")


def test_a_connection_that_lasted_starts_the_schedule_afresh() -> None:
    ladder = Ladder(("ws", "sse", "poll"), steady(0.5))
    for _ in range(4):
        ladder.lost(was_up=False)
    ladder.established()
    ladder.forgive()  # it lasted STABLE_AFTER
    assert ladder.lost(was_up=True) == Retry("ws", 2.0)
    assert ladder.lost(was_up=False) == Retry("ws", 4.0)


def test_a_connection_cut_at_once_still_counts_as_a_failure() -> None:
    """A proxy that accepts the WebSocket and cuts it at once must not keep the client on
    a rung that never works: the ladder still moves down."""
    ladder = Ladder(("ws", "sse", "poll"), steady(0.5))
    steps = []
    for _ in range(6):
        ladder.established()
        steps.append(ladder.lost(was_up=True))
    assert steps == [Retry("ws", d) for d in (2.0, 4.0, 8.0, 16.0, 30.0)] + [FallBack("sse")]
    assert STABLE_AFTER == 30.0


def test_a_drained_server_is_met_at_its_own_time_and_a_refusal_then_backs_off() -> None:
    ladder = Ladder(("ws", "sse", "poll"), steady(0.5))
    ladder.established()
    assert ladder.lost(was_up=True, hint=3.5) == Retry("ws", 3.5)
    assert ladder.lost(was_up=False) == Retry("ws", 2.0)
    # A hint on an attempt that did not work is a floor under the backoff.
    assert ladder.lost(was_up=False, hint=9.0) == Retry("ws", 9.0)


def test_the_last_rung_is_retried_for_ever_and_probing_happens_only_below_a_websocket() -> None:
    only_ws = Ladder(("ws",), steady(0.5))
    steps = [only_ws.lost(was_up=False) for _ in range(8)]
    assert steps[-1] == Retry("ws", 30.0)
    assert not only_ws.probing
    ladder = Ladder(("ws", "sse", "poll"), steady(0.5))
    for _ in range(6):
        ladder.lost(was_up=False)
    assert ladder.transport == "sse"
    assert ladder.probing
    ladder.upgrade()
    assert (ladder.transport, ladder.probing) == ("ws", False)
    assert not Ladder(("sse", "poll"), steady(0.5)).probing


@pytest.mark.parametrize("transports", [(), ("sse", "ws"), ("ws", "ws"), ("carrier-pigeon",)])
def test_a_ladder_is_some_of_ws_sse_poll_in_that_order(transports: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="in that order"):
        Ladder(transports, steady())  # type: ignore[arg-type]


def test_close_codes_sort_into_resume_and_do_not_reconnect() -> None:
    assert [is_final(code) for code in (4401, 4403, 4429, 4499)] == [True] * 4
    assert [is_final(code) for code in (1000, 1001, 1006, 1011, 1012, 4000, 4001, 4002, None)] == [
        False
    ] * 9
    assert retry_hint(4001, '{"retryAfterMs":2500}') == 2.5
    assert retry_hint(4001, "not json") is None
    assert retry_hint(4001, '{"retryAfterMs":-1}') is None
    assert retry_hint(4001, '{"retryAfterMs":true}') is None
    assert retry_hint(4000, '{"retryAfterMs":2500}') is None
