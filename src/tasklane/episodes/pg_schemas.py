"""Episodes on PostgreSQL: a schema per episode in the server's database, on one pool.

Not a database per episode: each process would need a pool per episode, and a fleet of
them would run past ``max_connections`` long before the episodes ran out. A schema
keeps every statement of an episode inside it through ``search_path``
(``Database.in_schema``), ORM and text alike, with no filter on any query.

The template of a seed and preset is a schema (``tpl_<key>``) prepared once: the tables
made from the models, the workspace seeded and the stash ``diff`` and ``reset`` read
(``gym.stash``) saved inside it. A new episode's schema gets the same tables and a copy
of the template's rows, stash included, in one transaction.

Schemas named ``ep_…`` and ``tpl_…`` belong to the process that serves the episodes
(the registry is in its memory): they do not outlive it, and what an earlier process
left is dropped when it first makes one.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from tasklane.clock import AdjustableClock
from tasklane.db import Database
from tasklane.gym.presets import PRESETS
from tasklane.gym.service import GymService, template_key
from tasklane.gym.stash import STATE
from tasklane.ids import IdGenerator
from tasklane.models import Base
from tasklane.realtime.memory_broker import MemoryBroker
from tasklane.services.errors import Invalid
from tasklane.services.runtime import Runtime

EPISODE_PREFIXES = ("ep_", "tpl_")


class PgSchemas:
    """The template schemas and episode schemas of one process, on their own pool
    (its connections wander between schemas, so the default database never uses it)."""

    def __init__(self, url: str) -> None:
        self.pool = Database(url)
        self._making: dict[str, asyncio.Lock] = {}
        self._cleared = False

    async def clear(self) -> None:
        """Drop what an earlier process left: its episodes ended with it."""
        async with self.pool.engine.begin() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_schema_names())
            for name in names:
                if name.startswith(EPISODE_PREFIXES):
                    await connection.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
        self._cleared = True

    async def template(self, seed: int, preset: str) -> tuple[str, bool]:
        """The template schema of ``seed`` and ``preset``, prepared if need be; and
        whether it was prepared now."""
        if preset not in PRESETS:
            known = sorted(PRESETS)
            raise Invalid(f"unknown preset {preset!r}", code="unknown_preset", known=known)
        if not self._cleared:
            await self.clear()
        key = template_key(seed, preset)
        schema = f"tpl_{key}"
        async with self._making.setdefault(key, asyncio.Lock()):
            async with self.pool.engine.begin() as connection:
                if await _exists(connection, schema):
                    return schema, False
                await _make_tables(connection, schema)
            database = self.pool.in_schema(schema)
            runtime = Runtime(database, AdjustableClock(), IdGenerator(), MemoryBroker())
            await GymService(runtime).reset(seed, preset)
            return schema, True

    async def copy_for(self, template: str, episode_id: str) -> Database:
        """A new episode's schema, a copy of ``template``: its tables, rows and stash."""
        async with self.pool.engine.begin() as connection:
            await _make_tables(connection, episode_id)
            stashed = await connection.run_sync(
                lambda sync: inspect(sync).get_table_names(schema=template)
            )
            for table in STATE:
                await connection.exec_driver_sql(
                    f'INSERT INTO "{episode_id}"."{table.name}" '
                    f'SELECT * FROM "{template}"."{table.name}"'
                )
            for name in sorted(stashed):
                if name.startswith("gym_"):
                    await connection.exec_driver_sql(
                        f'CREATE TABLE "{episode_id}"."{name}" AS '
                        f'SELECT * FROM "{template}"."{name}"'
                    )
        return self.pool.in_schema(episode_id)

    async def remove(self, episode_id: str) -> None:
        async with self.pool.engine.begin() as connection:
            await connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{episode_id}" CASCADE')

    async def close(self) -> None:
        await self.pool.dispose()


async def _exists(connection: AsyncConnection, schema: str) -> bool:
    names = await connection.run_sync(lambda sync: inspect(sync).get_schema_names())
    return schema in names


async def _make_tables(connection: AsyncConnection, schema: str) -> None:
    """Schema ``schema`` with every table of the models, as the migrations make them."""
    await connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    await connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')

    def create(sync: Connection) -> None:
        Base.metadata.create_all(sync, checkfirst=False)

    await connection.run_sync(create)
