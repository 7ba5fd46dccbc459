"""PostgreSQL crashes and comes back under a steady stream of changes: while it is away
every change is refused with a clear 503 and nothing is half-applied; once it is back
the service recovers by itself, and the follower on the gateway has every committed
event exactly once, in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import Cluster
from tests.processes import Tasklane
from tests.reliability import Figures, rss_mib, scaled
from tests.scale.people import Follower, Member, all_tasks, log_after, members, shared_project


@pytest.fixture
def split(cluster: Cluster, tmp_path: Path) -> Iterator[tuple[Tasklane, Tasklane]]:
    """An API process and a gateway process on the cluster, without Redis."""
    url = asyncio.run(cluster.database())
    env = {"DATABASE_URL": url, "DATA_DIR": str(tmp_path / "data"), "CATCH_UP_SECONDS": "0.5"}
    gateway = Tasklane("gateway", "realtime", env, tmp_path)
    api = Tasklane("api", "api", {**env, "GATEWAY_URL": gateway.http}, tmp_path)
    gateway.start()
    api.start()
    try:
        yield api, gateway
    finally:
        api.stop()
        gateway.stop()


@dataclass
class Writer:
    """Creates tasks one after another and keeps every answer."""

    member: Member
    project_id: str
    answers: list[tuple[int, str, dict[str, str]]] = field(
        default_factory=list
    )  # status, code, headers
    created: list[str] = field(default_factory=list)  # ids of the tasks answered with 201
    failures: list[str] = field(default_factory=list)  # no answer at all

    async def run(self, stop: asyncio.Event) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            try:
                response = await self.member.http.post(
                    f"/api/projects/{self.project_id}/tasks", json={"name": f"change {number}"}
                )
            except httpx.HTTPError as exc:
                self.failures.append(repr(exc))
                await asyncio.sleep(0.05)
                continue
            body = response.json()
            code = body.get("error", {}).get("code", "") if response.status_code >= 400 else ""
            self.answers.append((response.status_code, code, dict(response.headers)))
            if response.status_code == 201:
                self.created.append(body["id"])
            await asyncio.sleep(0.05)

    def since(self, mark: int, status: int) -> int:
        return sum(1 for answer in self.answers[mark:] if answer[0] == status)


async def answered(writer: Writer, status: int, count: int, within: float) -> None:
    """Wait until ``count`` more answers with ``status`` have come."""
    mark = len(writer.answers)
    deadline = time.monotonic() + within
    while writer.since(mark, status) < count:
        assert time.monotonic() < deadline, f"no {count} answers {status} within {within} s"
        await asyncio.sleep(0.05)


# The long form crashes PostgreSQL three times, each step allowed 60 s.
@pytest.mark.timeout(scaled(180, 900))
async def test_a_postgresql_crash_under_traffic_refuses_cleanly_and_recovers(
    cluster: Cluster, split: tuple[Tasklane, Tasklane], figures: Figures
) -> None:
    api, gateway = split
    outages = scaled(1, 3)
    async with members(api.http, "writer") as (member,):
        project_id, first = await shared_project(member)
        follower = await Follower(member, project_id, [gateway.ws], first).start()
        writer = Writer(member, project_id)
        stop = asyncio.Event()
        writing = asyncio.create_task(writer.run(stop))
        try:
            for _ in range(outages):
                await answered(writer, 201, scaled(10, 100), within=60)
                await asyncio.to_thread(cluster.crash)
                await answered(writer, 503, scaled(5, 40), within=60)
                assert api.readiness()[0] == 503
                await asyncio.to_thread(cluster.start)
            await answered(writer, 201, scaled(10, 100), within=60)
        finally:
            stop.set()
            await writing
        figures.peak_rss_mib = max(rss_mib(p.process.pid) for p in (api, gateway) if p.process)

        log = await log_after(member, project_id, first)
        tasks = await all_tasks(member, project_id)
        head = first + len(log)
        await follower.reach(head, within=30)
        await follower.stop()

    statuses = {status for status, _, _ in writer.answers}
    assert statuses <= {201, 503}, statuses
    refusals = [(code, headers) for status, code, headers in writer.answers if status == 503]
    assert all(code == "unavailable" for code, _ in refusals)
    assert all(headers.get("retry-after") == "1" for _, headers in refusals)
    assert writer.failures == []
    # Nothing half-applied: every task that exists has its event, and every answered
    # change exists.
    created_events = [e["data"]["task"]["id"] for e in log if e["type"] == "task_created"]
    assert len(created_events) == len(set(created_events)) == len(log)
    assert set(writer.created) <= set(created_events)
    assert {t["id"] for t in tasks} == set(created_events)
    # The follower got the log exactly, in order.
    assert follower.seqs == list(range(first + 1, head + 1))
    assert api.readiness()[0] == 200

    figures.faults = outages
    figures.committed = len(log)
    figures.expected = len(log)
    figures.delivered = len(follower.seqs)
    figures.lost = len(set(range(first + 1, head + 1)) - set(follower.seqs))
    figures.duplicated = len(follower.seqs) - len(set(follower.seqs))
    figures.requests = len(writer.answers)
    figures.unavailable = len(refusals)
    figures.server_errors = sum(1 for s, _, _ in writer.answers if s >= 500 and s != 503)
