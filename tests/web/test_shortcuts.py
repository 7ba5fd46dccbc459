"""The keyboard in Chromium: "?" lists every shortcut in a dialog, "/" goes to search,
"q" adds a task from any page (and a second person sees it arrive live), "g h" and
"g m" go Home and to My Tasks; none fires while typing or with Ctrl, Alt or Meta held,
and the shortcuts the pages had (Esc, F2, Enter, Ctrl+Enter) still work."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.web.browsers import (
    LIVE_WITHIN,
    Person,
    Seat,
    api,
    network_noise,
    register,
    shared_project,
    sit,
)
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (the pages behave the same on any database)

EVERY_SHORTCUT = [
    ("?", "Show keyboard shortcuts"),
    ("/", "Search tasks"),
    ("q", "Quick add a task"),
    ("g then h", "Go to Home"),
    ("g then m", "Go to My Tasks"),
    ("F2", "Rename the focused task"),
    ("Enter", "Save a rename"),
    ("Ctrl + Enter", "Save the notes, or post the comment"),
    ("Esc", "Close a dialog, a menu or the task pane"),
    ("Ctrl + z", "Undo your last deletion, completion or move"),
    ("Shift + click", "select, or unselect, every task of its list"),
]


@pytest.fixture
def seat(browser: Browser, split: Split) -> Iterator[Any]:
    """Sits a person at a page; at the end, checks their page logged no error."""
    seats: list[Seat] = []

    def sat(person: Person, path: str) -> Page:
        seats.append(sit(browser, split, person, path))
        ready(seats[-1].page)
        return seats[-1].page

    yield sat
    for taken in seats:
        taken.context.close()
    for taken in seats:
        assert network_noise(taken.errors) == []


def add_task(split: Split, person: Person, project_id: str, name: str) -> Any:
    with api(split, person) as http:
        response = http.post(f"/api/projects/{project_id}/tasks", json={"name": name})
        assert response.status_code == 201, response.text
        return response.json()


def ready(page: Page) -> None:
    """Waits until the page's shortcuts are bound: the search then says its key."""
    expect(page.get_by_test_id("search-input")).to_have_attribute("aria-keyshortcuts", "/")


def live(page: Page) -> None:
    expect(page.get_by_test_id("status-indicator")).to_have_text("Live")


def shortcuts_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Keyboard shortcuts")


def quick_add(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Add a task")


def rows_named(page: Page, name: str) -> Locator:
    return page.get_by_test_id("task-row").filter(has=page.get_by_text(name, exact=True))


# -- the dialog of shortcuts ------------------------------------------------------------


def test_question_mark_lists_every_shortcut_in_a_dialog(split: Split, seat: Any) -> None:
    ana = register(split, "Ana")
    page = seat(ana, "/")
    page.keyboard.press("?")
    dialog = shortcuts_dialog(page)
    expect(dialog).to_be_visible()
    rows = dialog.get_by_test_id("shortcut")
    expect(rows).to_have_count(len(EVERY_SHORTCUT))
    for row, (keys, does) in zip(rows.all(), EVERY_SHORTCUT, strict=True):
        expect(row.locator("dt")).to_have_text(keys)
        expect(row.locator("dd")).to_contain_text(does)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # By mouse too: the sidebar's button, whose name is stable; focus goes back to it.
    button = page.get_by_role("button", name="Keyboard shortcuts")
    button.click()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)
    expect(button).to_be_focused()


# -- going places -----------------------------------------------------------------------


def test_slash_focuses_the_search_and_g_goes_home_or_to_my_tasks(split: Split, seat: Any) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    page = seat(ana, f"/projects/{project['id']}")
    live(page)
    page.keyboard.press("/")
    search = page.get_by_test_id("search-input")
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # the slash is not typed into it
    search.blur()

    page.keyboard.press("g")
    page.keyboard.press("m")
    expect(page).to_have_url(re.compile(r"/my-tasks$"))
    ready(page)
    page.keyboard.press("g")
    page.keyboard.press("h")
    expect(page).to_have_url(f"{split.base_url}/")
    expect(page.get_by_role("heading", name="Home", exact=True)).to_be_visible()


