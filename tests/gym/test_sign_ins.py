"""Sign-ins in a gym, over HTTP: a token kept across a restore never speaks for someone
else, and credentials expire on real time, whatever the gym's clock says (frozen after
a reset, or moved days ahead). Real time here is a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tasklane.client.gym import GymClient
from tasklane.clock import FrozenClock
from tasklane.gym.presets import PASSWORD
from tasklane.protocol.timestamps import iso_millis
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, live_stack
from tests.realtime.client import connect

MILLISECOND = timedelta(milliseconds=1)


@pytest.fixture(scope="module")
def real_time() -> FrozenClock:
    """The time credentials expire on; nowhere near the gym's seeded moment."""
    return FrozenClock(datetime(2031, 6, 1, 12, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def served(
    gym_database: str, tmp_path_factory: pytest.TempPathFactory, real_time: FrozenClock
) -> Iterator[LiveStack]:
    """The gym served for real (as ``tasklane serve``), on ``real_time``."""
    settings = gym_settings(gym_database, tmp_path_factory.mktemp("gym-data"))
    with live_stack(settings, wall_clock=real_time) as live:
        yield live


@pytest.fixture
def gym(served: LiveStack) -> Iterator[GymClient]:
    with GymClient(served.api_url, admin_token=ADMIN) as client:
        yield client


def register(served: LiveStack, email: str) -> tuple[str, str]:
    """A new person's user id and session token."""
    body = {"email": email, "name": email.split("@")[0].title(), "password": "long enough pw"}
    answer = httpx.post(f"{served.api_url}/api/auth/register", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["user"]["id"], answer.json()["token"]


def seeded_sign_in(served: LiveStack, gym: GymClient) -> str:
    state = gym.state()
    owner = next(m["userId"] for m in state["members"] if m["role"] == "owner")
    email = next(u["email"] for u in state["users"] if u["id"] == owner)
    answer = httpx.post(
        f"{served.api_url}/api/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def me(served: LiveStack, token: str) -> httpx.Response:
    return httpx.get(f"{served.api_url}/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def email_of(served: LiveStack, token: str) -> str | None:
    """Whom ``token`` signs in as now; None if it signs in as nobody (401)."""
    answer = me(served, token)
    if answer.status_code == 401:
        return None
    assert answer.status_code == 200, answer.text
    email: str = answer.json()["email"]
    return email


def test_a_kept_token_never_signs_in_as_someone_else_after_a_restore(
    served: LiveStack, gym: GymClient
) -> None:
    gym.reset(seed=41)
    seeded = seeded_sign_in(served, gym)
    before_b = gym.snapshot()
    b_id, b_token = register(served, "b@example.com")
    after_b = gym.snapshot()
    gym.restore(before_b)
    assert email_of(served, b_token) is None  # B does not exist in this branch
    a_id, a_token = register(served, "a@example.com")
    assert a_id == b_id  # the same actions from the same point make the same ids
    assert email_of(served, a_token) == "a@example.com"
    gym.restore(after_b)
    assert email_of(served, a_token) is None  # user b_id is B here, not A
    assert email_of(served, b_token) is None  # dropped when B ceased to exist
    gym.restore(before_b)
    assert email_of(served, a_token) is None  # and gone for good
    assert email_of(served, seeded) is not None  # the same person throughout: kept
    gym.reset(seed=41)
    assert email_of(served, seeded) is not None
    for snapshot in (before_b, after_b):
        gym.delete_snapshot(snapshot)


async def test_with_the_gym_clock_frozen_a_ticket_expires_on_real_time(
    served: LiveStack, gym: GymClient, real_time: FrozenClock
) -> None:
    gym.reset(seed=42)
    assert gym.clock()["frozen"] is True
    token = seeded_sign_in(served, gym)
    issued = real_time.now()
    ttl = timedelta(seconds=served.stack.settings.ticket_ttl_seconds)
    tickets = []
    bearer = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=served.api_url, headers=bearer) as http:
        for _ in range(2):
            answer = await http.post("/api/realtime/ticket")
            assert answer.status_code == 201, answer.text
            assert answer.json()["expiresAt"] == iso_millis(issued + ttl)
            tickets.append(answer.json()["ticket"])
    real_time.set(issued + ttl - MILLISECOND)
    async with connect(served.ws_url, ticket=tickets[0], expect_connected=False) as client:
        await client.expect("connected")
    real_time.set(issued + ttl)
    async with connect(served.ws_url, ticket=tickets[1], expect_connected=False) as client:
        code, reason = await client.closed()
    assert (code, reason) == (4401, "invalid or expired ticket")


def test_with_the_gym_clock_frozen_a_session_expires_on_real_time_not_on_the_gym_clock(
    served: LiveStack, gym: GymClient, real_time: FrozenClock
) -> None:
    gym.reset(seed=42)
    assert gym.clock()["frozen"] is True
    signed_in = real_time.now()
    session = seeded_sign_in(served, gym)
    personal = httpx.post(
        f"{served.api_url}/api/tokens",
        json={"name": "Agent"},
        headers={"Authorization": f"Bearer {session}"},
    )
    assert personal.status_code == 201, personal.text
    # The gym's clock jumps weeks ahead: nobody is signed out by it.
    gym.set_clock(advance_seconds=30 * 86_400)
    assert email_of(served, session) is not None
    ttl = timedelta(hours=served.stack.settings.session_ttl_hours)
    real_time.set(signed_in + ttl - MILLISECOND)
    assert email_of(served, session) is not None
    real_time.set(signed_in + ttl)
    assert email_of(served, session) is None
    assert email_of(served, personal.json()["token"]) is not None  # does not expire


def test_a_sign_in_is_stamped_on_the_gym_clock_and_expires_on_real_time(
    served: LiveStack, gym: GymClient, real_time: FrozenClock
) -> None:
    gym.reset(seed=42)
    state = gym.state()
    email = state["users"][0]["email"]
    login = httpx.post(
        f"{served.api_url}/api/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    ttl = timedelta(hours=served.stack.settings.session_ttl_hours)
    assert login.json()["expiresAt"] == iso_millis(real_time.now() + ttl)
    made = httpx.post(
        f"{served.api_url}/api/tokens",
        json={"name": "Stamped"},
        headers={"Authorization": f"Bearer {login.json()['token']}"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["createdAt"] == gym.clock()["now"]
