"""Throwaway databases for the test run: a SQLite file, or a PostgreSQL database
created on the server that ``make test`` makes reachable and dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from tasklane.migrate import upgrade

POSTGRES_ADMIN = os.environ.get(
    "TASKLANE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


@contextmanager
def throwaway_database(backend: str, folder: Path) -> Iterator[str]:
    """A freshly migrated, empty database of ``backend``; its async SQLAlchemy URL."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / f'tasklane-{uuid.uuid4().hex[:8]}.db'}"
        asyncio.run(upgrade(url))
        yield url
        return
    name = f"tasklane_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    url = f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"
    try:
        asyncio.run(upgrade(url))
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
