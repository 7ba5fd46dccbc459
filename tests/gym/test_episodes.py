"""Episodes over HTTP, served for real: create, list, delete and their errors; each
episode's gym API, sign-ins and gateway under its base URL; the cap and idle expiry."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tasklane.gym.presets import PASSWORD
from tasklane.protocol import closes
from tests.backends import BACKENDS, throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, live_stack
from tests.processes import TEST_REDIS
from tests.realtime.client import connect

ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module", params=BACKENDS)
def host(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveStack]:
    """A gym server holding at most three episodes: files on SQLite, schemas on
    PostgreSQL."""
    folder = tmp_path_factory.mktemp("episodes")
    with throwaway_database(request.param, folder) as url:
        settings = gym_settings(url, folder).model_copy(update={"gym_max_episodes": 3})
        with live_stack(settings) as running:
            yield running


@pytest.fixture
def admin(host: LiveStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=host.api_url, headers=ADMIN_HEADERS, timeout=60) as client:
        yield client
        for episode in client.get("/api/gym/episodes").json():
            client.delete(f"/api/gym/episodes/{episode['id']}")


def create(admin: httpx.Client, **body: Any) -> dict[str, Any]:
    answer = admin.post("/api/gym/episodes", json={"seed": 3, **body})
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def sign_in(base: str, state: dict[str, Any]) -> tuple[str, str]:
    """The owner of some project in the episode at ``base``: their token and project."""
    member = next(m for m in state["members"] if m["role"] == "owner")
    email = next(u["email"] for u in state["users"] if u["id"] == member["userId"])
    answer = httpx.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["token"], member["projectId"]


def test_an_episode_has_its_own_urls_and_the_seeded_state(
    host: LiveStack, admin: httpx.Client
) -> None:
    episode = create(admin)
    urls = episode["urls"]
    assert urls["base"] == f"{host.api_url}/e/{episode['id']}"
    assert urls["app"] == urls["base"] + "/"
    assert urls["gateway"]["ws"] == f"{host.ws_url}/e/{episode['id']}"
    # Its state is the seed's, byte for byte, as a reset of the default workspace gives.
    admin.post("/api/gym/reset", json={"seed": 3})
    own = httpx.get(f"{urls['base']}/api/gym/state", headers=ADMIN_HEADERS)
    assert own.status_code == 200
    assert own.content == admin.get("/api/gym/state").content
    listed = admin.get("/api/gym/episodes").json()
    assert [e["id"] for e in listed] == [episode["id"]]
    assert admin.get(f"/api/gym/episodes/{episode['id']}").json()["seed"] == 3
    # Discovery inside the episode points at the episode's gateway.
    realtime = httpx.get(f"{urls['base']}/api/realtime").json()
    assert realtime["gateway"] == urls["gateway"]


def test_two_episodes_of_one_seed_change_apart(admin: httpx.Client) -> None:
    first, second = create(admin), create(admin)
    state = httpx.get(f"{first['urls']['base']}/api/gym/state", headers=ADMIN_HEADERS).json()
    token, project_id = sign_in(first["urls"]["base"], state)
    answer = httpx.post(
        f"{first['urls']['base']}/api/projects/{project_id}/tasks",
        json={"name": "only in the first"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.text
    # The token of one episode means nothing in the other.
    other = httpx.get(
        f"{second['urls']['base']}/api/auth/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert other.status_code == 401
    diffs = [
        httpx.get(f"{e['urls']['base']}/api/gym/diff", headers=ADMIN_HEADERS).json()
        for e in (first, second)
    ]
    assert [t["name"] for t in diffs[0]["changes"]["tasks"]["added"]] == ["only in the first"]
    assert diffs[1]["changes"]["tasks"] == {"added": [], "changed": [], "deleted": []}


def test_a_deleted_episode_is_gone_and_its_connections_close(admin: httpx.Client) -> None:
    episode = create(admin)
    base = episode["urls"]["base"]
    state = httpx.get(f"{base}/api/gym/state", headers=ADMIN_HEADERS).json()
    token, project_id = sign_in(base, state)

    async def watch_then_delete() -> tuple[int, str]:
        async with connect(episode["urls"]["gateway"]["ws"], token=token) as client:
            await client.join(project_id)
            await asyncio.to_thread(admin.delete, f"/api/gym/episodes/{episode['id']}")
            return await client.closed()

    code, _reason = asyncio.run(watch_then_delete())
    assert code == closes.EPISODE_GONE
    gone = httpx.get(f"{base}/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "episode_not_found"
    again = admin.delete(f"/api/gym/episodes/{episode['id']}")
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "episode_not_found"


def test_the_cap_answers_429_with_retry_after(admin: httpx.Client) -> None:
    for _ in range(3):
        create(admin, preset="small")
    refused = admin.post("/api/gym/episodes", json={"seed": 3})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "episode_limit"
    assert int(refused.headers["Retry-After"]) >= 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"seed": -1}, "seed"), ({"preset": "huge"}, "preset"), ({"seed": "x"}, "seed")],
)
def test_bad_input_is_422(admin: httpx.Client, body: dict[str, Any], field: str) -> None:
    answer = admin.post("/api/gym/episodes", json=body)
    assert answer.status_code == 422
    assert field in answer.text


def test_episodes_need_the_admin_token(host: LiveStack) -> None:
    assert httpx.post(f"{host.api_url}/api/gym/episodes", json={}).status_code == 401
    assert httpx.get(f"{host.api_url}/api/gym/episodes").status_code == 401


def test_unknown_episode_paths_answer_404(host: LiveStack) -> None:
    for path in ("/e/ep_nosuchthing/", "/e/ep_nosuchthing/api/auth/me", "/e/NOT-AN-ID/"):
        answer = httpx.get(host.api_url + path)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "episode_not_found"


def test_idle_episodes_expire_but_not_while_watched(tmp_path: Path) -> None:
    with throwaway_database("sqlite", tmp_path) as url:
        settings = gym_settings(url, tmp_path).model_copy(update={"gym_episode_idle_seconds": 0.5})
        with (
            live_stack(settings) as quick,
            httpx.Client(base_url=quick.api_url, headers=ADMIN_HEADERS, timeout=60) as admin,
        ):
            watched, idle = create(admin), create(admin)
            base = watched["urls"]["base"]
            token, project_id = sign_in(
                base, httpx.get(f"{base}/api/gym/state", headers=ADMIN_HEADERS).json()
            )

            async def status(episode: dict[str, Any]) -> int:
                answer = await asyncio.to_thread(admin.get, f"/api/gym/episodes/{episode['id']}")
                return answer.status_code

            async def watch() -> None:
                async with connect(watched["urls"]["gateway"]["ws"], token=token) as client:
                    await client.join(project_id)
                    # The idle one goes; the watched one stays while its connection is open.
                    deadline = asyncio.get_running_loop().time() + 20
                    while await status(idle) != 404:
                        assert asyncio.get_running_loop().time() < deadline, "never expired"
                        await asyncio.sleep(0.1)
                    await asyncio.sleep(1.0)  # twice the idle time, with the socket open
                    assert await status(watched) == 200
                # Once let go, it goes too.
                deadline = asyncio.get_running_loop().time() + 20
                while await status(watched) != 404:
                    assert asyncio.get_running_loop().time() < deadline, "never expired"
                    await asyncio.sleep(0.1)

            asyncio.run(watch())


def test_with_redis_each_episode_has_its_own_channels(tmp_path: Path) -> None:
    """Over Redis, the same project ID in two episodes is two channels: a change in one
    reaches the other's followers neither as an event nor as presence."""
    with throwaway_database("sqlite", tmp_path) as url:
        settings = gym_settings(url, tmp_path).model_copy(update={"redis_url": TEST_REDIS})
        with (
            live_stack(settings) as served,
            httpx.Client(base_url=served.api_url, headers=ADMIN_HEADERS, timeout=60) as admin,
        ):
            first, second = create(admin), create(admin)
            state = httpx.get(f"{first['urls']['base']}/api/gym/state", headers=ADMIN_HEADERS)
            token_a, project_id = sign_in(first["urls"]["base"], state.json())
            # In the second episode, someone else of the same project follows it.
            owner = next(
                m["userId"]
                for m in state.json()["members"]
                if m["projectId"] == project_id and m["role"] == "owner"
            )
            someone = next(
                m["userId"]
                for m in state.json()["members"]
                if m["projectId"] == project_id and m["userId"] != owner
            )
            email = next(u["email"] for u in state.json()["users"] if u["id"] == someone)
            login = httpx.post(
                f"{second['urls']['base']}/api/auth/login",
                json={"email": email, "password": PASSWORD},
            )
            token_b = login.json()["token"]

            async def watch() -> None:
                async with (
                    connect(second["urls"]["gateway"]["ws"], token=token_b) as other,
                    connect(first["urls"]["gateway"]["ws"], token=token_a) as own,
                ):
                    await other.join(project_id)
                    await other.until("user_connected")  # itself
                    await own.join(project_id)
                    answer = await asyncio.to_thread(
                        httpx.post,
                        f"{first['urls']['base']}/api/projects/{project_id}/tasks",
                        json={"name": "first only"},
                        headers={"Authorization": f"Bearer {token_a}"},
                    )
                    assert answer.status_code == 201, answer.text
                    (event,) = await own.events(1)
                    assert event["data"]["task"]["name"] == "first only"
                    # What was on its way to the other episode's client has arrived by
                    # now: nothing, not even the first episode's people.
                    assert await other.drained() == []

            asyncio.run(watch())


