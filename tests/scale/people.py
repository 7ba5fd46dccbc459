"""People using a scaled-out Tasklane: members who change things through the API, and
followers — realtime clients that keep following a project across gateway failures,
resuming from their last ``seq`` on whichever gateway answers."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

from tests.realtime.client import connect

Frame = dict[str, Any]
CONTROL = {"connected", "joined", "left", "pong", "error", "resync_required"}
_labels = itertools.count(1)
CLOSE_WITHIN = 5.0  # seconds a follower's connection has to complete its close
STOP_WITHIN = CLOSE_WITHIN + 5.0  # seconds a follower has to stop once told to


@dataclass
class Member:
    id: str
    name: str
    token: str
    http: httpx.AsyncClient


@asynccontextmanager
async def members(api_url: str, *labels: str) -> AsyncIterator[list[Member]]:
    """Register one new user per label; each with an HTTP client signed in as them."""
    made: list[Member] = []
    try:
        for label in labels:
            n = next(_labels)
            async with httpx.AsyncClient(base_url=api_url, timeout=30) as anonymous:
                response = await anonymous.post(
                    "/api/auth/register",
                    json={
                        "email": f"{label}{n}@scale.example.com",
                        "name": f"{label.title()} {n}",
                        "password": "correct horse",
                    },
                )
            assert response.status_code == 201, response.text
            body = response.json()
            http = httpx.AsyncClient(
                base_url=api_url,
                timeout=30,
                headers={"Authorization": f"Bearer {body['token']}"},
            )
            made.append(Member(body["user"]["id"], body["user"]["name"], body["token"], http))
        yield made
    finally:
        for member in made:
            await member.http.aclose()


async def shared_project(owner: Member, *others: Member) -> tuple[str, int]:
    """A new project of ``owner`` with ``others`` as editors; its id and head ``seq``."""
    project = (await owner.http.post("/api/projects", json={"name": "Scaled"})).json()
    for other in others:
        response = await owner.http.post(
            f"/api/projects/{project['id']}/members", json={"userId": other.id, "role": "editor"}
        )
        assert response.status_code == 201, response.text
    head: int = (await owner.http.get(f"/api/projects/{project['id']}")).json()["seq"]
    return project["id"], head


async def log_after(member: Member, project_id: str, after: int) -> list[Frame]:
    """Every event of the project's log after ``after``."""
    events: list[Frame] = []
    while True:
        page = (
            await member.http.get(f"/api/projects/{project_id}/events?after={after}&limit=500")
        ).json()
        events += page["events"]
        if not page["hasMore"]:
            return events
        after = page["events"][-1]["seq"]


async def all_tasks(member: Member, project_id: str) -> list[Frame]:
    """Every task of the project (top-level and subtasks alike, as the list gives them),
    page after page."""
    tasks: list[Frame] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await member.http.get(f"/api/projects/{project_id}/tasks", params=params)).json()
        tasks += page["items"]
        cursor = page["nextCursor"]
        if not cursor:
            return tasks


@dataclass
class Traffic:
    """One member changing a project as fast as ``pace`` allows, until stopped. With
    nobody else writing, the n-th change is ``first + n``; ``committed`` holds when
    each change's response came back."""

    member: Member
    project_id: str
    first: int  # the head before the first change
    pace: float = 0.02
    committed: list[float] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _grew: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while not self._stop.is_set():
                n = len(self.committed) + 1
                response = await self.member.http.post(
                    f"/api/projects/{self.project_id}/tasks", json={"name": f"change {n}"}
                )
                assert response.status_code == 201, response.text
                self.committed.append(time.monotonic())
                self._grew.set()
                await asyncio.sleep(self.pace)  # the pace of the traffic
        finally:
            self._grew.set()  # a wait for more changes learns that there will be none

    async def committing(self, count: int, within: float = 20.0) -> None:
        """Wait until ``count`` more changes have been answered from now."""
        target = len(self.committed) + count
        assert self._task is not None, "the traffic has not started"
        async with asyncio.timeout(within):
            while len(self.committed) < target:
                if self._task.done():
                    self._task.result()  # its failure, if it failed
                    raise AssertionError("the traffic stopped")
                self._grew.clear()
                await self._grew.wait()

    async def stop(self) -> int:
        """Stop; the head ``seq`` reached."""
        self._stop.set()
        assert self._task is not None
        await self._task
        return self.first + len(self.committed)

    def commit_time(self, seq: int) -> float:
        return self.committed[seq - self.first - 1]


