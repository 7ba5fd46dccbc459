"""The pages under an episode's prefix: one server hosts many workspaces, each at
``/e/<id>/`` on both ports, and a page never leaves its own. Every link, form action,
asset, redirect and ``next=`` it gives out, and every request its scripts make (the JSON
API, the realtime gateway's WebSocket and event stream, long polling), stays under
the prefix.

The app and the gateway are served by real uvicorns, each wrapped in one more
``EpisodeRouting`` that serves the stack's default workspace at ``/e/ep_test`` as well:
what the pages see is exactly what they see in a gym episode (a ``root_path``)."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect
from starlette.types import ASGIApp

from tasklane.app import Stack, build_stack
from tasklane.edge.episodes import EpisodeRouting
from tasklane.serving import build_servers
from tasklane.settings import Settings
from tests.conftest import unique_email
from tests.live import free_port, running
from tests.web.browsers import LIVE_WITHIN, network_noise, ride_down_to

EPISODE = "ep_test"
ROOT = f"/e/{EPISODE}"
PASSWORD = "correct horse"
PAGE_DATA = re.compile(r'<script type="application/json" id="page-data">(.*?)</script>', re.S)
OUTSIDE = ("#", "data:", "mailto:", "https://", "http://")  # not the site's own paths


@dataclass
class Prefixed:
    """The app on ``port`` and the gateway on ``ws_port``, both also at ``ROOT``."""

    stack: Stack
    port: int
    ws_port: int

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base(self) -> str:
        return self.origin + ROOT


@dataclass
class Member:
    id: str
    email: str
    token: str


def in_episode(app: Any, stack: Stack) -> ASGIApp:
    """``app`` (a uvicorn ``Config.app``), answering at ``/e/ep_test/…`` too, as the
    default workspace."""
    default = stack.default
    return EpisodeRouting(
        app, find=lambda i: default if i == EPISODE else None, default=lambda: default
    )


@pytest.fixture(scope="module")
def prefixed(settings: Settings) -> Iterator[Prefixed]:
    # The app's own origin is on its real port: the forms' and the gateway's origin
    # checks then accept the browser's pages.
    port, ws_port = free_port(), free_port()
    settings = settings.model_copy(update={"port": port, "ws_port": ws_port})
    stack = build_stack(settings)
    servers = build_servers(stack, "all", port=port, ws_port=ws_port)
    for server in servers:
        server.config.app = in_episode(server.config.app, stack)
    with running(servers, stack):
        yield Prefixed(stack, port, ws_port)


def register(prefixed: Prefixed, label: str) -> Member:
    body = {"email": unique_email(label), "name": label.title(), "password": PASSWORD}
    response = httpx.post(f"{prefixed.base}/api/auth/register", json=body, timeout=30)
    assert response.status_code == 201, response.text
    data = response.json()
    return Member(data["user"]["id"], body["email"], data["token"])


def api(prefixed: Prefixed, member: Member) -> httpx.Client:
    headers = {"Authorization": f"Bearer {member.token}"}
    return httpx.Client(base_url=prefixed.base, timeout=30, headers=headers)


def workspace(prefixed: Prefixed) -> tuple[Member, Member, dict[str, Any]]:
    """Two people and a shared project with what every page shows: sections, tasks (one
    assigned and due, with a subtask and a comment)."""
    ana, ben = register(prefixed, "ana"), register(prefixed, "ben")
    with api(prefixed, ana) as http:

        def made(path: str, body: dict[str, Any]) -> Any:
            response = http.post(path, json=body)
            assert response.status_code == 201, response.text
            return response.json()

        project = made("/api/projects", {"name": "Relaunch"})
        pid = project["id"]
        made(f"/api/projects/{pid}/members", {"userId": ben.id, "role": "editor"})
        due = {"name": "Write copy", "assigneeId": ana.id, "dueOn": "2030-01-02"}
        task = made(f"/api/projects/{pid}/tasks", due)
        made(f"/api/tasks/{task['id']}/subtasks", {"name": "Pricing page"})
        made(f"/api/tasks/{task['id']}/comments", {"text": "Under 300 words."})
        made(f"/api/projects/{pid}/tasks", {"name": "Pick a hero image"})
    return ana, ben, project


# -- what a page gives out -------------------------------------------------------------


class Addresses(HTMLParser):
    """Every address in a page: links, forms (with their method), assets; and those of
    the blank markup inside ``<template>`` elements, for the scripts to fill."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str]] = []  # (method, action)
        self.assets: list[str] = []
        self.blanks: list[str] = []
        self._templates = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "template":
            self._templates += 1
        address = found.get("action" if tag == "form" else "href", found.get("src"))
        if address is None:
            return
        if self._templates:
            self.blanks.append(address)
        elif tag == "form":
            self.forms.append((found.get("method", "get").lower(), address))
        elif tag == "a":
            self.links.append(address)
        else:
            self.assets.append(address)

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._templates -= 1

    def every(self) -> list[str]:
        return self.links + [action for _method, action in self.forms] + self.assets + self.blanks


