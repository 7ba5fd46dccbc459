"""How the embedded SQLite database shares its one write lock among a process's writers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tasklane.db import Database

WRITERS = 40


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A SQLite database of the test's own, with one table of notes in written order."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
    try:
        async with database.write() as session:
            await session.execute(text("CREATE TABLE notes (body TEXT NOT NULL)"))
        yield database
    finally:
        await database.dispose()


async def write(db: Database, body: str, *, hold: float = 0.0) -> None:
    """Write a note, keeping the write lock ``hold`` seconds longer."""
    async with db.write() as session:
        await session.execute(text("INSERT INTO notes VALUES (:body)"), {"body": body})
        await asyncio.sleep(hold)


async def notes(db: Database) -> list[str]:
    async with db.read() as session:
        return list(await session.scalars(text("SELECT body FROM notes ORDER BY rowid")))


async def test_sqlite_writers_of_one_process_commit_in_the_order_they_asked(
    db: Database,
) -> None:
    """More writers than the pool has connections, each holding the lock a moment: they
    commit first come, first served. Left to SQLite's busy wait, which polls with
    growing sleeps, a late writer overtakes ones that have waited longer."""
    writers = (write(db, str(n), hold=0.005) for n in range(WRITERS))
    await asyncio.wait_for(asyncio.gather(*writers), 60)
    assert await notes(db) == [str(n) for n in range(WRITERS)]


async def test_sqlite_writers_take_turns_on_each_event_loop(db: Database) -> None:
    """One Database used from two event loops (the second a worker thread's), with
    writers queueing on both: each loop has its turns of its own."""

    async def three(name: str) -> None:
        await asyncio.gather(*(write(db, name, hold=0.005) for _ in range(3)))

    await three("main")
    await asyncio.to_thread(asyncio.run, three("thread"))
    assert await notes(db) == ["main"] * 3 + ["thread"] * 3


async def test_a_write_inside_another_of_the_same_task_is_refused_not_left_waiting(
    db: Database,
) -> None:
    async def nested() -> None:
        async with db.write() as outer:
            await outer.execute(text("INSERT INTO notes VALUES ('outer')"))
            async with db.write():
                pass

    with pytest.raises(RuntimeError, match="inside another"):
        await asyncio.wait_for(nested(), 10)
    await write(db, "after")  # the turn was given back
    assert await notes(db) == ["after"]  # the outer transaction rolled back
