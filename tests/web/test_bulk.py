"""Bulk changes in the browser: tasks selected on the List, the Board or My Tasks are
completed, moved, assigned or deleted together from the "Bulk actions" toolbar, by
mouse or keyboard, as one API call per task that the other person's page shows live;
one Undo (or Ctrl+Z) takes every task back where it was, for both people. The
selection follows others' changes: a task renamed stays selected, one deleted leaves."""

from __future__ import annotations

from playwright.sync_api import Browser, Locator, expect

from tests.web.browsers import LIVE_WITHIN, Seat, api
from tests.web.keyboard import arrow_to, tab_to
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (what the pages do is the same on any database)
from tests.web.test_task_actions import LIST, names_in, row, two_people

BOARD = "/projects/{project}/board"
PLAN = ("Draft the plan", "Book the room", "Send the invites")


def bar(seat: Seat) -> Locator:
    return seat.page.get_by_role("toolbar", name="Bulk actions")


def select(item: Locator, name: str) -> Locator:
    return item.get_by_role("checkbox", name=f"Select \u201c{name}\u201d")


def card(seat: Seat, name: str) -> Locator:
    return seat.page.get_by_test_id("task-card").filter(has_text=name)


def column_names(seat: Seat, index: int) -> Locator:
    return seat.page.get_by_test_id("board-column").nth(index).get_by_test_id("task-name")


def undo_notice(seat: Seat) -> Locator:
    return seat.page.get_by_test_id("undo-notice")


def test_tasks_completed_together_in_the_list_go_back_in_place_with_one_undo(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, PLAN, LIST) as p:
        a, b = p.a, p.b
        select(row(a, "Draft the plan"), "Draft the plan").click()
        select(row(a, "Send the invites"), "Send the invites").click()
        expect(bar(a)).to_contain_text("2 selected")
        bar(a).get_by_role("button", name="Mark complete").click()
        # Done: into the section that stands for it, on both pages.
        expect(names_in(b, 2)).to_have_text(
            ["Draft the plan", "Send the invites"], timeout=LIVE_WITHIN
        )
        expect(names_in(b, 0)).to_have_text(["Book the room"])
        expect(undo_notice(a)).to_contain_text("Completed 2 tasks.")
        # Still selected, and now all done.
        expect(bar(a).get_by_role("button", name="Mark incomplete")).to_be_visible()

        undo_notice(a).get_by_role("button", name="Undo").click()
        expect(names_in(b, 0)).to_have_text(list(PLAN), timeout=LIVE_WITHIN)
        expect(names_in(a, 0)).to_have_text(list(PLAN))
        expect(row(b, "Send the invites").get_by_test_id("task-complete")).not_to_be_checked()
        expect(undo_notice(a)).to_have_count(0)


def test_cards_moved_together_on_the_board_by_keyboard_and_moved_back(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, ("First", "Second", "Third"), BOARD) as p:
        a, b = p.a, p.b
        select(card(a, "First"), "First").focus()
        a.page.keyboard.press("Space")
        tab_to(a.page, select(card(a, "Third"), "Third"))
        a.page.keyboard.press("Space")
        expect(bar(a)).to_contain_text("2 selected")

        move = bar(a).get_by_role("button", name="Move to\u2026")
        move.focus()
        a.page.keyboard.press("Enter")
        arrow_to(a.page, "Done")
        a.page.keyboard.press("Enter")
        expect(column_names(b, 2)).to_have_text(["First", "Third"], timeout=LIVE_WITHIN)
        expect(column_names(b, 0)).to_have_text(["Second"])
        expect(move).to_be_focused()
        expect(undo_notice(a)).to_contain_text("Moved 2 tasks to Done.")

        # Esc clears the selection, and focus goes back to the last checkbox used.
        a.page.keyboard.press("Escape")
        expect(bar(a)).to_be_hidden()
        expect(select(card(a, "Third"), "Third")).to_be_focused()
        expect(select(card(a, "Third"), "Third")).not_to_be_checked()
        a.page.keyboard.press("Control+z")
        expect(column_names(b, 0)).to_have_text(["First", "Second", "Third"], timeout=LIVE_WITHIN)
        expect(column_names(a, 0)).to_have_text(["First", "Second", "Third"])