def local(address: str) -> bool:
    return not address.startswith(OUTSIDE)


def in_root(address: str) -> bool:
    return address == ROOT or address.startswith(f"{ROOT}/")


def check_page(response: httpx.Response, prefixed: Prefixed) -> Addresses:
    """The page's addresses, each checked to be outside the site or under ``ROOT``;
    and its data and policy name the episode's gateway."""
    found = Addresses()
    found.feed(response.text)
    leaks = [address for address in found.every() if local(address) and not in_root(address)]
    assert leaks == [], f"{response.url}: {leaks}"
    assert f'data-root="{ROOT}"' in response.text, response.url
    data = json.loads(PAGE_DATA.findall(response.text)[0])
    gateway = f"127.0.0.1:{prefixed.ws_port}{ROOT}"
    assert data["gateway"] == {"ws": f"ws://{gateway}", "http": f"http://{gateway}"}
    policy = dict(
        part.split(" ", 1) for part in response.headers["content-security-policy"].split("; ")
    )
    # As folders: a source without the final "/" allows that one path only.
    assert policy["connect-src"] == f"'self' ws://{gateway}/ http://{gateway}/"
    return found


def crawl(http: httpx.Client, prefixed: Prefixed, start: str) -> dict[str, int]:
    """Every page reachable by links and GET forms from ``start``; each answer's status
    by path. Redirects are followed by hand, their ``Location`` checked."""
    seen: dict[str, int] = {}
    assets: set[str] = set()
    queue = deque([start])
    while queue and len(seen) < 300:
        path = queue.popleft()
        if path in seen:
            continue
        response = http.get(path)
        seen[path] = response.status_code
        if response.is_redirect:
            location = response.headers["location"]
            assert in_root(location), f"{path} → {location}"
            queue.append(location)
            continue
        assert response.status_code == 200, f"{path}: {response.status_code}"
        if not response.headers["content-type"].startswith("text/html"):
            continue
        found = check_page(response, prefixed)
        for address in set(found.assets) - assets:
            assets.add(address)
            if local(address):
                assert http.get(address).status_code == 200, address
        queue.extend(link.partition("#")[0] for link in found.links if local(link))
        for method, action in found.forms:
            if method == "get":  # the search box
                queue.append(f"{action}?{urlencode({'q': 'copy'})}")
    return seen


# -- the crawl -------------------------------------------------------------------------


