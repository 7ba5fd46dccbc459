"""Alembic environment: runs on the connection ``tasklane.migrate`` hands it, or on
``sqlalchemy.url`` when the ``alembic`` command is used directly."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from tasklane.models import Base

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, kind: str, _parent: object) -> bool:
    """The gym keeps its templates and snapshots as ``gym_*`` tables of its own."""
    return not (kind == "table" and name is not None and name.startswith("gym_"))


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_standalone() -> None:
    engine = create_async_engine(config.get_main_option("sqlalchemy.url") or "")
    async with engine.connect() as connection:
        await connection.run_sync(run_on)
        await connection.commit()
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    asyncio.run(run_standalone())
