"""The small defects of the pages, held by what Chromium lays out and shows: bounding
boxes, computed styles and text, at 1440 x 900 (a laptop) and 390 x 844 (a phone), in
the light theme; what a theme changes (colours), in the light theme and the dark one
(themes.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.browsers import LIVE_WITHIN, Person, api, register, shared_project
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (the pages look the same on any database)
from tests.web.themes import SCHEMES, turn_to

LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def people(split: Split) -> tuple[Person, Person]:
    return register(split, "Ana"), register(split, "Ben")


@pytest.fixture
def open_page(browser: Browser, split: Split) -> Iterator[Any]:
    contexts = []

    def opened(person: Person, path: str, viewport: dict[str, int] = LAPTOP) -> Page:
        context = browser.new_context(
            base_url=split.base_url,
            viewport=viewport,  # type: ignore[arg-type]
            color_scheme="light",
        )
        contexts.append(context)
        context.add_cookies(
            [{"name": "tasklane_session", "value": person.token, "url": split.base_url}]
        )
        page = context.new_page()
        page.goto(path)
        return page

    yield opened
    for context in contexts:
        context.close()


def live(page: Page) -> None:
    expect(page.get_by_test_id("status-indicator")).to_have_text("Live")


# -- dates ----------------------------------------------------------------------------


def test_short_dates_drop_the_year_of_the_apps_clock_not_the_readers(
    split: Split, people: tuple[Person, Person], open_page: Any
) -> None:
    """A gym's clock can stand in another year: the page then carries the app's today as
    ``body[data-today]`` (base.html), and a date in that year is written without it."""
    ana, _ = people
    project = shared_project(split, ana)
    page = open_page(ana, f"/projects/{project['id']}")
    live(page)
    real_year: int = page.evaluate("new Date().getFullYear()")  # the reader's
    app_year = real_year + 5
    page.evaluate(f"document.body.dataset.today = '{app_year}-06-15'")
    with api(split, ana) as http:
        for name, due in (("In the app's year", app_year), ("In the reader's year", real_year)):
            body = {"name": name, "dueOn": f"{due}-03-05"}
            assert http.post(f"/api/projects/{project['id']}/tasks", json=body).status_code == 201
    rows = page.get_by_test_id("task-row")
    expect(rows.filter(has_text="In the app's year").get_by_test_id("task-due")).to_have_text(
        "Mar 5", timeout=LIVE_WITHIN
    )
    expect(rows.filter(has_text="In the reader's year").get_by_test_id("task-due")).to_have_text(
        f"Mar 5, {real_year}", timeout=LIVE_WITHIN
    )


# -- the sticky header ----------------------------------------------------------------


def test_the_sticky_project_header_is_opaque_in_both_themes(
    split: Split, people: tuple[Person, Person], open_page: Any
) -> None:
    ana, _ = people
    project = shared_project(split, ana)
    page = open_page(ana, f"/projects/{project['id']}")
    header = page.get_by_test_id("project-header")
    expect(header).to_have_css("position", "sticky")
    for scheme in SCHEMES:
        turn_to(page, scheme)
        page_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert page_background.startswith("rgb("), scheme  # the theme's page colour, opaque
        expect(header).to_have_css("background-color", page_background)
        expect(header).to_have_css("opacity", "1")


# -- names that do not fit ------------------------------------------------------------

LONG_PROJECT = "Pilot · Launch campaign for the very long spring product line of the year"
LONG_TASK = (
    "A very long task name that goes on and on about the many things that need to happen "
    "before the launch of the product, and then some more"
)


def long_named_project(split: Split, owner: Person, *others: Person) -> Any:
    project = shared_project(split, owner, *others)
    with api(split, owner) as http:
        renamed = http.patch(f"/api/projects/{project['id']}", json={"name": LONG_PROJECT})
        assert renamed.status_code == 200, renamed.text
    return renamed.json()


def box(locator: Any) -> dict[str, float]:
    found: dict[str, float] | None = locator.bounding_box()
    assert found is not None
    return found


def test_project_tiles_take_initials_from_letters_not_punctuation(
    split: Split, people: tuple[Person, Person], open_page: Any
) -> None:
    ana, _ = people
    project = long_named_project(split, ana)
    page = open_page(ana, "/")
    card = page.locator(f'[data-testid=project-card][data-project-id="{project["id"]}"]')
    expect(card.locator(".project-tile")).to_have_text("PL")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1440", "390"])
def test_a_long_project_name_ends_in_an_ellipsis_in_the_sidebar(
    split: Split, open_page: Any, viewport: dict[str, int]
) -> None:
    ana = register(split, "Ana")  # with this one project: the phone's strip starts with it
    project = long_named_project(split, ana)
    page = open_page(ana, "/", viewport)
    link = page.get_by_test_id("sidebar").locator(f'a[data-project-id="{project["id"]}"]')
    expect(link).to_have_attribute("title", LONG_PROJECT)
    text = link.locator(".nav-text")
    expect(text).to_have_css("text-overflow", "ellipsis")
    # The name is cut inside the link, and the link inside the sidebar's list.
    assert text.evaluate("node => node.scrollWidth > node.clientWidth")
    nav, shown = box(link.locator("xpath=ancestor::ul[1]")), box(link)
    assert shown["x"] >= nav["x"] - 0.5
    assert shown["x"] + shown["width"] <= nav["x"] + nav["width"] + 0.5
    assert shown["x"] + shown["width"] <= viewport["width"]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1440", "390"])
def test_a_long_task_name_wraps_in_the_pane_title(
    split: Split, people: tuple[Person, Person], open_page: Any, viewport: dict[str, int]
) -> None:
    ana, _ = people
    project = shared_project(split, ana)
    with api(split, ana) as http:
        task = http.post(f"/api/projects/{project['id']}/tasks", json={"name": LONG_TASK}).json()
    page = open_page(ana, f"/projects/{project['id']}/tasks/{task['id']}", viewport)
    live(page)
    title = page.get_by_test_id("pane-name")
    expect(title).to_have_value(LONG_TASK)
    # Every line of it shows: nothing scrolls inside the field, across or down.
    assert title.evaluate(
        "node => node.scrollWidth <= node.clientWidth && node.scrollHeight <= node.clientHeight"
    )
    assert box(title)["height"] > 60  # more than one line
    pane = box(page.get_by_test_id("task-pane"))
    shown = box(title)
    assert shown["x"] + shown["width"] <= pane["x"] + pane["width"]
    # Enter still saves the name rather than breaking it.
    title.fill("Short name")
    title.press("Enter")
    expect(page.get_by_test_id("task-row").get_by_test_id("task-name")).to_have_text(
        "Short name", timeout=LIVE_WITHIN
    )
    expect(title).to_have_value("Short name")


# -- the board and the header ---------------------------------------------------------


def test_add_section_shows_whole_beside_three_columns_at_1440(
    split: Split, people: tuple[Person, Person], open_page: Any
) -> None:
    ana, _ = people
    project = shared_project(split, ana)
    page = open_page(ana, f"/projects/{project['id']}/board")
    live(page)
    expect(page.get_by_test_id("board-column")).to_have_count(3)
    adder = page.get_by_test_id("add-section-input")
    expect(adder).to_be_in_viewport(ratio=1)
    board, shown = box(page.get_by_test_id("board")), box(adder)
    assert shown["x"] + shown["width"] <= board["x"] + board["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]


def test_member_avatars_do_not_cover_each_others_initials(
    split: Split, people: tuple[Person, Person], open_page: Any
) -> None:
    ana, ben = people
    cy, di = register(split, "Cy"), register(split, "Di")
    project = shared_project(split, ana, ben, cy, di)
    page = open_page(ana, f"/projects/{project['id']}")
    live(page)
    # Presence arriving moves the header's end: measured once it has, all at once.
    expect(page.get_by_test_id("presence-avatar")).to_have_count(1)
    avatars = page.get_by_test_id("member-avatars").locator(".avatar")
    expect(avatars).to_have_count(4)
    boxes = avatars.evaluate_all(
        "nodes => nodes.map((n) => { const r = n.getBoundingClientRect(); "
        "return { x: r.x, width: r.width }; })"
    )
    for before, after in itertools.pairwise(boxes):
        assert after["x"] >= before["x"] + before["width"], (before, after)


def test_the_project_navigation_fits_a_phone(split: Split, open_page: Any) -> None:
    ana = register(split, "Ana")  # with this one project: the phone's strip starts with it
    project = long_named_project(split, ana)
    page = open_page(ana, f"/projects/{project['id']}", PHONE)
    live(page)
    expect(page.get_by_test_id("presence-avatar")).to_have_count(1)  # the header is complete
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for view in ("view-list", "view-board"):
        expect(page.get_by_test_id(view)).to_be_in_viewport(ratio=1)
    for control in ("share", "status-indicator", "project-settings"):
        expect(page.get_by_test_id(control)).to_be_in_viewport(ratio=1)
    sidebar_link = page.get_by_test_id("sidebar").locator(f'a[data-project-id="{project["id"]}"]')
    expect(sidebar_link).to_be_in_viewport(ratio=1)
    expect(page.get_by_test_id("new-project-link")).to_be_in_viewport(ratio=1)


# -- task and project actions ---------------------------------------------------------


def fits_across(page: Page, locator: Any, width: int) -> None:
    """Whole across the viewport, and nothing inside scrolled out of sight sideways."""
    shown = box(locator)
    assert shown["x"] >= 0
    assert shown["x"] + shown["width"] <= width
    assert locator.evaluate("node => node.scrollWidth <= node.clientWidth")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1440", "390"])
def test_the_panes_actions_and_the_settings_dialogs_fit(
    split: Split, open_page: Any, viewport: dict[str, int]
) -> None:
    ana = register(split, "Ana")
    project = long_named_project(split, ana)
    with api(split, ana) as http:
        task = http.post(f"/api/projects/{project['id']}/tasks", json={"name": LONG_TASK}).json()
    page = open_page(ana, f"/projects/{project['id']}/tasks/{task['id']}", viewport)
    live(page)
    for control in ("pane-delete", "pane-complete", "pane-section", "pane-status"):
        expect(page.get_by_test_id(control)).to_be_in_viewport(ratio=1)
    page.get_by_test_id("pane-delete").click()
    confirm = page.get_by_test_id("confirm-dialog")
    expect(confirm).to_contain_text(LONG_TASK)
    fits_across(page, confirm, viewport["width"])
    for button in ("confirm-cancel", "confirm-accept"):
        expect(confirm.get_by_test_id(button)).to_be_in_viewport(ratio=1)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")  # and the pane
    expect(page.get_by_test_id("task-pane")).to_have_count(0)
    expect(page.get_by_test_id("move-menu-button")).to_be_in_viewport(ratio=1)

    page.get_by_test_id("project-settings").click()
    dialog = page.get_by_test_id("project-settings-dialog")
    fits_across(page, dialog, viewport["width"])
    for control in ("project-settings-save", "project-archive", "project-delete"):
        dialog.get_by_test_id(control).scroll_into_view_if_needed()
        expect(dialog.get_by_test_id(control)).to_be_in_viewport(ratio=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


# -- the theme switch and the keyboard's dialogs ---------------------------------------


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1440", "390"])
def test_the_theme_switch_and_the_keyboard_dialogs_fit(
    split: Split, people: tuple[Person, Person], open_page: Any, viewport: dict[str, int]
) -> None:
    ana, _ = people
    project = shared_project(split, ana)
    page = open_page(ana, f"/projects/{project['id']}", viewport)
    live(page)
    sidebar = box(page.get_by_test_id("sidebar"))
    for control in (
        page.get_by_role("group", name="Theme"),
        page.get_by_role("button", name="Keyboard shortcuts"),
        page.get_by_test_id("sign-out"),
    ):
        expect(control).to_be_in_viewport(ratio=1)
        shown = box(control)
        assert shown["x"] >= sidebar["x"]
        assert shown["x"] + shown["width"] <= sidebar["x"] + sidebar["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    for key, testid in (("?", "shortcuts-dialog"), ("q", "quick-add-dialog")):
        page.keyboard.press(key)
        dialog = page.get_by_test_id(testid)
        expect(dialog).to_be_visible()
        fits_across(page, dialog, viewport["width"])
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