def test_no_shortcut_fires_while_typing_or_with_a_modifier(split: Split, seat: Any) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    task = add_task(split, ana, project["id"], "Write the post")
    path = f"/projects/{project['id']}/tasks/{task['id']}"
    page = seat(ana, path)
    live(page)
    typed = "q?/gh gm"
    fields = {
        "an input": page.get_by_test_id("add-task-input").first,
        "a textarea": page.get_by_test_id("comment-input"),
        "the search": page.get_by_test_id("search-input"),
    }
    for where, field in fields.items():
        field.click()
        field.press_sequentially(typed)
        expect(field, where).to_have_value(typed)
        field.fill("")
    page.locator("body").evaluate("() => document.activeElement.blur()")
    for press in ("Alt+q", "Control+/", "Alt+Shift+?", "Meta+g", "h"):
        page.keyboard.press(press)
    # Then a shortcut that does fire: by the time its dialog shows, the presses before
    # it have all been handled.
    page.keyboard.press("?")
    expect(shortcuts_dialog(page)).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(1)
    expect(page.get_by_test_id("search-input")).not_to_be_focused()
    assert page.url == f"{split.base_url}{path}"


# -- the shortcuts the pages had --------------------------------------------------------


def test_esc_f2_enter_and_ctrl_enter_keep_working(split: Split, seat: Any) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    task = add_task(split, ana, project["id"], "Write the post")
    page = seat(ana, f"/projects/{project['id']}/tasks/{task['id']}")
    live(page)
    pane = page.get_by_test_id("task-pane")
    expect(pane).to_be_visible()

    # Ctrl+Enter posts a comment.
    comment = page.get_by_test_id("comment-input")
    comment.fill("A draft is up")
    comment.press("Control+Enter")
    expect(pane.get_by_test_id("comment")).to_contain_text("A draft is up")

    # Esc closes the dialog over the pane, and only it; then the pane.
    comment.blur()
    page.keyboard.press("?")
    expect(shortcuts_dialog(page)).to_be_visible()
    page.keyboard.press("Escape")
    expect(shortcuts_dialog(page)).to_have_count(0)
    expect(pane).to_be_visible()
    page.keyboard.press("Escape")
    expect(pane).to_have_count(0)

    # F2 renames the focused row; Enter saves.
    name = rows_named(page, "Write the post").get_by_test_id("task-name")
    name.focus()
    page.keyboard.press("F2")
    field = page.get_by_test_id("task-name-input")
    expect(field).to_be_focused()
    field.fill("Write the launch post")
    field.press("Enter")
    expect(rows_named(page, "Write the launch post")).to_have_count(1)


# -- quick add --------------------------------------------------------------------------


def test_quick_add_creates_a_task_that_a_second_person_sees_live(split: Split, seat: Any) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    bens = seat(ben, f"/projects/{project['id']}")
    live(bens)
    anas = seat(ana, "/")  # Home: no project on screen, so the first is chosen
    anas.keyboard.press("q")
    dialog = quick_add(anas)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Task name")).to_be_focused()
    expect(dialog.get_by_label("Project")).to_have_value(project["id"])
    anas.keyboard.type("Book the venue")
    dialog.get_by_label("Assign to me").check()
    anas.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect(anas.get_by_test_id("notice")).to_contain_text("Added “Book the venue” to Launch.")

    row = rows_named(bens, "Book the venue")
    expect(row).to_have_count(1, timeout=LIVE_WITHIN)
    expect(row.get_by_test_id("task-assignee")).to_have_attribute("title", "Ana")


def test_quick_add_starts_on_the_project_on_screen_and_offers_only_those_it_can_add_to(
    split: Split, seat: Any
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    first = shared_project(split, ana)
    second = shared_project(split, ana)
    read_only = shared_project(split, ben, ana, role="viewer")
    page = seat(ana, f"/projects/{second['id']}/board")
    live(page)
    page.keyboard.press("q")
    dialog = quick_add(page)
    project = dialog.get_by_label("Project")
    expect(project).to_have_value(second["id"])
    options = project.locator("option")
    expect(options).to_have_count(2)
    assert sorted(options.evaluate_all("nodes => nodes.map((n) => n.value)")) == sorted(
        [first["id"], second["id"]]
    )
    assert read_only["id"] not in options.evaluate_all("nodes => nodes.map((n) => n.value)")
    dialog.get_by_label("Task name").fill("Print the flyers")
    dialog.get_by_role("button", name="Add task").click()
    expect(dialog).to_have_count(0)
    column = page.get_by_test_id("board-column").first
    expect(column.get_by_test_id("task-card").filter(has_text="Print the flyers")).to_have_count(1)


def test_quick_add_says_what_is_missing_and_esc_leaves_without_adding(
    split: Split, seat: Any
) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    page = seat(ana, "/my-tasks")
    page.keyboard.press("q")
    dialog = quick_add(page)
    expect(dialog.get_by_label("Project")).to_have_value(project["id"])
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("alert")).to_have_text("Enter a name.")
    expect(dialog.get_by_label("Task name")).to_be_focused()
    page.keyboard.type("Never mind")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    with api(split, ana) as http:
        assert http.get(f"/api/projects/{project['id']}/tasks").json()["items"] == []
