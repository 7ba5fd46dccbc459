"""The agent's structured answer: ``POST /api/answer`` as the signed-in person,
``GET /api/gym/answer`` for the harness, forgotten by a reset, refused when malformed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tasklane.gym.presets import PASSWORD
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, live_stack

ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    folder = tmp_path_factory.mktemp("answer")
    with throwaway_database("sqlite", folder) as url, live_stack(gym_settings(url, folder)) as up:
        yield up


def test_an_answer_is_kept_until_the_next_reset(host: LiveStack, tmp_path: Path) -> None:
    with httpx.Client(base_url=host.api_url, headers=ADMIN_HEADERS, timeout=60) as admin:
        created = admin.post("/api/gym/episodes", json={"seed": 2}).json()
        base = created["urls"]["base"]
        gym = f"{base}/api/gym"
        assert admin.get(f"{gym}/answer").json() is None
        state = admin.get(f"{gym}/state").json()
        email = state["users"][0]["email"]
        token = httpx.post(
            f"{base}/api/auth/login", json={"email": email, "password": PASSWORD}
        ).json()["token"]
        agent = {"Authorization": f"Bearer {token}"}
        assert httpx.post(f"{base}/api/answer", json={"status": "done"}).status_code == 401
        bad = httpx.post(f"{base}/api/answer", json={"status": "maybe"}, headers=agent)
        assert bad.status_code == 422
        sent = httpx.post(
            f"{base}/api/answer", json={"status": "done", "answer": [3, "x"]}, headers=agent
        )
        assert sent.status_code == 200, sent.text
        kept = admin.get(f"{gym}/answer").json()
        assert (kept["status"], kept["answer"], kept["by"]) == (
            "done",
            [3, "x"],
            state["users"][0]["id"],
        )
        assert kept["at"] == "2026-03-02T09:00:00.000Z"  # the episode's frozen clock
        # Only this episode has it; a reset forgets it.
        assert admin.get("/api/gym/answer").json() is None
        assert admin.post(f"{gym}/reset", json={"seed": 2}).status_code == 200
        assert admin.get(f"{gym}/answer").json() is None
        admin.delete(f"/api/gym/episodes/{created['id']}")


def test_there_is_no_answer_without_gym_mode(base_url: str) -> None:
    assert httpx.post(f"{base_url}/api/answer", json={"status": "done"}).status_code == 404