class Follower:
    """A realtime client that follows one project. When its connection drops it tries
    the next gateway of ``gateways`` and joins with the last ``seq`` it has; with
    ``resume=False`` it just stops."""

    def __init__(
        self,
        member: Member,
        project_id: str,
        gateways: list[str],
        after: int,
        *,
        resume: bool = True,
    ) -> None:
        self.member = member
        self.project_id = project_id
        self.gateways = gateways
        self.last_seq = after
        self.resume = resume
        self.seqs: list[int] = []  # every durable event's seq, as received
        self.received: dict[int, float] = {}  # seq -> when it arrived
        self.presence: list[tuple[str, str, float]] = []  # (type, userId, when)
        self.controls: list[Frame] = []
        self.joins: list[tuple[str, Frame, float]] = []  # (gateway, joined frame, when)
        self.dropped: list[float] = []
        self._joined = asyncio.Event()
        self._grew = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> Follower:
        self._task = asyncio.get_running_loop().create_task(self._run())
        async with asyncio.timeout(10):
            await self._joined.wait()
        return self

    async def _run(self) -> None:
        for attempt in itertools.count():
            gateway = self.gateways[attempt % len(self.gateways)]
            try:
                async with connect(
                    gateway, token=self.member.token, close_timeout=CLOSE_WITHIN
                ) as client:
                    join: Frame = {"type": "join", "projectId": self.project_id}
                    join["lastSeq"] = self.last_seq
                    await client.send(join)
                    while not self._stopping:
                        frame = await client.next(within=3600)
                        if self._take(gateway, frame):
                            return
                    return
            except (OSError, websockets.ConnectionClosed, websockets.InvalidHandshake):
                # Cancelled by ``stop`` mid-close, the connection may end with one of
                # these instead: that is no drop to resume from.
                if self._stopping:
                    return
                self.dropped.append(time.monotonic())
                if not self.resume:
                    return
                await asyncio.sleep(0.05)

    def _take(self, gateway: str, frame: Frame) -> bool:
        """Record a frame; True when nothing more will come."""
        now = time.monotonic()
        kind: str = frame["type"]
        if kind == "joined":
            self.joins.append((gateway, frame, now))
            self._joined.set()
        elif kind in ("user_connected", "user_disconnected"):
            self.presence.append((kind, frame["userId"], now))
        elif kind in CONTROL:
            self.controls.append(frame)
        else:
            self.seqs.append(frame["seq"])
            self.received.setdefault(frame["seq"], now)
            self.last_seq = max(self.last_seq, frame["seq"])
        self._grew.set()
        return kind == "left"

    async def reach(self, seq: int, within: float = 20.0) -> None:
        """Wait until the last ``seq`` received is at least ``seq``."""
        async with asyncio.timeout(within):
            while self.last_seq < seq:
                self._grew.clear()
                await self._grew.wait()

    async def heard(
        self, kind: str, user_id: str, *, since: float = 0.0, within: float = 20.0
    ) -> float:
        """Wait for a presence frame that arrived after ``since``; when it arrived."""
        async with asyncio.timeout(within):
            while True:
                for seen, who, when in self.presence:
                    if (seen, who) == (kind, user_id) and when > since:
                        return when
                self._grew.clear()
                await self._grew.wait()

    async def ended(self, within: float = 10.0) -> None:
        assert self._task is not None
        async with asyncio.timeout(within):
            await asyncio.shield(self._task)

    async def stop(self, within: float = STOP_WITHIN) -> None:
        """Stop following: the reader is cancelled and its connection closed, within
        ``within`` seconds or the test fails saying so. A failure of the reader's own
        is raised here; the caller's cancellation is never swallowed."""
        self._stopping = True
        task = self._task
        if task is None:
            return
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=within)
        if not done:
            task.cancel()
            where = self.joins[-1][0] if self.joins else "no gateway yet"
            raise AssertionError(
                f"the follower of {self.member.name} ({where}, last seq {self.last_seq})"
                f" did not stop within {within} s of being cancelled"
            )
        if not task.cancelled():
            task.result()
