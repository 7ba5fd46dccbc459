"""For browser tests of what the pages look like or do, which is the same on any
database: import ``database_url`` from here into the test module, and its tests run on
SQLite alone rather than once per backend, on the worker's shared pair of servers
(conftest.py). They keep apart from the other modules there by registering their own
people and projects, and leave the servers running as they found them."""

from __future__ import annotations

import pytest

from tests.web.servers import Split


@pytest.fixture(scope="module")
def database_url(shared_split: Split) -> str:
    return shared_split.database_url
