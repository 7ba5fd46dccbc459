"""``GET /api/today``: the app's date and moment for every signed-in person, from the
app's clock — the gym's when an episode sets it, wall time otherwise."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tasklane.clock import FrozenClock
from tests.backends import BACKENDS, throwaway_database
from tests.conftest import Person, make_settings
from tests.live import live_stack

ADMIN = "gym-admin-token-for-today"


@pytest.fixture(scope="module", params=BACKENDS)
def own_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with throwaway_database(request.param, tmp_path_factory.mktemp("today")) as url:
        yield url


def register(base_url: str, label: str) -> httpx.Client:
    """A new account on ``base_url``; a client signed in as it (Bearer)."""
    with httpx.Client(base_url=base_url, timeout=30) as anonymous:
        answer = anonymous.post(
            "/api/auth/register",
            json={"email": f"{label}@example.com", "name": label, "password": "correct horse"},
        )
    assert answer.status_code == 201, answer.text
    token = answer.json()["token"]
    return httpx.Client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})


def today_of(http: httpx.Client) -> dict[str, str]:
    answer = http.get("/api/today")
    assert answer.status_code == 200, answer.text
    body: dict[str, str] = answer.json()
    assert set(body) == {"today", "now"}
    return body


def test_today_is_wall_time_by_default(signup: Callable[[str], Person]) -> None:
    person = signup("ana")
    before = datetime.now(UTC)
    body = today_of(person.http)
    after = datetime.now(UTC)
    now = datetime.fromisoformat(body["now"].replace("Z", "+00:00"))
    assert body["now"].endswith("Z")
    assert before.replace(microsecond=before.microsecond // 1000 * 1000) <= now <= after
    assert body["today"] in {before.date().isoformat(), after.date().isoformat()}


def test_today_needs_a_signed_in_person(anonymous: httpx.Client) -> None:
    answer = anonymous.get("/api/today")
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["code"] == "unauthorized"


def test_today_follows_the_apps_clock(own_database: str, tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2031, 5, 6, 23, 59, 59, 500_000, tzinfo=UTC))
    settings = make_settings(own_database, tmp_path)
    with live_stack(settings, clock=clock) as served, register(served.api_url, "cleo") as http:
        assert today_of(http) == {"today": "2031-05-06", "now": "2031-05-06T23:59:59.500Z"}
        clock.set(datetime(2031, 5, 7, 0, 0, 1, tzinfo=UTC))
        assert today_of(http) == {"today": "2031-05-07", "now": "2031-05-07T00:00:01.000Z"}


def test_in_gym_mode_every_person_sees_the_episodes_clock(
    own_database: str, tmp_path: Path
) -> None:
    settings = make_settings(own_database, tmp_path, gym_mode=True, gym_admin_token=ADMIN)
    with live_stack(settings) as served, register(served.api_url, "dora") as http:
        assert http.get("/api/gym/clock").status_code in (401, 403)  # not the gym's admin
        admin = {"Authorization": f"Bearer {ADMIN}"}
        moment = {"now": "2030-02-28T12:30:00Z", "frozen": True}
        answer = httpx.post(f"{served.api_url}/api/gym/clock", json=moment, headers=admin)
        assert answer.status_code == 200, answer.text
        assert today_of(http) == {"today": "2030-02-28", "now": "2030-02-28T12:30:00.000Z"}
        step = {"advanceSeconds": 86_400}
        answer = httpx.post(f"{served.api_url}/api/gym/clock", json=step, headers=admin)
        assert answer.status_code == 200, answer.text
        assert today_of(http)["today"] == "2030-03-01"
