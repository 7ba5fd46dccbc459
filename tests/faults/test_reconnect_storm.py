"""A reconnect storm: many clients on one gateway, which restarts under a steady stream
of changes. Its drain tells each client when to come back (spread over
DRAIN_SPREAD_MS), the new gateway stays responsive while they all return, and every
client ends with every committed event exactly once, in order."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.backends import throwaway_database
from tests.faults.conftest import Figures, rss_mib, scaled
from tests.processes import Tasklane
from tests.scale.people import Traffic, log_after, members, shared_project

SPREAD_MS = 2_000


class StormClient:
    """Follows one project; when the connection ends it waits as the server said (the
    drain's ``retryAfterMs``), or a jittered moment when nothing answers, and resumes
    from the last ``seq`` it has."""

    def __init__(self, gateway: str, token: str, project_id: str, after: int) -> None:
        self.gateway, self.token, self.project_id = gateway, token, project_id
        self.last_seq = after
        self.seqs: list[int] = []
        self.reconnects = 0
        self.joined = asyncio.Event()
        self.grew = asyncio.Event()
        self.jitter = random.Random()

    async def run(self) -> None:
        while True:
            wait = self.jitter.uniform(0.2, 1.0)
            try:
                async with websockets.connect(
                    f"{self.gateway}/ws",
                    additional_headers={"Authorization": f"Bearer {self.token}"},
                    open_timeout=20,
                ) as ws:
                    await ws.send(
                        json.dumps(
                            {"type": "join", "projectId": self.project_id, "lastSeq": self.last_seq}
                        )
                    )
                    async for message in ws:
                        self.take(json.loads(message))
            except websockets.ConnectionClosed as closed:
                reason = closed.rcvd.reason if closed.rcvd else ""
                if reason.startswith("{"):
                    wait = json.loads(reason).get("retryAfterMs", 0) / 1000
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                pass
            self.reconnects += 1
            await asyncio.sleep(wait)

    def take(self, frame: dict[str, object]) -> None:
        if frame["type"] == "joined":
            self.joined.set()
        elif "seq" in frame and "data" in frame:
            seq = int(frame["seq"])  # type: ignore[call-overload]
            self.seqs.append(seq)
            self.last_seq = max(self.last_seq, seq)
            self.grew.set()

    async def reach(self, seq: int) -> None:
        while self.last_seq < seq:
            self.grew.clear()
            await self.grew.wait()


async def probe(
    gateway: Tasklane, answers: list[float], failures: list[str], stop: asyncio.Event
) -> None:
    """Ask the gateway's /healthz every 100 ms while it is up; keep how long each took."""
    async with httpx.AsyncClient(timeout=10) as http:
        while not stop.is_set():
            started = time.monotonic()
            try:
                response = await http.get(f"{gateway.http}/healthz")
                if response.status_code == 200:
                    answers.append(time.monotonic() - started)
                else:
                    failures.append(str(response.status_code))
            except httpx.ConnectError:
                pass  # down, between the two processes
            except httpx.HTTPError as exc:
                failures.append(repr(exc))
            await asyncio.sleep(0.1)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A SQLite database of the test's own: the storm is the gateway's business, the
    same on any database."""
    with throwaway_database("sqlite", tmp_path) as url:
        yield url


async def test_a_gateway_restart_brings_a_jittered_storm_that_loses_nothing(
    database_url: str, tmp_path: Path, figures: Figures
) -> None:
    count = scaled(300, 3_000)
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
    stop = asyncio.Event()
    try:
        async with members(api.http, "storm") as (member,):
            project_id, first = await shared_project(member)
            for _ in range(count):
                client = StormClient(gateway.ws, member.token, project_id, first)
                clients.append(client)
                tasks.append(asyncio.create_task(client.run()))
            await asyncio.wait_for(asyncio.gather(*(c.joined.wait() for c in clients)), 120)
            traffic = Traffic(member, project_id, first, pace=0.05)
            traffic.start()
            probing = asyncio.create_task(probe(gateway, answers, failures, stop))
            await asyncio.sleep(1)
            await asyncio.to_thread(gateway.stop)  # SIGTERM: drain with a retry hint each
            figures.faults += 1
            await asyncio.to_thread(gateway.start)
            await asyncio.sleep(SPREAD_MS / 1000 + 1)
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
