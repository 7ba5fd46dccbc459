"""Who is looking at a private project is private too: someone who may not follow it never
hears its ``user_connected`` / ``user_disconnected``, not even while their join is being
refused (the subscription exists, pending, while access is checked)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from tasklane.models import User
from tasklane.protocol.auth import RegisterIn
from tasklane.protocol.project import ProjectCreate
from tasklane.realtime.hub import Hub
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.presence import MemoryPresence
from tasklane.services import Services
from tests.conftest import Person, unique_email
from tests.live import LiveStack
from tests.realtime.client import Client, connect

PRESENCE = ("user_connected", "user_disconnected")


async def register(services: Services, label: str) -> User:
    user, _, _ = await services.auth.register(
        RegisterIn(email=unique_email(label), name=label.title(), password="correct horse")
    )
    return user


async def test_a_join_being_refused_hears_no_presence(services: Services) -> None:
    """The stranger's join waits at its access check while a member arrives: the
    arrival is announced to the room, and the pending subscription must not hear it."""
    owner, stranger = await register(services, "owner"), await register(services, "stranger")
    project = await services.projects.create(owner, ProjectCreate(name="Private"))
    checking, decide = asyncio.Event(), asyncio.Event()

    async def access(user_id: str, project_id: str) -> bool:
        if user_id == stranger.id:
            checking.set()
            await decide.wait()
        return await services.projects.can_read(user_id, project_id)

    hub = Hub(
        log=services.events,
        access=access,
        presence=MemoryPresence(),
        broker=services.runtime.broker,
        clock=services.runtime.clock,
        metrics=GatewayMetrics(),
    )
    unsubscribe = services.runtime.broker.subscribe(hub.receive)
    try:
        outsider = hub.connect("conn_out", stranger.id, stranger.name, "127.0.0.1")
        refused = asyncio.create_task(hub.join(outsider, project.id, None))
        await checking.wait()
        member = hub.connect("conn_in", owner.id, owner.name, "127.0.0.1")
        await hub.join(member, project.id, None)  # announces user_connected to the room
        await hub.disconnect(member)  # and user_disconnected
        decide.set()
        await refused
        heard = [json.loads(f.data) for f in outsider.take(100, 1 << 20)]
        assert [f["type"] for f in heard] == ["error"]
        assert heard[0]["code"] == "forbidden"
    finally:
        unsubscribe()


async def refused_joins(client: Client, project_id: str, stop: asyncio.Event) -> list[Any]:
    """Ask to join again and again until ``stop``; everything heard that is not the
    refusal (nor a rate limit)."""
    heard: list[Any] = []
    while not stop.is_set():
        await client.send({"type": "join", "projectId": project_id})
        while True:
            frame = await client.next(within=10)
            if frame["type"] == "error":
                if frame["code"] == "rate_limited":
                    await asyncio.sleep(0.02)  # the gateway's frame budget, not under test
                break
            heard.append(frame)
    return heard


async def test_a_stranger_asking_again_and_again_never_hears_who_comes_and_goes(
    live: LiveStack, signup: Any
) -> None:
    owner, member, stranger = signup("owner"), signup("member"), signup("stranger")
    project = owner.http.post("/api/projects", json={"name": "Private"}).json()
    added = owner.http.post(
        f"/api/projects/{project['id']}/members", json={"userId": member.id, "role": "viewer"}
    )
    assert added.status_code == 201, added.text
    stop = asyncio.Event()
    async with contextlib.AsyncExitStack() as stack:
        watcher = await stack.enter_async_context(connect(live.ws_url, token=owner.token))
        await watcher.join(project["id"])
        assert (await watcher.expect("user_connected"))["userId"] == owner.id  # itself
        strangers = [
            await stack.enter_async_context(connect(live.ws_url, token=stranger.token))
            for _ in range(4)
        ]
        asking = [asyncio.create_task(refused_joins(s, project["id"], stop)) for s in strangers]
        for _ in range(15):
            await comes_and_goes(live, member, project["id"], watcher)
        stop.set()
        heard = await asyncio.gather(*asking)
    leaked = [frame for frames in heard for frame in frames if frame["type"] in PRESENCE]
    assert leaked == []
    assert [frame for frames in heard for frame in frames] == []


async def comes_and_goes(live: LiveStack, member: Person, project_id: str, watcher: Client) -> None:
    """The member opens the project and leaves it; the watcher (a member) sees both."""
    async with connect(live.ws_url, token=member.token) as tab:
        await tab.join(project_id)
        arrived = await watcher.expect("user_connected")
        assert arrived["userId"] == member.id
    departed = await watcher.expect("user_disconnected")
    assert departed["userId"] == member.id
