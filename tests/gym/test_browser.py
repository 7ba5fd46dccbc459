"""A board open in Chromium while the gym resets: it shows the agent's change live, and
after the reset the seeded state again — without a reload."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tasklane.app import build_stack
from tasklane.client.gym import GymClient
from tasklane.gym.presets import PASSWORD
from tasklane.serving import build_servers
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import running
from tests.processes import free_port
from tests.web.browsers import CHROMIUM, FLAGS, LIVE_WITHIN


@pytest.fixture(scope="module")
def gym_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``tasklane serve`` in gym mode, on ports the pages know (they open the gateway
    on WS_PORT)."""
    folder = tmp_path_factory.mktemp("gym-browser")
    port, ws_port = free_port(), free_port()
    with throwaway_database("sqlite", folder) as url:
        settings = gym_settings(url, folder).model_copy(update={"port": port, "ws_port": ws_port})
        stack = build_stack(settings)
        with running(build_servers(stack, "all", port=port, ws_port=ws_port), stack):
            yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser(gym_server: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def test_an_open_board_follows_the_agent_and_then_the_reset(
    gym_server: str, browser: Browser, tmp_path: Path
) -> None:
    with GymClient(gym_server, admin_token=ADMIN) as gym:
        gym.reset(seed=8)
        state = gym.state()
        owner = next(m for m in state["members"] if m["role"] == "owner")
        project = owner["projectId"]
        email = next(u["email"] for u in state["users"] if u["id"] == owner["userId"])
        task = next(t for t in state["tasks"] if t["projectId"] == project and not t["parentId"])
        login = httpx.post(
            f"{gym_server}/api/auth/login", json={"email": email, "password": PASSWORD}
        )
        token = login.json()["token"]
        context = browser.new_context(base_url=gym_server, viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": "tasklane_session", "value": token, "url": gym_server}])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"/projects/{project}/board")
        card = page.locator(f'[data-testid=task-card][data-task-id="{task["id"]}"]')
        expect(card).to_contain_text(task["name"])
        expect(page.get_by_test_id("status-indicator")).to_have_text("Live")
        page.evaluate("window.stillTheSamePage = true")

        renamed = httpx.patch(
            f"{gym_server}/api/tasks/{task['id']}",
            json={"name": "Renamed by the agent"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert renamed.status_code == 200
        expect(card).to_contain_text("Renamed by the agent", timeout=LIVE_WITHIN)

        gym.reset(seed=8)
        expect(card).to_contain_text(task["name"], timeout=LIVE_WITHIN)
        expect(page.get_by_test_id("status-indicator")).to_have_text("Live")
        assert page.evaluate("window.stillTheSamePage") is True
        page.screenshot(path=str(tmp_path / "after-reset.png"))
        context.close()
        assert errors == []
