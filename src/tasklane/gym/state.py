"""The state as graders read it: every row of every table, as canonical JSON.

Keys are the columns in camelCase, sorted; rows are sorted by primary key in Python
(not by a database collation), timestamps are ``iso_millis``, dates ``YYYY-MM-DD``. The
same state therefore gives the same bytes on SQLite and PostgreSQL. Password hashes
and the hashes of invitation links' secrets are left out; sign-in tokens are not state.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import TableClause

from tasklane.gym.stash import STATE, copy_of
from tasklane.protocol.timestamps import iso_millis

State = dict[str, list[dict[str, Any]]]

# The collections of the state, by table; the event log is the trajectory, and is
# listed in the state but not compared by ``diff``.
NAMES = {
    "users": "users",
    "workspaces": "workspaces",
    "projects": "projects",
    "project_members": "members",
    "invitations": "invitations",
    "sections": "sections",
    "tasks": "tasks",
    "comments": "comments",
    "events": "events",
}
HIDDEN = {"password_hash", "secret_hash"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_millis(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _key(source: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[_camel(c.name)] for c in source.primary_key.columns)


async def dump(session: AsyncSession, stash: str | None = None) -> State:
    """The live state, or the state kept in stash ``stash``."""
    state: State = {}
    for source in STATE:
        readable: Table | TableClause = source if stash is None else copy_of(stash, source)
        names = [c.name for c in source.columns if c.name not in HIDDEN]
        keys = [_camel(name) for name in names]
        primary = [_camel(c.name) for c in source.primary_key.columns]
        result = await session.execute(select(*(readable.c[name] for name in names)))
        rows = [dict(zip(keys, map(_value, row), strict=True)) for row in result]
        rows.sort(key=lambda row: tuple(row[k] for k in primary))
        state[NAMES[source.name]] = rows
    return state


def canonical(state: State) -> bytes:
    """The one serialisation of a state: sorted keys, no spaces, UTF-8."""
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def diff(before: State, after: State) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """What was added, changed and deleted, per collection (the event log aside). A
    change lists the fields that differ, with their values before and after."""
    result: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for source in STATE:
        name = NAMES[source.name]
        if name == "events":
            continue
        old = {_key(source, row): row for row in before.get(name, [])}
        new = {_key(source, row): row for row in after.get(name, [])}
        changed = []
        for key in sorted(old.keys() & new.keys()):
            fields = sorted(
                f for f in old[key].keys() | new[key].keys() if old[key].get(f) != new[key].get(f)
            )
            if fields:
                changed.append(
                    {
                        "id": "/".join(str(part) for part in key),
                        "before": {f: old[key].get(f) for f in fields},
                        "after": {f: new[key].get(f) for f in fields},
                    }
                )
        result[name] = {
            "added": [new[key] for key in sorted(new.keys() - old.keys())],
            "changed": changed,
            "deleted": [old[key] for key in sorted(old.keys() - new.keys())],
        }
    return result
