"""The gym's operations: seed, reset, state, diff, snapshots, the trajectory and the
clock. The API routes and the CLI call these; nothing here knows about HTTP."""

from __future__ import annotations

import asyncio
import heapq
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.clock import AdjustableClock
from tasklane.db import Database
from tasklane.gym import answers, control, stash
from tasklane.gym import state as states
from tasklane.gym.presets import ANCHOR, GENERATOR_VERSION, PRESETS, Preset
from tasklane.gym.seed import Progress, Rows, generate
from tasklane.ids import Position
from tasklane.models import Event, Project
from tasklane.protocol.timestamps import iso_millis
from tasklane.realtime.control import ClockSetting, GymClock, GymReset
from tasklane.realtime.log import Committed
from tasklane.services.errors import Conflict, Invalid, NotFound
from tasklane.services.event_log import from_row
from tasklane.services.runtime import Runtime

EPISODE = "gym_episode"
CLOCK = "gym_clock"  # the clock as last set: a process that opens the episode later reads it
CHUNK = 2_000


def template_key(seed: int, preset: str) -> str:
    return f"t{GENERATOR_VERSION}_{preset}_{seed}"


@dataclass(frozen=True)
class Episode:
    """What the live state descends from: a reset's seed and preset, whose template
    ``diff`` compares against."""

    seed: int
    preset: str
    baseline: str
    snapshot: str | None = None

    def public(self) -> dict[str, Any]:
        return {"seed": self.seed, "preset": self.preset, "snapshot": self.snapshot}


class Generations(Protocol):
    """Where a reset can take a fresh database holding a seed's template, instead of
    restoring the rows in place (a gym episode's files: a copy is faster)."""

    async def fresh(self, seed: int, preset: str) -> tuple[Database, bool]:
        """A new database of the template; and whether the template was prepared now."""
        ...

    async def carry_snapshots(self, old: Database, new: Database, keys: list[str]) -> None:
        """Copy stashes ``keys`` from ``old`` into ``new``."""
        ...

    def retire(self, database: Database) -> None:
        """``database`` is no longer the live one: let it go once nobody uses it."""
        ...

    async def close(self) -> None:
        """Let go of every database retired and not gone yet."""
        ...


