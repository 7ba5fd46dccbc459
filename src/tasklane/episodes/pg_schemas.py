"""Episodes on PostgreSQL: a schema per episode in the server's database, on one pool.

Not a database per episode: each process would need a pool per episode, and a fleet of
them would run past ``max_connections`` long before the episodes ran out. A schema
keeps every statement of an episode inside it through ``search_path``
(``Database.in_schema``), ORM and text alike, with no filter on any query.

The template of a seed and preset is a schema (``tpl_<key>``) prepared once: the tables
made from the models, the workspace seeded and the stash ``diff`` and ``reset`` read
(``gym.stash``) saved inside it. A new episode's schema gets the same tables and a copy
of the template's rows, stash included, in one transaction.

Every process of a fleet uses the same schemas: the catalog (``catalog.PgCatalog``) says
which episodes exist, and any process opens any of them. A template's name carries a
fingerprint of the tables, so a server of another version never copies an unfitting
one.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from tasklane.clock import AdjustableClock
from tasklane.db import Database
from tasklane.gym.service import GymService, preset_named, template_key
from tasklane.gym.stash import STATE
from tasklane.ids import IdGenerator
from tasklane.models import Base
from tasklane.realtime.memory_broker import MemoryBroker
from tasklane.services.runtime import Runtime

# The tables as the models make them: a template made by another version is not used.
TABLES = hashlib.sha256(
    repr(
        [(t.name, [(c.name, str(c.type)) for c in t.columns]) for t in Base.metadata.sorted_tables]
    ).encode()
).hexdigest()[:8]


class PgSchemas:
    """The template schemas and episode schemas, on a pool of their own (its
    connections wander between schemas, so the default database never uses it)."""

    def __init__(self, url: str) -> None:
        self.pool = Database(url)
        self._making: dict[str, asyncio.Lock] = {}

    async def template(self, seed: int, preset: str) -> tuple[str, bool]:
        """The template schema of ``seed`` and ``preset``, prepared if need be; and
        whether it was prepared now."""
        preset_named(preset)  # 422 for an unknown one, before anything is made
        key = template_key(seed, preset)
        schema = f"tpl_{key}_{TABLES}"
        async with self._making.setdefault(key, asyncio.Lock()):
            async with self.pool.engine.connect() as connection:
                if await _exists(connection, schema):
                    return schema, False
            # Made under a name of its own, then renamed: another process making the
            # same template at the same time loses the rename and drops its copy.
            making = f"making_{secrets.token_hex(6)}"
            async with self.pool.engine.begin() as connection:
                await _make_tables(connection, making)
            runtime = Runtime(
                self.pool.in_schema(making), AdjustableClock(), IdGenerator(), MemoryBroker()
            )
            await GymService(runtime).reset(seed, preset)
            async with self.pool.engine.begin() as connection:
                if await _exists(connection, schema):
                    await connection.exec_driver_sql(f'DROP SCHEMA "{making}" CASCADE')
                    return schema, False
                await connection.exec_driver_sql(f'ALTER SCHEMA "{making}" RENAME TO "{schema}"')
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

    def open(self, episode_id: str) -> Database:
        """An episode made earlier, by this process or another."""
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
