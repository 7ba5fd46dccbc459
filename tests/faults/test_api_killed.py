"""An API process killed (SIGKILL) while changes are in flight: each change either
committed with its event or did not happen at all, and the log stays gapless."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.processes import Tasklane
from tests.reliability import Figures, scaled
from tests.scale.people import Member, all_tasks, log_after, members, shared_project

WRITERS = 8


async def write(
    member: Member,
    project_id: str,
    label: str,
    created: list[str],
    lost: list[str],
    enough: tuple[int, asyncio.Event],
) -> None:
    """Create tasks until the process dies under us; set the event once ``created``
    holds the number given with it."""
    number = 0
    while True:
        number += 1
        name = f"{label} change {number}"
        try:
            response = await member.http.post(
                f"/api/projects/{project_id}/tasks", json={"name": name}
            )
        except httpx.HTTPError:
            lost.append(name)  # no answer: it may or may not have committed
            return
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
        if len(created) >= enough[0]:
            enough[1].set()


# The long form kills it ten times, each after up to 60 s of writes and a restart.
@pytest.mark.timeout(scaled(180, 1800))
async def test_a_killed_api_process_leaves_every_change_whole(
    database_url: str, tmp_path: Path, figures: Figures
) -> None:
    api = Tasklane(
        "api", "api", {"DATABASE_URL": database_url, "DATA_DIR": str(tmp_path)}, tmp_path
    )
    api.start()
    kills = scaled(1, 10)
    created: list[str] = []
    unanswered: list[str] = []
    try:
        async with members(api.http, "victim") as (member,):
            project_id, first = await shared_project(member)
            for kill in range(kills):
                enough = (len(created) + scaled(20, 200), asyncio.Event())
                writers = [
                    asyncio.create_task(
                        write(
                            member,
                            project_id,
                            f"round {kill} writer {w}",
                            created,
                            unanswered,
                            enough,
                        )
                    )
                    for w in range(WRITERS)
                ]
                await asyncio.wait_for(enough[1].wait(), 60)
                api.kill()  # mid-flight: WRITERS requests are open
                await asyncio.gather(*writers)
                api.start()
            log = await log_after(member, project_id, first)
            head = (await member.http.get(f"/api/projects/{project_id}")).json()["seq"]
            tasks = await all_tasks(member, project_id)
    finally:
        api.stop()

    assert [e["seq"] for e in log] == list(range(first + 1, head + 1))  # gapless, to the head
    made = [e["data"]["task"]["id"] for e in log if e["type"] == "task_created"]
    assert len(made) == len(log)
    assert {t["id"] for t in tasks} == set(made)  # no task without its event, no event without
    assert set(created) <= set(made)  # everything answered 201 is there
    names = Counter(t["name"] for t in tasks)
    assert all(count == 1 for count in names.values())
    assert len(unanswered) == kills * WRITERS
    figures.faults = kills
    figures.committed = len(log)
    figures.requests = len(created) + len(unanswered)
    figures.notes.append(
        f"{len(unanswered)} requests cut off by the kills; "
        f"{sum(1 for n in unanswered if n in names)} of them had committed, whole"
    )
