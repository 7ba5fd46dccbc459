"""Fixtures for the browser tests: Tasklane as two real processes, and a headless
Chromium.

A module on SQLite alone (its ``database_url`` from ``sqlite_only.py``) runs on the
worker's one pair of servers, shared with the other such modules: its tests keep apart
by registering their own people and projects. A module on both backends starts a pair
of its own for each. Every module here drives the worker's one Chromium."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.web.browsers import Chromium
from tests.web.servers import Split, split_servers

HERE = Path(__file__).parent
NEXT_TEST = pytest.StashKey["pytest.Item | None"]()
# Sign-ups and sign-ins from this machine's one address add up over every module on the
# shared pair; none of these tests is about that limit (tests/api and tests/security are).
SHARED_SETTINGS = {"AUTH_RATE": "1000", "AUTH_BURST": "1000"}


def on_shared_pair(fixturenames: Iterable[str]) -> bool:
    """Whether a test with these fixtures runs on the shared pair: its module takes
    ``database_url`` from ``sqlite_only.py``, which is the shared pair's."""
    return "shared_split" in fixturenames


def keeps_chromium(following: pytest.Item | None) -> bool:
    """Whether the worker's Chromium may stay open for the test ``following``: a test
    here that drives it. Any other may need ``asyncio.run()`` or a loop of its own (an
    async test), and sync Playwright runs an event loop in this thread while it is open.
    (The databases made meanwhile are made apart from it: tests/backends.py.)"""
    if following is None or HERE not in following.path.parents:
        return False
    return "browser" in getattr(following, "fixturenames", ())


@pytest.fixture(scope="session")
def shared_split(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Split]:
    """The worker's pair for the modules on SQLite alone, on a database of its own. A
    test that stops the gateway starts it again."""
    folder = tmp_path_factory.mktemp("shared-split")
    url = f"sqlite+aiosqlite:///{folder / 'tasklane.db'}"
    with split_servers(folder, url, SHARED_SETTINGS) as running:
        yield running


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """The worker's Chromium: it stays open from one module to the next (``browser``)."""
    launched = Chromium()
    yield launched
    launched.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Notes the test to come, before this one's fixtures are torn down: ``browser``
    looks at it as its module ends."""
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
def browser(request: pytest.FixtureRequest, chromium: Chromium) -> Iterator[Browser]:
    """The worker's Chromium, closed as the module ends unless the next test keeps it:
    before that test is set up, and before the session's fixtures are torn down after
    the last one."""
    yield chromium.browser()
    if not keeps_chromium(request.config.stash.get(NEXT_TEST, None)):
        chromium.close()
