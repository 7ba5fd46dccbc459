"""The gym over HTTP, served for real: the admin guard, reset pushing resync_required to
live clients, the state and diff as graders read them, the clock behind My Tasks, and
the ``tasklane reset`` / ``tasklane state`` commands."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tasklane.client.errors import TasklaneError
from tasklane.client.gym import GymClient
from tasklane.gym.presets import ANCHOR, PASSWORD
from tasklane.settings import Settings
from tests.gym.conftest import ADMIN
from tests.live import LiveStack
from tests.realtime.client import connect

ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture
def gym(served: LiveStack) -> Iterator[GymClient]:
    with GymClient(served.api_url, admin_token=ADMIN) as client:
        yield client


def sign_in(served: LiveStack, state: dict[str, Any], role: str = "owner") -> tuple[str, str]:
    """A seeded person with ``role`` in some project: their token and that project."""
    member = next(m for m in state["members"] if m["role"] == role)
    email = next(u["email"] for u in state["users"] if u["id"] == member["userId"])
    answer = httpx.post(
        f"{served.api_url}/api/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["token"], member["projectId"]


def test_the_gym_is_absent_without_gym_mode(base_url: str) -> None:
    for method, path in [("GET", "/api/gym/state"), ("POST", "/api/gym/reset")]:
        answer = httpx.request(method, base_url + path, headers=ADMIN_HEADERS, json={})
        assert answer.status_code == 404
    assert not [p for p in httpx.get(base_url + "/openapi.json").json()["paths"] if "gym" in p]


def test_gym_mode_needs_an_admin_token() -> None:
    with pytest.raises(ValueError, match="GYM_ADMIN_TOKEN"):
        Settings(gym_mode=True)
    with pytest.raises(ValueError, match="GYM_ADMIN_TOKEN"):
        Settings(gym_mode=True, gym_admin_token="short")


def test_every_gym_call_is_refused_without_the_admin_token(
    served: LiveStack, gym: GymClient
) -> None:
    gym.reset(seed=1)
    user_token, _ = sign_in(served, gym.state())
    calls = [
        ("POST", "/reset"),
        ("GET", "/state"),
        ("GET", "/diff"),
        ("POST", "/snapshot"),
        ("GET", "/snapshots"),
        ("POST", "/restore/snap_x"),
        ("DELETE", "/snapshots/snap_x"),
        ("GET", "/clock"),
        ("POST", "/clock"),
        ("GET", "/events"),
    ]
    for headers in [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {user_token}"},
    ]:
        for method, path in calls:
            answer = httpx.request(
                method, f"{served.api_url}/api/gym{path}", headers=headers, json={}
            )
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.json()["error"]["code"] == "gym_unauthorized"


def test_bad_gym_input_gets_a_clear_error(gym: GymClient) -> None:
    refusals: list[tuple[Callable[[], object], int]] = [
        (lambda: gym.reset(seed=1, preset="huge"), 422),
        (lambda: gym.reset(seed=-1), 422),
        (lambda: gym.events(after="no-seq-here"), 422),
        (lambda: gym.set_clock(), 422),
        (lambda: gym.set_clock("2026-03-02T09:00:00"), 422),  # no time zone
        (lambda: gym.restore("snap_missing"), 404),
    ]
    for call, status in refusals:
        with pytest.raises(TasklaneError) as refused:
            call()
        assert refused.value.status == status


async def test_a_reset_tells_live_clients_to_resync_and_the_log_starts_again(
    served: LiveStack, gym: GymClient
) -> None:
    gym.reset(seed=2)
    token, project_id = sign_in(served, gym.state())
    api = httpx.AsyncClient(base_url=served.api_url, headers={"Authorization": f"Bearer {token}"})
    async with api, connect(served.ws_url, token=token) as client:
        await client.join(project_id, last_seq=0)
        created = await api.post(f"/api/projects/{project_id}/tasks", json={"name": "Before"})
        assert created.status_code == 201
        assert (await client.until("task_created"))["seq"] == 1
        result = gym.reset(seed=2)
        assert result["prepared"] is False
        resync = await client.until("resync_required")
        assert resync["projectId"] == project_id
        assert resync["seq"] == 0
        assert resync["reason"] == "reset"
        # A long poll with the old cursor answers at once, its head below the cursor.
        poll = await api.get(f"/api/projects/{project_id}/events", params={"after": 1, "wait": 20})
        assert poll.json()["headSeq"] == 0
        assert poll.json()["events"] == []
        again = await api.post(f"/api/projects/{project_id}/tasks", json={"name": "After"})
        assert again.status_code == 201
        event = await client.until("task_created")
        assert (event["seq"], event["data"]["task"]["name"]) == (1, "After")
    assert "Before" not in gym.state_bytes().decode()


async def test_a_project_made_during_the_episode_ends_for_its_followers_on_reset(
    served: LiveStack, gym: GymClient
) -> None:
    gym.reset(seed=2)
    token, _ = sign_in(served, gym.state())
    api = httpx.AsyncClient(base_url=served.api_url, headers={"Authorization": f"Bearer {token}"})
    async with api, connect(served.ws_url, token=token) as client:
        made = (await api.post("/api/projects", json={"name": "Made by the agent"})).json()
        await client.join(made["id"])
        gym.reset(seed=2)
        left = await client.until("left")
        assert (left["projectId"], left["reason"]) == (made["id"], "project_deleted")
        assert (await api.get(f"/api/projects/{made['id']}")).status_code == 404


def test_state_diff_events_and_snapshots_over_http(served: LiveStack, gym: GymClient) -> None:
    gym.reset(seed=3)
    seeded = gym.state_bytes()
    assert (
        seeded
        == json.dumps(
            json.loads(seeded), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    )
    assert "passwordHash" not in seeded.decode()
    token, project_id = sign_in(served, json.loads(seeded))
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{served.api_url}/api/projects/{project_id}/tasks"
    first = httpx.post(url, json={"name": "One"}, headers=headers).json()
    snapshot = gym.snapshot()
    httpx.post(url, json={"name": "Two"}, headers=headers)
    trajectory = gym.events()
    assert [e["data"]["task"]["name"] for e in trajectory["events"]] == ["One", "Two"]
    assert trajectory["cursor"] == f"{project_id}:2"
    assert gym.events(after=trajectory["cursor"])["events"] == []
    added = gym.diff()["changes"]["tasks"]["added"]
    assert sorted(t["name"] for t in added) == ["One", "Two"]  # in order of their ids
    gym.restore(snapshot)
    assert [t["id"] for t in gym.diff()["changes"]["tasks"]["added"]] == [first["id"]]
    gym.delete_snapshot(snapshot)
    gym.reset(seed=3)
    assert gym.state_bytes() == seeded


def test_a_bad_trajectory_cursor_is_refused_and_a_good_one_pages(
    served: LiveStack, gym: GymClient
) -> None:
    gym.reset(seed=3)
    token, project_id = sign_in(served, gym.state())
    url = f"{served.api_url}/api/projects/{project_id}/tasks"
    for name in ("One", "Two"):
        made = httpx.post(url, json={"name": name}, headers={"Authorization": f"Bearer {token}"})
        assert made.status_code == 201, made.text
    for after in (
        "proj_a:²",  # a digit to str.isdigit, not to int()
        "proj_a:" + "9" * 5_000,
        ":1",  # no project
        f"{project_id}:1,:2",
    ):
        answer = httpx.get(
            f"{served.api_url}/api/gym/events", params={"after": after}, headers=ADMIN_HEADERS
        )
        assert answer.status_code == 422, (after[:20], answer.text)
        assert answer.json()["error"]["code"] == "bad_cursor"
    first = gym.events(limit=1)
    assert first["cursor"] == f"{project_id}:1"
    assert [e["data"]["task"]["name"] for e in first["events"]] == ["One"]
    second = gym.events(after=first["cursor"])
    assert second["cursor"] == f"{project_id}:2"
    assert [e["data"]["task"]["name"] for e in second["events"]] == ["Two"]


def test_a_frozen_clock_makes_my_tasks_the_same_in_every_episode(
    served: LiveStack, gym: GymClient
) -> None:
    gym.reset(seed=4)
    state = gym.state()
    load: dict[str, int] = {}
    for task in state["tasks"]:
        if task["assigneeId"] and task["status"] != "done":
            load[task["assigneeId"]] = load.get(task["assigneeId"], 0) + 1
    busiest = max(load, key=lambda user_id: load[user_id])
    email = next(u["email"] for u in state["users"] if u["id"] == busiest)

    def my_tasks() -> tuple[str, dict[str, int]]:
        with httpx.Client(base_url=served.api_url) as browser:
            signed_in = browser.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            assert signed_in.status_code == 200
            page = browser.get("/my-tasks").text
        groups = re.findall(r'data-group="(\w+)".*?data-testid="section-count">(\d+)<', page, re.S)
        body = page[page.index('data-testid="my-tasks"') :]
        return body, {key: int(count) for key, count in groups}

    def overdue(today: date) -> int:
        return sum(
            1
            for t in state["tasks"]
            if t["assigneeId"] == busiest
            and t["status"] != "done"
            and t["dueOn"]
            and date.fromisoformat(t["dueOn"]) < today
        )

    first, groups = my_tasks()
    assert groups.get("overdue", 0) == overdue(ANCHOR.date())
    gym.reset(seed=4)
    again, _ = my_tasks()
    assert again == first
    later = ANCHOR + timedelta(days=60)
    gym.reset(seed=4, now=later.isoformat())
    _, groups = my_tasks()
    assert groups.get("overdue", 0) == overdue(later.date()) > overdue(ANCHOR.date())