def test_every_page_address_and_redirect_stays_under_the_prefix(prefixed: Prefixed) -> None:
    ana, _ben, project = workspace(prefixed)
    pid = project["id"]
    with httpx.Client(base_url=prefixed.origin, timeout=30) as http:
        # Signed out, a page sends to sign in within the episode, and back to that page.
        asked = http.get(f"{ROOT}/projects/{pid}/board")
        assert asked.status_code == 303
        assert asked.headers["location"] == f"{ROOT}/login?next=/projects/{pid}/board"
        for page in (f"{ROOT}/login?next=/projects/{pid}/board", f"{ROOT}/signup"):
            check_page(http.get(page), prefixed)
        signed_in = http.post(
            f"{ROOT}/login",
            data={"email": ana.email, "password": PASSWORD, "next": f"/projects/{pid}/board"},
        )
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["location"] == f"{ROOT}/projects/{pid}/board"
        # A signed-in visitor sent to sign in goes on, within the episode.
        assert http.get(f"{ROOT}/login?next=/my-tasks").headers["location"] == f"{ROOT}/my-tasks"
        # A "next" that is not a path of the site is the episode's Home.
        assert http.get(f"{ROOT}/login?next=//evil.example").headers["location"] == f"{ROOT}/"

        seen = crawl(http, prefixed, f"{ROOT}/")
        paths = {path.partition("?")[0] for path in seen}
        expected = {
            f"{ROOT}/",
            f"{ROOT}/my-tasks",
            f"{ROOT}/search",
            f"{ROOT}/projects/{pid}",
            f"{ROOT}/projects/{pid}/board",
            f"{ROOT}/projects/{pid}/members",
        }
        assert expected <= paths, expected - paths
        assert any("/tasks/" in path for path in paths), "a task's pane was opened"

        # A page the visitor may not see, and a refused form, still speak the episode.
        missing = http.get(f"{ROOT}/projects/proj_nope")
        assert missing.status_code == 404
        check_page(missing, prefixed)
        refused = http.post(f"{ROOT}/projects", data={"name": ""})
        assert refused.status_code == 422
        check_page(refused, prefixed)

        # Forms answer with a redirect to a page of the episode.
        made = http.post(f"{ROOT}/projects", data={"name": "Spring"})
        assert made.status_code == 303
        assert re.fullmatch(rf"{ROOT}/projects/[\w-]+", made.headers["location"])
        section = http.get(f"{prefixed.base}/api/projects/{pid}/sections").json()[0]
        added = http.post(
            f"{ROOT}/projects/{pid}/sections/{section['id']}/tasks",
            data={"name": "From a form", "view": "board"},
        )
        assert added.headers["location"] == f"{ROOT}/projects/{pid}/board"
        task = http.get(f"{prefixed.base}/api/projects/{pid}/tasks").json()["items"][0]
        commented = http.post(
            f"{ROOT}/projects/{pid}/tasks/{task['id']}/comments", data={"text": "Seen."}
        )
        assert commented.headers["location"] == f"{ROOT}/projects/{pid}/tasks/{task['id']}#comments"

        signed_out = http.post(f"{ROOT}/logout")
        assert signed_out.headers["location"] == f"{ROOT}/login"
        assert http.get(f"{ROOT}/").headers["location"] == f"{ROOT}/login?next=/"

        # The API's docs keep their own (lack of) policy, and read the episode's schema.
        docs = http.get(f"{ROOT}/docs")
        assert docs.status_code == 200
        assert "content-security-policy" not in docs.headers
        assert f"'{ROOT}/openapi.json'" in docs.text

        # Signing up in the episode lands in it.
        body = {"name": "Chen", "email": unique_email("chen"), "password": PASSWORD}
        joined = http.post(f"{ROOT}/signup", data={**body, "next": "/my-tasks"})
        assert joined.headers["location"] == f"{ROOT}/my-tasks"


def test_the_root_is_unchanged(prefixed: Prefixed) -> None:
    """Without the prefix, the same server gives out the same addresses as ever."""
    with httpx.Client(base_url=prefixed.origin, timeout=30) as http:
        login = http.get("/login")
        assert 'data-root=""' in login.text
        assert 'href="/static/css/app.css"' in login.text
        assert http.get("/").headers["location"] == "/login?next=/"
        data = json.loads(PAGE_DATA.findall(login.text)[0])
        assert data["gateway"]["ws"] == f"ws://127.0.0.1:{prefixed.ws_port}"


# -- a browser ------------------------------------------------------------------------


@dataclass
class Traffic:
    """Every request a page made, and every WebSocket it opened."""

    urls: list[str]

    def leaks(self, prefixed: Prefixed) -> list[str]:
        ours = {f"127.0.0.1:{prefixed.port}", f"127.0.0.1:{prefixed.ws_port}"}
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme != "data"
            and (urlsplit(url).netloc not in ours or not in_root(urlsplit(url).path))
        ]


