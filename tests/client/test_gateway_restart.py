"""The gateway process stopped and started again under a following client, the way a
deployment restarts it: ``tasklane serve --role api`` and ``--role realtime`` as separate
processes. The client retries after the documented delays and, once the gateway is
back, resumes from its cursor: every change made meanwhile arrives, once, in order."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tasklane.client import RealtimeClient
from tasklane.client.backoff import STABLE_AFTER
from tests.client.story import Seen, people
from tests.client.timing import FastTime, steady
from tests.web.servers import split_servers


async def test_the_client_reconnects_on_schedule_and_loses_nothing_across_a_restart(
    database_url: str, tmp_path: Path
) -> None:
    time = FastTime()
    with split_servers(tmp_path, database_url) as split:
        async with people(split.base_url, "ana") as (ana,):
            assert ana.token is not None
            project = await ana.create_project("Restarted")
            seen = Seen(
                RealtimeClient(
                    split.base_url,
                    ana.token,
                    gateway_url=split.gateway_http,
                    sleep=time.sleep,
                    random=steady(),
                )
            )
            await seen.client.join(project.id, after=project.seq)
            await seen.client.start()
            await seen.state("connected")
            for name in ("one", "two"):
                await ana.create_task(project.id, name)
            await seen.until(2)

            # The third retry (8 s, x1.1) comes only after two refused attempts in a row,
            # so the gateway is down for good by then: hold the client there.
            time.hold(8.8)
            await asyncio.to_thread(split.stop, "realtime")
            await asyncio.wait_for(time.holding.wait(), 30)
            for name in ("while", "the gateway", "was down"):
                await ana.create_task(project.id, name)
            await asyncio.to_thread(split.start, "realtime")
            time.release()

            await seen.state("connected")
            await ana.create_task(project.id, "back")
            await seen.until(6)
            await seen.stop()
            log = (await ana.list_events(project.id, after=project.seq)).events

    assert seen.events == log
    names = [e.data["task"]["name"] for e in seen.events]
    assert names == ["one", "two", "while", "the gateway", "was down", "back"]
    # The drain closed the connection with 4001 and a spread-out retry hint, which the
    # client honoured; then the documented schedule, until the gateway was back.
    drained = seen.statuses[2]
    assert (drained.state, drained.code) == ("reconnecting", 4001)
    assert drained.reason is not None
    assert drained.retry_in == json.loads(drained.reason)["retryAfterMs"] / 1000
    assert seen.states()[-8:] == [
        "reconnecting",
        "connecting",
        "reconnecting",
        "connecting",
        "reconnecting",
        "connecting",
        "connected",
        "offline",
    ]
    assert seen.delays()[-3:] == pytest.approx([2.2, 4.4, 8.8])
    # Back up after three failures: they are forgiven once the connection has lasted.
    assert time.asked == [*seen.delays(), STABLE_AFTER]
