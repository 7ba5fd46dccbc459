"""One scenario, three transports: WebSocket, Server-Sent Events and long polling give
the same events — types, seq and payloads — with no gap and no duplicate, across a
disconnection during which more changes commit."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import Person
from tests.live import LiveStack
from tests.realtime.followers import Follower, SseEvent, sse_stream

TRANSPORTS = ("ws", "sse", "poll")
EXPECTED = [
    "task_created",
    "comment_created",
    "task_status_changed",
    "comment_updated",
    # the follower is away for these three
    "task_updated",
    "comment_deleted",
    "task_created",
    # and back for this one
    "task_updated",
]


def project_for(owner: Person, other: Person) -> dict[str, Any]:
    # Free sections (named at creation): a status change leaves a task where it is.
    body = {"name": "Both", "sections": ["To do", "Doing", "Done"]}
    project: dict[str, Any] = owner.http.post("/api/projects", json=body).json()
    owner.http.post(
        f"/api/projects/{project['id']}/members", json={"userId": other.id, "role": "editor"}
    )
    project["seq"] = owner.http.get(f"/api/projects/{project['id']}").json()["seq"]
    return project


def follower(live: LiveStack, person: Person, project_id: str, transport: str) -> Follower:
    return Follower(
        transport, live.api_url, live.ws_url, live.gateway_http, person.token, project_id
    )


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_every_transport_yields_the_log_exactly_across_a_disconnection(
    live: LiveStack, signup: Any, transport: str
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = project_for(ana, ben)
    pid = project["id"]
    watcher = follower(live, ben, pid, transport)
    async with watcher.session(project["seq"]):
        task = ana.http.post(f"/api/projects/{pid}/tasks", json={"name": "Plan"}).json()
        comment = ben.http.post(f"/api/tasks/{task['id']}/comments", json={"text": "Hi"}).json()
        ana.http.patch(f"/api/tasks/{task['id']}", json={"status": "in_progress"})
        ben.http.patch(f"/api/comments/{comment['id']}", json={"text": "Hello"})
        first = await watcher.take(4)
    ana.http.patch(f"/api/tasks/{task['id']}", json={"name": "Plan it"})
    ben.http.delete(f"/api/comments/{comment['id']}")
    ana.http.post(f"/api/projects/{pid}/tasks", json={"name": "Ship"})
    async with watcher.session(first[-1]["seq"]):
        missed = await watcher.take(3)
        ana.http.post(f"/api/tasks/{task['id']}/move", json={"position": 5})
        back = await watcher.take(1)
    seen = first + missed + back
    log = ana.http.get(f"/api/projects/{pid}/events?after={project['seq']}").json()["events"]
    assert seen == log
    assert [e["type"] for e in seen] == EXPECTED
    assert [e["seq"] for e in seen] == [project["seq"] + n for n in range(1, 9)]


async def test_three_transports_at_once_see_identical_sequences(
    live: LiveStack, signup: Any
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = project_for(ana, ben)
    pid = project["id"]
    watchers = [follower(live, ben, pid, t) for t in TRANSPORTS]
    async with (
        watchers[0].session(project["seq"]),
        watchers[1].session(project["seq"]),
        watchers[2].session(project["seq"]),
    ):
        for n in range(5):
            ana.http.post(f"/api/projects/{pid}/tasks", json={"name": f"t{n}"})
        ws, sse, poll = await asyncio.gather(*(w.take(5) for w in watchers))
    assert ws == sse == poll
    assert [e["seq"] for e in ws] == [project["seq"] + n for n in range(1, 6)]


async def test_an_sse_stream_over_several_projects_resumes_each_from_its_cursor(
    live: LiveStack, signup: Any
) -> None:
    ana = signup("ana")
    first, second = project_for(ana, signup("ben")), project_for(ana, signup("cy"))
    ids = [first["id"], second["id"]]
    async with sse_stream(live.gateway_http, ana.token, ids) as stream:
        ana.http.post(f"/api/projects/{first['id']}/tasks", json={"name": "a"})
        ana.http.post(f"/api/projects/{second['id']}/tasks", json={"name": "b"})
        seen: list[SseEvent] = []
        while len(seen) < 2:
            event = await stream.next()
            if event.event == "task_created":
                seen.append(event)
    cursor = seen[-1].id
    assert cursor == f"{first['id']}:{first['seq'] + 1},{second['id']}:{second['seq'] + 1}"
    ana.http.post(f"/api/projects/{first['id']}/tasks", json={"name": "c"})
    ana.http.post(f"/api/projects/{second['id']}/tasks", json={"name": "d"})
    async with sse_stream(live.gateway_http, ana.token, ids, last_event_id=cursor) as stream:
        again: list[str] = []
        while len(again) < 2:
            event = await stream.next()
            if event.event == "task_created":
                again.append(event.data["data"]["task"]["name"])
    assert sorted(again) == ["c", "d"]
