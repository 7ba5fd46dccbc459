"""The React example (examples/react-board) in Chromium, end to end. Ana signs in with a
personal token and opens a project shared with Ben; Ben changes it through the REST
API; Ana's board shows each change live over WebSocket, then over Server-Sent Events
once a proxy refuses WebSockets, then over long polling once it refuses both, and over
WebSocket again once nothing is refused. Changes Ben makes while the page is between
transports arrive too, and at the end every task Ben made is on the board exactly once.

All of it real, on 127.0.0.1: the example built by Vite and served from an origin of
its own, Tasklane as two processes (API and gateway), the gatekeeper proxy between the
page and the gateway, Chromium. The page runs on Playwright's clock, so the backoff
countdowns and the 30 s probe are skipped rather than waited out."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    expect,
)

from tests.backends import throwaway_database
from tests.web.browsers import (
    LIVE_WITHIN,
    Person,
    api,
    network_noise,
    register,
    ride_down_to,
    shared_project,
)
from tests.web.react_board import GatekeeperThread, build_example, gatekeeper_thread, static_site
from tests.web.servers import Split, free_port

WEBSOCKET, SSE, POLLING = "Live", "Live (fallback: SSE)", "Live (polling)"
TICKET = "/api/realtime/ticket"
# A change made while the page was between transports arrives with the catch-up once it
# is on the next one: a little more than LIVE_WITHIN, for a loaded machine.
CAUGHT_UP_WITHIN = 5_000


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite only: what is under test is the page and its transports, the same on any
    database (the realtime suites run on both)."""
    with throwaway_database("sqlite", tmp_path_factory.mktemp("react-board-db")) as url:
        yield url


@pytest.fixture(scope="module")
def example_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example, built into a folder of the run's and served on an origin of its own."""
    folder = tmp_path_factory.mktemp("react-board-dist")
    build_example(folder)
    with static_site(folder) as origin:
        yield origin


@dataclass
class Deployment:
    split: Split
    gate: GatekeeperThread  # between the page and the gateway
    origin: str  # the example's


