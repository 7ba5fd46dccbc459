"""Soak: many connections and a steady stream of changes, in rounds. Within a round the
gateway's memory and descriptors stay flat; after each round's clients leave, the
descriptors go back to the same level, round after round (nothing leaks per
connection); and every client has every event exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.backends import throwaway_database
from tests.faults.followers import StormClient
from tests.processes import Tasklane, eventually
from tests.reliability import Figures, rss_mib, scaled
from tests.scale.people import Member, Traffic, members, shared_project


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    with throwaway_database("sqlite", tmp_path) as url:
        yield url


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


@dataclass
class Round:
    samples: list[tuple[float, float, int]] = field(default_factory=list)  # (s, RSS MiB, fds)
    after: int = 0  # descriptors once the clients left
    exact: bool = False  # every client got exactly the log


async def soak_round(
    gateway: Tasklane, member: Member, project_id: str, count: int, seconds: int
) -> Round:
    assert gateway.process is not None
    pid = gateway.process.pid
    head = (await member.http.get(f"/api/projects/{project_id}")).json()["seq"]
    clients = [StormClient(gateway.ws, member.token, project_id, head) for _ in range(count)]
    tasks = [asyncio.create_task(c.run()) for c in clients]
    result = Round()
    try:
        await asyncio.wait_for(asyncio.gather(*(c.joined.wait() for c in clients)), 300)
        traffic = Traffic(member, project_id, head, pace=0.05)
        traffic.start()
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < seconds:
            result.samples.append((elapsed, rss_mib(pid), descriptors(pid)))
            await asyncio.sleep(min(5.0, seconds / 10))
        last = await traffic.stop()
        await asyncio.wait_for(asyncio.gather(*(c.reach(last) for c in clients)), 120)
        result.samples.append((time.monotonic() - started, rss_mib(pid), descriptors(pid)))
        result.exact = all(c.seqs == list(range(head + 1, last + 1)) for c in clients)
    finally:
        loaded = descriptors(pid)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    with contextlib.suppress(AssertionError):  # settle: closes finish in the background
        await eventually(lambda: descriptors(pid) <= loaded - count + 5, "clients gone", within=30)
    await asyncio.sleep(0.5)
    result.after = descriptors(pid)
    return result


# The long form runs three rounds of 3,000 clients for 120 s each.
@pytest.mark.timeout(scaled(180, 2400))
async def test_memory_and_descriptors_stay_flat_round_after_round(
    database_url: str, tmp_path: Path, figures: Figures
) -> None:
    count, seconds, rounds = scaled(100, 3_000), scaled(4, 120), scaled(2, 3)
    env = {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "WS_MAX_CONNECTIONS_PER_USER": "20000",
        "WS_MAX_CONNECTIONS_PER_IP": "20000",
    }
    gateway = Tasklane("gateway", "realtime", env, tmp_path)
    api = Tasklane("api", "api", {**env, "GATEWAY_URL": gateway.http}, tmp_path)
    gateway.start()
    api.start()
    done: list[Round] = []
    try:
        async with members(api.http, "soak") as (member,):
            project_id, _ = await shared_project(member)
            for _ in range(rounds):
                done.append(await soak_round(gateway, member, project_id, count, seconds))
    finally:
        api.stop()
        gateway.stop()

    assert all(r.exact for r in done)
    for r in done:  # flat within a round, after its first sample (the warm-up)
        rss = [mib for _, mib, _ in r.samples]
        assert max(rss) - rss[min(1, len(rss) - 1)] < 32, r.samples
    # Round after round, the clients' descriptors all come back, and memory levels off.
    assert all(r.after <= done[0].after + 2 for r in done[1:]), [r.after for r in done]
    assert done[-1].samples[-1][1] - done[0].samples[-1][1] < 32, [r.samples[-1] for r in done]
    every = [s for r in done for s in r.samples]
    figures.peak_rss_mib = max(mib for _, mib, _ in every)
    figures.notes.append(
        f"{rounds} rounds of {count} connections for {seconds} s at 20 changes/s; gateway RSS "
        + " / ".join(f"{r.samples[0][1]:.0f}→{r.samples[-1][1]:.0f} MiB" for r in done)
        + "; descriptors after each round "
        + ", ".join(str(r.after) for r in done)
        + f"; peak {max(fds for _, _, fds in every)} with the clients connected"
    )
