"""Engines and session factories for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from sqlalchemy import event, text
from sqlalchemy.engine import AdaptedConnection, Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolResetState

WRITE_OPTION = "tasklane_write"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


class Database:
    """One engine and the two ways of using it: read sessions and write transactions.

    On SQLite every write transaction starts with ``BEGIN IMMEDIATE``: it takes the
    write lock up front, so two writers queue on ``busy_timeout`` instead of one of
    them failing when it upgrades a read lock (SQLite's deferred-transaction deadlock).
    Reads begin deferred and, in WAL mode, never wait for writers.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.sqlite = is_sqlite(url)
        kwargs: dict[str, Any] = {"echo": echo}
        if self.sqlite:
            # The pool's reset: see _configure_sqlite.
            kwargs.update(connect_args={"timeout": 30}, pool_reset_on_return=None)
        else:
            # PostgreSQL's connections rest in autocommit, and only the users of
            # ``engine`` (write transactions, migrations) open READ COMMITTED
            # transactions: a pooled connection's pre-ping is then one round trip, not
            # three (the driver wraps it in a transaction of its own otherwise), and a
            # read session sends no BEGIN and no ROLLBACK, which bought it nothing as
            # each statement of a READ COMMITTED transaction reads a fresh snapshot
            # anyway. (SQLite's reads keep their transaction: one snapshot for all of a
            # session's statements.)
            kwargs.update(
                pool_size=10, max_overflow=20, pool_pre_ping=True, isolation_level="AUTOCOMMIT"
            )
        pooled = create_async_engine(url, **kwargs)
        if self.sqlite:
            _configure_sqlite(pooled)
            self.engine: AsyncEngine = pooled
        else:
            self.engine = pooled.execution_options(isolation_level="READ COMMITTED")
        self._binds = (pooled, self.engine.execution_options(**{WRITE_OPTION: True}))
        self._reader = async_sessionmaker(self._binds[0], expire_on_commit=False)
        self._writer = async_sessionmaker(self._binds[1], expire_on_commit=False)
        self._turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Turns] = (
            weakref.WeakKeyDictionary()
        )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries: on SQLite one transaction, rolled back at the end; on
        PostgreSQL, autocommit (see ``__init__``)."""
        async with self._reader() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error.

        On SQLite this process's writers take turns, first come first served, before
        they ask for the write lock: SQLite's own wait (``busy_timeout``) polls with
        growing sleeps, which leaves the lock idle and lets a late writer overtake one
        that has waited for seconds. Other processes still queue on ``busy_timeout``."""
        if not self.sqlite:
            async with self._writer() as session, session.begin():
                yield session
            return
        loop = asyncio.get_running_loop()
        turns = self._turns.get(loop)
        if turns is None:
            turns = self._turns[loop] = _Turns()
        async with turns.take(), self._writer() as session, session.begin():
            yield session

    def in_schema(self, schema: str) -> Database:
        """This PostgreSQL database's schema ``schema``, on this pool: every session
        starts with ``SET search_path`` to it, so that each statement, ORM or text,
        names that schema's tables (a gym episode's). The pool's connections then move
        between schemas: only sessions of ``in_schema`` databases may use it, never the
        database's own. PostgreSQL parses a prepared statement again when the
        ``search_path`` changed, so no statement reads another schema's tables."""
        if self.sqlite:
            raise ValueError("SQLite has no schemas: an episode there is a file")
        return _InSchema(self, schema)

    async def dispose(self) -> None:
        await self.engine.dispose()


class _InSchema(Database):
    """One schema of a PostgreSQL database whose pool it shares (``in_schema``)."""

    def __init__(self, pool: Database, schema: str) -> None:
        self.url = pool.url
        self.sqlite = False
        self.schema = schema
        self.engine = pool.engine
        self._binds = pool._binds
        info = {SCHEMA_INFO: schema}
        self._reader = async_sessionmaker(self._binds[0], expire_on_commit=False, info=info)
        self._writer = async_sessionmaker(self._binds[1], expire_on_commit=False, info=info)
        self._turns = weakref.WeakKeyDictionary()

    async def dispose(self) -> None:
        """The pool is its owner's to dispose of."""


SCHEMA_INFO = "tasklane_schema"


# One statement for every schema (the name is a parameter): the driver prepares it once
# per connection, not once per connection and schema.
_SET_PATH = text("SELECT set_config('search_path', :schema, false)")


@event.listens_for(Session, "after_begin")
def _enter_schema(session: Session, _transaction: Any, connection: Connection) -> None:
    """Point the connection at the session's schema, unless it is there already. The
    connection's ``info`` remembers where it points across checkouts, but a setting
    made inside a write transaction goes with a rollback: after one, where it points is
    not known (a read runs outside any transaction, so its setting stays)."""
    schema = session.info.get(SCHEMA_INFO)
    if schema is None:
        return
    entered = connection.info
    if entered.get(SCHEMA_INFO) == schema:
        return
    writing = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.execute(_SET_PATH, {"schema": schema})
    entered[SCHEMA_INFO] = None if writing else schema


class _Turns:
    """The turns of one event loop's writers on SQLite's one write lock."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def take(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            # It would wait for itself for ever: say so instead.
            raise RuntimeError("a write transaction inside another of the same task")
        async with self._lock:
            self._holder = task
            try:
                yield
            finally:
                self._holder = None


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN out of the driver's hands so that we can choose its kind below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    # Every statement SQLAlchemy sends through aiosqlite costs several trips to the
    # driver's thread (a cursor, the statement, its close), and the pool adds a ROLLBACK
    # on every return, even after a commit. BEGIN and the reset below make one trip
    # each, and only when they have something to do.

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        statement = "BEGIN IMMEDIATE" if write else "BEGIN"
        adapted = cast(AdaptedConnection, connection.connection.dbapi_connection)
        try:
            adapted.run_async(lambda driver: driver.execute_fetchall(statement))
        except sqlite3.Error as error:  # as SQLAlchemy would raise it: "database is locked"…
            raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error

    @event.listens_for(sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        if state.asyncio_safe and dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()