@pytest.fixture(scope="module")
def deployment(
    database_url: str, example_origin: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """The API and the gateway, which tells pages (GET /api/realtime, tickets) to reach
    it through the gatekeeper. The gatekeeper listens first, so its address can be the
    gateway's public one; the gateway's port is picked here, so that it can be its
    upstream."""
    gateway_port = free_port()
    with gatekeeper_thread(f"http://127.0.0.1:{gateway_port}") as gate:
        settings = {
            "ALLOWED_ORIGINS": json.dumps([example_origin]),
            "PUBLIC_GATEWAY_URL": gate.url,
        }
        split = Split(
            tmp_path_factory.mktemp("react-board-split"),
            database_url,
            ws_port=gateway_port,
            extra_env=settings,
        )
        try:
            split.start("realtime", "api")  # on a database migrated already
            yield Deployment(split, gate, example_origin)
        finally:
            split.stop_all()


# -- Ben, at the API --------------------------------------------------------------------


@dataclass
class Ben:
    """Ben's changes to the project, made through the REST API, and the tasks he made
    (id → name, as renamed)."""

    http: httpx.Client
    project_id: str
    sections: list[str]  # ids, in the board's order
    made: dict[str, str] = field(default_factory=dict)

    def create(self, name: str, column: int = 0) -> str:
        body = {"name": name, "sectionId": self.sections[column]}
        response = self.http.post(f"/api/projects/{self.project_id}/tasks", json=body)
        assert response.status_code == 201, response.text
        task_id: str = response.json()["id"]
        self.made[task_id] = name
        return task_id

    def update(self, task_id: str, **fields: Any) -> None:
        response = self.http.patch(f"/api/tasks/{task_id}", json=fields)
        assert response.status_code == 200, response.text
        if "name" in fields:
            self.made[task_id] = fields["name"]

    def move(self, task_id: str, column: int) -> None:
        body = {"sectionId": self.sections[column]}
        response = self.http.post(f"/api/tasks/{task_id}/move", json=body)
        assert response.status_code == 200, response.text

    def task_names(self) -> list[str]:
        """Every top-level task of the project, as the API lists them."""
        response = self.http.get(f"/api/projects/{self.project_id}/tasks", params={"limit": 200})
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["nextCursor"] is None, "more tasks than one page: the test made too many"
        return [task["name"] for task in page["items"]]


# -- Ana, at the example ------------------------------------------------------------------


@dataclass
class Reader:
    """Ana's tab of the example, and what it did that the test watches: its errors, and
    each realtime ticket it asked for (one per WebSocket or event stream it opens)."""

    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    tickets: list[str] = field(default_factory=list)

    def status(self) -> Locator:
        return self.page.get_by_test_id("status")

    def column(self, index: int) -> Locator:
        return self.page.get_by_test_id("column").nth(index)

    def card(self, name: str, within: Locator | None = None) -> Locator:
        cards = (within or self.page).get_by_test_id("task-card")
        exactly = re.compile(rf"^{re.escape(name)}$")
        return cards.filter(has=self.page.get_by_test_id("task-name").filter(has_text=exactly))

    def sees(self, name: str, column: int | None = None, within: int = LIVE_WITHIN) -> Locator:
        where = None if column is None else self.column(column)
        card = self.card(name, where)
        place = "" if column is None else f" in column {column}"
        expect(card, f"{name!r}{place} on Ana's board").to_have_count(1, timeout=within)
        return card


def open_board(browser: Browser, deployment: Deployment, token: str, project: str) -> Reader:
    """Ana's tab: the example signed in with ``token``, ``project``'s board open, on
    Playwright's clock."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    reader = Reader(context, page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            reader.errors.append(message.text)

    def on_request(request: Request) -> None:
        if TICKET in request.url:
            reader.tickets.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: reader.errors.append(str(error)))
    page.on("request", on_request)
    page.clock.install()
    page.goto(deployment.origin)
    page.get_by_label("API address").fill(deployment.split.base_url)
    page.get_by_label("Personal token").fill(token)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_test_id("project-link").filter(has_text=project).click()
    expect(page.get_by_test_id("board")).to_be_visible()
    return reader


def personal_token(split: Split, person: Person) -> str:
    with api(split, person) as http:
        response = http.post("/api/tokens", json={"name": "React board"})
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token


# -- the page's clock ---------------------------------------------------------------------


def run_clock_until_probe(reader: Reader) -> None:
    """Move the page's clock a second at a time until the WebSocket probe starts (it
    asks for a ticket: polling needs none) or the page is on WebSocket already. A
    second at a time: the probe has 10 s of that clock to connect."""
    status, asked = reader.status(), len(reader.tickets)
    for _ in range(40):  # a probe is due within 30 s ± 20 %
        if len(reader.tickets) > asked or status.text_content() == WEBSOCKET:
            return
        reader.page.clock.run_for(1_000)
    raise AssertionError("no WebSocket probe within 40 s of the page's clock")


# -- the test --------------------------------------------------------------------------------


def refusals(line: str) -> bool:
    """Chromium's lines about what the gatekeeper refuses by design: the event stream's
    503 carries no CORS header, so Chromium reports it as a CORS failure of /sse."""
    return "/sse?" in line and "CORS policy" in line


def test_the_board_stays_live_across_every_transport_and_loses_nothing(
    browser: Browser, deployment: Deployment, tmp_path: Path
) -> None:
    split, gate = deployment.split, deployment.gate
    ana, ben_person = register(split, "Ana"), register(split, "Ben")
    project = shared_project(split, ana, ben_person)
    with api(split, ben_person) as http:
        sections = http.get(f"/api/projects/{project['id']}/sections").json()
        assert len(sections) >= 3, sections
        ben = Ben(http, project["id"], [section["id"] for section in sections])
        reader = open_board(browser, deployment, personal_token(split, ana), project["name"])
        try:
            page = reader.page
            expect(reader.status(), "the board on WebSocket").to_have_text(
                WEBSOCKET, timeout=10_000
            )
            expect(page.get_by_test_id("column")).to_have_count(len(sections), timeout=10_000)
            expect(
                page.get_by_test_id("presence").locator(f'[data-user-id="{ana.id}"]'),
                "Ana among the people viewing",
            ).to_be_visible(timeout=LIVE_WITHIN)

            # Over WebSocket: a task appears, changes status, is assigned, moves, is renamed.
            plan = ben.create("Draft the launch plan")
            reader.sees("Draft the launch plan", column=0)
            ben.update(plan, status="in_progress")
            expect(reader.card("Draft the launch plan").get_by_test_id("task-status")).to_have_text(
                "In progress", timeout=LIVE_WITHIN
            )
            ben.update(plan, assigneeId=ana.id)
            expect(
                reader.card("Draft the launch plan").get_by_test_id("task-assignee")
            ).to_have_text("Ana", timeout=LIVE_WITHIN)
            ben.move(plan, 1)
            reader.sees("Draft the launch plan", column=1)
            ben.update(plan, name="Launch plan")
            reader.sees("Launch plan", column=1)

            # WebSockets refused and cut: five retries, then Server-Sent Events.
            gate.refuse("/ws")
            gate.cut()
            ben.create("Made as the socket dropped")
            ride_down_to(page, reader.status(), SSE, lambda: ben.create("Made between retries"))
            assert gate.refused().count("/ws") >= 5, gate.refused()
            for name in ("Made as the socket dropped", "Made between retries"):
                reader.sees(name, within=CAUGHT_UP_WITHIN)
            ben.create("Made over the event stream", column=2)
            reader.sees("Made over the event stream", column=2)
            ben.update(plan, status="done")
            expect(reader.card("Launch plan").get_by_test_id("task-status")).to_have_text(
                "Done", timeout=LIVE_WITHIN
            )

            # Event streams refused and cut too: three retries, then long polling.
            gate.refuse("/ws", "/sse")
            gate.cut()
            ben.create("Made as the stream dropped")
            ride_down_to(page, reader.status(), POLLING, lambda: ben.create("Made while refused"))
            assert "/sse" in gate.refused(), gate.refused()
            for name in ("Made as the stream dropped", "Made while refused"):
                reader.sees(name, within=CAUGHT_UP_WITHIN)
            polled = ben.create("Made while polling")
            reader.sees("Made while polling", column=0)
            ben.move(polled, 2)
            reader.sees("Made while polling", column=2)

            # Nothing refused: the next probe brings the page back to WebSocket.
            gate.refuse()
            ben.create("Made before the probe")
            run_clock_until_probe(reader)
            expect(reader.status(), "back on WebSocket after the probe").to_have_text(
                WEBSOCKET, timeout=10_000
            )
            expect(reader.status()).to_have_attribute("data-transport", "ws")
            reader.sees("Made before the probe", within=CAUGHT_UP_WITHIN)
            ben.create("Made back on the socket", column=1)
            reader.sees("Made back on the socket", column=1)

            # Nothing lost, nothing doubled: the board holds what the API holds, once each.
            listed = ben.task_names()
            assert Counter(listed) == Counter(ben.made.values()), (listed, ben.made)
            cards = page.get_by_test_id("task-card")
            expect(cards, "one card per task").to_have_count(len(listed))
            shown = cards.get_by_test_id("task-name").all_text_contents()
            assert Counter(shown) == Counter(listed), (shown, listed)

            page.screenshot(path=str(tmp_path / "react-board.png"))  # kept with the run
            assert [e for e in network_noise(reader.errors) if not refusals(e)] == []
        finally:
            reader.context.close()