def test_a_selection_follows_others_changes_and_is_assigned_together(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, (*PLAN, "Pay the deposit"), LIST) as p:
        a, b = p.a, p.b
        select(row(a, "Draft the plan"), "Draft the plan").click()
        select(row(a, "Pay the deposit"), "Pay the deposit").click(modifiers=["Shift"])
        expect(bar(a)).to_contain_text("4 selected")

        # Ben renames one (it stays selected) and deletes another (it leaves the count).
        with api(split, b.person) as http:
            http.patch(f"/api/tasks/{p.tasks[1]['id']}", json={"name": "Book the hall"})
            http.delete(f"/api/tasks/{p.tasks[3]['id']}")
        expect(select(row(a, "Book the hall"), "Book the hall")).to_be_checked()
        expect(bar(a)).to_contain_text("3 selected")

        bar(a).get_by_role("button", name="Assign to\u2026").click()
        a.page.get_by_role("menuitem", name="Ben").click()
        names = ["Draft the plan", "Book the hall", "Send the invites"]
        for name in names:
            expect(row(b, name).get_by_test_id("task-assignee")).to_have_attribute(
                "title", "Ben", timeout=LIVE_WITHIN
            )
        expect(undo_notice(a)).to_contain_text("Assigned 3 tasks to Ben.")
        a.page.keyboard.press("Control+z")
        for name in names:
            expect(row(b, name).get_by_test_id("task-assignee")).to_have_attribute(
                "title", "Unassigned", timeout=LIVE_WITHIN
            )


def test_tasks_deleted_together_come_back_with_their_subtasks_and_comments(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, PLAN, LIST) as p:
        a, b = p.a, p.b
        draft = p.tasks[0]["id"]
        with api(split, a.person) as http:
            http.post(f"/api/tasks/{draft}/subtasks", json={"name": "Outline the plan"})
            http.post(f"/api/tasks/{draft}/comments", json={"text": "A first cut is up"})
        expect(row(a, "Draft the plan").locator('[data-field="comments"]')).to_have_text("1")
        select(row(a, "Draft the plan"), "Draft the plan").click()
        select(row(a, "Book the room"), "Book the room").click()
        bar(a).get_by_role("button", name="Delete").click()
        dialog = a.page.get_by_test_id("confirm-dialog")
        expect(dialog.get_by_role("heading")).to_have_text("Delete 2 tasks?")
        expect(dialog).to_contain_text("with 1 subtask and 1 comment")
        dialog.get_by_role("button", name="Delete tasks").click()
        expect(names_in(b, 0)).to_have_text(["Send the invites"], timeout=LIVE_WITHIN)
        expect(bar(a)).to_be_hidden()

        expect(undo_notice(a)).to_contain_text("Deleted 2 tasks.")
        undo_notice(a).get_by_role("button", name="Undo").click()
        expect(names_in(b, 0)).to_have_text(list(PLAN), timeout=LIVE_WITHIN)
        expect(names_in(a, 0)).to_have_text(list(PLAN))
        back = row(b, "Draft the plan")
        expect(back.locator('[data-field="subtasks"]')).to_have_text("1")
        expect(back.locator('[data-field="comments"]')).to_have_text("1")
        with api(split, a.person) as http:
            subtasks = http.get(f"/api/tasks/{draft}/subtasks").json()
            comments = http.get(f"/api/tasks/{draft}/comments").json()
        assert [s["name"] for s in subtasks] == ["Outline the plan"]
        assert [c["text"] for c in comments] == ["A first cut is up"]


def test_my_tasks_completed_together_go_back_in_their_project_with_ctrl_z(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, PLAN, LIST) as p:
        a, b = p.a, p.b
        with api(split, a.person) as http:
            for task in (p.tasks[0], p.tasks[2]):
                http.patch(f"/api/tasks/{task['id']}", json={"assigneeId": a.person.id})
        a.page.goto("/my-tasks")
        mine = a.page.get_by_test_id("my-tasks").get_by_test_id("task-row")
        for name in ("Draft the plan", "Send the invites"):
            select(mine.filter(has_text=name), name).click()
        bar(a).get_by_role("button", name="Mark complete").click()
        expect(names_in(b, 2)).to_have_text(
            ["Draft the plan", "Send the invites"], timeout=LIVE_WITHIN
        )
        expect(
            mine.filter(has_text="Draft the plan").get_by_test_id("task-complete")
        ).to_be_checked()
        expect(undo_notice(a)).to_contain_text("Completed 2 tasks.")

        a.page.keyboard.press("Control+z")
        expect(names_in(b, 0)).to_have_text(list(PLAN), timeout=LIVE_WITHIN)
        expect(
            mine.filter(has_text="Send the invites").get_by_test_id("task-complete")
        ).not_to_be_checked()
