"""Named copies of the whole state, kept inside the database as ``gym_<key>_<table>``
tables: a prepared template per seed and preset, and the snapshots of a rollout.

Restoring one is a single write transaction on either engine — empty the live tables,
then ``INSERT … SELECT`` from the copy — so it takes milliseconds, readers see the old
state or the new one and never a mixture, and nothing is re-generated or re-hashed.

Sign-in tokens are not part of the state: a restore keeps those of people who are
still there, the same people (same id, email and password hash), so a watching browser
and the agent stay signed in across episodes; a token never passes to someone else.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, column, delete, insert, inspect, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import TableClause

from tasklane.models import (
    Comment,
    DeletedTask,
    Event,
    Invitation,
    PersonEvent,
    PersonLog,
    Project,
    ProjectMember,
    Section,
    Task,
    Ticket,
    Token,
    User,
    Workspace,
)

# The state, in an order that foreign keys accept when filling (and, reversed, emptying).
STATE: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        User,
        Workspace,
        Project,
        ProjectMember,
        Invitation,
        Section,
        Task,
        Comment,
        Event,
    )
)
TOKENS: Table = Token.__table__  # type: ignore[assignment]
TICKETS: Table = Ticket.__table__  # type: ignore[assignment]
# People's own logs are not state (each copies events of the project logs, which are):
# a restore empties them, and they start again from 1 like the project logs it restores.
PERSON_LOGS: tuple[Table, ...] = (PersonLog.__table__, PersonEvent.__table__)  # type: ignore[assignment]
# Nor are deleted tasks: a restore empties them (what it restores was never deleted).
TRASH: Table = DeletedTask.__table__  # type: ignore[assignment]
META = "meta"
KEY = re.compile(r"^[a-z0-9_]{1,36}$")

# The columns a copy holds: a copy taken by another version of the schema is refused.
FINGERPRINT = hashlib.sha256(
    json.dumps([[t.name, [c.name for c in t.columns]] for t in STATE]).encode()
).hexdigest()[:16]


def stash_table(key: str, name: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a stash key: {key!r}")
    return f"gym_{key}_{name}"


def copy_of(key: str, source: Table) -> TableClause:
    """The copy of ``source`` in stash ``key``, with the live table's column types."""
    return table(stash_table(key, source.name), *(column(c.name, c.type) for c in source.columns))


def _columns(source: Table) -> str:
    return ", ".join(f'"{c.name}"' for c in source.columns)


# Any number for PostgreSQL's advisory lock that the gym's writes take: resets,
# restores and snapshots made through several API processes then run one at a time.
ADVISORY_LOCK = 0x7461736B  # "task"


async def exclusive(session: AsyncSession) -> None:
    """Make this transaction the only gym write in progress in its schema (a gym
    episode's, or the default one), whichever process runs it (SQLite's write
    transactions are exclusive already)."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await session.execute(
            text(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK}, hashtext(current_schema()))")
        )


async def save(session: AsyncSession, key: str, meta: dict[str, Any]) -> None:
    """Copy the live state into stash ``key`` (replacing one of that name)."""
    await drop(session, key)
    for source in STATE:
        await session.execute(
            text(
                f'CREATE TABLE "{stash_table(key, source.name)}" AS '
                f'SELECT {_columns(source)} FROM "{source.name}"'
            )
        )
    meta_table = stash_table(key, META)
    await session.execute(text(f'CREATE TABLE "{meta_table}" (body TEXT NOT NULL)'))
    body = json.dumps({**meta, "fingerprint": FINGERPRINT}, sort_keys=True)
    await session.execute(text(f'INSERT INTO "{meta_table}" (body) VALUES (:body)'), {"body": body})


async def read_meta(session: AsyncSession, key: str) -> dict[str, Any] | None:
    """The metadata saved with stash ``key``; None if there is no such (usable) stash."""
    if key not in await keys(session):
        return None
    body = await session.scalar(text(f'SELECT body FROM "{stash_table(key, META)}"'))
    meta: dict[str, Any] = json.loads(body) if body else {}
    return meta if meta.get("fingerprint") == FINGERPRINT else None


async def tables(session: AsyncSession) -> set[str]:
    """The names of the tables in the database (on PostgreSQL, in the schema the
    session works in: a gym episode's, or the default one)."""
    connection = await session.connection()

    def names(sync: Connection) -> list[str]:
        schema = None
        if sync.dialect.name == "postgresql":
            schema = sync.exec_driver_sql("SELECT current_schema()").scalar()
        return inspect(sync).get_table_names(schema=schema)

    return set(await connection.run_sync(names))


async def keys(session: AsyncSession) -> set[str]:
    """The stashes in the database."""
    suffix = f"_{META}"
    return {
        name[4 : -len(suffix)]
        for name in await tables(session)
        if name.startswith("gym_") and name.endswith(suffix)
    }


async def drop(session: AsyncSession, key: str) -> None:
    for name in [*(source.name for source in STATE), META]:
        await session.execute(text(f'DROP TABLE IF EXISTS "{stash_table(key, name)}"'))


async def clear(session: AsyncSession) -> None:
    """Empty every live table, tokens, tickets and people's own logs included."""
    everything = [*STATE, TOKENS, TICKETS, *PERSON_LOGS, TRASH]
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in everything)
        await session.execute(text(f"TRUNCATE {names}"))
        return
    for target in reversed(everything):
        await session.execute(delete(target))


async def load(session: AsyncSession, key: str) -> None:
    """Make the live state what stash ``key`` holds."""

    async def copy(target: AsyncSession) -> None:
        for live in STATE:
            await target.execute(
                text(
                    f'INSERT INTO "{live.name}" ({_columns(live)}) '
                    f'SELECT {_columns(live)} FROM "{stash_table(key, live.name)}"'
                )
            )

    await replace(session, copy)


async def replace(session: AsyncSession, fill: Callable[[AsyncSession], Awaitable[None]]) -> None:
    """Empty the live state and ``fill`` it again, keeping the sign-in tokens of the
    people who are the same people afterwards: the same id, email and password hash.

    An id alone is not a person: branches restored from one snapshot make the same IDs
    for the same actions, so two branches can each register someone else as one user
    id, and a token kept on the id alone would sign in as the other one."""
    signed_in = await sign_ins(session)
    await clear(session)
    await fill(session)
    await keep_sign_ins(session, signed_in)


@dataclass(frozen=True)
class SignIns:
    """The sign-in tokens of a state, and who their holders are."""

    tokens: list[dict[str, Any]]
    people: dict[str, tuple[str, str]]


async def sign_ins(session: AsyncSession) -> SignIns:
    tokens = [dict(row) for row in (await session.execute(select(TOKENS))).mappings()]
    people = await _people(session, {token["user_id"] for token in tokens})
    return SignIns(tokens, people)


async def keep_sign_ins(session: AsyncSession, before: SignIns) -> None:
    """Give the state in ``session`` the sign-ins of ``before`` whose holders are still
    the same people in it."""
    after = await _people(session, set(before.people))
    kept = [
        token
        for token in before.tokens
        if token["user_id"] in after and after[token["user_id"]] == before.people[token["user_id"]]
    ]
    if kept:
        await session.execute(insert(TOKENS), kept)


async def _people(session: AsyncSession, user_ids: set[str]) -> dict[str, tuple[str, str]]:
    """Who each of these users is: their email and password hash."""
    rows = await session.execute(
        select(User.id, User.email, User.password_hash).where(User.id.in_(sorted(user_ids)))
    )
    return {user_id: (email, password_hash) for user_id, email, password_hash in rows}
