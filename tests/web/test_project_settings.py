"""Project settings in the browser, for owners, each by mouse and by keyboard, with a
member watching: the description and colour, archiving and unarchiving, and deleting
the project after a confirmation that names it (and that can be cancelled). The
member's open page shows each change without a reload; they see no settings."""

from __future__ import annotations

from playwright.sync_api import Browser, Locator, expect

from tasklane.services.projects import PALETTE
from tasklane.web.formatting import PROJECT_COLORS
from tests.web.browsers import LIVE_WITHIN, Seat, register, shared_project, sit, status
from tests.web.keyboard import tab_to
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (what the pages do is the same on any database)

GREEN_RGB = "rgb(98, 210, 111)"  # #62d26f, the palette's green


def header_colour(seat: Seat) -> Locator:
    return seat.page.locator(".project-header .dot")


def sidebar_link(seat: Seat, project_id: str) -> Locator:
    return seat.page.get_by_test_id("sidebar").locator(f'[data-project-id="{project_id}"]')


def settings(seat: Seat) -> Locator:
    return seat.page.get_by_role("dialog", name="Project settings")


def test_the_settings_offer_the_palette_new_projects_take_their_colour_from() -> None:
    assert tuple(PROJECT_COLORS) == PALETTE


def test_an_owner_changes_the_settings_by_mouse_and_a_member_sees_them_live(
    browser: Browser, split: Split
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    path = f"/projects/{project['id']}"
    a, b = sit(browser, split, ana, path), sit(browser, split, ben, path)
    try:
        expect(status(a)).to_have_text("Live")
        expect(status(b)).to_have_text("Live")
        # An editor has no settings to open.
        expect(b.page.get_by_role("button", name="Project settings")).to_be_hidden()

        a.page.get_by_role("button", name="Project settings").click()
        dialog = settings(a)
        expect(dialog).to_be_visible()
        dialog.get_by_role("textbox", name="Description").fill("Everything for the spring launch.")
        dialog.get_by_role("radio", name="Green").check()
        dialog.get_by_role("button", name="Save").click()
        expect(dialog).to_have_count(0)
        expect(a.page.get_by_test_id("project-description-text")).to_have_text(
            "Everything for the spring launch."
        )
        expect(b.page.get_by_test_id("project-description-text")).to_have_text(
            "Everything for the spring launch.", timeout=LIVE_WITHIN
        )
        expect(header_colour(b)).to_have_css("background-color", GREEN_RGB)

        # Archived: both pages say so, and the sidebar no longer lists it.
        a.page.get_by_role("button", name="Project settings").click()
        expect(dialog.get_by_role("radio", name="Green")).to_be_checked()
        dialog.get_by_role("button", name="Archive project").click()
        expect(dialog.get_by_role("button", name="Unarchive project")).to_be_visible()
        expect(a.page.get_by_test_id("project-archived")).to_be_visible()
        expect(b.page.get_by_test_id("project-archived")).to_be_visible(timeout=LIVE_WITHIN)
        expect(b.page.get_by_test_id("notices")).to_contain_text("Ana archived this project.")
        expect(sidebar_link(b, project["id"])).to_be_hidden()
        dialog.get_by_role("button", name="Unarchive project").click()
        expect(b.page.get_by_test_id("project-archived")).to_be_hidden(timeout=LIVE_WITHIN)
        expect(sidebar_link(b, project["id"])).to_be_visible()

        # Deleting asks, naming the project; cancelled, nothing happens.
        dialog.get_by_role("button", name="Delete project").click()
        confirm = a.page.get_by_test_id("confirm-dialog")
        expect(confirm.get_by_role("heading")).to_have_text(
            "Delete the project \u201cLaunch\u201d?"
        )
        confirm.get_by_role("button", name="Cancel").click()
        expect(confirm).to_have_count(0)
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Delete project").click()
        confirm.get_by_role("button", name="Delete project").click()
        expect(a.page).to_have_url(f"{split.base_url}/")
        expect(a.page.get_by_test_id("project-card")).to_have_count(0)
        lost = b.page.get_by_test_id("access-lost")
        expect(lost).to_contain_text("This project was deleted.", timeout=LIVE_WITHIN)
        assert a.errors == []
        assert b.errors == []
    finally:
        a.context.close()
        b.context.close()


def test_an_owner_changes_the_settings_by_keyboard_and_a_member_sees_them_live(
    browser: Browser, split: Split
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    path = f"/projects/{project['id']}/board"
    a, b = sit(browser, split, ana, path), sit(browser, split, ben, path)
    try:
        expect(status(a)).to_have_text("Live")
        expect(status(b)).to_have_text("Live")
        opener = a.page.get_by_test_id("project-settings")
        opener.focus()
        a.page.keyboard.press("Enter")
        dialog = settings(a)
        description = dialog.get_by_test_id("project-description-input")
        expect(description).to_be_focused()
        a.page.keyboard.type("Ask Ana first.")
        # Esc cancels: nothing is saved, focus is back on the gear.
        a.page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        expect(opener).to_be_focused()
        expect(a.page.get_by_test_id("project-description-text")).to_be_hidden()

        a.page.keyboard.press("Enter")
        a.page.keyboard.type("Ask Ana first.")
        tab_to(a.page, dialog.get_by_role("button", name="Save"))
        a.page.keyboard.press("Enter")
        expect(b.page.get_by_test_id("project-description-text")).to_have_text(
            "Ask Ana first.", timeout=LIVE_WITHIN
        )
        expect(opener).to_be_focused()

        a.page.keyboard.press("Enter")
        tab_to(a.page, dialog.get_by_role("button", name="Archive project"))
        a.page.keyboard.press("Enter")
        expect(b.page.get_by_test_id("project-archived")).to_be_visible(timeout=LIVE_WITHIN)

        tab_to(a.page, dialog.get_by_role("button", name="Delete project"))
        a.page.keyboard.press("Enter")
        confirm = a.page.get_by_test_id("confirm-dialog")
        expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
        a.page.keyboard.press("Escape")  # the question goes; the settings stay open
        expect(confirm).to_have_count(0)
        expect(dialog).to_be_visible()
        a.page.keyboard.press("Enter")
        a.page.keyboard.press("Tab")
        expect(confirm.get_by_role("button", name="Delete project")).to_be_focused()
        a.page.keyboard.press("Enter")
        expect(a.page).to_have_url(f"{split.base_url}/")
        expect(b.page.get_by_test_id("access-lost")).to_contain_text(
            "This project was deleted.", timeout=LIVE_WITHIN
        )
        assert a.errors == []
        assert b.errors == []
    finally:
        a.context.close()
        b.context.close()


def test_an_archived_project_is_marked_on_its_page_and_home_but_not_in_the_sidebar(
    browser: Browser, split: Split
) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    kept = shared_project(split, ana)
    a = sit(browser, split, ana, f"/projects/{project['id']}")
    try:
        expect(status(a)).to_have_text("Live")
        a.page.get_by_role("button", name="Project settings").click()
        settings(a).get_by_role("button", name="Archive project").click()
        expect(a.page.get_by_test_id("project-archived")).to_be_visible()
        a.page.goto("/")
        card = a.page.locator(f'[data-testid=project-card][data-project-id="{project["id"]}"]')
        expect(card).to_contain_text("Archived")
        expect(sidebar_link(a, project["id"])).to_have_count(0)
        expect(sidebar_link(a, kept["id"])).to_be_visible()
        a.page.goto(f"/projects/{project['id']}")
        expect(a.page.get_by_test_id("project-archived")).to_be_visible()
        expect(sidebar_link(a, project["id"])).to_be_hidden()
        assert a.errors == []
    finally:
        a.context.close()
