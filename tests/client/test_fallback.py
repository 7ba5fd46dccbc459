"""The fallback ladder over real sockets: behind a proxy that refuses the WebSocket
upgrade the client runs on Server-Sent Events, behind one that refuses both on long
polling, with the same events in the same order as a client on WebSocket; once the
WebSocket gets through again, a probe moves it back up without losing or doubling an
event. Time passes a thousand times faster, and every delay asked for is checked."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from tasklane.client import AsyncTasklaneClient, RealtimeClient
from tests.client.gatekeeper import gatekeeper
from tests.client.story import STORY, Seen, every_change, people
from tests.client.timing import FastTime, steady
from tests.live import LiveStack

WS_RETRIES = [2.2, 4.4, 8.8, 17.6, 30.0]  # 2, 4, 8, 16, 30 s, each x1.1 (steady jitter)
PROBE = 33.0  # 30 s x1.1


def following(
    live: LiveStack, token: str | None, gateway_url: str, time: FastTime
) -> RealtimeClient:
    """A client with the whole ladder (ws, sse, poll), as a program would make it."""
    assert token is not None
    return RealtimeClient(
        live.api_url,
        token,
        gateway_url=gateway_url,
        sleep=time.sleep,
        random=steady(),
        poll_wait=2.0,
    )


async def test_refused_websockets_fall_back_to_sse_then_polling_with_identical_events(
    live: LiveStack,
) -> None:
    times = {name: FastTime() for name in ("direct", "sse", "poll")}
    async with (
        people(live.api_url, "ana") as (ana,),
        gatekeeper(live.gateway_http, refuse={"/ws"}) as no_ws,
        gatekeeper(live.gateway_http, refuse={"/ws", "/sse"}) as neither,
    ):
        project = await ana.create_project("Everywhere")
        gateways = {"direct": live.gateway_http, "sse": no_ws.url, "poll": neither.url}
        seen = {
            name: Seen(following(live, ana.token, gateways[name], times[name])) for name in gateways
        }
        for each in seen.values():
            await each.client.join(project.id, after=0)
            await each.client.start()
        await seen["direct"].state("connected")
        await seen["sse"].state("sse")
        await seen["poll"].state("polling")
        await every_change(ana, project)
        await ana.update_project(project.id, description="the end")
        for each in seen.values():
            await each.until(len(STORY) + 2)
            await each.stop()
        log = (await ana.list_events(project.id)).events

    assert seen["direct"].events == seen["sse"].events == seen["poll"].events == log
    assert seen["direct"].states() == ["connecting", "connected", "offline"]
    retrying = ["connecting"] + ["reconnecting", "connecting"] * 5
    assert seen["sse"].states() == [*retrying, "connecting", "sse", "offline"]
    assert seen["poll"].states() == [*retrying, "connecting", "connecting", "polling", "offline"]
    assert [s.transport for s in seen["poll"].statuses[-4:-1]] == ["sse", "poll", "poll"]
    for name in ("sse", "poll"):
        assert seen[name].delays() == pytest.approx(WS_RETRIES)
        # After the retries, only probes: about every 30 s while on the fallback.
        asked = times[name].asked
        assert asked[:5] == pytest.approx(WS_RETRIES)
        assert asked[5:] == pytest.approx([PROBE] * len(asked[5:]))
    assert no_ws.refused[:6] == ["/ws"] * 6  # the first try and five retries
    assert "/sse" not in no_ws.refused
    assert neither.refused[:7] == ["/ws"] * 6 + ["/sse"]
    assert times["direct"].asked == []


@contextlib.asynccontextmanager
async def busy(api: AsyncTasklaneClient, project_id: str) -> AsyncIterator[list[str]]:
    """Keep adding tasks to the project until the block ends; their names."""
    names: list[str] = []

    async def keep_adding() -> None:
        while True:
            names.append(f"task {len(names)}")
            await api.create_task(project_id, names[-1])
            await asyncio.sleep(0.01)

    adding = asyncio.create_task(keep_adding())
    try:
        yield names
    finally:
        adding.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await adding


@pytest.mark.parametrize(
    ("refused", "fallback"), [({"/ws"}, "sse"), ({"/ws", "/sse"}, "polling")], ids=["sse", "poll"]
)
async def test_a_probe_moves_back_up_to_websocket_without_losing_or_doubling_events(
    live: LiveStack, refused: set[str], fallback: str
) -> None:
    time = FastTime()
    async with (
        people(live.api_url, "ana") as (ana,),
        gatekeeper(live.gateway_http, refuse=refused) as network,
    ):
        project = await ana.create_project("Up again")
        seen = Seen(following(live, ana.token, network.url, time))
        await seen.client.join(project.id, after=project.seq)
        await seen.client.start()
        async with busy(ana, project.id) as names:
            await seen.state(fallback)
            await seen.until(5)
            network.refuse.clear()  # the WebSocket gets through again
            await seen.state("connected")
            count = len(names)
            await seen.until(count + 5)
        await seen.until(len(names))
        await seen.stop()
        log = (await ana.list_events(project.id, after=project.seq, limit=500)).events

    assert seen.events == log
    assert [e.data["task"]["name"] for e in seen.events] == names
    assert [e.seq for e in seen.events] == list(
        range(project.seq + 1, project.seq + len(names) + 1)
    )
    assert seen.states()[-2:] == ["connected", "offline"]
    assert time.asked[5:] == pytest.approx([PROBE] * len(time.asked[5:]))