def test_a_reset_keeps_sign_ins_and_snapshots_and_is_the_seed_again(admin: httpx.Client) -> None:
    episode = create(admin)
    base = episode["urls"]["base"]
    gym = httpx.Client(base_url=f"{base}/api/gym", headers=ADMIN_HEADERS, timeout=60)
    seeded = gym.get("/state").content
    token, project_id = sign_in(base, json.loads(seeded))
    bearer = {"Authorization": f"Bearer {token}"}
    added = httpx.post(
        f"{base}/api/projects/{project_id}/tasks",
        json={"name": "kept in a snapshot"},
        headers=bearer,
    )
    assert added.status_code == 201, added.text
    snapshot = gym.post("/snapshot").json()["id"]
    assert gym.post("/reset", json={"seed": 3}).status_code == 200
    assert gym.get("/state").content == seeded
    assert gym.get("/diff").json()["changes"]["tasks"]["added"] == []
    # The agent is still signed in, and the snapshot taken before the reset is there.
    assert httpx.get(f"{base}/api/auth/me", headers=bearer).status_code == 200
    assert [s["id"] for s in gym.get("/snapshots").json()] == [snapshot]
    assert gym.post(f"/restore/{snapshot}").status_code == 200
    names = [t["name"] for t in gym.get("/diff").json()["changes"]["tasks"]["added"]]
    assert names == ["kept in a snapshot"]
    # A change after the reset goes to the live state, and is announced once.
    again = httpx.post(
        f"{base}/api/projects/{project_id}/tasks", json={"name": "after"}, headers=bearer
    )
    assert again.status_code == 201, again.text
    gym.close()


def test_episodes_are_made_at_the_root_only(admin: httpx.Client) -> None:
    episode = create(admin)
    inside = admin.post(f"/e/{episode['id']}/api/gym/episodes", json={"seed": 3})
    assert inside.status_code == 404
    assert [e["id"] for e in admin.get("/api/gym/episodes").json()] == [episode["id"]]


def test_the_first_episodes_of_several_seeds_at_once(tmp_path: Path) -> None:
    """Templates of several seeds prepared at the same time, on a fresh server."""
    with (
        throwaway_database("sqlite", tmp_path) as url,
        live_stack(gym_settings(url, tmp_path)) as fresh,
    ):

        async def create_three() -> list[int]:
            async with httpx.AsyncClient(
                base_url=fresh.api_url, headers=ADMIN_HEADERS, timeout=120
            ) as client:
                answers = await asyncio.gather(
                    *(client.post("/api/gym/episodes", json={"seed": s}) for s in (4, 5, 6))
                )
                return [a.status_code for a in answers]

        assert asyncio.run(create_three()) == [201, 201, 201]
