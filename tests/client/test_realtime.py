"""``RealtimeClient`` against the real gateway and API: handlers and iterators see every
event of every type once, in order, on each transport; resyncs, refusals, lost access
and a dropped connection are handled as docs/protocol.md says."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

import pytest

from tasklane.client import (
    EventEnvelope,
    Left,
    PresenceEvent,
    RealtimeClient,
    RealtimeRefused,
    ResyncRequired,
    payload,
)
from tasklane.client.backoff import TransportName
from tasklane.protocol.events import DURABLE_TYPES
from tests.client.gatekeeper import gatekeeper
from tests.client.story import STORY, Seen, every_change, people
from tests.client.timing import FastTime, steady
from tests.live import LiveStack

TRANSPORTS: tuple[TransportName, ...] = ("ws", "sse", "poll")
FOLLOWED = ["project_created", *STORY, "project_updated"]  # the last one marks the end
NAMED = [
    "task_created",
    "task_updated",
    "task_status_changed",
    "task_deleted",
    "comment_created",
    "comment_updated",
    "comment_deleted",
    "project_updated",
]


def client(
    live: LiveStack,
    token: str | None,
    transports: tuple[TransportName, ...],
    *,
    gateway_url: str | None = None,
    time: FastTime | None = None,
) -> RealtimeClient:
    """A client of ``live`` over ``transports``; every jitter is x1.1; time as given."""
    assert token is not None
    return RealtimeClient(
        live.api_url,
        token,
        gateway_url=gateway_url or live.gateway_http,
        transports=transports,
        sleep=time.sleep if time is not None else asyncio.sleep,
        random=steady(),
        poll_wait=2.0,
    )


def recorder(into: list[int]) -> Callable[[EventEnvelope], None]:
    return lambda event: into.append(event.seq)


def async_recorder(into: list[int]) -> Callable[[EventEnvelope], Awaitable[None]]:
    async def record(event: EventEnvelope) -> None:
        await asyncio.sleep(0)
        into.append(event.seq)

    return record


async def test_every_handler_sees_its_events_once_and_in_order_on_every_transport(
    live: LiveStack,
) -> None:
    async with people(live.api_url, "ana") as (ana,):
        project = await ana.create_project("Story")
        followers = {t: client(live, ana.token, (t,)) for t in TRANSPORTS}
        by_type: dict[str, dict[str, list[int]]] = {t: defaultdict(list) for t in TRANSPORTS}
        by_kind: dict[str, dict[str, list[int]]] = {t: defaultdict(list) for t in TRANSPORTS}
        seen = {}
        for transport, follower in followers.items():
            for kind in DURABLE_TYPES:
                follower.on(kind, recorder(by_type[transport][kind]))
            named = {
                "task_created": follower.on_task_created,
                "task_updated": follower.on_task_updated,
                "task_status_changed": follower.on_task_status_changed,
                "task_deleted": follower.on_task_deleted,
                "comment_created": follower.on_comment_created,
                "comment_updated": follower.on_comment_updated,
                "comment_deleted": follower.on_comment_deleted,
                "project_updated": follower.on_project_updated,
            }
            assert list(named) == NAMED
            for kind, register in named.items():
                register(async_recorder(by_kind[transport][f"on_{kind}"]))
            follower.on_task(async_recorder(by_kind[transport]["task"]))
            follower.on_comment(recorder(by_kind[transport]["comment"]))
            follower.on("section", recorder(by_kind[transport]["section"]))
            seen[transport] = Seen(follower)
            await follower.start()
            await follower.join(project.id, after=0)
        await every_change(ana, project)
        await ana.update_project(project.id, description="the end")
        for transport in TRANSPORTS:
            await seen[transport].until(len(FOLLOWED))
            await seen[transport].stop()
        log = (await ana.list_events(project.id)).events

    assert [e.type for e in log] == FOLLOWED
    for transport in TRANSPORTS:
        assert seen[transport].events == log, transport
        assert seen[transport].updates == log, transport
        for kind in DURABLE_TYPES:
            expected = [e.seq for e in log if e.type == kind]
            assert by_type[transport][kind] == expected, (transport, kind)
            if kind in NAMED:
                assert by_kind[transport][f"on_{kind}"] == expected, (transport, kind)
        for kind in ("task", "comment", "section"):
            expected = [e.seq for e in log if e.type.startswith(f"{kind}_")]
            assert by_kind[transport][kind] == expected, (transport, kind)
    for event in log:
        assert payload(event).project_id == project.id  # every payload reads as its model


async def test_a_deleted_project_ends_with_its_last_event_then_left(live: LiveStack) -> None:
    async with people(live.api_url, "ana") as (ana,):
        project = await ana.create_project("Short-lived")
        followers = {t: Seen(client(live, ana.token, (t,))) for t in TRANSPORTS}
        for seen in followers.values():
            await seen.client.start()
            await seen.client.join(project.id, after=project.seq)
            assert await seen.client.joined(project.id) == project.seq
        await ana.delete_project(project.id)
        for seen in followers.values():
            await seen.until_left()
            await seen.stop()
    # Every transport ends the same way: the deletion, then "left" saying so.
    for transport in TRANSPORTS:
        updates = followers[transport].updates
        assert [u.type for u in updates] == ["project_deleted", "left"], transport
        assert updates[-1] == Left(project.id, "project_deleted")


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_cursor_the_log_cannot_serve_is_a_resync_then_live_events_follow(
    live: LiveStack, transport: TransportName
) -> None:
    async with people(live.api_url, "ana") as (ana,):
        project = await ana.create_project("Reset")
        resyncs: list[ResyncRequired] = []
        seen = Seen(client(live, ana.token, (transport,)))
        seen.client.on_resync(resyncs.append)
        await seen.client.start()
        await seen.client.join(project.id, after=project.seq + 100)
        assert await seen.client.joined(project.id) == project.seq
        task = await ana.create_task(project.id, "After the reset")
        await seen.until(1)
        await seen.stop()
    resync = ResyncRequired(project.id, project.seq, "ahead of the log")
    assert resyncs == [resync]
    assert seen.updates[0] == resync
    assert seen.updates[1:] == seen.events
    assert [(e.type, e.seq) for e in seen.events] == [("task_created", project.seq + 1)]
    assert payload(seen.events[0]).task.id == task.id  # type: ignore[attr-defined]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_bad_credentials_mean_offline_at_once_without_retrying(
    live: LiveStack, transport: TransportName
) -> None:
    time = FastTime()
    seen = Seen(client(live, "not-a-token", (transport,), time=time))
    await seen.client.join("proj_whatever")
    await seen.client.start()
    await seen.state("offline")
    with pytest.raises(RealtimeRefused) as refused:
        async for _ in seen.client.updates():
            pass
    status = seen.client.status
    await seen.client.close()
    assert refused.value.code == status.code == 4401
    assert not status.is_connected
    assert status.reason
    assert time.asked == []  # no retry was even scheduled


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_project_one_cannot_follow_is_left_as_forbidden(
    live: LiveStack, transport: TransportName
) -> None:
    async with people(live.api_url, "ana", "bob") as (ana, bob):
        private = await ana.create_project("Private")
        own = await bob.create_project("Own")
        seen = Seen(client(live, bob.token, (transport,)))
        lefts: list[Left] = []
        seen.client.on_left(lefts.append)
        await seen.client.start()
        await seen.client.join(own.id, after=own.seq)
        await seen.client.join(private.id)
        assert await seen.client.joined(private.id) is None
        await bob.create_task(own.id, "Still here")
        await seen.until(1)
        await seen.stop()
    assert lefts == [Left(private.id, "forbidden")]
    assert seen.updates[0] == lefts[0]
    assert [e.project_id for e in seen.events] == [own.id]
    assert seen.client.cursor(private.id) is None


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_removed_member_is_told_and_stops_following(
    live: LiveStack, transport: TransportName
) -> None:
    async with people(live.api_url, "ana", "ben") as (ana, ben):
        project = await ana.create_project("Team")
        await ana.add_member(project.id, user_id=(await ben.me()).id, role="editor")
        own = await ben.create_project("Own")  # where a later change is the witness
        seen = Seen(client(live, ben.token, (transport,)))
        await seen.client.start()
        for followed in (project, own):
            await seen.client.join(followed.id)
            await seen.client.joined(followed.id)
        await ana.create_task(project.id, "Before")
        await seen.until(1)
        await ana.remove_member(project.id, (await ben.me()).id)
        await seen.until_left()
        await ana.create_task(project.id, "After")
        # Made after it: once this change has come, "After" would have come before it.
        await ben.create_task(own.id, "Witness")
        await seen.wait(lambda: seen.events[-1].project_id == own.id, 10, "the witness")
        await seen.stop()
    updates = [u for u in seen.updates if u.project_id == project.id]
    events = [e for e in seen.events if e.project_id == project.id]
    if transport == "poll":
        # The API checks access and reads the log in two transactions, so a long poll
        # that wakes as the removal commits may still carry the removal itself.
        if events[-1].type == "member_removed":
            events.pop()
            updates.pop(1)
        assert updates[1:] == [Left(project.id, "not_found")]
    else:
        assert updates[1:] == [Left(project.id, "access_revoked")]
    assert [e.data["task"]["name"] for e in events] == ["Before"]


async def test_presence_handlers_see_other_people_arrive_and_leave(live: LiveStack) -> None:
    async with people(live.api_url, "ana", "ben") as (ana, ben):
        project = await ana.create_project("Together")
        await ana.add_member(project.id, user_id=(await ben.me()).id)
        seen = Seen(client(live, ana.token, ("ws",)))
        arrivals: list[PresenceEvent] = []
        changes: list[tuple[str, str]] = []
        seen.client.on("user_connected", arrivals.append)
        stop = seen.client.on_presence(lambda p: changes.append((p.type, p.data.name)))
        await seen.client.start()
        await seen.client.join(project.id)
        await seen.client.joined(project.id)
        async with client(live, ben.token, ("sse",)) as other:
            await other.join(project.id)
            await seen.wait(lambda: ("user_connected", "Ben") in changes, 10, "Ben")
        await seen.wait(lambda: ("user_disconnected", "Ben") in changes, 10, "Ben leaving")
        stop()
        await seen.stop()
    assert [(p.data.name, p.project_id) for p in arrivals] == [
        ("Ana", project.id),
        ("Ben", project.id),
    ]
    assert changes == [
        ("user_connected", "Ana"),
        ("user_connected", "Ben"),
        ("user_disconnected", "Ben"),
    ]


async def test_a_failing_handler_is_logged_and_the_others_still_run(
    live: LiveStack, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_event: EventEnvelope) -> None:
        raise RuntimeError("boom")

    async with people(live.api_url, "ana") as (ana,):
        project = await ana.create_project("Robust")
        seen = Seen(client(live, ana.token, ("ws",)))
        seen.client.on_task_created(broken)
        await seen.client.start()
        await seen.client.join(project.id, after=project.seq)
        with caplog.at_level(logging.ERROR, logger="tasklane.client.realtime"):
            await ana.create_task(project.id, "One")
            await ana.create_task(project.id, "Two")
            await seen.until(2)
        await seen.stop()
    assert [e.seq for e in seen.events] == [project.seq + 1, project.seq + 2]
    assert [r.message for r in caplog.records] == ["a realtime handler failed"] * 2


@pytest.mark.parametrize("transport", ["ws", "sse"])
async def test_a_dropped_connection_resumes_after_two_seconds_and_loses_nothing(
    live: LiveStack, transport: TransportName
) -> None:
    time = FastTime()
    async with (
        people(live.api_url, "ana") as (ana,),
        gatekeeper(live.gateway_http, refuse=set()) as network,
    ):
        project = await ana.create_project("Flaky")
        seen = Seen(client(live, ana.token, (transport,), gateway_url=network.url, time=time))
        await seen.client.start()
        await seen.client.join(project.id, after=project.seq)
        await seen.client.joined(project.id)
        await ana.create_task(project.id, "Before")
        await seen.until(1)
        time.hold(2.2)
        network.cut()
        await asyncio.wait_for(time.holding.wait(), 10)
        for name in ("While", "away"):
            await ana.create_task(project.id, name)
        time.release()
        await ana.create_task(project.id, "Back")
        await seen.until(4)
        await seen.stop()
        log = (await ana.list_events(project.id, after=project.seq)).events
    assert seen.events == log
    assert [e.data["task"]["name"] for e in log] == ["Before", "While", "away", "Back"]
    live_state = "connected" if transport == "ws" else "sse"
    assert seen.states() == [
        "connecting",
        live_state,
        "reconnecting",
        "connecting",
        live_state,
        "offline",
    ]
    assert seen.delays() == pytest.approx([2.2])
