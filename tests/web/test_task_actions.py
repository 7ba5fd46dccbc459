"""The everyday actions on a task in the browser, each by mouse and by keyboard, with
someone else watching: delete a task from its pane (after a confirmation that can be
cancelled), mark it complete or incomplete, choose its section, and drag or move rows
in the List. The other person's open page shows each change without a reload."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, Locator, expect

from tests.web.browsers import LIVE_WITHIN, Seat, api, register, shared_project, sit, status
from tests.web.keyboard import arrow_to
from tests.web.servers import Split
from tests.web.sqlite_only import database_url  # noqa: F401 (what the pages do is the same on any database)


@dataclass
class Pair:
    """Ana (an owner) and Ben (an editor) at their pages of one project, with tasks."""

    a: Seat
    b: Seat
    project: Any
    tasks: list[Any]


@contextmanager
def two_people(
    browser: Browser, split: Split, names: tuple[str, ...], a_at: str, b_at: str = ""
) -> Iterator[Pair]:
    """Ana's project with tasks ``names`` in its first section, in that order, shared with
    Ben; Ana at page ``a_at`` and Ben at ``b_at`` (the same if empty), both live. A path
    may name ``{project}`` and ``{task}`` (the first task). Nothing may go wrong in
    either page."""
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    with api(split, ana) as http:
        tasks = [
            http.post(f"/api/projects/{project['id']}/tasks", json={"name": name}).json()
            for name in names
        ]
    ids = {"project": project["id"], "task": tasks[0]["id"]}
    a = sit(browser, split, ana, a_at.format(**ids))
    b = sit(browser, split, ben, (b_at or a_at).format(**ids))
    try:
        expect(status(a)).to_have_text("Live")
        expect(status(b)).to_have_text("Live")
        yield Pair(a, b, project, tasks)
        assert a.errors == []
        assert b.errors == []
    finally:
        a.context.close()
        b.context.close()


PANE = "/projects/{project}/tasks/{task}"
LIST = "/projects/{project}"


def row(seat: Seat, name: str) -> Locator:
    return seat.page.get_by_test_id("task-row").filter(has_text=name)


def section(seat: Seat, index: int) -> Locator:
    return seat.page.get_by_test_id("section").nth(index)


def names_in(seat: Seat, index: int) -> Locator:
    return section(seat, index).get_by_test_id("task-name")


def pane(seat: Seat) -> Locator:
    return seat.page.get_by_test_id("task-pane")


# -- delete ---------------------------------------------------------------------------


def test_a_task_deleted_from_its_pane_by_mouse_leaves_the_other_persons_list_and_pane(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, ("Draft the plan", "Book the room"), PANE) as p:
        a, b = p.a, p.b
        delete = pane(a).get_by_role("button", name="Delete task")

        # Asked first; cancelled, nothing happens.
        delete.click()
        dialog = a.page.get_by_test_id("confirm-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("heading")).to_have_text("Delete \u201cDraft the plan\u201d?")
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_have_count(0)
        expect(pane(a)).to_be_visible()
        expect(delete).to_be_focused()

        delete.click()
        dialog.get_by_role("button", name="Delete task").click()
        expect(pane(a)).to_have_count(0)
        expect(a.page).to_have_url(f"{split.base_url}/projects/{p.project['id']}")
        expect(row(a, "Draft the plan")).to_have_count(0)
        expect(a.page.get_by_test_id("notices")).to_contain_text(
            "Deleted \u201cDraft the plan\u201d."
        )

        # Ben's list loses the row; his pane on it closes, saying why.
        expect(row(b, "Draft the plan")).to_have_count(0, timeout=LIVE_WITHIN)
        expect(pane(b)).to_have_count(0)
        expect(b.page.get_by_test_id("notices")).to_contain_text(
            "'Draft the plan' was deleted by Ana."
        )
        expect(b.page).to_have_url(f"{split.base_url}/projects/{p.project['id']}")
        expect(row(b, "Book the room")).to_be_visible()


def test_a_task_deleted_by_keyboard_leaves_the_other_persons_board(
    browser: Browser, split: Split
) -> None:
    board = "/projects/{project}/board"
    with two_people(browser, split, ("Draft the plan",), PANE, board) as p:
        a, b = p.a, p.b
        expect(b.page.get_by_test_id("task-card")).to_have_count(1)
        delete = pane(a).get_by_test_id("pane-delete")
        delete.focus()
        a.page.keyboard.press("Enter")
        dialog = a.page.get_by_test_id("confirm-dialog")
        expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
        # Esc closes the question, not the pane behind it.
        a.page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        expect(pane(a)).to_be_visible()
        expect(delete).to_be_focused()

        a.page.keyboard.press("Enter")
        a.page.keyboard.press("Tab")
        expect(dialog.get_by_role("button", name="Delete task")).to_be_focused()
        a.page.keyboard.press("Enter")
        expect(pane(a)).to_have_count(0)
        expect(b.page.get_by_test_id("task-card")).to_have_count(0, timeout=LIVE_WITHIN)


# -- complete -------------------------------------------------------------------------


def test_mark_complete_and_incomplete_by_mouse_and_keyboard_shows_on_the_other_pane(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, ("Draft the plan",), PANE) as p:
        a, b = p.a, p.b
        mark = pane(a).get_by_test_id("pane-complete")
        expect(mark).to_have_text("Mark complete")
        pane(a).get_by_role("button", name="Mark complete").click()
        expect(mark).to_have_text("Mark incomplete")
        expect(pane(a).get_by_test_id("pane-status")).to_have_value("done")
        expect(pane(b).get_by_test_id("pane-complete")).to_have_text(
            "Mark incomplete", timeout=LIVE_WITHIN
        )
        expect(row(b, "Draft the plan").get_by_test_id("task-complete")).to_be_checked()

        mark.focus()
        a.page.keyboard.press("Enter")
        expect(mark).to_have_text("Mark complete")
        expect(pane(b).get_by_test_id("pane-complete")).to_have_text(
            "Mark complete", timeout=LIVE_WITHIN
        )
        expect(row(b, "Draft the plan").get_by_test_id("task-complete")).not_to_be_checked()
        expect(row(b, "Draft the plan").get_by_test_id("task-status")).to_have_text("To do")

        # Completed from Ben's row: Ana's button follows.
        row(b, "Draft the plan").get_by_test_id("task-complete").check()
        expect(mark).to_have_text("Mark incomplete", timeout=LIVE_WITHIN)


# -- section picker -------------------------------------------------------------------


def test_the_section_picker_moves_the_task_and_follows_the_sections(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, ("Draft the plan",), PANE) as p:
        a, b = p.a, p.b
        picker = pane(a).get_by_role("combobox", name="Section")
        expect(picker.locator("option")).to_have_text(["To do", "In progress", "Done"])
        expect(picker).to_have_value(p.tasks[0]["sectionId"])

        # By mouse: to the second section, on both pages.
        second = section(a, 1).get_attribute("data-section-id")
        picker.select_option(label="In progress")
        expect(names_in(a, 1)).to_have_text(["Draft the plan"])
        expect(names_in(b, 1)).to_have_text(["Draft the plan"], timeout=LIVE_WITHIN)
        expect(pane(b).get_by_test_id("pane-section")).to_have_value(second or "")

        # By keyboard: the arrow keys choose the next section.
        picker.focus()
        a.page.keyboard.press("ArrowDown")
        expect(names_in(b, 2)).to_have_text(["Draft the plan"], timeout=LIVE_WITHIN)

        # Sections added, renamed and deleted elsewhere show in the picker.
        adder = b.page.get_by_test_id("add-section-input")
        adder.fill("Review")
        adder.press("Enter")
        expect(picker.locator("option")).to_have_text(
            ["To do", "In progress", "Done", "Review"], timeout=LIVE_WITHIN
        )
        section(b, 3).get_by_test_id("section-rename").click()
        rename = b.page.get_by_test_id("section-name-input")
        rename.fill("Final review")
        rename.press("Enter")
        expect(picker.locator("option").last).to_have_text("Final review", timeout=LIVE_WITHIN)
        section(b, 3).get_by_test_id("section-delete").click()
        expect(picker.locator("option")).to_have_count(3, timeout=LIVE_WITHIN)


def test_a_subtask_has_no_section_picker(browser: Browser, split: Split) -> None:
    ana = register(split, "Ana")
    project = shared_project(split, ana)
    with api(split, ana) as http:
        task = http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Draft the plan"})
        sub = http.post(f"/api/tasks/{task.json()['id']}/subtasks", json={"name": "Outline"})
    a = sit(browser, split, ana, f"/projects/{project['id']}/tasks/{sub.json()['id']}")
    try:
        expect(pane(a).get_by_test_id("pane-complete")).to_be_visible()
        expect(pane(a).get_by_test_id("pane-section")).to_be_hidden()
        assert a.errors == []
    finally:
        a.context.close()


# -- moving rows in the List ----------------------------------------------------------


def test_rows_dragged_within_and_across_sections_move_on_the_other_list(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, ("First", "Second", "Third"), LIST) as p:
        a, b = p.a, p.b
        expect(names_in(b, 0)).to_have_text(["First", "Second", "Third"])
        # Within the section: Third onto the top half of First goes before it.
        row(a, "Third").drag_to(row(a, "First"), target_position={"x": 40, "y": 4})
        expect(names_in(a, 0)).to_have_text(["Third", "First", "Second"])
        expect(names_in(b, 0)).to_have_text(["Third", "First", "Second"], timeout=LIVE_WITHIN)

        # Across sections: Second into the empty second section.
        row(a, "Second").drag_to(section(a, 1))
        expect(names_in(b, 1)).to_have_text(["Second"], timeout=LIVE_WITHIN)
        expect(names_in(b, 0)).to_have_text(["Third", "First"])


def test_rows_moved_with_the_keyboard_menu_move_on_the_other_list(
    browser: Browser, split: Split
) -> None:
    with two_people(browser, split, ("First", "Second", "Third"), LIST) as p:
        a, b = p.a, p.b
        button = row(a, "First").get_by_role("button", name="Move to\u2026")
        button.focus()
        a.page.keyboard.press("Enter")
        menu = a.page.get_by_test_id("move-menu")
        expect(menu).to_be_visible()
        expect(button).to_have_attribute("aria-expanded", "true")
        # Down, after Second.
        arrow_to(a.page, "After \u201cSecond\u201d")
        a.page.keyboard.press("Enter")
        expect(menu).to_have_count(0)
        expect(names_in(b, 0)).to_have_text(["Second", "First", "Third"], timeout=LIVE_WITHIN)
        expect(button).to_be_focused()

        # Esc closes the menu and nothing moves; then to another section.
        a.page.keyboard.press("Enter")
        expect(menu).to_be_visible()
        a.page.keyboard.press("Escape")
        expect(menu).to_have_count(0)
        expect(button).to_be_focused()
        a.page.keyboard.press("Enter")
        arrow_to(a.page, "Done")
        a.page.keyboard.press("Enter")
        expect(names_in(b, 2)).to_have_text(["First"], timeout=LIVE_WITHIN)
        expect(names_in(a, 0)).to_have_text(["Second", "Third"])


def test_a_viewer_is_offered_none_of_these_actions(browser: Browser, split: Split) -> None:
    ana, vic = register(split, "Ana"), register(split, "Vic")
    project = shared_project(split, ana, vic, role="viewer")
    with api(split, ana) as http:
        task = http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Read me"}).json()
    v = sit(browser, split, vic, f"/projects/{project['id']}/tasks/{task['id']}")
    try:
        expect(status(v)).to_have_text("Live")
        expect(pane(v).get_by_test_id("pane-delete")).to_be_hidden()
        expect(pane(v).get_by_test_id("pane-complete")).to_be_hidden()
        expect(pane(v).get_by_test_id("pane-section")).to_be_disabled()
        expect(v.page.get_by_test_id("project-settings")).to_be_hidden()
        v.page.keyboard.press("Escape")
        expect(pane(v)).to_have_count(0)
        expect(row(v, "Read me").get_by_test_id("move-menu-button")).to_be_hidden()
        expect(row(v, "Read me")).to_have_attribute("draggable", "false")
        assert v.errors == []
    finally:
        v.context.close()
