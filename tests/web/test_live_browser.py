"""Two people in two browsers on one project, as the issue asks: every change one makes
shows on the other's open page within 2 s, without a reload; presence shows who is
there; the page survives the gateway going away and WebSockets or SSE being refused.

Debian's Chromium, driven by Playwright; Tasklane as two real processes (API and
gateway), so the gateway can be stopped and started again under the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.web.browsers import (
    LIVE_WITHIN,
    Seat,
    api,
    network_noise,
    register,
    retry_now,
    ride_down_to,
    shared_project,
    sit,
    status,
)
from tests.web.servers import Split


def card(seat: Seat, name: str) -> Any:
    return seat.page.get_by_test_id("task-card").filter(has_text=name)


def column(seat: Seat, index: int) -> Any:
    return seat.page.get_by_test_id("board-column").nth(index)


def test_two_people_see_each_others_changes_live_on_the_board(
    browser: Browser, split: Split, tmp_path: Path
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    board = f"/projects/{project['id']}/board"
    a, b = sit(browser, split, ana, board), sit(browser, split, ben, board)
    try:
        expect(status(a)).to_have_text("Live")
        expect(status(b)).to_have_text("Live")
        # Ben's page shows that Ana is here.
        expect(
            b.page.locator(f'[data-testid=presence-avatar][data-user-id="{ana.id}"]')
        ).to_be_visible(timeout=LIVE_WITHIN)

        # Ana creates a task in the first column…
        adder = column(a, 0).get_by_test_id("add-card-input")
        adder.click()
        adder.fill("Ship v1")
        adder.press("Enter")
        expect(card(b, "Ship v1")).to_be_visible(timeout=LIVE_WITHIN)
        expect(column(b, 0).get_by_test_id("task-card").filter(has_text="Ship v1")).to_be_visible()

        # …drags it to the second column…
        card(a, "Ship v1").drag_to(column(a, 1).get_by_test_id("card-list"))
        expect(column(b, 1).get_by_test_id("task-card").filter(has_text="Ship v1")).to_be_visible(
            timeout=LIVE_WITHIN
        )

        # …completes it in the task pane…
        card(a, "Ship v1").get_by_test_id("task-name").click()
        pane = a.page.get_by_test_id("task-pane")
        expect(pane).to_be_visible()
        pane.get_by_test_id("pane-status").select_option("done")
        expect(card(b, "Ship v1").get_by_test_id("task-status")).to_have_text(
            "Done", timeout=LIVE_WITHIN
        )

        # …and comments on it.
        pane.get_by_test_id("comment-input").fill("Shipped!")
        pane.get_by_test_id("comment-submit").click()
        expect(card(b, "Ship v1")).to_contain_text("1", timeout=LIVE_WITHIN)
        b.page.get_by_test_id("task-card").filter(has_text="Ship v1").get_by_test_id(
            "task-name"
        ).click()
        expect(b.page.get_by_test_id("task-pane").get_by_test_id("comment")).to_contain_text(
            "Shipped!", timeout=LIVE_WITHIN
        )
        # The status change by someone else is announced on Ben's page.
        expect(b.page.get_by_test_id("notices")).to_contain_text("Ship v1")

        b.page.keyboard.press("Escape")
        b.page.screenshot(path=str(tmp_path / "board.png"))  # kept with the run, to look at
        assert a.errors == []
        assert b.errors == []
    finally:
        a.context.close()
        b.context.close()


def test_the_page_reconnects_catches_up_and_shows_who_is_there_after_the_gateway_returns(
    browser: Browser, split: Split
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    path = f"/projects/{project['id']}"
    a, b = sit(browser, split, ana, path), sit(browser, split, ben, path)
    anas = b.page.locator(f'[data-testid=presence-avatar][data-user-id="{ana.id}"]')
    try:
        expect(status(b)).to_have_text("Live")
        expect(anas).to_be_visible(timeout=LIVE_WITHIN)
        split.stop("realtime")
        try:
            expect(status(b)).to_contain_text("Reconnecting", timeout=5_000)
            # Nobody shows as viewing while the connection is lost.
            expect(b.page.get_by_test_id("presence-avatar")).to_have_count(0)
            with api(split, ana) as http:
                for name in ("Made while away", "Also while away"):
                    created = http.post(f"/api/projects/{project['id']}/tasks", json={"name": name})
                    assert created.status_code == 201
        finally:
            split.start("realtime")
        for seat in (a, b):
            retry_now(seat)
        expect(status(b)).to_have_text("Live", timeout=10_000)
        rows = b.page.get_by_test_id("task-row")
        expect(rows.filter(has_text="Made while away")).to_be_visible(timeout=LIVE_WITHIN)
        expect(rows.filter(has_text="Also while away")).to_be_visible(timeout=LIVE_WITHIN)
        # Ana's page is back too, and Ben's shows her there again.
        expect(status(a)).to_have_text("Live", timeout=10_000)
        expect(anas).to_be_visible(timeout=LIVE_WITHIN)
        assert network_noise(a.errors) == []
        assert network_noise(b.errors) == []
    finally:
        a.context.close()
        b.context.close()


def refuse_websocket(socket: Any) -> None:
    socket.close(code=1011, reason="refused by the network")


@pytest.mark.parametrize(
    ("refused", "expected"),
    [(("ws",), "Live (fallback: SSE)"), (("ws", "sse"), "Live (polling)")],
)
def test_the_page_stays_live_when_transports_are_refused(
    browser: Browser, split: Split, refused: tuple[str, ...], expected: str
) -> None:
    ana, ben = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben)
    # The stream (always with a query), not the script sse-link.js.
    routes = [("**/sse?**", lambda route: route.abort())] if "sse" in refused else []
    b = sit(
        browser,
        split,
        ben,
        f"/projects/{project['id']}",
        fake_clock=True,
        routes=routes,
        socket_routes=[(re.compile(r"/ws(\?.*)?$"), refuse_websocket)],
    )
    try:
        # Five WebSocket attempts 2, 4, 8, 16 and 30 s apart: skip each countdown.
        ride_down_to(b.page, status(b), expected)
        with api(split, ana) as http:
            http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Over the fallback"})
        expect(
            b.page.get_by_test_id("task-row").filter(has_text="Over the fallback")
        ).to_be_visible(timeout=LIVE_WITHIN)
        assert network_noise(b.errors) == []
    finally:
        b.context.close()
