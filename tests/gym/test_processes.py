"""The gym across processes: an API process and a gateway process, with Redis between
them or without (the API then tells the gateway over HTTP). A reset made through the API
reaches the gateway's live clients as ``resync_required``, and the clock set through
the API is the one the gateway stamps its frames with."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tasklane.client.gym import GymClient
from tasklane.gym.presets import PASSWORD
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN
from tests.processes import Tasklane, redis_server, start_together
from tests.realtime.client import connect


@pytest.fixture(scope="module", params=["without Redis", "with Redis"])
def split(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Tasklane, Tasklane]]:
    folder = tmp_path_factory.mktemp("gym-split")
    with throwaway_database("postgresql", folder) as database_url:
        env = {
            "DATABASE_URL": database_url,
            "DATA_DIR": str(folder / "data"),
            "GYM_MODE": "1",
            "GYM_ADMIN_TOKEN": ADMIN,
        }
        gateway = Tasklane("gateway", "realtime", env, folder)
        api = Tasklane("api", "api", {**env, "GATEWAY_URL": gateway.http}, folder)
        with redis_server(folder / "redis") as redis:
            if request.param == "with Redis":
                for process in (api, gateway):
                    process.env["REDIS_URL"] = redis.url
            start_together([gateway, api])
            try:
                yield api, gateway
            finally:
                api.stop()
                gateway.stop()


def signed_in(api: Tasklane, email: str) -> str:
    answer = httpx.post(f"{api.http}/api/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


async def test_reset_and_clock_reach_the_gateway_process(split: tuple[Tasklane, Tasklane]) -> None:
    api, gateway = split
    with GymClient(api.http, admin_token=ADMIN) as gym:
        gym.reset(seed=9, now="2026-04-01T08:00:00Z")
        state = gym.state()
        project = state["projects"][0]["id"]
        people = [m["userId"] for m in state["members"] if m["projectId"] == project]
        emails = {u["id"]: u["email"] for u in state["users"]}
        watcher, visitor = (signed_in(api, emails[person]) for person in people[:2])
        async with connect(gateway.ws, token=watcher) as client:
            await client.join(project, last_seq=0)
            gym.set_clock("2026-04-05T05:05:05Z", frozen=True)
            async with connect(gateway.ws, token=visitor) as other:
                await other.join(project, last_seq=0)
                arrived = await client.until("user_connected")
                while arrived["userId"] != people[1]:  # not the watcher's own arrival
                    arrived = await client.until("user_connected")
                assert arrived["timestamp"] == "2026-04-05T05:05:05.000Z"
            gym.reset(seed=9)
            resync = await client.until("resync_required")
            assert (resync["projectId"], resync["seq"], resync["reason"]) == (project, 0, "reset")
