"""Sections that stand for a status, on the Board, with two people: Ana drags a card to
"Done" and Ben sees it done; Ana completes a task and Ben sees it move to "Done"; Ana
frees a column from its status (by keyboard) and Ben's cards there show their status
again. Every wait is for something to show, within the live bound."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, expect

from tests.web.browsers import LIVE_WITHIN, Seat, api, register, shared_project, sit, status
from tests.web.servers import Split


def column(seat: Seat, name: str) -> Any:
    return seat.page.get_by_test_id("board-column").filter(
        has=seat.page.get_by_role("heading", name=name, exact=True)
    )


def card_in(seat: Seat, column_name: str, task: str) -> Any:
    return column(seat, column_name).get_by_test_id("task-card").filter(has_text=task)


def test_moving_to_done_completes_and_completing_moves_to_done_for_both(
    browser: Browser, split: Split
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    with api(split, ana) as http:
        for name in ("Write the brief", "Book the venue"):
            created = http.post(f"/api/projects/{project['id']}/tasks", json={"name": name})
            assert created.status_code == 201, created.text
    board = f"/projects/{project['id']}/board"
    a, b = sit(browser, split, ana, board), sit(browser, split, ben, board)
    try:
        expect(status(a)).to_have_text("Live")
        expect(status(b)).to_have_text("Live")
        # Each default column says the status it stands for; its cards have no pill.
        for name in ("To do", "In progress", "Done"):
            expect(column(b, name).get_by_test_id("section-status")).to_have_text(f"Status: {name}")
        expect(card_in(b, "To do", "Write the brief").get_by_test_id("task-status")).to_be_hidden()

        # Ana drags a card to "Done": on Ben's page it is there, and done.
        card_in(a, "To do", "Write the brief").drag_to(
            column(a, "Done").get_by_test_id("card-list")
        )
        moved = card_in(b, "Done", "Write the brief")
        expect(moved).to_have_attribute("data-status", "done", timeout=LIVE_WITHIN)
        expect(moved).to_have_class(re.compile(r"\bis-done\b"))
        expect(moved.get_by_test_id("task-status")).to_be_hidden()

        # Ana completes another in its pane: on Ben's page it moves to "Done".
        card_in(a, "To do", "Book the venue").get_by_test_id("task-name").click()
        pane = a.page.get_by_test_id("task-pane")
        pane.get_by_test_id("pane-status").select_option("done")
        expect(card_in(b, "Done", "Book the venue")).to_have_attribute(
            "data-status", "done", timeout=LIVE_WITHIN
        )
        expect(card_in(b, "To do", "Book the venue")).to_have_count(0)
        a.page.keyboard.press("Escape")

        # Ana frees "Done" of its status from the column's actions, by keyboard: Ben's
        # column loses its label and its cards show their status again.
        picker = a.page.get_by_role("combobox", name="Status for section Done")
        picker.focus()
        a.page.keyboard.press("Home")
        expect(picker).to_have_value("")
        label = column(b, "Done").get_by_test_id("section-status")
        expect(label).to_be_hidden(timeout=LIVE_WITHIN)
        expect(card_in(b, "Done", "Book the venue").get_by_test_id("task-status")).to_be_visible()
        with api(split, ben) as http:
            sections = http.get(f"/api/projects/{project['id']}/sections").json()
        assert [s["status"] for s in sections] == ["todo", "in_progress", None]
        assert a.errors == []
        assert b.errors == []
    finally:
        a.context.close()
        b.context.close()
