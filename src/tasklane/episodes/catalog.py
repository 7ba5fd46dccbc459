"""Where a server's episodes are listed: in the memory of the one process that serves
them on SQLite, or in a table of the PostgreSQL database that every process of a fleet
reads (``gym_episodes``), so that any API process or gateway finds any episode.

An ended episode (deleted or expired) leaves the list at once; on PostgreSQL it leaves a
tombstone (``gym_episodes_ended``) until its schema is dropped, a little later, when the
other processes have let it go.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import text

from tasklane.db import Database


@dataclass(frozen=True)
class Record:
    """What the catalog knows of an episode."""

    id: str
    seed: int
    preset: str
    created_at: datetime
    idle_seconds: float = 0.0  # since its last use anywhere


class Catalog(Protocol):
    async def add(self, record: Record, cap: int) -> bool:
        """List ``record``, unless ``cap`` episodes are listed already (False)."""
        ...

    async def get(self, episode_id: str) -> Record | None: ...
    async def all(self) -> list[Record]: ...
    async def count(self) -> int: ...
    async def present(self, episode_ids: set[str]) -> set[str]: ...
    async def touch(self, episode_ids: set[str]) -> None:
        """The episodes were used (a request, a connection) since the last touch."""
        ...

    async def end(self, episode_id: str) -> bool:
        """Take the episode off the list; False if it was not on it."""
        ...

    async def expire(self, idle_seconds: float) -> list[str]:
        """End the episodes unused for ``idle_seconds``; their ids."""
        ...

    async def sweep(self, grace_seconds: float) -> list[str]:
        """The episodes ended ``grace_seconds`` ago or more, whose storage may go now
        (each is handed out once)."""
        ...


class MemoryCatalog:
    """One process's episodes (SQLite: one process serves them all)."""

    def __init__(self) -> None:
        self._records: dict[str, Record] = {}
        self._used: dict[str, float] = {}

    async def add(self, record: Record, cap: int) -> bool:
        if len(self._records) >= cap:
            return False
        self._records[record.id] = record
        self._used[record.id] = time.monotonic()
        return True

    async def get(self, episode_id: str) -> Record | None:
        record = self._records.get(episode_id)
        if record is None:
            return None
        idle = time.monotonic() - self._used[episode_id]
        return Record(record.id, record.seed, record.preset, record.created_at, idle)

    async def all(self) -> list[Record]:
        found = [await self.get(episode_id) for episode_id in self._records]
        return sorted((r for r in found if r), key=lambda r: (r.created_at, r.id))

    async def count(self) -> int:
        return len(self._records)

    async def present(self, episode_ids: set[str]) -> set[str]:
        return episode_ids & self._records.keys()

    async def touch(self, episode_ids: set[str]) -> None:
        now = time.monotonic()
        for episode_id in episode_ids & self._records.keys():
            self._used[episode_id] = now

    async def end(self, episode_id: str) -> bool:
        self._used.pop(episode_id, None)
        return self._records.pop(episode_id, None) is not None

    async def expire(self, idle_seconds: float) -> list[str]:
        now = time.monotonic()
        gone = [i for i, used in self._used.items() if now - used > idle_seconds]
        for episode_id in gone:
            await self.end(episode_id)
        return gone

    async def sweep(self, grace_seconds: float) -> list[str]:
        return []  # one process: it removes what it ended itself


EPISODES = "gym_episodes"
ENDED = "gym_episodes_ended"
_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {EPISODES} (id TEXT PRIMARY KEY, seed BIGINT NOT NULL, "
    "preset TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, used_at TIMESTAMPTZ NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {ENDED} (id TEXT PRIMARY KEY, ended_at TIMESTAMPTZ NOT NULL)",
)
_LOCK = 0x65706973  # "epis": one creation at a time counts against the cap


class PgCatalog:
    """The fleet's episodes, in the server's PostgreSQL database (its own schema, never
    an episode's)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._ready = False

    async def _prepare(self) -> None:
        if self._ready:
            return
        async with self.database.engine.begin() as connection:
            await connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _LOCK})
            for statement in _SCHEMA:
                await connection.execute(text(statement))
        self._ready = True

    async def add(self, record: Record, cap: int) -> bool:
        await self._prepare()
        async with self.database.engine.begin() as connection:
            await connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _LOCK})
            listed = (await connection.execute(text(f"SELECT count(*) FROM {EPISODES}"))).scalar()
            if (listed or 0) >= cap:
                return False
            await connection.execute(
                text(
                    f"INSERT INTO {EPISODES} (id, seed, preset, created_at, used_at) "
                    "VALUES (:id, :seed, :preset, :created_at, now())"
                ),
                {
                    "id": record.id,
                    "seed": record.seed,
                    "preset": record.preset,
                    "created_at": record.created_at,
                },
            )
        return True

    async def _select(self, where: str = "", **params: object) -> list[Record]:
        await self._prepare()
        async with self.database.engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT id, seed, preset, created_at, "
                    "extract(epoch FROM now() - used_at) "
                    f"FROM {EPISODES} {where} ORDER BY created_at, id"
                ),
                params,
            )
            return [
                Record(i, seed, preset, created.astimezone(UTC), float(idle))
                for i, seed, preset, created, idle in rows
            ]

    async def get(self, episode_id: str) -> Record | None:
        found = await self._select("WHERE id = :id", id=episode_id)
        return found[0] if found else None

    async def all(self) -> list[Record]:
        return await self._select()

    async def count(self) -> int:
        await self._prepare()
        async with self.database.engine.connect() as connection:
            listed = await connection.execute(text(f"SELECT count(*) FROM {EPISODES}"))
            return int(listed.scalar() or 0)

    async def present(self, episode_ids: set[str]) -> set[str]:
        if not episode_ids:
            return set()
        await self._prepare()
        async with self.database.engine.connect() as connection:
            rows = await connection.execute(
                text(f"SELECT id FROM {EPISODES} WHERE id = ANY(:ids)"),
                {"ids": sorted(episode_ids)},
            )
            return {row[0] for row in rows}

    async def touch(self, episode_ids: set[str]) -> None:
        if not episode_ids:
            return
        await self._prepare()
        async with self.database.engine.begin() as connection:
            await connection.execute(
                text(f"UPDATE {EPISODES} SET used_at = now() WHERE id = ANY(:ids)"),
                {"ids": sorted(episode_ids)},
            )

    async def end(self, episode_id: str) -> bool:
        return bool(await self._end("WHERE id = :id", id=episode_id))

    async def expire(self, idle_seconds: float) -> list[str]:
        return await self._end(
            "WHERE used_at < now() - make_interval(secs => :idle)", idle=idle_seconds
        )

    async def _end(self, where: str, **params: object) -> list[str]:
        await self._prepare()
        async with self.database.engine.begin() as connection:
            rows = await connection.execute(
                text(f"DELETE FROM {EPISODES} {where} RETURNING id"), params
            )
            ended = [row[0] for row in rows]
            for episode_id in ended:
                await connection.execute(
                    text(f"INSERT INTO {ENDED} (id, ended_at) VALUES (:id, now())"),
                    {"id": episode_id},
                )
            return ended

    async def sweep(self, grace_seconds: float) -> list[str]:
        await self._prepare()
        async with self.database.engine.begin() as connection:
            rows = await connection.execute(
                text(
                    f"DELETE FROM {ENDED} WHERE ended_at < now() - make_interval(secs => :grace) "
                    "RETURNING id"
                ),
                {"grace": grace_seconds},
            )
            return [row[0] for row in rows]
