"""Throwaway databases for the test run: a SQLite file, or a PostgreSQL database
created on the server that ``make test`` makes reachable and dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from tasklane.migrate import upgrade

POSTGRES_ADMIN = os.environ.get(
    "TASKLANE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


def run_apart(coroutine: Coroutine[Any, Any, None]) -> None:
    """Runs ``coroutine`` in an event loop of its own, in a thread of its own: the
    calling thread may have a loop running already (sync Playwright's, while a browser
    test's Chromium is open), where ``asyncio.run()`` refuses to start another."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="throwaway-database") as pool:
        pool.submit(asyncio.run, coroutine).result()


@contextmanager
def throwaway_database(backend: str, folder: Path) -> Iterator[str]:
    """A freshly migrated, empty database of ``backend``; its async SQLAlchemy URL."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / f'tasklane-{uuid.uuid4().hex[:8]}.db'}"
        run_apart(upgrade(url))
        yield url
        return
    name = f"tasklane_test_{uuid.uuid4().hex[:12]}"
    run_apart(_admin(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    url = f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"
    try:
        run_apart(upgrade(url))
        yield url
    finally:
        run_apart(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
