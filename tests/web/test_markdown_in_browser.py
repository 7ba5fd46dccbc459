"""Notes and comments as Markdown, in Chromium with two people: what one writes, the
other's open pane shows rendered, live, with links that open in a new tab and nothing in
the text ever running; the notes are edited as text ("Edit notes", a click into empty
notes; Esc cancels), and without scripts they are the form's textarea; and the pane has
no axe-core violations, notes shown or edited, in either theme."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.web.browsers import (
    LIVE_WITHIN,
    Person,
    Seat,
    api,
    register,
    shared_project,
    sit,
    status,
)
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (rendering is the same on any database)
from tests.web.test_accessibility import AXE, LAPTOP, NONE, violations_in_each_theme

# Each would set window.pwned if it ever ran.
PAYLOAD = '<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 1">'


def written(split: Split, what: str) -> str:
    """Markdown with a link to a page that exists (the app's own health check), bold,
    and the payload."""
    return f"The {what}: see {split.base_url}/healthz and **bold {what}**\n\n{PAYLOAD}"


def open_task(split: Split, owner: Person, *others: Person, notes: str = "") -> tuple[str, str]:
    project = shared_project(split, owner, *others)
    with api(split, owner) as http:
        body = {"name": "Write the launch post", "notes": notes}
        task = http.post(f"/api/projects/{project['id']}/tasks", json=body).json()
    return project["id"], task["id"]


@contextmanager
def signed_in(browser: Browser, split: Split, person: Person, **options: Any) -> Iterator[Page]:
    """A page of a context of its own (``options``: Playwright's), signed in as ``person``."""
    context = browser.new_context(base_url=split.base_url, **options)
    context.add_cookies(
        [{"name": "tasklane_session", "value": person.token, "url": split.base_url}]
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def pane_of(seat: Seat) -> Locator:
    pane = seat.page.get_by_test_id("task-pane")
    expect(status(seat)).to_have_text("Live")
    expect(pane).to_be_visible()
    return pane


def assert_rendered(seat: Seat, where: Locator, split: Split, what: str) -> None:
    """``where`` shows ``written(what)`` rendered, the payload as text, and nothing ran."""
    link = where.get_by_role("link", name=f"{split.base_url}/healthz")
    expect(link).to_be_visible(timeout=LIVE_WITHIN)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    expect(where.locator("strong")).to_have_text(f"bold {what}")
    expect(where).to_contain_text(PAYLOAD)
    assert where.locator("script, img").count() == 0
    assert seat.page.evaluate("window.pwned") is None
    # The link opens in a new tab, and the pane stays.
    with seat.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == f"{split.base_url}/healthz"
    tab.close()
    expect(seat.page.get_by_test_id("task-pane")).to_be_visible()


def test_notes_and_comments_one_writes_show_rendered_live_on_the_others_pane(
    browser: Browser, split: Split
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project_id, task_id = open_task(split, ana, ben)
    path = f"/projects/{project_id}/tasks/{task_id}"
    a, b = sit(browser, split, ana, path), sit(browser, split, ben, path)
    try:
        mine, theirs = pane_of(a), pane_of(b)
        for pane in (mine, theirs):
            expect(pane.get_by_test_id("pane-notes-view")).to_contain_text("No notes yet")

        # Ana writes the notes as text and saves them with Ctrl+Enter.
        mine.get_by_role("button", name="Edit notes").click()
        notes = mine.get_by_test_id("pane-notes")
        expect(notes).to_be_focused()
        notes.fill(written(split, "notes"))
        notes.press("Control+Enter")
        expect(notes).to_be_hidden()
        assert_rendered(a, mine.get_by_test_id("pane-notes-view"), split, "notes")
        assert_rendered(b, theirs.get_by_test_id("pane-notes-view"), split, "notes")
        expect(theirs.get_by_test_id("pane-notes")).to_have_value(written(split, "notes"))

        # And a comment, edited as text like the notes.
        mine.get_by_test_id("comment-input").fill(written(split, "comment"))
        mine.get_by_test_id("comment-submit").click()
        assert_rendered(a, mine.get_by_test_id("comment"), split, "comment")
        assert_rendered(b, theirs.get_by_test_id("comment"), split, "comment")

        # Ana edits her comment: the textarea holds the text as she typed it.
        mine.get_by_test_id("comment").get_by_role("button", name="Edit").click()
        editor = mine.get_by_test_id("comment-edit-input")
        expect(editor).to_have_value(written(split, "comment"))
        editor.fill("Now *emphasised*, see www.example.com")
        mine.get_by_test_id("comment-edit-save").click()
        expect(theirs.get_by_test_id("comment").locator("em")).to_have_text(
            "emphasised", timeout=LIVE_WITHIN
        )
        expect(theirs.get_by_role("link", name="www.example.com")).to_have_attribute(
            "href", "http://www.example.com"
        )

        # Ben's reload shows the same, rendered by the server this time.
        b.page.reload()
        reloaded = pane_of(b)
        expect(reloaded.get_by_test_id("pane-notes-view").locator("strong")).to_have_text(
            "bold notes"
        )
        expect(reloaded.get_by_test_id("comment").locator("em")).to_have_text("emphasised")
        assert b.page.evaluate("window.pwned") is None
        assert a.errors == []
        assert b.errors == []
    finally:
        a.context.close()
        b.context.close()


def test_notes_are_edited_as_text_and_esc_puts_back_what_was_saved(
    browser: Browser, split: Split
) -> None:
    ana = register(split, "Ana")
    project_id, task_id = open_task(split, ana)
    a = sit(browser, split, ana, f"/projects/{project_id}/tasks/{task_id}")
    try:
        pane = pane_of(a)
        view, notes = pane.get_by_test_id("pane-notes-view"), pane.get_by_test_id("pane-notes")
        expect(notes).to_be_hidden()
        # A click into empty notes edits them; leaving the field saves them.
        view.get_by_text("No notes yet").click()
        expect(notes).to_be_focused()
        notes.fill("- first\n- second")
        pane.get_by_test_id("pane-name").focus()
        expect(view.locator("li")).to_have_text(["first", "second"])
        expect(notes).to_be_hidden()
        with api(split, ana) as http:
            assert http.get(f"/api/tasks/{task_id}").json()["notes"] == "- first\n- second"

        # Esc drops what was typed, and leaves the pane open.
        edit = pane.get_by_role("button", name="Edit notes")
        edit.click()
        notes.fill("Not this")
        notes.press("Escape")
        expect(notes).to_be_hidden()
        expect(edit).to_be_focused()
        expect(view.locator("li")).to_have_text(["first", "second"])
        expect(pane).to_be_visible()
        # Someone else's change shows too (notes re-rendered by the server).
        with api(split, ana) as http:
            http.patch(f"/api/tasks/{task_id}", json={"notes": "`code` and ~~old~~"})
        expect(view.locator("code")).to_have_text("code", timeout=LIVE_WITHIN)
        expect(view.locator("s")).to_have_text("old")
        assert a.errors == []
    finally:
        a.context.close()


def test_without_scripts_the_notes_are_the_textarea_of_the_form(
    browser: Browser, split: Split
) -> None:
    ana = register(split, "Ana")
    project_id, task_id = open_task(split, ana, notes="**Kept** as typed")
    with signed_in(browser, split, ana, java_script_enabled=False) as page:
        page.goto(f"/projects/{project_id}/tasks/{task_id}")
        pane = page.get_by_test_id("task-pane")
        expect(pane.get_by_test_id("pane-notes")).to_be_visible()
        expect(pane.get_by_test_id("pane-notes")).to_have_value("**Kept** as typed")
        expect(pane.get_by_test_id("pane-notes-view")).to_be_hidden()
        expect(pane.get_by_role("button", name="Edit notes")).to_be_hidden()


@pytest.fixture
def axe_page(browser: Browser, split: Split) -> Iterator[tuple[Page, Person]]:
    """A page that lets axe-core in (the pages forbid inline scripts), signed in."""
    ana = register(split, "Ana")
    with signed_in(browser, split, ana, viewport=LAPTOP, bypass_csp=True) as page:
        yield page, ana


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `npm ci` at the root")
def test_the_pane_has_no_axe_violations_with_notes_shown_or_edited(
    axe_page: tuple[Page, Person], split: Split
) -> None:
    page, ana = axe_page
    notes = "## Plan\n\n- [the brief](https://example.com)\n- **soon**\n\n> quoted `code`"
    project_id, task_id = open_task(split, ana, notes=notes)
    with api(split, ana) as http:
        http.post(f"/api/tasks/{task_id}/comments", json={"text": "See *this*: www.example.com"})
    page.goto(f"/projects/{project_id}/tasks/{task_id}")
    expect(page.get_by_test_id("status-indicator")).to_have_text("Live")
    pane = page.get_by_test_id("task-pane")
    expect(pane.get_by_test_id("comment").locator("em")).to_have_text("this")
    assert violations_in_each_theme(page) == NONE
    pane.get_by_role("button", name="Edit notes").click()
    expect(pane.get_by_test_id("pane-notes")).to_be_focused()
    assert violations_in_each_theme(page) == NONE
