"""People at browsers, for the tests that drive Chromium: register someone through the
API, share a project, and sit them at a page of a running Tasklane (``servers.Split``)
with what goes wrong in the page collected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page

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


def network_noise(errors: list[str]) -> list[str]:
    """Chromium's own lines about refused or failed connections are expected while a
    server is down or a transport is refused; anything else is a real error."""
    expected = ("ERR_CONNECTION_REFUSED", "ERR_FAILED", "WebSocket connection", "net::")
    return [e for e in errors if not any(word in e for word in expected)]
