"""People at browsers, for the tests that drive Chromium: register someone through the
API, share a project, and sit them at a page of a running Tasklane (``servers.Split``)
with what goes wrong in the page collected."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.conftest import unique_email
from tests.web.servers import Split

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LIVE_WITHIN = 2_000  # ms: the bound for a change to show on another page
COUNTDOWN = re.compile(r"^Reconnecting in (\d+) s…")  # a page's status between attempts


class Chromium:
    """One headless Chromium, launched when first asked for, until ``close``; asked for
    again, launched anew. While it runs, sync Playwright holds an event loop running in
    this thread: ``asyncio.run()`` (making a database, an async test) fails until it is
    closed."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        if self._browser is None:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


@dataclass
class Person:
    id: str
    name: str
    token: str


@dataclass
class Seat:
    """A person at a browser: their context, their page, and what went wrong in it."""

    person: Person
    context: BrowserContext
    page: Page
    errors: list[str]


def register(split: Split, label: str) -> Person:
    body = {"email": unique_email(label), "name": label, "password": "correct horse"}
    response = httpx.post(f"{split.base_url}/api/auth/register", json=body, timeout=30)
    assert response.status_code == 201, response.text
    data = response.json()
    return Person(data["user"]["id"], label, data["token"])


def api(split: Split, person: Person) -> httpx.Client:
    return httpx.Client(
        base_url=split.base_url, timeout=30, headers={"Authorization": f"Bearer {person.token}"}
    )


def shared_project(split: Split, owner: Person, *others: Person, role: str = "editor") -> Any:
    with api(split, owner) as http:
        project = http.post("/api/projects", json={"name": "Launch"}).json()
        for other in others:
            http.post(
                f"/api/projects/{project['id']}/members",
                json={"userId": other.id, "role": role},
            )
    return project


def sit(browser: Browser, split: Split, person: Person, path: str, **options: Any) -> Seat:
    context = browser.new_context(base_url=split.base_url, viewport={"width": 1400, "height": 900})
    context.add_cookies(
        [{"name": "tasklane_session", "value": person.token, "url": split.base_url}]
    )
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    if options.get("fake_clock"):
        page.clock.install()
    for pattern, handler in options.get("routes", []):
        context.route(pattern, handler)
    for pattern, handler in options.get("socket_routes", []):
        context.route_web_socket(pattern, handler)
    page.goto(path)
    return Seat(person, context, page, errors)


def status(seat: Seat) -> Locator:
    return seat.page.get_by_test_id("status-indicator")


def retry_now(seat: Seat) -> None:
    """Skips the page's countdown to its next attempt to reconnect: once the page is
    counting down (or back), its realtime client (``window.tasklaneRealtime``) tries at
    once. An attempt under way is waited out first: its failure would start another
    countdown."""
    expect(status(seat)).to_have_text(re.compile(r"^(?:Live|Reconnecting in \d+ s…)$"))
    seat.page.evaluate("window.tasklaneRealtime.retryNow()")


def network_noise(errors: list[str]) -> list[str]:
    """Chromium's own lines about refused or failed connections are expected while a
    server is down or a transport is refused; anything else is a real error."""
    expected = ("ERR_CONNECTION_REFUSED", "ERR_FAILED", "WebSocket connection", "net::")
    return [e for e in errors if not any(word in e for word in expected)]


def ride_down_to(
    page: Page, status: Locator, transport: str, meanwhile: Callable[[], object] = lambda: None
) -> None:
    """Skip each reconnection countdown on the page's clock (``page.clock.install()``)
    until ``status`` reads ``transport``; ``meanwhile`` runs after the first skip, while
    the page is between transports.

    After a skip, the next thing to wait for is the transport, or a countdown longer
    than the one skipped: the next attempt failed (the backoff doubles each time), and a
    status still showing the old countdown, or "Connecting…", is not mistaken for it.
    The page's own clock runs too, so an attempt may also come before it is skipped."""
    skipped, last = 0, 0
    for _ in range(20):
        longer = "|".join(str(seconds) for seconds in range(last + 1, 61))
        expected = re.compile(rf"^(?:{re.escape(transport)}$|Reconnecting in (?:{longer}) s…)")
        expect(
            status, f"{transport}, or a countdown longer than {last}s, after {skipped} skipped"
        ).to_have_text(expected, timeout=20_000)
        shown = (status.text_content() or "").strip()
        if shown == transport:
            return
        countdown = COUNTDOWN.match(shown)
        if countdown is None:  # it ran out meanwhile, and the page is trying: wait again
            continue
        last = int(countdown.group(1))
        page.clock.run_for(last * 1000 + 250)  # the display rounds up
        skipped += 1
        if skipped == 1:
            meanwhile()
    raise AssertionError(f"still not {transport} after {skipped} countdowns")
