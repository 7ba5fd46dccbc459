"""Admission to the realtime gateway, WebSocket and SSE alike: the connection limits hold
under concurrent requests, and the session cookie opens nothing for a page of another
site — not even by navigating a victim's tab to ``/sse``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import websockets

from tests.conftest import make_settings, unique_email
from tests.live import LiveStack, live_stack
from tests.realtime.client import connect

LIMIT = 5
ATTEMPTS = 60


class Answers:
    """What each of the concurrent attempts was answered, and a witness for all of them."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.got: list[Any] = []
        self.all_in = asyncio.Event()

    def add(self, outcome: Any) -> None:
        self.got.append(outcome)
        if len(self.got) == self.expected:
            self.all_in.set()

    async def wait(self) -> list[Any]:
        async with asyncio.timeout(30):
            await self.all_in.wait()
        return sorted(self.got, key=str)


@pytest.fixture(scope="module")
def limited(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """A stack that lets each user hold only a few connections."""
    settings = make_settings(
        database_url, tmp_path_factory.mktemp("limited"), ws_max_connections_per_user=LIMIT
    )
    with live_stack(settings) as running:
        yield running


def person(live: LiveStack, label: str) -> tuple[str, str]:
    """A new account and a project of theirs: (token, project id)."""
    with httpx.Client(base_url=live.api_url, timeout=30) as http:
        body = http.post(
            "/api/auth/register",
            json={"email": unique_email(label), "name": label, "password": "correct horse"},
        ).json()
        token = body["token"]
        project = http.post(
            "/api/projects", json={"name": "Mine"}, headers={"Authorization": f"Bearer {token}"}
        ).json()
    return token, project["id"]


async def test_concurrent_streams_never_exceed_the_per_user_limit(limited: LiveStack) -> None:
    """Every request is counted the moment it is let in, before its project's access
    check: however many arrive at once, at most ``LIMIT`` streams open."""
    token, project_id = person(limited, "streams")
    headers = {"Authorization": f"Bearer {token}"}
    started = asyncio.Event()
    statuses = Answers(ATTEMPTS)

    async def one(http: httpx.AsyncClient) -> None:
        async with http.stream("GET", "/sse", params={"projectId": project_id}) as response:
            statuses.add(response.status_code)
            if response.status_code == 200:
                await started.wait()  # hold the stream until every answer is in

    async with httpx.AsyncClient(
        base_url=limited.gateway_http,
        headers=headers,
        timeout=30,
        limits=httpx.Limits(max_connections=ATTEMPTS),
    ) as http:
        streams = [asyncio.create_task(one(http)) for _ in range(ATTEMPTS)]
        assert await statuses.wait() == [200] * LIMIT + [429] * (ATTEMPTS - LIMIT)
        started.set()
        await asyncio.gather(*streams)
    # Every seat came back with its stream: the user may open as many again.
    async with connect(limited.ws_url, token=token) as client:
        await client.join(project_id)


async def test_concurrent_upgrades_never_exceed_the_per_user_limit(limited: LiveStack) -> None:
    token, _ = person(limited, "sockets")
    outcomes = Answers(ATTEMPTS)
    hold = asyncio.Event()

    async def one() -> None:
        try:
            async with connect(limited.ws_url, token=token, expect_connected=False) as client:
                frame = await client.next(within=20)
                outcomes.add(frame["type"])
                if frame["type"] == "connected":
                    await hold.wait()
        except websockets.ConnectionClosed as closed:
            outcomes.add(str(closed.rcvd.code if closed.rcvd else None))

    tasks = [asyncio.create_task(one()) for _ in range(ATTEMPTS)]
    answered = await outcomes.wait()
    hold.set()
    await asyncio.gather(*tasks)
    assert answered == sorted(["connected"] * LIMIT + ["4002"] * (ATTEMPTS - LIMIT))


@contextlib.asynccontextmanager
async def sse(live: LiveStack, project_id: str, headers: dict[str, str]) -> AsyncIterator[int]:
    """The status an SSE request is answered with (a stream is closed at once)."""
    async with (
        httpx.AsyncClient(base_url=live.gateway_http, timeout=10) as http,
        http.stream("GET", "/sse", params={"projectId": project_id}, headers=headers) as response,
    ):
        yield response.status_code


async def test_the_session_cookie_opens_a_stream_only_for_the_apps_own_pages(
    live: LiveStack, signup: Any
) -> None:
    ana = signup("ana")
    project = ana.http.post("/api/projects", json={"name": "Private"}).json()
    cookie = {"Cookie": f"tasklane_session={ana.token}"}
    own = live.stack.settings.app_origins()[0]
    cases = {
        # A foreign page navigating the victim's tab to /sse sends no Origin at all.
        "no origin": {},
        "navigation": {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
        "same-site navigation": {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"},
        "foreign origin": {"Origin": "https://evil.example"},
        "own origin": {"Origin": own},
        # An EventSource on the app's own origin: a browser sends no Origin then.
        "same-origin fetch": {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"},
    }
    answered = {}
    for name, headers in cases.items():
        async with sse(live, project["id"], {**cookie, **headers}) as status:
            answered[name] = status
    assert answered == {
        "no origin": 403,
        "navigation": 403,
        "same-site navigation": 403,
        "foreign origin": 403,
        "own origin": 200,
        "same-origin fetch": 200,
    }
    # Nobody was made present by the refused ones.
    assert ana.http.get(f"/api/projects/{project['id']}/presence").json() == []


async def test_a_cookie_upgrade_without_an_origin_is_refused(live: LiveStack, signup: Any) -> None:
    """A browser sends ``Origin`` with every WebSocket: a cookie without one is not a
    page of the app's (a program holding the secret sends it as Bearer instead)."""
    ana = signup("ana")
    async with connect(live.ws_url, cookie=ana.token, expect_connected=False) as client:
        assert await client.closed() == (4403, "origin not allowed")
    own = live.stack.settings.app_origins()[0]
    async with connect(live.ws_url, cookie=ana.token, origin=own) as client:
        await client.send({"type": "ping"})
        assert (await client.expect("pong"))["type"] == "pong"
