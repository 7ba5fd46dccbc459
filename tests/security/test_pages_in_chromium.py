"""Hostile text in Chromium: the pages of ``test_pages_are_inert.py`` loaded in a real
browser under their Content-Security-Policy, then more hostile text arriving live (a
task, a comment, a section, a project rename) and rendered by the page's own scripts.

No dialog ever opens, no element comes from the text, the text shows literally, and
the console reports no error: no policy violation either, on any page. With scripts off,
the ``<noscript>`` style the policy allows by its hash still hides what needs a script.

Tasklane runs as two processes (``tests/web/servers.py``), on a SQLite database of this
module's own: the browser half of the issue runs on one backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright

from tests.conftest import unique_email
from tests.security.test_pages_are_inert import HOSTILE, as_markdown_shows, hostile
from tests.web.browsers import CHROMIUM, FLAGS, LIVE_WITHIN, Person, Seat, sit, status
from tests.web.servers import Split, split_servers

Json = dict[str, Any]
# Recorded by the page itself, before any of its scripts run.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Split]:
    folder = tmp_path_factory.mktemp("chromium")
    # split_servers migrates the new database before it starts the processes.
    with split_servers(folder, f"sqlite+aiosqlite:///{folder / 'tasklane.db'}") as running:
        yield running


@pytest.fixture(scope="module")
def chromium(servers: Split) -> Iterator[Browser]:
    """Closed with this module, whose tests are neither async nor per backend: sync
    Playwright runs an event loop in this thread, and other modules' tests need
    ``asyncio.run()`` (tests/web/conftest.py). After ``servers``, for the same reason."""
    del servers
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def person(servers: Split, name: str) -> Person:
    body = {"email": unique_email("chromium"), "name": name, "password": "correct horse"}
    data = ok(httpx.post(f"{servers.base_url}/api/auth/register", json=body, timeout=30))
    return Person(data["user"]["id"], name, data["token"])


def api(servers: Split, who: Person) -> httpx.Client:
    headers = {"Authorization": f"Bearer {who.token}"}
    return httpx.Client(base_url=servers.base_url, timeout=30, headers=headers)


class Watch:
    """Everything a page might do with the hostile text: dialogs it opened."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        page.on("dialog", self.dismiss)
        page.add_init_script(WATCH_VIOLATIONS)

    def dismiss(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def assert_inert(seat: Seat, watch: Watch, where: str) -> None:
    page = seat.page
    assert watch.dialogs == [], where
    assert page.locator("img[src='x']").count() == 0, where
    with_handlers = page.evaluate(
        """() => [...document.querySelectorAll('*')].flatMap((node) =>
            [...node.attributes].filter((a) => a.name.startsWith('on'))
              .map((a) => `${node.tagName} ${a.name}`))"""
    )
    assert with_handlers == [], where
    assert page.evaluate("window.__violations") == [], where
    assert seat.errors == [], where


@pytest.fixture
def scene(servers: Split) -> tuple[Person, Json, Json]:
    """A project and a task full of hostile text, assigned to its owner."""
    owner = person(servers, hostile("person"))
    with api(servers, owner) as http:
        project = ok(http.post("/api/projects", json={"name": hostile("project")}))
        section = ok(
            http.post(f"/api/projects/{project['id']}/sections", json={"name": hostile("section")})
        )
        task = ok(
            http.post(
                f"/api/projects/{project['id']}/tasks",
                json={
                    "name": hostile("task"),
                    "notes": hostile("notes"),
                    "sectionId": section["id"],
                    "assigneeId": owner.id,
                },
            )
        )
        ok(http.post(f"/api/tasks/{task['id']}/comments", json={"text": hostile("comment")}))
    return owner, project, task


def test_hostile_text_stays_text_in_chromium_on_every_page_and_when_it_arrives_live(
    chromium: Browser, servers: Split, scene: tuple[Person, Json, Json]
) -> None:
    owner, project, task = scene
    pid = project["id"]
    pages = [
        "/",
        f"/projects/{pid}",
        f"/projects/{pid}/board",
        f"/projects/{pid}/tasks/{task['id']}?view=board",
        f"/projects/{pid}/members",
        "/my-tasks",
        "/search?q=alert",
    ]
    seat = sit(chromium, servers, owner, "about:blank")
    try:
        watch = Watch(seat.page)
        for path in pages:
            seat.page.goto(path)
            expect(seat.page.locator("main")).to_contain_text(HOSTILE)
            if path.startswith("/projects/") and "/members" not in path:
                expect(status(seat)).to_have_text("Live")  # its scripts ran and connected
            assert_inert(seat, watch, path)
    finally:
        seat.context.close()

    # Open the list with the task's pane, and let more hostile text arrive live.
    seat = sit(chromium, servers, owner, "about:blank")
    try:
        watch = Watch(seat.page)
        seat.page.goto(f"/projects/{pid}/tasks/{task['id']}")
        expect(status(seat)).to_have_text("Live")
        with api(servers, owner) as http:
            ok(http.post(f"/api/projects/{pid}/tasks", json={"name": hostile("live task")}))
            ok(http.post(f"/api/tasks/{task['id']}/comments", json={"text": hostile("live")}))
            ok(http.post(f"/api/projects/{pid}/sections", json={"name": hostile("live section")}))
            ok(http.patch(f"/api/projects/{pid}", json={"name": hostile("renamed")}))
            ok(http.patch(f"/api/tasks/{task['id']}", json={"notes": hostile("live notes")}))
        page = seat.page
        expect(page.get_by_test_id("task-row").filter(has_text=hostile("live task"))).to_be_visible(
            timeout=LIVE_WITHIN
        )
        comments = page.get_by_test_id("task-pane").get_by_test_id("comment")
        live_comment = as_markdown_shows(hostile("live"))  # comments are Markdown
        expect(comments.filter(has_text=live_comment)).to_have_count(1, timeout=LIVE_WITHIN)
        expect(
            page.get_by_test_id("section").filter(has_text=hostile("live section"))
        ).to_have_count(1, timeout=LIVE_WITHIN)
        expect(page.get_by_test_id("project-header")).to_contain_text(
            hostile("renamed"), timeout=LIVE_WITHIN
        )
        expect(page.get_by_test_id("pane-notes")).to_have_value(
            hostile("live notes"), timeout=LIVE_WITHIN
        )
        assert hostile("renamed") in page.title()
        assert_inert(seat, watch, "live")
    finally:
        seat.context.close()

    # And on the board, a card arriving live.
    seat = sit(chromium, servers, owner, "about:blank")
    try:
        watch = Watch(seat.page)
        seat.page.goto(f"/projects/{pid}/board")
        expect(status(seat)).to_have_text("Live")
        with api(servers, owner) as http:
            ok(http.post(f"/api/projects/{pid}/tasks", json={"name": hostile("live card")}))
        card = seat.page.get_by_test_id("task-card").filter(has_text=hostile("live card"))
        expect(card).to_be_visible(timeout=LIVE_WITHIN)
        assert_inert(seat, watch, "live card")
    finally:
        seat.context.close()


def test_without_scripts_the_noscript_style_allowed_by_its_hash_applies(
    chromium: Browser, servers: Split, scene: tuple[Person, Json, Json], tmp_path: Path
) -> None:
    owner, project, _task = scene
    context = chromium.new_context(base_url=servers.base_url, java_script_enabled=False)
    try:
        context.add_cookies(
            [{"name": "tasklane_session", "value": owner.token, "url": servers.base_url}]
        )
        page = context.new_page()
        page.goto(f"/projects/{project['id']}")
        needs_script = page.locator(".needs-script").first
        expect(needs_script).to_be_attached()
        expect(needs_script).to_be_hidden()  # by the <noscript> style: it was allowed
        page.screenshot(path=str(tmp_path / "no-script.png"))
    finally:
        context.close()
