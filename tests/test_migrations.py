"""The Alembic migrations build exactly the schema the models describe, and carry the
rows already there across a change."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from tasklane.db import Database
from tasklane.migrate import alembic_config
from tasklane.models import Base
from tests.backends import BACKENDS, throwaway_database


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await db.dispose()
    assert differences == []


def _migrate(connection: Connection, url: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, revision)


async def _run(url: str, *steps: Any) -> list[Any]:
    """Run each step (a function of a sync connection) in a transaction of its own."""
    db = Database(url)
    answers = []
    try:
        for step in steps:
            async with db.engine.begin() as connection:
                answers.append(await connection.run_sync(step))
    finally:
        await db.dispose()
    return answers


def _sections(connection: Connection) -> list[dict[str, Any]]:
    rows = connection.execute(sa.text("SELECT * FROM sections ORDER BY id"))
    return [dict(row._mapping) for row in rows]


def _seed_a_section(connection: Connection) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    for statement in (
        "INSERT INTO users (id, email, name, password_hash, created_at)"
        " VALUES ('user_1', 'a@example.com', 'A', 'x', :at)",
        "INSERT INTO workspaces (id, name, created_at) VALUES ('ws_1', 'W', :at)",
        "INSERT INTO projects (id, workspace_id, name, description, color, archived,"
        " created_by, created_at, modified_at, last_seq) VALUES ('proj_1', 'ws_1', 'P',"
        " '', '#000000', false, 'user_1', :at, :at, 0)",
        "INSERT INTO sections (id, project_id, name, rank, created_at)"
        " VALUES ('sec_1', 'proj_1', 'Done', 'a0', :at)",
    ):
        connection.execute(sa.text(statement), {"at": at})


@pytest.mark.parametrize("backend", BACKENDS)
def test_sections_gain_a_status_that_existing_ones_leave_free_and_lose_it_going_down(
    backend: str, tmp_path: Path
) -> None:
    with throwaway_database(backend, tmp_path) as url:
        asyncio.run(_run(url, lambda c: _migrate(c, url, "0003", down=True), _seed_a_section))
        asyncio.run(_run(url, lambda c: _migrate(c, url, "0004")))
        [upgraded] = asyncio.run(_run(url, _sections))
        asyncio.run(_run(url, lambda c: _migrate(c, url, "0003", down=True)))
        [downgraded] = asyncio.run(_run(url, _sections))
    assert [(s["id"], s["status"]) for s in upgraded] == [("sec_1", None)]
    assert [sorted(s) for s in downgraded] == [["created_at", "id", "name", "project_id", "rank"]]


def _log_a_role_change(connection: Connection) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
    data = {"projectId": "proj_1", "userId": "user_1", "member": {}, "previousRole": "editor"}
    for table, owner in (("events", "project_id"), ("person_events", "user_id")):
        connection.execute(
            sa.text(
                f"INSERT INTO {table} ({owner}, seq, type, actor_id, data, created_at)"
                " VALUES (:owner, 1, 'member_updated', 'user_1', :data, :at)"
            ),
            {
                "owner": "user_1" if owner == "user_id" else "proj_1",
                "data": json.dumps(data),
                "at": at,
            },
        )


def _logged(connection: Connection) -> list[Any]:
    return [
        json.loads(data) if isinstance(data, str) else data
        for table in ("events", "person_events")
        for (data,) in connection.execute(sa.text(f"SELECT data FROM {table}"))
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_logged_role_change_gains_its_changes_and_loses_them_going_down(
    backend: str, tmp_path: Path
) -> None:
    with throwaway_database(backend, tmp_path) as url:
        asyncio.run(
            _run(
                url,
                lambda c: _migrate(c, url, "0007", down=True),
                _seed_a_section,
                _log_a_role_change,
            )
        )
        asyncio.run(_run(url, lambda c: _migrate(c, url, "0008")))
        [upgraded] = asyncio.run(_run(url, _logged))
        asyncio.run(_run(url, lambda c: _migrate(c, url, "0007", down=True)))
        [downgraded] = asyncio.run(_run(url, _logged))
    assert [d["changes"] for d in upgraded] == [["role"], ["role"]]
    assert [d["previousRole"] for d in upgraded] == ["editor", "editor"]
    assert ["changes" in d for d in downgraded] == [False, False]
