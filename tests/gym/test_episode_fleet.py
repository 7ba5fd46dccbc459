"""The gym across processes on PostgreSQL: an episode made through one API process is
served by any other API process and by the gateway process; its events, resets and clock
reach every process; a deletion reaches them all; and a reset of the default workspace
made through an API process reaches the gateway's live clients as ``resync_required``,
as the clock set there is the one the gateway stamps its frames with. With Redis between
two API processes and a gateway, and without Redis (one API process telling the gateway
over HTTP)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tasklane.client.gym import GymClient
from tasklane.gym.presets import PASSWORD
from tasklane.protocol import closes
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN
from tests.processes import Tasklane, redis_server, start_together, wait_until
from tests.realtime.client import connect

ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


@dataclass
class Fleet:
    makers: Tasklane  # the API process episodes are made through
    others: Tasklane  # another API process (the same one without Redis)
    gateway: Tasklane

    def base(self, api: Tasklane, episode_id: str) -> str:
        return f"{api.http}/e/{episode_id}"


@pytest.fixture(scope="module", params=["with Redis", "without Redis"])
def fleet(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    folder = tmp_path_factory.mktemp("fleet")
    with (
        throwaway_database("postgresql", folder) as database_url,
        redis_server(folder / "redis") as redis,
    ):
        env = {
            "DATABASE_URL": database_url,
            "DATA_DIR": str(folder / "data"),
            "GYM_MODE": "1",
            "GYM_ADMIN_TOKEN": ADMIN,
            # The catalog is read every idle / 4 seconds: a deletion travels fast.
            "GYM_EPISODE_IDLE_SECONDS": "8",
        }
        if request.param == "with Redis":
            env["REDIS_URL"] = redis.url
        gateway = Tasklane("gateway", "realtime", env, folder)
        api_env = {**env, "GATEWAY_URL": gateway.http, "WS_PORT": str(gateway.port)}
        makers = Tasklane("api-1", "api", api_env, folder)
        others = Tasklane("api-2", "api", api_env, folder) if "REDIS_URL" in env else makers
        processes = list({id(p): p for p in (gateway, makers, others)}.values())
        start_together(processes)
        try:
            yield Fleet(makers, others, gateway)
        finally:
            for process in processes:
                process.stop()


def sign_in(base: str, email: str) -> str:
    answer = httpx.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def people(state: dict[str, Any]) -> tuple[str, list[str]]:
    """A project and the emails of its members, its owner first."""
    project = state["projects"][0]["id"]
    members = sorted(
        (m for m in state["members"] if m["projectId"] == project),
        key=lambda m: m["role"] != "owner",
    )
    emails = {u["id"]: u["email"] for u in state["users"]}
    return project, [emails[m["userId"]] for m in members]


async def test_any_process_serves_an_episode_made_through_another(fleet: Fleet) -> None:
    with GymClient(fleet.makers.http, admin_token=ADMIN) as gym:
        default_workspace = gym.state_bytes()
        created = gym.create_episode(seed=11)
        assert created.urls.gateway.ws == f"{fleet.gateway.ws}/e/{created.id}"
        with gym.episode(created) as episode:
            project, emails = people(episode.state())
        elsewhere = fleet.base(fleet.others, created.id)
        owner = sign_in(elsewhere, emails[0])
        async with connect(
            created.urls.gateway.ws, token=sign_in(created.urls.base, emails[1])
        ) as client:
            await client.join(project, last_seq=0)
            answer = await asyncio.to_thread(
                httpx.post,
                f"{elsewhere}/api/projects/{project}/tasks",
                json={"name": "made in another process"},
                headers={"Authorization": f"Bearer {owner}"},
            )
            assert answer.status_code == 201, answer.text
            (event,) = await client.events(1)
            assert event["data"]["task"]["name"] == "made in another process"
            # The clock set through one process is the one the others keep.
            with GymClient(elsewhere, admin_token=ADMIN) as there:
                assert there.clock()["now"] == "2026-03-02T09:00:00.000Z"
                gym_here = gym.episode(created)
                gym_here.set_clock("2026-05-01T10:00:00Z", frozen=True)
                wait_until(
                    lambda: there.clock()["now"] == "2026-05-01T10:00:00.000Z",
                    "the clock reached the other process",
                    within=10,
                )
                # A reset through the other process resyncs the gateway's clients.
                there.reset(seed=11)
                resync = await client.until("resync_required")
                assert (resync["projectId"], resync["reason"]) == (project, "reset")
                gym_here.close()
        # The default workspace did not see any of it.
        assert gym.state_bytes() == default_workspace
        gym.delete_episode(created.id)


async def test_a_deletion_reaches_every_process(fleet: Fleet) -> None:
    with GymClient(fleet.makers.http, admin_token=ADMIN) as gym:
        created = gym.create_episode(seed=12)
        with gym.episode(created) as episode:
            project, emails = people(episode.state())
        elsewhere = fleet.base(fleet.others, created.id)
        token = sign_in(elsewhere, emails[0])
        async with connect(created.urls.gateway.ws, token=token) as client:
            await client.join(project, last_seq=0)
            gym.delete_episode(created.id)
            code, _reason = await client.closed(within=15)
            assert code == closes.EPISODE_GONE

        def gone() -> bool:
            answer = httpx.get(
                f"{elsewhere}/api/auth/me", headers={"Authorization": f"Bearer {token}"}
            )
            return (
                answer.status_code == 404 and answer.json()["error"]["code"] == "episode_not_found"
            )

        wait_until(gone, "the other API process let the episode go", within=15)
        assert gym.episodes() == []


async def test_reset_and_clock_reach_the_gateway_process(fleet: Fleet) -> None:
    with GymClient(fleet.makers.http, admin_token=ADMIN) as gym:
        gym.reset(seed=9, now="2026-04-01T08:00:00Z")
        state = gym.state()
        project = state["projects"][0]["id"]
        people = [m["userId"] for m in state["members"] if m["projectId"] == project]
        emails = {u["id"]: u["email"] for u in state["users"]}
        watcher, visitor = (sign_in(fleet.makers.http, emails[person]) for person in people[:2])
        async with connect(fleet.gateway.ws, token=watcher) as client:
            await client.join(project, last_seq=0)
            gym.set_clock("2026-04-05T05:05:05Z", frozen=True)
            async with connect(fleet.gateway.ws, token=visitor) as other:
                await other.join(project, last_seq=0)
                arrived = await client.until("user_connected")
                while arrived["userId"] != people[1]:  # not the watcher's own arrival
                    arrived = await client.until("user_connected")
                assert arrived["timestamp"] == "2026-04-05T05:05:05.000Z"
            gym.reset(seed=9)
            resync = await client.until("resync_required")
            assert (resync["projectId"], resync["seq"], resync["reason"]) == (project, 0, "reset")