class GymService:
    def __init__(
        self,
        runtime: Runtime,
        *,
        max_snapshots: int = 50,
        generations: Generations | None = None,
    ) -> None:
        self.runtime = runtime
        self.max_snapshots = max_snapshots
        self.generations = generations
        self._lock = asyncio.Lock()  # one reset, restore or snapshot at a time here

    @property
    def clock(self) -> AdjustableClock | None:
        clock = self.runtime.clock
        return clock if isinstance(clock, AdjustableClock) else None

    # -- seeding and resetting -------------------------------------------------------------

    async def seed(
        self,
        seed: int,
        preset: str,
        progress: Progress | None = None,
        rows: Rows | None = None,
    ) -> dict[str, int]:
        """Replace everything with the seeded workspace (``rows``, if already
        generated), and keep it as the template that resets restore from. Returns the
        number of rows per table."""
        if rows is None:
            rows = await asyncio.to_thread(generate, seed, preset_named(preset))
        async with self._lock, self.runtime.db.write() as session:
            await stash.exclusive(session)
            await self._fill(session, rows, progress)
            await stash.save(session, template_key(seed, preset), {"kind": "template"})
            await _set_episode(session, Episode(seed, preset, template_key(seed, preset)))
        return {name: len(table_rows) for name, table_rows in rows.items()}

    async def reset(
        self, seed: int, preset: str, *, now: datetime | None = None, frozen: bool = True
    ) -> dict[str, Any]:
        """Restore the seeded state (preparing its template the first time), set the
        clock, start the ID streams afresh from the seed and tell every process and live
        client."""
        started = time.perf_counter()
        if self.generations is not None:
            prepared = await self._replace_database(self.generations, seed, preset)
        else:
            prepared = await self._restore_in_place(seed, preset)
        self.runtime.ids.reseed(f"episode:{seed}:{preset}")
        clock = self._set_clock(now or ANCHOR, frozen)
        await self._keep_clock(clock)
        await control.announce(self.runtime.broker, GymReset(clock=clock, seed=seed, preset=preset))
        return {
            "seed": seed,
            "preset": preset,
            "prepared": prepared,
            "millis": round((time.perf_counter() - started) * 1000, 1),
            "clock": self.clock_view(),
        }

    async def _replace_database(self, generations: Generations, seed: int, preset: str) -> bool:
        """Put a fresh copy of the template in place of the live database, with the
        sign-ins of the people who are still there and the snapshots taken so far."""
        async with self._lock:
            fresh, prepared = await generations.fresh(seed, preset)
            old = self.runtime.db
            async with old.read() as session:
                signed_in = await stash.sign_ins(session)
                snapshots = [k for k in await stash.keys(session) if k.startswith("s_")]
            if snapshots:
                await generations.carry_snapshots(old, fresh, snapshots)
            async with fresh.write() as session:
                await stash.keep_sign_ins(session, signed_in)
            self.runtime.db = fresh
            generations.retire(old)
        return prepared

    async def _restore_in_place(self, seed: int, preset: str) -> bool:
        """Empty the live tables and fill them from the template inside the database
        (prepared the first time)."""
        key = template_key(seed, preset)
        async with self.runtime.db.read() as session:
            ready = await stash.read_meta(session, key) is not None
        # Generating takes a while: do it before taking the write lock.
        rows = None if ready else await asyncio.to_thread(generate, seed, preset_named(preset))
        async with self._lock, self.runtime.db.write() as session:
            await stash.exclusive(session)
            if await stash.read_meta(session, key) is not None:  # another reset may have made it
                rows = None
                await stash.load(session, key)
            else:
                rows = rows or generate(seed, preset_named(preset))
                await self._fill(session, rows, None)
                await stash.save(session, key, {"kind": "template"})
            await _set_episode(session, Episode(seed, preset, key))
            await answers.forget(session)
        return rows is not None

    async def adopt(
        self, seed: int, preset: str, *, now: datetime | None = None, frozen: bool = True
    ) -> dict[str, Any]:
        """Start an episode whose database is already a copy of the template of ``seed``
        and ``preset`` (a new episode's): what a reset does after restoring the rows.
        Nobody is connected yet, so there is no one to tell."""
        self.runtime.ids.reseed(f"episode:{seed}:{preset}")
        await self._keep_clock(self._set_clock(now or ANCHOR, frozen))
        return self.clock_view()

    async def load_clock(self) -> None:
        """Set the clock as it was last set, by whichever process (an episode opened
        by a process that did not make it)."""
        async with self.runtime.db.read() as session:
            if CLOCK not in await stash.tables(session):
                return
            body = await session.scalar(text(f"SELECT body FROM {CLOCK}"))
        if body:
            control.apply_clock(self.runtime.clock, ClockSetting.model_validate_json(body))

    async def _keep_clock(self, setting: ClockSetting) -> None:
        async with self.runtime.db.write() as session:
            await session.execute(text(f"CREATE TABLE IF NOT EXISTS {CLOCK} (body TEXT NOT NULL)"))
            await session.execute(text(f"DELETE FROM {CLOCK}"))
            await session.execute(
                text(f"INSERT INTO {CLOCK} (body) VALUES (:body)"),
                {"body": setting.model_dump_json(by_alias=True)},
            )

    async def _fill(self, session: AsyncSession, rows: Rows, progress: Progress | None) -> None:
        async def insert_all(target: AsyncSession) -> None:
            for table in stash.STATE:
                batch = rows.get(table.name, [])
                for start in range(0, len(batch), CHUNK):
                    chunk = batch[start : start + CHUNK]
                    await target.execute(insert(table), chunk)
                    if progress is not None:
                        progress(table.name, len(chunk))

        await stash.replace(session, insert_all)

    # -- state --------------------------------------------------------------------------

    async def state(self) -> bytes:
        async with self.runtime.db.read() as session:
            return states.canonical(await states.dump(session))

    async def diff(self) -> dict[str, Any]:
        """What changed since the last reset (or since the reset a restored snapshot
        descends from)."""
        async with self.runtime.db.read() as session:
            episode = await _episode(session)
            if episode is None or await stash.read_meta(session, episode.baseline) is None:
                raise NotFound(
                    "no reset to compare with; POST /api/gym/reset first", resource="episode"
                )
            before = await states.dump(session, episode.baseline)
            after = await states.dump(session)
        return {"episode": episode.public(), "changes": states.diff(before, after)}

    async def episode(self) -> dict[str, Any] | None:
        async with self.runtime.db.read() as session:
            found = await _episode(session)
        return found.public() if found else None

    # -- the agent's answer ---------------------------------------------------------------

    async def submit_answer(self, user_id: str, status: str, answer: Any) -> dict[str, Any]:
        """Keep how the agent ended, and its answer, until the next reset or restore."""
        body = {
            "status": status,
            "answer": answer,
            "by": user_id,
            "at": iso_millis(self.runtime.clock.now()),
        }
        async with self.runtime.db.write() as session:
            await answers.save(session, body)
        return body

    async def answer(self) -> dict[str, Any] | None:
        async with self.runtime.db.read() as session:
            return await answers.read(session)

    # -- snapshots ------------------------------------------------------------------------

    async def snapshot(self) -> dict[str, Any]:
        async with self._lock, self.runtime.db.write() as session:
            await stash.exclusive(session)
            existing = [k for k in await stash.keys(session) if k.startswith("s_")]
            if len(existing) >= self.max_snapshots:
                raise Conflict(
                    f"at most {self.max_snapshots} snapshots are kept; delete one first",
                    code="snapshot_limit",
                    limit=self.max_snapshots,
                )
            episode = await _episode(session)
            snapshot_id = self.runtime.ids.new("snap")
            ids = self.runtime.ids.position()
            meta = {
                "kind": "snapshot",
                "createdAt": iso_millis(self.runtime.clock.now()),
                "episode": None if episode is None else episode.__dict__,
                "ids": None if ids is None else ids.public(),
            }
            await stash.save(session, _snapshot_key(snapshot_id), meta)
        return {"id": snapshot_id, "createdAt": meta["createdAt"]}

    async def restore(self, snapshot_id: str) -> dict[str, Any]:
        """Make the state what snapshot ``snapshot_id`` holds and let the ID streams go on
        from where they stood when it was taken; live clients resync."""
        key = _snapshot_key(snapshot_id)
        async with self._lock, self.runtime.db.write() as session:
            await stash.exclusive(session)
            meta = await stash.read_meta(session, key)
            if meta is None:
                raise NotFound("snapshot not found", resource="snapshot")
            await stash.load(session, key)
            await answers.forget(session)
            if meta.get("episode"):
                found = Episode(**{**meta["episode"], "snapshot": snapshot_id})
                await _set_episode(session, found)
        # The same actions then make the same IDs in every branch restored from it, and
        # in the branch it was taken from.
        ids = meta.get("ids")
        self.runtime.ids.resume(None if ids is None else Position.from_public(ids))
        await control.announce(self.runtime.broker, GymReset())
        return {"id": snapshot_id, "restored": True}

    async def delete_snapshot(self, snapshot_id: str) -> None:
        key = _snapshot_key(snapshot_id)
        async with self._lock, self.runtime.db.write() as session:
            await stash.exclusive(session)
            if await stash.read_meta(session, key) is None:
                raise NotFound("snapshot not found", resource="snapshot")
            await stash.drop(session, key)

    async def snapshots(self) -> list[dict[str, Any]]:
        found = []
        async with self.runtime.db.read() as session:
            for key in sorted(await stash.keys(session)):
                meta = await stash.read_meta(session, key) if key.startswith("s_") else None
                if meta is not None:
                    found.append({"id": "snap_" + key[2:], "createdAt": meta["createdAt"]})
        return sorted(found, key=lambda s: (s["createdAt"], s["id"]))

    # -- the trajectory -------------------------------------------------------------------

    async def events(
        self, cursor: dict[str, int], limit: int
    ) -> tuple[list[Committed], dict[str, int]]:
        """Events after ``cursor`` (project -> last seq seen) in every project, in time
        order across projects and ``seq`` order within each, at most ``limit``; and the
        cursor after them."""
        async with self.runtime.db.read() as session:
            found = await session.execute(select(Project.id, Project.last_seq))
            heads = {project_id: seq for project_id, seq in found}
            streams: list[list[Event]] = []
            for project_id in sorted(heads):
                after = cursor.get(project_id, 0)
                if heads[project_id] <= after:
                    continue
                rows = await session.scalars(
                    select(Event)
                    .where(Event.project_id == project_id, Event.seq > after)
                    .order_by(Event.seq)
                    .limit(limit)
                )
                streams.append(list(rows))
        merged = list(heapq.merge(*streams, key=lambda e: (e.created_at, e.project_id)))[:limit]
        moved = dict(cursor)
        for event in merged:
            moved[event.project_id] = event.seq
        return [from_row(event) for event in merged], moved

    # -- the clock ------------------------------------------------------------------------

    async def set_clock(
        self, now: datetime | None, frozen: bool | None, advance: float | None
    ) -> dict[str, Any]:
        clock = self._adjustable()
        moment = now or clock.now()
        if advance:
            moment += timedelta(seconds=advance)
        setting = self._set_clock(moment, clock.frozen if frozen is None else frozen)
        await self._keep_clock(setting)
        await control.announce(self.runtime.broker, GymClock(clock=setting))
        return self.clock_view()

    def clock_view(self) -> dict[str, Any]:
        clock = self.runtime.clock
        adjustable = self.clock
        return {
            "now": iso_millis(clock.now()),
            "today": clock.today().isoformat(),
            "frozen": bool(adjustable and adjustable.frozen),
            "adjusted": bool(adjustable and adjustable.adjusted),
        }

    def _set_clock(self, moment: datetime, frozen: bool) -> ClockSetting:
        clock = self._adjustable()
        clock.set(moment, frozen=frozen)
        return control.clock_setting(clock)

    def _adjustable(self) -> AdjustableClock:
        if self.clock is None:
            raise Invalid("this app's clock cannot be set", code="clock_fixed")
        return self.clock


def preset_named(name: str) -> Preset:
    """The preset called ``name``; 422 ``unknown_preset`` for any other name."""
    try:
        return PRESETS[name]
    except KeyError:
        raise Invalid(
            f"unknown preset {name!r}", code="unknown_preset", known=sorted(PRESETS)
        ) from None


def _snapshot_key(snapshot_id: str) -> str:
    body = snapshot_id.removeprefix("snap_")
    if body == snapshot_id or not stash.KEY.match(body):
        raise NotFound("snapshot not found", resource="snapshot")
    return f"s_{body}"


async def _set_episode(session: AsyncSession, episode: Episode) -> None:
    await session.execute(text(f"CREATE TABLE IF NOT EXISTS {EPISODE} (body TEXT NOT NULL)"))
    await session.execute(text(f"DELETE FROM {EPISODE}"))
    await session.execute(
        text(f"INSERT INTO {EPISODE} (body) VALUES (:body)"),
        {"body": json.dumps(episode.__dict__, sort_keys=True)},
    )


async def _episode(session: AsyncSession) -> Episode | None:
    if EPISODE not in await stash.tables(session):
        return None
    body = await session.scalar(text(f"SELECT body FROM {EPISODE}"))
    return Episode(**json.loads(body)) if body else None