def watch(page: Page) -> Traffic:
    traffic = Traffic([])
    page.on("request", lambda request: traffic.urls.append(request.url))
    page.on("websocket", lambda socket: traffic.urls.append(socket.url))
    return traffic


def sign_in(page: Page, member: Member, path: str) -> None:
    """Open ``path`` signed out, and sign in on the form it sends to."""
    page.goto(path)
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.get_by_test_id("login-email").fill(member.email)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"**{path}")


def refuse_websocket(socket: Any) -> None:
    socket.close(code=1011, reason="refused by the network")


def test_a_board_under_the_prefix_is_live_and_reaches_nothing_outside_it(
    browser: Browser, prefixed: Prefixed
) -> None:
    ana, ben, project = workspace(prefixed)
    pid = project["id"]
    context = browser.new_context(base_url=prefixed.origin)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    traffic = watch(page)
    sockets: list[WebSocket] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    try:
        sign_in(page, ben, f"{ROOT}/projects/{pid}/board")
        expect(page.get_by_test_id("status-indicator")).to_have_text("Live")
        assert [socket.url for socket in sockets] == [
            f"ws://127.0.0.1:{prefixed.ws_port}{ROOT}/ws?batch=1"
        ]
        # Ana's change through the API under the prefix arrives on Ben's board.
        with api(prefixed, ana) as http:
            made = http.post(f"/api/projects/{pid}/tasks", json={"name": "Arrives live"})
            assert made.status_code == 201
        card = page.get_by_test_id("task-card").filter(has_text="Arrives live")
        expect(card).to_be_visible(timeout=LIVE_WITHIN)
        # The page's own scripts: open the pane (its reads), comment (a write), close;
        # all in the same document, the addresses its script makes in the episode too.
        page.evaluate("window.stayed = true")
        card.get_by_test_id("task-name").click()
        pane = page.get_by_test_id("task-pane")
        expect(pane).to_be_visible()
        assert urlsplit(page.url).path == f"{ROOT}/projects/{pid}/tasks/{made.json()['id']}"
        assert page.evaluate("window.stayed") is True, "the pane opened without a new page"
        pane.get_by_test_id("comment-input").fill("On it")
        pane.get_by_test_id("comment-submit").click()
        expect(pane.get_by_test_id("comment")).to_contain_text("On it")
        page.keyboard.press("Escape")
        expect(pane).to_be_hidden()
        assert urlsplit(page.url).path == f"{ROOT}/projects/{pid}/board"
        assert page.evaluate("window.stayed") is True
        page.get_by_test_id("view-list").click()
        page.wait_for_url(f"**{ROOT}/projects/{pid}")
        expect(page.get_by_test_id("status-indicator")).to_have_text("Live")
        assert any("/api/" in url for url in traffic.urls), "the scripts called the API"
        assert traffic.leaks(prefixed) == []
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize(
    ("refused", "expected"),
    [(("ws",), "Live (fallback: SSE)"), (("ws", "sse"), "Live (polling)")],
)
def test_the_fallbacks_stay_under_the_prefix(
    browser: Browser, prefixed: Prefixed, refused: tuple[str, ...], expected: str
) -> None:
    ana, ben, project = workspace(prefixed)
    pid = project["id"]
    context = browser.new_context(base_url=prefixed.origin)
    context.route_web_socket(re.compile(r"/ws(\?.*)?$"), refuse_websocket)
    if "sse" in refused:
        context.route("**/sse?**", lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    traffic = watch(page)
    try:
        page.clock.install()
        sign_in(page, ben, f"{ROOT}/projects/{pid}")
        # Skip each countdown of the WebSocket's retries.
        ride_down_to(page, page.get_by_test_id("status-indicator"), expected)
        with api(prefixed, ana) as http:
            http.post(f"/api/projects/{pid}/tasks", json={"name": "Over the fallback"})
        rows = page.get_by_test_id("task-row").filter(has_text="Over the fallback")
        expect(rows).to_be_visible(timeout=LIVE_WITHIN)
        stream = "/sse" if "sse" not in refused else "/events"
        assert any(stream in url for url in traffic.urls), traffic.urls
        assert traffic.leaks(prefixed) == []
        assert network_noise(errors) == []
    finally:
        context.close()
