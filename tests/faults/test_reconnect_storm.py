"""A reconnect storm: many clients on one gateway, which restarts under a steady stream
of changes. Its drain tells each client when to come back (spread over
DRAIN_SPREAD_MS), the new gateway stays responsive while they all return, and every
client ends with every committed event exactly once, in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.backends import throwaway_database
from tests.faults.followers import StormClient
from tests.processes import Tasklane, eventually
from tests.reliability import Figures, rss_mib, scaled
from tests.scale.people import Traffic, log_after, members, shared_project

SPREAD_MS = 2_000


@dataclass
class Restart:
    """Whether the gateway is between its SIGTERM and the new process's readiness, and
    how many restarts have begun: a probe that overlaps one may find the server gone."""

    underway: bool = False
    begun: int = 0

    def begin(self) -> None:
        self.underway = True
        self.begun += 1

    def end(self) -> None:
        self.underway = False


async def probe(
    gateway: Tasklane,
    restart: Restart,
    answers: list[float],
    failures: list[str],
    stop: asyncio.Event,
) -> None:
    """Ask the gateway's /healthz every 100 ms; keep how long each answer took, and every
    failure of a probe that did not overlap the restart (a server going down may close a
    kept-alive connection under a request: that is the restart, not unresponsiveness)."""
    async with httpx.AsyncClient(timeout=10) as http:
        while not stop.is_set():
            started, begun, underway = time.monotonic(), restart.begun, restart.underway
            try:
                response = await http.get(f"{gateway.http}/healthz")
                if response.status_code == 200:
                    answers.append(time.monotonic() - started)
                else:
                    failures.append(str(response.status_code))
            except httpx.HTTPError as exc:
                if not (underway or restart.underway or restart.begun != begun):
                    failures.append(repr(exc))
            await asyncio.sleep(0.1)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A SQLite database of the test's own: the storm is the gateway's business, the
    same on any database."""
    with throwaway_database("sqlite", tmp_path) as url:
        yield url


# The long form brings 3,000 clients in and back, each allowed up to 600 s.
@pytest.mark.timeout(scaled(180, 1800))
async def test_a_gateway_restart_brings_a_jittered_storm_that_loses_nothing(
    database_url: str, tmp_path: Path, figures: Figures
) -> None:
    count = scaled(150, 3_000)
    env = {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "WS_MAX_CONNECTIONS_PER_USER": "20000",
        "WS_MAX_CONNECTIONS_PER_IP": "20000",
        "DRAIN_SPREAD_MS": str(SPREAD_MS),
        "CATCH_UP_SECONDS": "0.5",
    }
    gateway = Tasklane("gateway", "realtime", env, tmp_path)
    api = Tasklane("api", "api", {**env, "GATEWAY_URL": gateway.http}, tmp_path)
    gateway.start()
    api.start()
    clients: list[StormClient] = []
    tasks: list[asyncio.Task[None]] = []
    answers: list[float] = []
    failures: list[str] = []
    restart = Restart()
    stop = asyncio.Event()
    try:
        async with members(api.http, "storm") as (member,):
            project_id, first = await shared_project(member)
            for _ in range(count):
                client = StormClient(gateway.ws, member.token, project_id, first)
                clients.append(client)
                tasks.append(asyncio.create_task(client.run()))
            # Everyone in before the restart: thousands of handshakes from this one process
            # on two shared cores take a while.
            joining = asyncio.gather(*(c.joined.wait() for c in clients))
            await asyncio.wait_for(joining, scaled(120, 600))
            traffic = Traffic(member, project_id, first, pace=0.05)
            traffic.start()
            probing = asyncio.create_task(probe(gateway, restart, answers, failures, stop))
            await traffic.committing(10)  # under way before the restart
            restart.begin()
            await asyncio.to_thread(gateway.stop)  # SIGTERM: drain with a retry hint each
            figures.faults += 1
            await asyncio.to_thread(gateway.start)
            restart.end()
            # Changes keep committing while everyone comes back, spread over the drain's
            # retry hints; and a few more once all are in.
            await eventually(
                lambda: all(c.joins >= 2 for c in clients), "everyone back", within=scaled(120, 600)
            )
            await traffic.committing(5)
            head = await traffic.stop()
            await asyncio.wait_for(asyncio.gather(*(c.reach(head) for c in clients)), 120)
            stop.set()
            await probing
            figures.peak_rss_mib = rss_mib(gateway.process.pid) if gateway.process else 0.0
            log = await log_after(member, project_id, first)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        api.stop()
        gateway.stop()

    assert [e["seq"] for e in log] == list(range(first + 1, head + 1))
    expected = list(range(first + 1, head + 1))
    for client in clients:
        assert client.seqs == expected
    assert all(c.reconnects >= 1 for c in clients)  # everyone went through the restart
    assert failures == []
    assert answers  # the new gateway answered /healthz during the storm
    figures.committed = len(log)
    figures.expected = count * len(expected)
    figures.delivered = sum(len(c.seqs) for c in clients)
    figures.lost = sum(len(set(expected) - set(c.seqs)) for c in clients)
    figures.duplicated = sum(len(c.seqs) - len(set(c.seqs)) for c in clients)
    figures.notes.append(
        f"{count} clients; slowest /healthz answer during the storm "
        f"{max(answers) * 1000:.0f} ms over {len(answers)} probes"
    )
