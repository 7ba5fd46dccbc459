"""The episodes one process serves: the default workspace, and the gym's episodes made,
listed and deleted through ``/api/gym/episodes``, each with its own database file,
clock, ID streams, broker, hub and sign-ins (``runtime``).

An episode nobody has used for ``GYM_EPISODE_IDLE_SECONDS`` (no request, no open
connection) is deleted; at most ``GYM_MAX_EPISODES`` exist at once. Deleting one closes
its connections with 4404, lets its requests under way finish, then removes its file.
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
from tasklane.episodes.pg_schemas import PgSchemas
from tasklane.episodes.runtime import EpisodeRuntime, Shared, build_episode
from tasklane.episodes.sqlite_files import SqliteFiles
from tasklane.protocol import closes
from tasklane.protocol.timestamps import iso_millis
from tasklane.services.errors import Conflict, NotFound, RateLimited

log = logging.getLogger(__name__)

ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


Storage = SqliteFiles | PgSchemas


def new_episode_id() -> str:
    return "ep_" + "".join(secrets.choice(ID_ALPHABET) for _ in range(12))


@dataclass(eq=False)
class Entry:
    runtime: EpisodeRuntime
    seed: int
    preset: str
    created_at: datetime

    def public(self) -> dict[str, Any]:
        return {
            "id": self.runtime.episode_id,
            "seed": self.seed,
            "preset": self.preset,
            "createdAt": iso_millis(self.created_at),
            "idleSeconds": round(self.runtime.idle_seconds(), 1),
            "connections": self.runtime.connections,
        }


class Episodes:
    """The registry: find an episode by id, create, list and delete them; and the
    lifecycle of them all, the default one included."""

    def __init__(self, shared: Shared, default: EpisodeRuntime) -> None:
        self.shared = shared
        self.settings = shared.settings
        self.default = default
        self._entries: dict[str, Entry] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._opened = 0
        self._reaper: asyncio.Task[None] | None = None
        self._store: Storage | None = None
        self._creating = 0  # creations under way, counted against the cap

    # -- finding ------------------------------------------------------------------------

    def find(self, episode_id: str) -> EpisodeRuntime | None:
        entry = self._entries.get(episode_id)
        return entry.runtime if entry else None

    def get_default(self) -> EpisodeRuntime:
        return self.default

    def entry(self, episode_id: str) -> Entry:
        entry = self._entries.get(episode_id)
        if entry is None:
            raise NotFound(
                f"no episode {episode_id!r}: it never existed, was deleted or expired",
                code="episode_not_found",
                resource="episode",
            )
        return entry

    def entries(self) -> list[Entry]:
        return sorted(self._entries.values(), key=lambda e: (e.created_at, e.runtime.episode_id))

    # -- the process's lifecycle ---------------------------------------------------------

    async def open(self) -> None:
        """Start serving (each app's lifespan calls this; the first one starts)."""
        self._opened += 1
        if self._opened > 1:
            return
        await self.default.start()
        if self.settings.gym_mode:
            self._reaper = asyncio.create_task(self._reap_forever())

    async def close(self) -> None:
        """Stop serving (the last app's lifespan to end stops it all)."""
        self._opened -= 1
        if self._opened > 0:
            return
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        for episode_id in list(self._entries):
            self._retire(episode_id, "the server is shutting down")
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        if self._store is not None:
            await self._store.close()
            self._store = None
        await self.default.stop()

    # -- gym episodes ---------------------------------------------------------------------

    def _storage(self) -> Storage:
        if self.shared.role != "all":
            raise Conflict(
                "one process serves every episode: run it with --role all",
                code="episodes_unavailable",
            )
        if self._store is None:
            url = self.settings.database_url
            if is_sqlite(url):
                files = SqliteFiles(self.settings.data_dir / "episodes")
                files.clear()
                self._store = files
            else:
                self._store = PgSchemas(url)
        return self._store

    async def create(
        self, seed: int, preset: str, *, now: datetime | None = None, frozen: bool = True
    ) -> tuple[Entry, bool]:
        """A new episode of ``seed`` and ``preset``; and whether its template had to be
        prepared first."""
        store = self._storage()
        self._check_room()
        self._creating += 1
        try:
            template, prepared = await store.template(seed, preset)
            episode_id = new_episode_id()
            database = await store.copy_for(template, episode_id)
            runtime = build_episode(self.shared, episode_id, database)
            assert runtime.gym is not None
            runtime.gym.adopt(seed, preset, now=now, frozen=frozen)
            await runtime.start()
        finally:
            self._creating -= 1
        entry = Entry(runtime, seed, preset, datetime.now(UTC))
        self._entries[episode_id] = entry
        log.info("episode created", extra={"episode": episode_id, "seed": seed, "preset": preset})
        return entry, prepared

    def _check_room(self) -> None:
        cap = self.settings.gym_max_episodes
        if len(self._entries) + self._creating < cap:
            return
        idle = self.settings.gym_episode_idle_seconds
        waits = [idle - e.runtime.idle_seconds() for e in self._entries.values()]
        raise RateLimited(
            f"at most {cap} episodes at once; delete one, or wait for an idle one to expire",
            code="episode_limit",
            retry_after=max(1.0, min(waits, default=idle)),
            limit=cap,
        )

    def delete(self, episode_id: str) -> None:
        """Take the episode out of service at once; its connections close with 4404 and
        its file goes once its requests under way have finished."""
        self.entry(episode_id)
        self._retire(episode_id, "the episode was deleted")

    def _retire(self, episode_id: str, reason: str) -> None:
        entry = self._entries.pop(episode_id)
        entry.runtime.retired = True
        task = asyncio.create_task(self._close(entry, reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _close(self, entry: Entry, reason: str) -> None:
        runtime = entry.runtime
        if runtime.gateway is not None:
            runtime.gateway.hub.close_all(closes.EPISODE_GONE, reason)
        runtime.waiters.wake_all()
        with contextlib.suppress(TimeoutError):
            grace = self.settings.poll_max_wait_seconds + 5
            await asyncio.wait_for(runtime.unused.wait(), timeout=grace)
        try:
            await runtime.close()
        finally:
            if self._store is not None:
                await self._store.remove(runtime.episode_id)
        log.info("episode deleted", extra={"episode": runtime.episode_id, "reason": reason})

    async def _reap_forever(self) -> None:
        idle = self.settings.gym_episode_idle_seconds
        while True:
            await asyncio.sleep(min(60.0, idle / 4))
            self.reap()

    def reap(self) -> list[str]:
        """Delete the episodes idle for longer than ``GYM_EPISODE_IDLE_SECONDS``."""
        idle = self.settings.gym_episode_idle_seconds
        expired = [
            episode_id
            for episode_id, entry in self._entries.items()
            if entry.runtime.idle_seconds() > idle and not entry.runtime.requests
        ]
        for episode_id in expired:
            with contextlib.suppress(KeyError):
                self._retire(episode_id, "the episode expired")
        return expired
