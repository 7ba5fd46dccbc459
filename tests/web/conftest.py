"""Fixtures for the browser tests: Tasklane as two real processes per test module, and
one headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.web.browsers import CHROMIUM, FLAGS
from tests.web.servers import Split, split_servers


@pytest.fixture(scope="module")
def split(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Split]:
    with split_servers(tmp_path_factory.mktemp("split"), database_url) as running:
        yield running


@pytest.fixture(scope="module")
def browser(database_url: str) -> Iterator[Browser]:
    """One Chromium per module and backend. Asking for ``database_url`` makes it close
    before the next backend's database is made: sync Playwright runs an event loop in
    this thread, and making a PostgreSQL database calls ``asyncio.run()``."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()
