"""Undo in the browser: after deleting a task, completing one or moving one, the notice
offers "Undo" (and Ctrl+Z does the same while it shows); undoing is the inverse change,
made through the API, so the other person's page goes back too, live."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.web.browsers import LIVE_WITHIN
from tests.web.keyboard import arrow_to
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (what the pages do is the same on any database)
from tests.web.test_task_actions import LIST, PANE, names_in, pane, row, two_people


def test_a_deleted_task_comes_back_for_both_with_undo(browser: Browser, split: Split) -> None:
    with two_people(browser, split, ("Draft the plan", "Book the room"), PANE, LIST) as p:
        a, b = p.a, p.b
        pane(a).get_by_role("button", name="Delete task").click()
        a.page.get_by_test_id("confirm-dialog").get_by_role("button", name="Delete task").click()
        expect(row(b, "Draft the plan")).to_have_count(0, timeout=LIVE_WITHIN)
        notice = a.page.get_by_test_id("undo-notice")
        expect(notice).to_contain_text("Deleted \u201cDraft the plan\u201d.")
        notice.get_by_role("button", name="Undo").click()
        # Back where it was, on both lists.
        expect(names_in(a, 0)).to_have_text(["Draft the plan", "Book the room"])
        expect(names_in(b, 0)).to_have_text(
            ["Draft the plan", "Book the room"], timeout=LIVE_WITHIN
        )
        expect(a.page.get_by_test_id("undo-notice")).to_have_count(0)


def test_a_completion_is_undone_with_ctrl_z(browser: Browser, split: Split) -> None:
    with two_people(browser, split, ("Draft the plan",), LIST) as p:
        a, b = p.a, p.b
        row(a, "Draft the plan").get_by_test_id("task-complete").check()
        b_check = row(b, "Draft the plan").get_by_test_id("task-complete")
        expect(b_check).to_be_checked(timeout=LIVE_WITHIN)
        expect(a.page.get_by_test_id("undo-notice")).to_be_visible()
        a.page.locator("body").press("Control+z")
        expect(b_check).not_to_be_checked(timeout=LIVE_WITHIN)
        expect(row(a, "Draft the plan").get_by_test_id("task-complete")).not_to_be_checked()
        # Taken back once; another Ctrl+Z has nothing to undo.
        expect(a.page.get_by_test_id("undo-notice")).to_have_count(0)


def test_a_move_is_undone_by_keyboard(browser: Browser, split: Split) -> None:
    with two_people(browser, split, ("First", "Second", "Third"), LIST) as p:
        a, b = p.a, p.b
        button = row(a, "First").get_by_role("button", name="Move to\u2026")
        button.focus()
        a.page.keyboard.press("Enter")
        arrow_to(a.page, "After \u201cSecond\u201d")
        a.page.keyboard.press("Enter")
        expect(names_in(b, 0)).to_have_text(["Second", "First", "Third"], timeout=LIVE_WITHIN)
        undo = a.page.get_by_test_id("undo-notice").get_by_role("button", name="Undo")
        undo.focus()
        a.page.keyboard.press("Enter")
        expect(names_in(b, 0)).to_have_text(["First", "Second", "Third"], timeout=LIVE_WITHIN)
        expect(names_in(a, 0)).to_have_text(["First", "Second", "Third"])
