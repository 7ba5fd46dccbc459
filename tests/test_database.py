"""How the embedded SQLite database shares its one write lock among a process's writers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from tasklane.db import Database

WRITERS = 40


async def test_sqlite_writers_of_one_process_commit_in_the_order_they_asked(
    tmp_path: Path,
) -> None:
    """More writers than the pool has connections, each holding the lock a moment: they
    commit first come, first served. Left to SQLite's busy wait, which polls with
    growing sleeps, a late writer overtakes ones that have waited longer."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    try:
        async with db.write() as session:
            await session.execute(text("CREATE TABLE turns (writer INTEGER NOT NULL)"))

        async def writer(number: int) -> None:
            async with db.write() as session:
                await session.execute(text("INSERT INTO turns VALUES (:n)"), {"n": number})
                await asyncio.sleep(0.005)

        await asyncio.wait_for(asyncio.gather(*(writer(n) for n in range(WRITERS))), 60)
        async with db.read() as session:
            order = list(await session.scalars(text("SELECT writer FROM turns ORDER BY rowid")))
    finally:
        await db.dispose()
    assert order == list(range(WRITERS))


async def test_sqlite_writers_take_turns_on_each_event_loop(tmp_path: Path) -> None:
    """One Database used from two event loops (the second a worker thread's), with
    writers queueing on both: each loop has its turns of its own."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'loops.db'}")
    try:
        async with db.write() as session:
            await session.execute(text("CREATE TABLE marks (loop TEXT NOT NULL)"))

        async def mark(name: str) -> None:
            async with db.write() as session:
                await session.execute(text("INSERT INTO marks VALUES (:name)"), {"name": name})
                await asyncio.sleep(0.005)

        async def marks(name: str) -> None:
            await asyncio.gather(mark(name), mark(name), mark(name))

        await marks("main")
        await asyncio.to_thread(asyncio.run, marks("thread"))
        async with db.read() as session:
            made = sorted(await session.scalars(text("SELECT loop FROM marks")))
    finally:
        await db.dispose()
    assert made == ["main"] * 3 + ["thread"] * 3


async def test_a_write_inside_another_of_the_same_task_is_refused_not_left_waiting(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'nested.db'}")
    try:
        async with db.write() as session:
            await session.execute(text("CREATE TABLE notes (body TEXT NOT NULL)"))

        async def nested() -> None:
            async with db.write() as outer:
                await outer.execute(text("INSERT INTO notes VALUES ('outer')"))
                async with db.write():
                    pass

        with pytest.raises(RuntimeError, match="inside another"):
            await asyncio.wait_for(nested(), 10)
        async with db.write() as session:  # the turn was given back
            await session.execute(text("INSERT INTO notes VALUES ('after')"))
        async with db.read() as session:
            bodies = list(await session.scalars(text("SELECT body FROM notes")))
    finally:
        await db.dispose()
    assert bodies == ["after"]  # the outer transaction rolled back
