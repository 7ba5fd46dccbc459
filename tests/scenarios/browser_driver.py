"""``@tasklane/realtime`` in headless Chromium as a scenario driver: a page of the harness
(``harness/``), whose ``window.scenario`` starts clients by name and records what they
hand over; the driver calls it with ``page.evaluate``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from playwright.sync_api import Browser, ConsoleMessage, Page

from tasklane.client.backoff import TransportName
from tests.scenarios.description import State
from tests.scenarios.driver import Received, Standing

LOAD_WITHIN_MS = 10_000
# What Chromium says on its own about a refused request or a closed connection: the
# scenarios refuse tokens and revoke access on purpose. Anything else is a fault.
NETWORK_NOISE = ("Failed to load resource", "net::", "WebSocket connection", "EventSource")


def received(item: dict[str, Any]) -> Received:
    return Received(
        item["kind"],
        item["projectId"],
        item.get("type"),
        item.get("seq"),
        item.get("userId"),
        item.get("reason"),
    )


class PageClients:
    """The :class:`~tests.scenarios.driver.Clients` of one run, in one page."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def _call(self, method: str, *args: Any) -> Any:
        return self.page.evaluate(
            "([method, args]) => window.scenario[method](...args)", [method, list(args)]
        )

    def open(self, client: str, *, api_url: str, token: str, transport: TransportName) -> None:
        self._call("start", client, {"api": api_url, "token": token, "transports": [transport]})

    def join(self, client: str, project_id: str, after: int | None) -> None:
        self._call("join", client, project_id, after)

    def cursor(self, client: str, project_id: str) -> int | None:
        return cast("int | None", self._call("cursor", client, project_id))

    def received(self, client: str) -> list[Received]:
        return [received(item) for item in self._call("received", client)]

    def standing(self, client: str) -> Standing:
        found = self._call("standing", client)
        return Standing(found["state"], found["transport"], found["code"], found["reason"])

    def wait_received(self, client: str, project_id: str, count: int, within: float) -> bool:
        return bool(self._call("untilReceived", client, project_id, count, round(within * 1000)))

    def wait_state(self, client: str, state: State, within: float) -> bool:
        return bool(self._call("untilState", client, state, round(within * 1000)))

    def close(self, client: str) -> None:
        self._call("close", client)


class BrowserDriver:
    """``@tasklane/realtime`` in Chromium, in one page of the harness at ``harness_url``
    (another origin than the API's), kept for every run: a run starts its clients by
    name and closes them all at its end. Use as a context manager."""

    name = "js-chromium"

    def __init__(self, browser: Browser, harness_url: str) -> None:
        self._context = browser.new_context()
        self._page = self._context.new_page()
        self._harness_url = harness_url
        self._errors: list[str] = []
        self._page.on("console", self._on_console)
        self._page.on("pageerror", lambda error: self._errors.append(str(error)))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(n in message.text for n in NETWORK_NOISE):
            self._errors.append(message.text)

    def __enter__(self) -> BrowserDriver:
        self._page.goto(self._harness_url)
        self._page.wait_for_function("window.scenarioReady === true", timeout=LOAD_WITHIN_MS)
        return self

    def __exit__(self, *_: object) -> None:
        self._context.close()

    @contextmanager
    def session(self) -> Iterator[PageClients]:
        self._errors.clear()
        try:
            yield PageClients(self._page)
        finally:
            self._page.evaluate("window.scenario.closeAll()")
        assert not self._errors, f"the page reported errors: {self._errors}"
