"""The agent's structured answer, kept inside the episode's database until the next
reset or restore: how it ended (``done`` or ``infeasible``), what it answered, who gave
it and when. One answer at a time: a later one replaces it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tasklane.gym import stash

ANSWER = "gym_answer"


async def save(session: AsyncSession, body: dict[str, Any]) -> None:
    await session.execute(text(f"CREATE TABLE IF NOT EXISTS {ANSWER} (body TEXT NOT NULL)"))
    await session.execute(text(f"DELETE FROM {ANSWER}"))
    await session.execute(
        text(f"INSERT INTO {ANSWER} (body) VALUES (:body)"),
        {"body": json.dumps(body, sort_keys=True)},
    )


async def read(session: AsyncSession) -> dict[str, Any] | None:
    if ANSWER not in await stash.tables(session):
        return None
    body = await session.scalar(text(f"SELECT body FROM {ANSWER}"))
    found: dict[str, Any] | None = json.loads(body) if body else None
    return found


async def forget(session: AsyncSession) -> None:
    await session.execute(text(f"DROP TABLE IF EXISTS {ANSWER}"))
