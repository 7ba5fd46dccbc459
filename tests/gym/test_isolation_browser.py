"""Two episodes of one seed, open at once in one browser: the browser part of the
isolation suite (``test_isolation.py`` drives the API and the gateway directly).

Both tabs share one cookie jar, as one person's two tabs do, and both show the same
project: episodes of one seed hold the same IDs, so a sign-in, a change, a person or a
reset of one that reached the other would pass there for its own. Each tab signs in
through the login form under its episode's prefix as a different member of the project,
and the tests show that each keeps its own sign-in, hears its own changes and presence
only, follows its own reset only, and never makes a request outside its own prefix.
What did not arrive is shown with a witness (a change of the tab's own episode made
after the other's, waited for on the page), never by waiting a while.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect, sync_playwright

from tasklane.app import build_stack
from tasklane.gym.presets import PASSWORD
from tasklane.serving import build_servers
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import free_port, running
from tests.web.browsers import CHROMIUM, FLAGS, LIVE_WITHIN

Json = dict[str, Any]
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}
SEED = 11


@dataclass(frozen=True)
class GymServer:
    """A gym server on SQLite; its pages open the gateway on ``ws_port``."""

    port: int
    ws_port: int

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    email: str


@dataclass(frozen=True)
class Cast:
    """A project and two of its editors, the same in every episode of the seed."""

    project_id: str
    first: Member
    second: Member


@dataclass
class Tab:
    """One episode's page in the shared browser context, signed in as ``member``."""

    episode_id: str
    base: str  # http://127.0.0.1:PORT/e/<id>
    member: Member
    page: Page
    urls: list[str] = field(default_factory=list)  # every request and WebSocket it made
    errors: list[str] = field(default_factory=list)
    token: str = ""  # the member's API token in the episode, once ``api`` has signed in

    def __post_init__(self) -> None:
        self.page.on("request", lambda request: self.urls.append(request.url))
        self.page.on("websocket", lambda socket: self.urls.append(socket.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    @property
    def prefix(self) -> str:
        return f"/e/{self.episode_id}"

    def status(self) -> Locator:
        return self.page.get_by_test_id("status-indicator")

    def card(self, name: str) -> Locator:
        return self.page.get_by_test_id("task-card").filter(has_text=name)

    def add_card(self, name: str) -> None:
        """Add a task through the first column's "+ Add task" field, as a person does."""
        add = self.page.get_by_test_id("board-column").first.get_by_test_id("add-card-input")
        add.fill(name)
        add.press("Enter")

    def present(self, member: Member) -> Locator:
        return self.page.locator(
            f'[data-testid=presence] [data-testid=presence-avatar][data-user-id="{member.id}"]'
        )

    def outside(self, server: GymServer) -> list[str]:
        """The requests the page made anywhere but under its own prefix, on either port."""
        ours = {f"127.0.0.1:{server.port}", f"127.0.0.1:{server.ws_port}"}
        left: list[str] = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme == "data":
                continue
            under = parts.path == self.prefix or parts.path.startswith(self.prefix + "/")
            if parts.netloc not in ours or not under:
                left.append(url)
        return left

    def api(self, method: str, path: str, body: Json | None = None) -> Json:
        """A call to the episode's API as the tab's member, by Bearer token (so the
        browser's cookie jar is left alone)."""
        if not self.token:
            login = httpx.post(
                f"{self.base}/api/auth/login",
                json={"email": self.member.email, "password": PASSWORD},
                timeout=30,
            )
            assert login.status_code == 200, login.text
            self.token = login.json()["token"]
        answer = httpx.request(
            method,
            self.base + path,
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        assert answer.is_success, (path, answer.status_code, answer.text)
        made: Json = answer.json()
        return made


# -- the server, the browser and the cast ---------------------------------------------


@pytest.fixture(scope="module")
def gym_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GymServer]:
    """``tasklane serve`` in gym mode on ports chosen beforehand: the pages' origin
    check and the gateway they open need the real ones in the settings."""
    folder = tmp_path_factory.mktemp("isolation-browser")
    port, ws_port = free_port(), free_port()
    with throwaway_database("sqlite", folder) as url:
        settings = gym_settings(url, folder).model_copy(update={"port": port, "ws_port": ws_port})
        stack = build_stack(settings)
        with running(build_servers(stack, "all", port=port, ws_port=ws_port), stack):
            yield GymServer(port, ws_port)


@pytest.fixture(scope="module")
def browser(gym_server: GymServer) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def cast(gym_server: GymServer) -> Cast:
    """The project with the most members and two of its editors, read from an episode
    made for the purpose."""
    with httpx.Client(base_url=gym_server.origin, headers=ADMIN_HEADERS, timeout=60) as admin:
        created = admin.post("/api/gym/episodes", json={"seed": SEED}).json()
        state = admin.get(f"{created['urls']['base']}/api/gym/state").json()
        admin.delete(f"/api/gym/episodes/{created['id']}")
    users = {u["id"]: u for u in state["users"]}
    members: dict[str, list[Json]] = {}
    for member in sorted(state["members"], key=lambda m: m["id"]):
        members.setdefault(member["projectId"], []).append(member)
    project_id = max(sorted(members), key=lambda p: len(members[p]))
    first, second = (
        Member(m["userId"], users[m["userId"]]["name"], users[m["userId"]]["email"])
        for m in [m for m in members[project_id] if m["role"] == "editor"][:2]
    )
    assert first.name != second.name, "the page tells them apart by name"
    return Cast(project_id, first, second)


def sign_in(tab: Tab, path: str) -> None:
    """Open ``path`` in the tab's episode signed out, and sign in on the login form it
    sends to."""
    tab.page.goto(tab.base + path)
    expect(tab.page.get_by_test_id("login-form")).to_be_visible()
    assert urlsplit(tab.page.url).path == f"{tab.prefix}/login"
    tab.page.get_by_test_id("login-email").fill(tab.member.email)
    tab.page.get_by_test_id("login-password").fill(PASSWORD)
    tab.page.get_by_test_id("login-submit").click()
    tab.page.wait_for_url(f"**{tab.prefix}{path}")


def signed_in_as(tab: Tab) -> Locator:
    """The name of whoever the page says is signed in (the sidebar's foot)."""
    return tab.page.get_by_test_id("sidebar").locator('[data-field="me-name"]')


@pytest.fixture
def tabs(gym_server: GymServer, browser: Browser, cast: Cast) -> Iterator[tuple[Tab, Tab]]:
    """Two new episodes of ``SEED``, each open at the project's board in one browser
    context: A signed in as the cast's first editor, B as the second; both "Live"."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    made: list[str] = []
    with httpx.Client(base_url=gym_server.origin, headers=ADMIN_HEADERS, timeout=60) as admin:
        try:
            opened: list[Tab] = []
            for member in (cast.first, cast.second):
                answer = admin.post("/api/gym/episodes", json={"seed": SEED})
                assert answer.status_code == 201, answer.text
                episode = answer.json()
                made.append(episode["id"])
                opened.append(
                    Tab(episode["id"], episode["urls"]["base"], member, context.new_page())
                )
            a, b = opened
            board = f"/projects/{cast.project_id}/board"
            # One after the other: B's page joins while A's is in the room already.
            for tab in (a, b):
                sign_in(tab, board)
                expect(tab.status()).to_have_text("Live")
                expect(signed_in_as(tab)).to_have_text(tab.member.name)
            yield a, b
        finally:
            context.close()
            for episode_id in made:
                admin.delete(f"/api/gym/episodes/{episode_id}")


# -- the tests --------------------------------------------------------------------------


def test_two_episodes_in_one_browser_keep_their_own_sign_ins_changes_and_people(
    gym_server: GymServer, tabs: tuple[Tab, Tab], cast: Cast
) -> None:
    a, b = tabs
    # Each page shows itself present, and not the other's member, though B's page
    # joined with A's in the room already.
    expect(b.present(b.member)).to_have_count(1)
    expect(a.present(a.member)).to_have_count(1)
    assert b.present(a.member).count() == 0
    # Signing in to B did not sign A out or in as someone else, nor the other way round.
    for tab in (a, b):
        tab.page.reload()
        expect(signed_in_as(tab)).to_have_text(tab.member.name)
        expect(tab.status()).to_have_text("Live")
        assert urlsplit(tab.page.url).path == f"{tab.prefix}/projects/{cast.project_id}/board"

    # A's member adds a task through A's board; it shows on A's page.
    only_in_a = f"Added in {a.episode_id}"
    a.add_card(only_in_a)
    expect(a.card(only_in_a)).to_be_visible(timeout=LIVE_WITHIN)
    # Then a change in B, which B's page hears: had A's crossed over, it came first.
    tasks = f"/api/projects/{cast.project_id}/tasks"
    only_in_b = f"Added in {b.episode_id}"
    b.api("POST", tasks, {"name": only_in_b})
    expect(b.card(only_in_b)).to_be_visible(timeout=LIVE_WITHIN)
    assert only_in_a not in b.page.content()
    # And the other way: a change in A made elsewhere (its API), heard live on A's page
    # after B's.
    witness = f"Heard in {a.episode_id}"
    a.api("POST", tasks, {"name": witness})
    expect(a.card(witness)).to_be_visible(timeout=LIVE_WITHIN)
    assert only_in_b not in a.page.content()
    # Nobody of the other episode shows as present, the reloads and changes later.
    assert b.present(a.member).count() == 0
    assert a.present(b.member).count() == 0
    expect(a.present(a.member)).to_have_count(1)
    expect(b.present(b.member)).to_have_count(1)

    # A's page wrote through its episode's API; both listened on their gateway's socket.
    assert any(f"{a.prefix}/api/projects/" in url for url in a.urls), a.urls
    for tab in (a, b):
        assert any(f"{tab.prefix}/ws?" in url for url in tab.urls), tab.urls
        assert tab.outside(gym_server) == []
        assert tab.errors == []


def test_resetting_one_episode_resyncs_its_page_only(
    gym_server: GymServer, tabs: tuple[Tab, Tab], cast: Cast
) -> None:
    a, b = tabs
    tasks = f"/api/projects/{cast.project_id}/tasks"
    only_in_a = f"Added in {a.episode_id}"
    a.add_card(only_in_a)
    expect(a.card(only_in_a)).to_be_visible(timeout=LIVE_WITHIN)
    only_in_b = f"Added in {b.episode_id}"
    b.api("POST", tasks, {"name": only_in_b})
    expect(b.card(only_in_b)).to_be_visible(timeout=LIVE_WITHIN)
    for tab in (a, b):
        # The same document throughout (no reload), and every resync it is told of. (A
        # body, not an expression: Playwright would call the unsubscribe ``on`` returns.)
        tab.page.evaluate(
            """() => {
                window.stillTheSamePage = true;
                window.resyncs = [];
                window.tasklaneRealtime.on("resync", (e) => window.resyncs.push(e));
            }"""
        )

    reset = httpx.post(
        f"{a.base}/api/gym/reset", json={"seed": SEED}, headers=ADMIN_HEADERS, timeout=60
    )
    assert reset.status_code == 200, reset.text
    # A's page reloads its state: the task is gone, in the same document, still live.
    expect(a.card(only_in_a)).to_have_count(0, timeout=LIVE_WITHIN)
    expect(a.status()).to_have_text("Live")
    # Told once for the project, and once for the person's own log (a reset starts both).
    told = a.page.evaluate("window.resyncs.map((e) => [e.projectId, e.reason])")
    assert sorted(told) == sorted([[cast.project_id, "reset"], [a.member.id, "reset"]])
    # B hears a change of its own after the reset, and was told of no resync before it.
    after = f"After the reset of {a.episode_id}"
    b.api("POST", tasks, {"name": after})
    expect(b.card(after)).to_be_visible(timeout=LIVE_WITHIN)
    assert b.page.evaluate("window.resyncs") == []
    expect(b.card(only_in_b)).to_be_visible()
    expect(b.status()).to_have_text("Live")
    # And A's page, its sign-in kept through the reset, goes on in its own episode: B's
    # tasks never show there.
    again = f"After its reset, in {a.episode_id}"
    a.add_card(again)
    expect(a.card(again)).to_be_visible(timeout=LIVE_WITHIN)
    expect(signed_in_as(a)).to_have_text(a.member.name)
    assert only_in_b not in a.page.content()
    assert after not in a.page.content()

    for tab in (a, b):
        assert tab.page.evaluate("window.stillTheSamePage") is True
        assert tab.outside(gym_server) == []
        assert tab.errors == []
