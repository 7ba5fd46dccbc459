from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tasklane.clock import FrozenClock
from tasklane.ids import IdGenerator, Position, hash_secret, new_secret
from tasklane.protocol.timestamps import iso_millis


def test_timestamps_are_utc_iso_with_milliseconds_and_z() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=timezone(timedelta(hours=2)))
    assert iso_millis(moment) == "2026-01-02T01:04:05.678Z"


def test_a_frozen_clock_stands_still_until_set() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, 12, 0, 0, 123_456, tzinfo=UTC))
    assert clock.now() == datetime(2026, 1, 1, 12, 0, 0, 123_000, tzinfo=UTC)
    assert clock.now() == clock.now()
    clock.set(datetime(2026, 1, 2, tzinfo=UTC))
    assert clock.today().isoformat() == "2026-01-02"


def test_seeded_ids_repeat_and_carry_their_prefix() -> None:
    first = [IdGenerator.seeded(42).new("task") for _ in range(3)]
    again = IdGenerator.seeded(42)
    assert again.new("task") == first[0]
    assert first[0].startswith("task_")
    assert len(first[0]) == len("task_") + 16
    assert IdGenerator.seeded(43).new("task") != first[0]


def test_a_seeded_stream_resumes_from_where_it_stood() -> None:
    ids = IdGenerator.seeded("episode")
    made = [ids.new("task"), ids.new("user"), ids.new("task")]
    position = ids.position()
    assert position == Position("episode", {"task": 2, "user": 1})
    later = [ids.new("task"), ids.new("proj"), ids.new("user")]
    elsewhere = IdGenerator()
    assert elsewhere.position() is None
    assert position is not None
    elsewhere.resume(Position.from_public(position.public()))
    assert [elsewhere.new("task"), elsewhere.new("proj"), elsewhere.new("user")] == later
    ids.reseed("episode")  # afresh
    assert [ids.new("task"), ids.new("user"), ids.new("task")] == made
    ids.reseed(None)
    assert ids.position() is None
    assert ids.new("task") not in made + later


def test_what_is_not_state_stays_random_when_seeded() -> None:
    one, two = IdGenerator.seeded(42), IdGenerator.seeded(42)
    for prefix in ("tok", "conn", "snap"):
        assert one.new(prefix) != two.new(prefix)
    assert one.position() == Position("42", {})


def test_secrets_are_never_seeded_and_stored_only_hashed() -> None:
    one, two = new_secret(), new_secret()
    assert one != two
    assert one.startswith("tl_")
    assert len(hash_secret(one)) == 64
