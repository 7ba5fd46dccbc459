"""Episodes on SQLite: a database file per episode, copied from its template.

The template of a seed and preset is a database file prepared once per process: the
schema migrated, the workspace seeded, and the stash the gym's ``diff`` and ``reset``
read (``gym.stash``) inside it. A new episode is a copy of that file, a few
milliseconds of the operating system's work, with nothing generated, inserted or
hashed: the same bytes for every episode of one seed, whatever the others do. The
episode's own reset and snapshots then work inside its file, as the default
workspace's do inside its database.

Files live in ``DATA_DIR/episodes``, which belongs to one process: episodes do not
outlive it, and what an earlier process left there is cleared when it starts.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import sqlite3
from pathlib import Path

from tasklane.clock import AdjustableClock
from tasklane.db import Database
from tasklane.gym.service import GymService, preset_named, template_key
from tasklane.ids import IdGenerator
from tasklane.migrate import upgrade
from tasklane.realtime.memory_broker import MemoryBroker
from tasklane.services.runtime import Runtime

SUFFIXES = ("", "-wal", "-shm", "-journal")
# A replaced generation's file goes this long after: its readers have finished by then.
RETIRE_AFTER_SECONDS = 30.0


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path.as_posix()}"


class SqliteFiles:
    """The template files and the episode files of one process."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.templates = directory / "templates"
        self._making: dict[str, asyncio.Lock] = {}
        self._schema: Path | None = None
        self._migrating = asyncio.Lock()

    async def close(self) -> None:
        """Nothing is held open between episodes."""

    def clear(self) -> None:
        """Forget what an earlier process left: its episodes ended with it."""
        if self.directory.exists():
            shutil.rmtree(self.directory)
        self.templates.mkdir(parents=True)

    def episode_file(self, episode_id: str) -> Path:
        return self.directory / f"{episode_id}.sqlite"

    async def template(self, seed: int, preset: str) -> tuple[str, bool]:
        """The template file of ``seed`` and ``preset``, prepared if need be; and
        whether it was prepared now."""
        preset_named(preset)  # 422 for an unknown one, before anything is made
        key = template_key(seed, preset)
        path = self.templates / f"{key}.sqlite"
        lock = self._making.setdefault(key, asyncio.Lock())
        async with lock:
            if path.exists():
                return str(path), False
            making = path.with_suffix(".making")
            await self._copy(await self._migrated(), making)
            database = Database(sqlite_url(making))
            try:
                runtime = Runtime(database, AdjustableClock(), IdGenerator(), MemoryBroker())
                await GymService(runtime).reset(seed, preset)
            finally:
                await database.dispose()
            await asyncio.to_thread(_self_contained, making)
            making.replace(path)
            return str(path), True

    async def _migrated(self) -> Path:
        """An empty database at the current schema, made once (by one creation, while
        any other waits: Alembic's migrations cannot run two at once in a process)."""
        async with self._migrating:
            if self._schema is None:
                path = self.templates / "schema.sqlite"
                await upgrade(sqlite_url(path))
                self._schema = path
        return self._schema

    async def copy_for(self, template: str, episode_id: str) -> Database:
        """A new episode's database: a copy of the ``template`` file."""
        target = self.episode_file(episode_id)
        await self._copy(Path(template), target)
        return Database(sqlite_url(target))

    def generations(self, episode_id: str) -> Generations:
        """How the episode's resets replace its database with a fresh copy."""
        return Generations(self, episode_id)

    async def _copy(self, source: Path, target: Path) -> None:
        await asyncio.to_thread(shutil.copyfile, source, target)

    async def remove(self, episode_id: str) -> None:
        """Every file of the episode: each generation's, with its journals."""
        for path in self.directory.glob(f"{episode_id}.*"):
            path.unlink(missing_ok=True)


class Generations:
    """An episode's reset on SQLite: a fresh copy of the template's file takes the live
    file's place (a few milliseconds), rather than the rows being emptied and filled
    again inside it. Each generation is a file of its own; the one replaced goes once
    the requests reading it have had time to finish."""

    def __init__(self, files: SqliteFiles, episode_id: str) -> None:
        self.files = files
        self.episode_id = episode_id
        self._retiring: set[asyncio.Task[None]] = set()

    async def fresh(self, seed: int, preset: str) -> tuple[Database, bool]:
        template, prepared = await self.files.template(seed, preset)
        target = self.files.directory / f"{self.episode_id}.{secrets.token_hex(4)}.sqlite"
        await self.files._copy(Path(template), target)
        return Database(sqlite_url(target)), prepared

    async def carry_snapshots(self, old: Database, new: Database, keys: list[str]) -> None:
        await asyncio.to_thread(_carry, _path_of(old), _path_of(new), keys)

    def retire(self, database: Database) -> None:
        task = asyncio.create_task(self._retire(database))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def close(self) -> None:
        """Let every replaced generation go now (the episode is ending)."""
        for task in list(self._retiring):
            task.cancel()
        await asyncio.gather(*self._retiring, return_exceptions=True)

    async def _retire(self, database: Database) -> None:
        try:
            await asyncio.sleep(RETIRE_AFTER_SECONDS)
        finally:
            await self._drop(database)

    async def _drop(self, database: Database) -> None:
        await database.dispose()
        path = _path_of(database)
        for suffix in SUFFIXES:
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def _path_of(database: Database) -> Path:
    return Path(database.url.removeprefix("sqlite+aiosqlite:///"))


def _carry(old: Path, new: Path, keys: list[str]) -> None:
    """Copy the stash tables of ``keys`` (snapshots) from one file to another."""
    connection = sqlite3.connect(new)
    try:
        connection.execute("ATTACH DATABASE ? AS previous", (str(old),))
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM previous.sqlite_master WHERE type = 'table'"
            )
        ]
        with connection:
            for name in names:
                if any(name.startswith(f"gym_{key}_") for key in keys):
                    connection.execute(
                        f'CREATE TABLE main."{name}" AS SELECT * FROM previous."{name}"'
                    )
        connection.execute("DETACH DATABASE previous")
    finally:
        connection.close()


def _self_contained(path: Path) -> None:
    """Move everything from the write-ahead log into the file itself, so that a copy of
    the file alone holds it all (each episode's connections turn WAL on again)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
