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
import shutil
import sqlite3
from pathlib import Path

from tasklane.clock import AdjustableClock
from tasklane.db import Database
from tasklane.gym.presets import PRESETS
from tasklane.gym.service import GymService, template_key
from tasklane.ids import IdGenerator
from tasklane.migrate import upgrade
from tasklane.realtime.memory_broker import MemoryBroker
from tasklane.services.errors import Invalid
from tasklane.services.runtime import Runtime

SUFFIXES = ("", "-wal", "-shm", "-journal")


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path.as_posix()}"


class SqliteFiles:
    """The template files and the episode files of one process."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.templates = directory / "templates"
        self._making: dict[str, asyncio.Lock] = {}
        self._schema: Path | None = None

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
        if preset not in PRESETS:
            known = sorted(PRESETS)
            raise Invalid(f"unknown preset {preset!r}", code="unknown_preset", known=known)
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
        """An empty database at the current schema, made once."""
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

    async def _copy(self, source: Path, target: Path) -> None:
        await asyncio.to_thread(shutil.copyfile, source, target)

    async def remove(self, episode_id: str) -> None:
        path = self.episode_file(episode_id)
        for suffix in SUFFIXES:
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def _self_contained(path: Path) -> None:
    """Move everything from the write-ahead log into the file itself, so that a copy of
    the file alone holds it all (each episode's connections turn WAL on again)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
