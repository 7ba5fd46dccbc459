"""A burst of changes reaches each subscriber together: an event that arrives while more
of the process's commits are on their way waits for them, briefly, and the run goes to
a client that takes one frame per message as one write of its frames."""

from __future__ import annotations

import asyncio
import json

import pytest

from tasklane.protocol.auth import RegisterIn
from tasklane.protocol.project import ProjectCreate
from tasklane.protocol.task import TaskCreate, TaskUpdate
from tasklane.realtime import rooms
from tasklane.realtime.hub import Hub
from tasklane.realtime.log import CommitsInFlight
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.outgoing import Outgoing
from tasklane.realtime.presence import MemoryPresence
from tasklane.services import Services
from tests.conftest import unique_email


def test_commits_in_flight_tell_when_none_are_left() -> None:
    commits = CommitsInFlight()
    told: list[str] = []
    commits.on_idle(lambda: told.append("at once"))  # none in flight: now
    commits.begin()
    commits.begin()
    commits.on_idle(lambda: told.append("after both"))
    commits.end()
    assert (commits.busy, told) == (True, ["at once"])
    commits.end()
    assert (commits.busy, told) == (False, ["at once", "after both"])
    commits.begin()
    commits.end()
    assert told == ["at once", "after both"]  # once each


async def test_a_burst_of_commits_reaches_a_socket_in_fewer_writes_in_order(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hold ends when the last commit in flight lands; its 10 ms cap is for a commit
    # that never does, and a loaded machine can take longer than that between two
    # commits of one burst. Here the landing alone ends it.
    monkeypatch.setattr(rooms, "HOLD_SECONDS", 5.0)
    user, _, _ = await services.auth.register(
        RegisterIn(email=unique_email("ana"), name="Ana", password="correct horse")
    )
    project = await services.projects.create(user, ProjectCreate(name="Burst"))
    tasks = [
        await services.tasks.create(user, project.id, TaskCreate(name=f"t{n}")) for n in range(8)
    ]
    hub = Hub(
        log=services.events,
        access=services.projects.can_read,
        presence=MemoryPresence(),
        broker=services.runtime.broker,
        clock=services.runtime.clock,
        metrics=GatewayMetrics(),
        commits=services.runtime.commits,
    )
    unsubscribe = services.runtime.broker.subscribe(hub.receive)
    writes: list[list[int]] = []  # the seqs each write to the socket carried
    all_eight = asyncio.Event()

    def socket(frame: Outgoing) -> bool:
        parts = frame.parts if frame.parts is not None else [frame]
        writes.append([json.loads(part.data)["seq"] for part in parts if part.seq])
        if sum(len(write) for write in writes) >= 8:
            all_eight.set()
        return True

    try:
        conn = hub.connect("conn_burst", user.id, user.name, "127.0.0.1")
        conn.direct = socket
        await hub.join(conn, project.id, None)
        head = (await services.events.heads([project.id]))[project.id]
        writes.clear()
        await asyncio.gather(
            *(services.tasks.update(user, t.id, TaskUpdate(notes="burst")) for t in tasks)
        )
        async with asyncio.timeout(5):
            await all_eight.wait()
        delivered = [seq for write in writes for seq in write]
        assert delivered == list(range(head + 1, head + 9))  # each once, in seq order
        assert len([write for write in writes if write]) < 8  # and some of them together
    finally:
        unsubscribe()
