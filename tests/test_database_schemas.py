"""PostgreSQL schemas on one pool (``Database.in_schema``, a gym episode each): every
session reads and writes its own schema, however the pool's connections move between
them, and whatever a rolled-back write did to the connection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tasklane.db import Database
from tests.backends import throwaway_database


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_database("postgresql", tmp_path_factory.mktemp("schemas")) as found:
        yield found


@pytest.fixture
async def pool(url: str) -> AsyncIterator[Database]:
    """One pool, and schemas ``a`` and ``b`` with a table of the same name, each holding
    its own name."""
    database = Database(url)
    async with database.engine.begin() as connection:
        for schema in ("a", "b"):
            await connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            await connection.exec_driver_sql(f'CREATE TABLE "{schema}".names (name TEXT)')
            await connection.exec_driver_sql(f"INSERT INTO \"{schema}\".names VALUES ('{schema}')")
    try:
        yield database
    finally:
        await database.dispose()


async def name_in(database: Database) -> str:
    async with database.read() as session:
        found: str = (await session.execute(text("SELECT name FROM names"))).scalar_one()
        return found


async def write_then_fail(database: Database) -> None:
    """A write that points the connection at its schema inside a transaction, which
    the rollback undoes."""
    async with database.write() as session:
        await session.execute(text("INSERT INTO names VALUES ('b2')"))
        raise RuntimeError("rolled back")


async def test_each_schema_reads_its_own_on_one_connection(pool: Database, tmp_path: Path) -> None:
    a, b = pool.in_schema("a"), pool.in_schema("b")
    # One session at a time: the pool hands out the same connection each time.
    for database, expected in [(a, "a"), (b, "b"), (a, "a"), (a, "a"), (b, "b"), (b, "b")]:
        assert await name_in(database) == expected
    async with a.read() as one, b.read() as other:  # two connections at once
        assert (await one.execute(text("SELECT name FROM names"))).scalar_one() == "a"
        assert (await other.execute(text("SELECT name FROM names"))).scalar_one() == "b"


async def test_a_rolled_back_write_leaves_no_wrong_schema_behind(pool: Database) -> None:
    a, b = pool.in_schema("a"), pool.in_schema("b")
    assert await name_in(a) == "a"  # the connection now points at a
    with pytest.raises(RuntimeError, match="rolled back"):
        await write_then_fail(b)
    assert await name_in(b) == "b"
    assert await name_in(a) == "a"
    async with b.write() as session:
        await session.execute(text("UPDATE names SET name = 'b3'"))
    assert await name_in(b) == "b3"
    assert await name_in(a) == "a"
