"""For browser tests of what the pages look like, which is the same on any database:
import ``database_url`` from here into the test module, and its tests run on SQLite
alone rather than once per backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backends import throwaway_database


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_database("sqlite", tmp_path_factory.mktemp("db")) as url:
        yield url
