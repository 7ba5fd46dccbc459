"""The episodes a process serves: the default workspace, and the gym's episodes made,
listed and deleted through ``/api/gym/episodes``, each with its own database (a file on
SQLite, a schema on PostgreSQL), clock, ID streams, broker, hub and sign-ins
(``runtime``).

The catalog (``catalog``) says which episodes exist: in this process's memory on SQLite,
where one process serves them all; in the database on PostgreSQL, where any API process
or gateway of a fleet opens any episode the first time a request for it arrives.

At most ``GYM_MAX_EPISODES`` exist at once. Every few seconds each process tells the
catalog which episodes it saw used, lets go of those that ended elsewhere, ends those
nobody has used for ``GYM_EPISODE_IDLE_SECONDS`` (no request, no open connection) and
removes the storage of those ended long enough ago. Ending one closes its connections
with 4404 and lets its requests under way finish before its runtime goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tasklane.db import is_sqlite
from tasklane.episodes.catalog import Catalog, MemoryCatalog, PgCatalog, Record
from tasklane.episodes.pg_schemas import PgSchemas
from tasklane.episodes.runtime import EpisodeRuntime, Shared, build_episode
from tasklane.episodes.sqlite_files import SqliteFiles
from tasklane.protocol import closes
from tasklane.protocol.timestamps import iso_millis
from tasklane.services.errors import Conflict, NotFound, RateLimited

log = logging.getLogger(__name__)

ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
CHECK_SECONDS = 5.0  # the catalog is read at least this often (less with a short idle time)
# An ended episode's storage goes this long after it left the catalog: every process has
# let it go by then, and its requests under way have finished.
GRACE_SECONDS = 60.0

Storage = SqliteFiles | PgSchemas


def new_episode_id() -> str:
    return "ep_" + "".join(secrets.choice(ID_ALPHABET) for _ in range(12))


@dataclass(frozen=True)
class Listed:
    """An episode as listed: the catalog's record and, if this process has it open, its
    runtime (its connections here)."""

    record: Record
    runtime: EpisodeRuntime | None

    def public(self) -> dict[str, Any]:
        idle = self.record.idle_seconds
        if self.runtime is not None:
            idle = min(idle, self.runtime.idle_seconds())
        return {
            "id": self.record.id,
            "seed": self.record.seed,
            "preset": self.record.preset,
            "createdAt": iso_millis(self.record.created_at),
            "idleSeconds": round(idle, 1),
            "connections": self.runtime.connections if self.runtime else 0,
        }


def not_found(episode_id: str) -> NotFound:
    return NotFound(
        f"no episode {episode_id!r}: it never existed, was deleted or expired",
        code="episode_not_found",
        resource="episode",
    )


class Episodes:
    """The registry: find an episode by id, create, list and delete them; and the
    lifecycle of them all, the default one included."""

    def __init__(self, shared: Shared, default: EpisodeRuntime) -> None:
        self.shared = shared
        self.settings = shared.settings
        self.default = default
        self._open: dict[str, EpisodeRuntime] = {}
        self._opening: dict[str, asyncio.Task[EpisodeRuntime | None]] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._opened = 0
        self._upkeep: asyncio.Task[None] | None = None
        self._store: Storage | None = None
        self._catalog: Catalog | None = None

    # -- finding ------------------------------------------------------------------------

    def get_default(self) -> EpisodeRuntime:
        return self.default

    async def find(self, episode_id: str) -> EpisodeRuntime | None:
        """The episode's runtime in this process, opened now if another process made it;
        None if there is no such episode."""
        runtime = self._open.get(episode_id)
        if runtime is not None or not self.settings.gym_mode:
            return runtime
        if is_sqlite(self.settings.database_url):
            return None  # this process holds every episode there is
        opening = self._opening.get(episode_id)
        if opening is None:  # the first request opens it; those at the same time wait
            opening = asyncio.create_task(self._reopen(episode_id))
            self._opening[episode_id] = opening
            opening.add_done_callback(lambda _: self._opening.pop(episode_id, None))
        return await asyncio.shield(opening)

    async def _reopen(self, episode_id: str) -> EpisodeRuntime | None:
        store, catalog = self._parts()
        if not isinstance(store, PgSchemas) or await catalog.get(episode_id) is None:
            return None
        runtime = build_episode(self.shared, episode_id, store.open(episode_id))
        assert runtime.gym is not None
        await runtime.gym.load_clock()
        await runtime.start()
        self._open[episode_id] = runtime
        return runtime

    async def listed(self, episode_id: str) -> Listed:
        _store, catalog = self._parts()
        record = await catalog.get(episode_id)
        if record is None:
            raise not_found(episode_id)
        return Listed(record, self._open.get(episode_id))

    async def everything(self) -> list[Listed]:
        _store, catalog = self._parts()
        return [Listed(r, self._open.get(r.id)) for r in await catalog.all()]

    # -- the process's lifecycle ---------------------------------------------------------

    async def open(self) -> None:
        """Start serving (each app's lifespan calls this; the first one starts)."""
        self._opened += 1
        if self._opened > 1:
            return
        await self.default.start()
        if self.settings.gym_mode:
            self._upkeep = asyncio.create_task(self._keep_forever())

    async def close(self) -> None:
        """Stop serving (the last app's lifespan to end stops it all). Episodes on
        PostgreSQL stay listed for the rest of the fleet; on SQLite they end here."""
        self._opened -= 1
        if self._opened > 0:
            return
        if self._upkeep is not None:
            self._upkeep.cancel()
            self._upkeep = None
        for episode_id in list(self._open):
            self._let_go(episode_id, "the server is shutting down")
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        if self._store is not None:
            await self._store.close()
            self._store = None
        await self.default.stop()

    # -- gym episodes ---------------------------------------------------------------------

    def _parts(self) -> tuple[Storage, Catalog]:
        if self._store is None or self._catalog is None:
            url = self.settings.database_url
            if is_sqlite(url):
                if self.shared.role != "all":
                    raise Conflict(
                        "on SQLite one process serves every episode: run it with --role all",
                        code="episodes_unavailable",
                    )
                files = SqliteFiles(self.settings.data_dir / "episodes")
                files.clear()
                self._store, self._catalog = files, MemoryCatalog()
            else:
                self._store = PgSchemas(url)
                self._catalog = PgCatalog(self.default.services.runtime.db)
        return self._store, self._catalog

    async def create(
        self, seed: int, preset: str, *, now: datetime | None = None, frozen: bool = True
    ) -> tuple[Listed, bool]:
        """A new episode of ``seed`` and ``preset``; and whether its template had to be
        prepared first."""
        store, catalog = self._parts()
        cap = self.settings.gym_max_episodes
        if await catalog.count() >= cap:
            raise await self._full(catalog)
        template, prepared = await store.template(seed, preset)
        episode_id = new_episode_id()
        database = await store.copy_for(template, episode_id)
        runtime = build_episode(self.shared, episode_id, database)
        assert runtime.gym is not None
        if isinstance(store, SqliteFiles):
            runtime.gym.generations = store.generations(episode_id)
        record = Record(episode_id, seed, preset, datetime.now(UTC))
        try:
            assert runtime.gym is not None
            await runtime.gym.adopt(seed, preset, now=now, frozen=frozen)
            if not await catalog.add(record, cap):
                raise await self._full(catalog)
        except BaseException:
            await runtime.close()
            await store.remove(episode_id)
            raise
        await runtime.start()
        self._open[episode_id] = runtime
        log.info("episode created", extra={"episode": episode_id, "seed": seed, "preset": preset})
        return Listed(record, runtime), prepared

    async def _full(self, catalog: Catalog) -> RateLimited:
        cap = self.settings.gym_max_episodes
        idle = self.settings.gym_episode_idle_seconds
        waits = [idle - r.idle_seconds for r in await catalog.all()]
        return RateLimited(
            f"at most {cap} episodes at once; delete one, or wait for an idle one to expire",
            code="episode_limit",
            retry_after=max(1.0, min(waits, default=idle)),
            limit=cap,
        )

    async def delete(self, episode_id: str) -> None:
        """End the episode: it leaves the catalog at once, this process lets it go now
        (its connections close with 4404) and the others at their next check."""
        store, catalog = self._parts()
        if not await catalog.end(episode_id):
            raise not_found(episode_id)
        self._let_go(episode_id, "the episode was deleted", remove=isinstance(store, SqliteFiles))

    def _let_go(self, episode_id: str, reason: str, *, remove: bool = False) -> None:
        """Close this process's runtime of the episode, if it has one; with ``remove``,
        its storage too (SQLite, where this process is the only one)."""
        runtime = self._open.pop(episode_id, None)
        if runtime is None:
            return
        task = asyncio.create_task(self._close(runtime, reason, remove=remove))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _close(self, runtime: EpisodeRuntime, reason: str, *, remove: bool) -> None:
        if runtime.gateway is not None:
            runtime.gateway.hub.close_all(closes.EPISODE_GONE, reason)
        runtime.waiters.wake_all()
        with contextlib.suppress(TimeoutError):
            grace = self.settings.poll_max_wait_seconds + 5
            await asyncio.wait_for(runtime.unused.wait(), timeout=grace)
        try:
            await runtime.close()
        finally:
            if remove and self._store is not None:
                await self._store.remove(runtime.episode_id)
        log.info("episode let go", extra={"episode": runtime.episode_id, "reason": reason})

    # -- upkeep -------------------------------------------------------------------------

    async def _keep_forever(self) -> None:
        idle = self.settings.gym_episode_idle_seconds
        while True:
            await asyncio.sleep(min(CHECK_SECONDS, idle / 4))
            if self._catalog is None:
                continue  # no episode was ever asked for here
            try:
                await self.keep()
            except Exception:
                log.exception("the episodes' upkeep failed; trying again")

    async def keep(self) -> None:
        """Tell the catalog what was used here, let go of what ended, end what idled,
        and remove the storage of what ended long enough ago."""
        store, catalog = self._parts()
        used = {i for i, runtime in self._open.items() if runtime.used_since_check()}
        await catalog.touch(used)
        for episode_id in set(self._open) - await catalog.present(set(self._open)):
            self._let_go(episode_id, "the episode ended")
        sqlite = isinstance(store, SqliteFiles)
        for episode_id in await catalog.expire(self.settings.gym_episode_idle_seconds):
            self._let_go(episode_id, "the episode expired", remove=sqlite)
        for episode_id in await catalog.sweep(GRACE_SECONDS):
            await store.remove(episode_id)
