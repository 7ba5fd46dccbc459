"""Fixtures for the browser tests: Tasklane as two real processes, and a headless
Chromium.

A module on SQLite alone (its ``database_url`` from ``sqlite_only.py``) runs on the
worker's one pair of servers and one Chromium, shared with the other such modules: its
tests keep apart by registering their own people and projects. A module on both
backends starts a pair and a Chromium of its own, for each backend."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest
from playwright.sync_api import Browser

from tests.web.browsers import Chromium
from tests.web.servers import Split, split_servers

NEXT_TEST = pytest.StashKey["pytest.Item | None"]()
# Sign-ups and sign-ins from this machine's one address add up over every module on the
# shared pair; none of these tests is about that limit (tests/api and tests/security are).
SHARED_SETTINGS = {"AUTH_RATE": "1000", "AUTH_BURST": "1000"}


def on_shared_pair(fixturenames: Iterable[str]) -> bool:
    """Whether a test with these fixtures runs on the shared pair: its module takes
    ``database_url`` from ``sqlite_only.py``, which is the shared pair's."""
    return "shared_split" in fixturenames


def keeps_the_shared_chromium(following: pytest.Item | None) -> bool:
    """Whether the shared Chromium may stay open for the test ``following``: one on the
    shared pair with a browser. Any other may need ``asyncio.run()`` (making or dropping
    a database) or a loop of its own (an async test), and sync Playwright runs an event
    loop in this thread while it is open."""
    names = getattr(following, "fixturenames", ())
    return on_shared_pair(names) and "browser" in names


@pytest.fixture(scope="session")
def shared_split(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Split]:
    """The worker's pair for the modules on SQLite alone, on a database of its own (the
    gateway migrates it as it starts). A test that stops the gateway starts it again."""
    folder = tmp_path_factory.mktemp("shared-split")
    url = f"sqlite+aiosqlite:///{folder / 'tasklane.db'}"
    with split_servers(folder, url, SHARED_SETTINGS) as running:
        yield running


@pytest.fixture(scope="session")
def shared_chromium() -> Iterator[Chromium]:
    """The worker's Chromium for the modules on the shared pair: it stays open from one
    such module to the next (``browser``)."""
    chromium = Chromium()
    yield chromium
    chromium.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Notes the test to come, before this one's fixtures are torn down: the shared
    Chromium's ``browser`` looks at it as its module ends."""
    item.config.stash[NEXT_TEST] = nextitem


@pytest.fixture(scope="module")
def split(
    request: pytest.FixtureRequest, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Split]:
    if on_shared_pair(request.fixturenames):
        yield request.getfixturevalue("shared_split")
        return
    with split_servers(tmp_path_factory.mktemp("split"), database_url) as running:
        yield running


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest, database_url: str) -> Iterator[Browser]:
    """On the shared pair, the shared Chromium, closed as the module ends unless the next
    test keeps it: before that test is set up, and before the session's fixtures are torn
    down after the last one. Else one per module and backend, which asking for
    ``database_url`` closes before the next backend's database is made."""
    if on_shared_pair(request.fixturenames):
        chromium = request.getfixturevalue("shared_chromium")
        yield chromium.browser()
        if not keeps_the_shared_chromium(request.config.stash.get(NEXT_TEST, None)):
            chromium.close()
        return
    chromium = Chromium()
    try:
        yield chromium.browser()
    finally:
        chromium.close()
