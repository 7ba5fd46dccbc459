"""Every page at zero axe-core violations, in Chromium, in the light theme and the dark
one: the accessibility tree is what browser agents read and what a screen reader
announces, so a control nested in another control, a missing label or text below AA
contrast fails here. Each page is loaded once, checked in the light theme, then turned
dark and checked again (themes.py): only colours differ between the two.

axe-core is the root's devDependency (pinned in package-lock.json; ``npm ci`` installs
it). The pages forbid inline scripts, so the contexts here bypass the Content Security
Policy to inject it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.web.browsers import Person, api, register, shared_project
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (the pages look the same on any database)
from tests.web.themes import SCHEMES, turn_to

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
  }));
}"""


@dataclass
class Workspace:
    """Someone with a project that has something on every kind of page."""

    person: Person
    project_id: str
    task_id: str


@pytest.fixture(scope="module")
def workspace(split: Split) -> Workspace:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    with api(split, ana) as http:
        tasks = f"/api/projects/{project['id']}/tasks"
        first = {"name": "Write the launch post", "assigneeId": ana.id, "dueOn": "2026-01-05"}
        task = http.post(tasks, json=first).json()
        http.post(tasks, json={"name": "Book the launch venue", "status": "done"})
        http.post(f"/api/tasks/{task['id']}/subtasks", json={"name": "Outline the post"})
        http.post(f"/api/tasks/{task['id']}/comments", json={"text": "A draft is up"})
    return Workspace(ana, project["id"], task["id"])


LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def viewport() -> dict[str, int]:
    return LAPTOP


@pytest.fixture(scope="module")
def contexts(browser: Browser) -> Iterator[dict[str, BrowserContext]]:
    """The module's browser contexts, one for each viewport: each test opens its page in
    a new tab, which takes the page's scripts from the context's cache. No test saves a
    change, and what a tab holds (a dialog open, tasks selected) goes with it."""
    made: dict[str, BrowserContext] = {}
    yield made
    for context in made.values():
        context.close()


@pytest.fixture
def page(
    contexts: dict[str, BrowserContext], browser: Browser, split: Split, viewport: dict[str, int]
) -> Iterator[Page]:
    size = f"{viewport['width']}x{viewport['height']}"
    if size not in contexts:
        contexts[size] = browser.new_context(
            base_url=split.base_url,
            viewport=viewport,  # type: ignore[arg-type]
            color_scheme="light",
            bypass_csp=True,
        )
    tab = contexts[size].new_page()
    yield tab
    tab.close()


def violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof axe !== 'undefined'"):  # once per document
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return found


NONE: dict[str, list[dict[str, Any]]] = {scheme: [] for scheme in SCHEMES}


def violations_in_each_theme(page: Page) -> dict[str, list[dict[str, Any]]]:
    """axe-core's violations on ``page`` as it stands, in each theme; the system's
    scheme is light again afterwards."""
    found: dict[str, list[dict[str, Any]]] = {}
    for scheme in SCHEMES:
        turn_to(page, scheme)
        found[scheme] = violations(page)
    turn_to(page, "light")
    return found


PAGES = {
    "home": "/",
    "list": "/projects/{project}",
    "board": "/projects/{project}/board",
    "task pane": "/projects/{project}/tasks/{task}",
    "task pane on the board": "/projects/{project}/tasks/{task}?view=board",
    "my tasks": "/my-tasks",
    # The filter bar in use: a grouped List, a filtered Board, a view filtered to nothing.
    "list, filtered and grouped": "/projects/{project}?assignee=me&sort=due&group=assignee",
    "board, filtered": "/projects/{project}/board?status=done&q=launch",
    "my tasks, filtered to nothing": "/my-tasks?status=done&group=project",
    "search": "/search?q=launch",
    "members": "/projects/{project}/members",
}


def open_signed_in(page: Page, split: Split, workspace: Workspace, name: str) -> None:
    """Opens page ``name`` of ``PAGES`` and waits until its script has drawn it."""
    page.context.add_cookies(
        [{"name": "tasklane_session", "value": workspace.person.token, "url": split.base_url}]
    )
    page.goto(PAGES[name].format(project=workspace.project_id, task=workspace.task_id))
    if "{project}" in PAGES[name] and name != "members":
        # The page's script has run and drawn what it draws (presence, the indicator).
        expect(page.get_by_test_id("status-indicator")).to_have_text("Live")
    if "pane" in name:
        expect(page.get_by_test_id("task-pane")).to_be_visible()
    expect(page.locator("main")).to_be_visible()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` at the root")
@pytest.mark.parametrize("name", list(PAGES))
def test_a_signed_in_page_has_no_axe_violations(
    page: Page, split: Split, workspace: Workspace, name: str
) -> None:
    open_signed_in(page, split, workspace, name)
    assert violations_in_each_theme(page) == NONE


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` at the root")
@pytest.mark.parametrize("viewport", [PHONE], ids=["390"])
@pytest.mark.parametrize("name", ["list", "board", "task pane"])
def test_a_project_page_on_a_phone_has_no_axe_violations(
    page: Page, split: Split, workspace: Workspace, name: str, viewport: dict[str, int]
) -> None:
    open_signed_in(page, split, workspace, name)
    assert violations_in_each_theme(page) == NONE


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` at the root")
def test_the_sign_in_page_has_no_axe_violations(page: Page) -> None:
    page.context.clear_cookies()  # signed out; a signed-in test signs in again
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert violations_in_each_theme(page) == NONE


# What opens over a page: each is checked open, on the page it opens from.
OPENED = {
    "project settings": ("list", "project-settings", "project-settings-dialog"),
    "deleting a task": ("task pane", "pane-delete", "confirm-dialog"),
    "moving a row": ("list", "move-menu-button", "move-menu"),
    "selecting a task": ("list", "task-select", "bulk-bar"),
}


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` at the root")
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1440", "390"])
@pytest.mark.parametrize("opened", list(OPENED))
def test_a_dialog_or_menu_open_has_no_axe_violations(
    page: Page, split: Split, workspace: Workspace, opened: str, viewport: dict[str, int]
) -> None:
    name, opener, shown = OPENED[opened]
    open_signed_in(page, split, workspace, name)
    page.get_by_test_id(opener).first.click()
    expect(page.get_by_test_id(shown)).to_be_visible()
    assert violations_in_each_theme(page) == NONE
    if shown == "project-settings-dialog":  # and the question it asks before deleting
        page.get_by_test_id("project-delete").click()
        expect(page.get_by_test_id("confirm-dialog")).to_be_visible()
        assert violations_in_each_theme(page) == NONE


# The keyboard's dialogs, opened by their shortcuts.
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` at the root")
@pytest.mark.parametrize(("key", "shown"), [("?", "shortcuts-dialog"), ("q", "quick-add-dialog")])
def test_a_keyboard_dialog_open_has_no_axe_violations(
    page: Page, split: Split, workspace: Workspace, key: str, shown: str
) -> None:
    open_signed_in(page, split, workspace, "list")
    page.keyboard.press(key)
    dialog = page.get_by_test_id(shown)
    expect(dialog).to_be_visible()
    if shown == "quick-add-dialog":  # its projects are in
        expect(dialog.get_by_label("Project")).to_have_value(workspace.project_id)
    assert violations_in_each_theme(page) == NONE
