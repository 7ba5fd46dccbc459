"""Who sees a project, over every way in: WebSocket (with and without a ``lastSeq``
replay), Server-Sent Events (with and without ``Last-Event-ID``), the long poll, the
REST reads, the pages, presence, the broadcast endpoint and the gateway's other doors.

Four people: the owner, a member, an outsider who never was a member, and the member
once removed; and the project once deleted. Nothing of the project (an event, a task, a
comment, who is present) reaches anyone who may not see it, and each refusal looks the
same as for a project that never existed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import Person
from tests.live import LiveStack
from tests.processes import eventually
from tests.realtime.client import Client, Frame, connect
from tests.realtime.followers import SseEvent, SseReader, sse_stream
from tests.realtime.test_fallbacks import error_of
from tests.web.test_pages import page_data

Signup = Callable[[str], Person]
ATTEMPTS = 5  # joins raced against a removal
Json = dict[str, Any]
MADE_UP = {
    "project": "proj_madeup0000000000000",
    "task": "task_madeup0000000000000",
    "comment": "cmt_madeup0000000000000",
}
READS = (
    "/api/projects/{project}",
    "/api/projects/{project}/tasks",
    "/api/projects/{project}/sections",
    "/api/projects/{project}/members",
    "/api/projects/{project}/presence",
    "/api/projects/{project}/events",
    "/api/projects/{project}/events?after=0&wait=2",
    "/api/tasks/{task}",
    "/api/tasks/{task}/subtasks",
    "/api/tasks/{task}/comments",
)
PAGES = (
    "/projects/{project}",
    "/projects/{project}/board",
    "/projects/{project}/members",
    "/projects/{project}/tasks/{task}",
    "/projects/{project}/tasks/{task}?view=board",
)


@dataclass
class Scene:
    """A project of ``owner`` with ``member`` (an editor), a task and a comment whose
    texts carry ``secret``; ``outsider`` was never in it."""

    live: LiveStack
    owner: Person
    member: Person
    outsider: Person
    project: str
    task: str
    comment: str
    secret: str

    @property
    def ids(self) -> dict[str, str]:
        return {"project": self.project, "task": self.task, "comment": self.comment}

    def head(self) -> int:
        seq: int = self.owner.http.get(f"/api/projects/{self.project}").json()["seq"]
        return seq

    def add_task(self, name: str = "") -> Json:
        path = f"/api/projects/{self.project}/tasks"
        response = self.owner.http.post(path, json={"name": f"{self.secret} {name}"})
        assert response.status_code == 201, response.text
        task: Json = response.json()
        return task

    def remove_member(self) -> None:
        path = f"/api/projects/{self.project}/members/{self.member.id}"
        assert self.owner.http.delete(path).status_code == 204

    def delete_project(self) -> None:
        assert self.owner.http.delete(f"/api/projects/{self.project}").status_code == 204


@pytest.fixture
def scene(live: LiveStack, signup: Signup) -> Scene:
    owner, member, outsider = signup("owner"), signup("member"), signup("outsider")
    secret = f"Secret-{uuid.uuid4().hex[:10]}"
    project = owner.http.post("/api/projects", json={"name": f"{secret} project"}).json()
    added = owner.http.post(
        f"/api/projects/{project['id']}/members", json={"userId": member.id, "role": "editor"}
    )
    assert added.status_code == 201, added.text
    task = owner.http.post(
        f"/api/projects/{project['id']}/tasks", json={"name": f"{secret} task"}
    ).json()
    comment = member.http.post(f"/api/tasks/{task['id']}/comments", json={"text": secret}).json()
    assert outsider.http.post("/api/projects", json={"name": "Elsewhere"}).status_code == 201
    return Scene(live, owner, member, outsider, project["id"], task["id"], comment["id"], secret)


def bearer(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}


@contextlib.contextmanager
def pages_of(scene: Scene, person: Person) -> Iterator[httpx.Client]:
    """A browser signed in as ``person`` by the session cookie."""
    cookies = {"tasklane_session": person.token}
    with httpx.Client(base_url=scene.live.api_url, cookies=cookies, timeout=30) as http:
        yield http


@contextlib.asynccontextmanager
async def watching(
    scene: Scene, person: Person, last_seq: int | None = None
) -> AsyncIterator[Client]:
    """``person`` following the project over a WebSocket, what the join brought (its
    replay, presence frames) drained."""
    async with connect(scene.live.ws_url, token=person.token) as client:
        await client.join(scene.project, last_seq)
        await client.drained()
        yield client


class SseLog:
    """A stream's events as they arrive, read in the background: a read that times out
    would end the stream (``SseReader.next`` cancels the line iterator)."""

    def __init__(self, reader: SseReader) -> None:
        self.events: list[SseEvent] = []
        self.ended = asyncio.Event()
        self._grew = asyncio.Event()
        self._task = asyncio.create_task(self._read(reader))

    async def _read(self, reader: SseReader) -> None:
        try:
            while True:
                event = await reader.next(3600)
                self.events.append(event)  # to the list of now: take() swaps it
                self._grew.set()
        except EOFError:
            pass
        finally:
            self.ended.set()
            self._grew.set()

    def take(self) -> list[SseEvent]:
        """What arrived since the last take."""
        taken, self.events = self.events, []
        return taken

    async def through(self, last: Callable[[SseEvent], bool], within: float = 10) -> list[SseEvent]:
        """What arrived since the last take, up to and including the first event that is
        ``last``; what came after it stays for the next take."""
        async with asyncio.timeout(within):
            while not any(last(event) for event in self.events):
                assert not self.ended.is_set(), f"the stream ended first: {self.events}"
                self._grew.clear()
                await self._grew.wait()
        end = next(n for n, event in enumerate(self.events) if last(event)) + 1
        taken, self.events = self.events[:end], self.events[end:]
        return taken

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@contextlib.asynccontextmanager
async def sse_log(
    scene: Scene, person: Person, last_event_id: str | None = None, project: str | None = None
) -> AsyncIterator[SseLog]:
    project_id = project or scene.project
    async with sse_stream(
        scene.live.gateway_http, person.token, [project_id], last_event_id
    ) as reader:
        log = SseLog(reader)
        try:
            yield log
        finally:
            await log.close()


def assert_reads_like_nothing(scene: Scene, person: Person) -> None:
    """Every REST read of the project answers ``person`` as a project that never
    existed does, byte for byte; and no list or page of theirs shows any of it."""
    for template in READS:
        real = person.http.get(template.format(**scene.ids))
        made_up = person.http.get(template.format(**MADE_UP))
        assert real.status_code == 404, (template, real.text)
        assert real.content == made_up.content, template
    assert scene.project not in {p["id"] for p in person.http.get("/api/projects").json()}
    mine = person.http.get("/api/me/tasks").json()
    assert scene.secret not in str(mine)
    with pages_of(scene, person) as browser:
        for template in PAGES:
            page = browser.get(template.format(**scene.ids))
            assert page.status_code == 404, template
            assert scene.secret not in page.text, template
        for path in ("/", "/my-tasks"):
            page = browser.get(path)
            assert page.status_code == 200, path
            assert scene.secret not in page.text, path
            assert scene.project not in page.text, path
        found = browser.get("/search", params={"q": scene.secret})  # the query is shown
        assert found.status_code == 200
        assert page_data(found)["tasks"] == []
        assert scene.task not in found.text
        assert scene.project not in found.text


def is_joined(event: SseEvent) -> bool:
    return event.event == "joined"


async def stir(scene: Scene, witness: Client) -> Frame:
    """Changes and comings and goings in the project, seen through to ``witness`` (the
    owner's connection): once it has the last change, and the gateway has finished
    with the owner's second tab, every follower has had its chance to receive all of
    it. The last change's event."""
    tabs = scene.live.connections_of(scene.owner.id)
    task = scene.add_task("later")
    commented = scene.owner.http.post(
        f"/api/tasks/{task['id']}/comments", json={"text": f"{scene.secret} note"}
    )
    assert commented.status_code == 201, commented.text
    async with connect(scene.live.ws_url, token=scene.owner.token) as tab:
        await tab.join(scene.project)  # another tab: presence stays as it was, or arrives
        renamed = scene.owner.http.patch(f"/api/tasks/{task['id']}", json={"notes": "more"})
        assert renamed.status_code == 200, renamed.text
        events = await witness.events(3)
    assert [e["type"] for e in events] == ["task_created", "comment_created", "task_updated"]
    await eventually(lambda: scene.live.connections_of(scene.owner.id) == tabs, "the tab gone")
    return events[-1]


async def assert_ws_refused(scene: Scene, person: Person) -> None:
    """Joining, with and without a replay, is refused exactly as for a made-up project."""
    async with connect(scene.live.ws_url, token=person.token) as client:
        for last_seq in (None, 0, 1):
            frame: Frame = {"type": "join", "projectId": scene.project}
            if last_seq is not None:
                frame["lastSeq"] = last_seq
            await client.send(frame)
            error = await client.expect("error")
            await client.send({**frame, "projectId": MADE_UP["project"]})
            made_up = await client.expect("error")
            assert error["code"] == made_up["code"] == "forbidden"
            assert error["message"] == made_up["message"]
        assert await client.drained() == []


async def assert_sse_refused(scene: Scene, person: Person) -> None:
    """Every stream that names the project, with or without a cursor, alone or beside
    the person's own projects, is refused before it starts, as for a made-up one."""
    own = [p["id"] for p in person.http.get("/api/projects").json()][:1]
    cases = [([], None), ([], "0"), (own, "1")]
    async with httpx.AsyncClient(base_url=scene.live.gateway_http, timeout=30) as http:
        for also, cursor in cases:
            answers = []
            for project in (scene.project, MADE_UP["project"]):
                params = [("projectId", pid) for pid in (*also, project)]
                headers = bearer(person)
                if cursor is not None:
                    headers["Last-Event-ID"] = cursor if not also else f"{project}:{cursor}"
                async with http.stream("GET", "/sse", params=params, headers=headers) as response:
                    answers.append((response.status_code, await response.aread()))
            assert answers[0] == answers[1], (also, cursor, answers)
            status, body = answers[0]
            assert status == 403, body
            error_of(json.loads(body), "forbidden")


async def assert_gateway_doors_closed(scene: Scene, person: Person) -> None:
    """The gateway's HTTP side gives ``person`` nothing: the broadcast endpoint and the
    presence list want the broadcast secret (a user's token is not it), and the
    metrics page names no project."""
    head = scene.head()
    body = {"projectId": scene.project, "type": "comment_deleted", "data": {}}
    async with httpx.AsyncClient(base_url=scene.live.gateway_http, timeout=10) as http:
        for headers in ({}, {"Authorization": "Bearer wrong"}, bearer(person)):
            appended = await http.post("/broadcast", json=body, headers=headers)
            notice = await http.post(
                "/broadcast", json={"projectId": scene.project, "seq": 1}, headers=headers
            )
            present = await http.get(f"/presence/{scene.project}", headers=headers)
            for response in (appended, notice, present):
                assert response.status_code == 401, response.text
                error_of(response.json(), "unauthorized")
        metrics = await http.get("/metrics")
    assert scene.head() == head
    assert scene.project not in metrics.text
    assert scene.secret not in metrics.text


# -- an outsider -----------------------------------------------------------------------


async def test_an_outsider_is_refused_everywhere_and_receives_nothing_while_it_goes_on(
    scene: Scene,
) -> None:
    eve = scene.outsider
    async with (
        watching(scene, scene.owner) as witness,
        connect(scene.live.ws_url, token=eve.token) as lurker,
        httpx.AsyncClient(base_url=scene.live.api_url, headers=bearer(eve), timeout=30) as http,
    ):
        # Her own project followed, and the foreign one asked for every way.
        own = next(p["id"] for p in eve.http.get("/api/projects").json())
        await lurker.join(own)
        await lurker.send({"type": "join", "projectId": scene.project, "lastSeq": 0})
        assert (await lurker.until("error"))["code"] == "forbidden"  # past her own arrival
        poll = asyncio.create_task(
            http.get(f"/api/projects/{scene.project}/events", params={"after": 0, "wait": 5})
        )
        await stir(scene, witness)
        answered = await asyncio.wait_for(poll, 10)
        leaked = await lurker.drained()
    assert answered.status_code == 404, answered.text
    assert leaked == []
    await assert_ws_refused(scene, eve)
    await assert_sse_refused(scene, eve)
    await assert_gateway_doors_closed(scene, eve)
    assert_reads_like_nothing(scene, eve)


async def test_presence_in_a_project_never_reaches_an_outsider_on_either_stream(
    scene: Scene,
) -> None:
    eve = scene.outsider
    own = next(p["id"] for p in eve.http.get("/api/projects").json())
    async with (
        connect(scene.live.ws_url, token=eve.token) as lurker,
        sse_log(scene, eve, project=own) as stream,
    ):
        await lurker.join(own)
        await stream.through(is_joined)  # its opening (the connection's own frame)
        async with watching(scene, scene.owner) as ana:
            async with watching(scene, scene.member):
                arrived = await ana.expect("user_connected")
            departed = await ana.expect("user_disconnected")
        assert arrived["userId"] == departed["userId"] == scene.member.id  # it did happen
        await eventually(lambda: scene.live.connections_of(scene.owner.id) == 0, "Ana gone")
        # A change to her own project, after all that: what reached her came before it.
        added = eve.http.post(f"/api/projects/{own}/tasks", json={"name": "marker"})
        assert added.status_code == 201, added.text
        marker = eve.http.get(f"/api/projects/{own}").json()["seq"]
        over_ws = await lurker.through(marker)
        over_sse = [event.data for event in await stream.through(lambda e: e.id == str(marker))]
    for frame in [*over_ws, *over_sse]:
        assert frame.get("projectId") == own, frame
        assert frame.get("userId") in (None, eve.id), frame
    present = eve.http.get(f"/api/projects/{scene.project}/presence")
    assert present.status_code == 404, present.text
    # Nor, the other way round, does the project's presence list show her.
    assert eve.id not in str(scene.owner.http.get(f"/api/projects/{scene.project}/presence").json())


# -- a member, then removed ---------------------------------------------------------------


async def test_a_removed_member_gets_left_once_then_nothing_and_is_refused_everywhere(
    scene: Scene,
) -> None:
    ben = scene.member
    async with (
        watching(scene, scene.owner) as witness,
        watching(scene, ben) as live_ws,
        watching(scene, ben, last_seq=0) as replayed_ws,
        sse_log(scene, ben, last_event_id="0") as stream,
        httpx.AsyncClient(base_url=scene.live.api_url, headers=bearer(ben), timeout=30) as http,
    ):
        head = scene.head()
        await stream.through(lambda event: event.id == str(head))  # the replay
        await witness.drained()
        poll = asyncio.create_task(
            http.get(f"/api/projects/{scene.project}/events", params={"after": head, "wait": 10})
        )
        await eventually(lambda: scene.live.poll_waits(scene.project), "the long poll waiting")
        scene.remove_member()
        removal = (await witness.events(1))[0]
        assert (removal["type"], removal["data"]["userId"]) == ("member_removed", ben.id)
        answered = await asyncio.wait_for(poll, 10)
        revoked = {"type": "left", "projectId": scene.project, "reason": "access_revoked"}
        for client in (live_ws, replayed_ws):
            assert await client.next() == revoked  # not even the removal event itself
        await asyncio.wait_for(stream.ended.wait(), 10)
        sse_after = stream.take()
        departed = await witness.next()
        await stir(scene, witness)
        after = [await client.drained() for client in (live_ws, replayed_ws)]
    assert answered.status_code == 404, answered.text
    assert [(event.event, event.data) for event in sse_after] == [("left", revoked)]
    assert (departed["type"], departed["userId"]) == ("user_disconnected", ben.id)
    assert after == [[], []]
    await assert_ws_refused(scene, ben)
    await assert_sse_refused(scene, ben)
    assert_reads_like_nothing(scene, ben)
    present = scene.owner.http.get(f"/api/projects/{scene.project}/presence").json()
    assert ben.id not in {p["userId"] for p in present}


async def test_a_join_racing_the_removal_never_delivers_anything_after_it(scene: Scene) -> None:
    """The join is checked after it subscribes, so a removal that commits meanwhile
    still ends it. Raced a number of times: each join is refused, or joins and is
    revoked with ``left``, after which nothing comes; nothing from the removal on (the
    removal included) reaches the removed member, through the replay or live."""
    ben, owner = scene.member, scene.owner
    members = f"/api/projects/{scene.project}/members"
    async with (
        httpx.AsyncClient(base_url=scene.live.api_url, headers=bearer(owner), timeout=30) as http,
        watching(scene, owner) as witness,
    ):
        for attempt in range(ATTEMPTS):
            if attempt:
                added = await http.post(members, json={"userId": ben.id, "role": "editor"})
                assert added.status_code == 201, added.text
            head = scene.head()
            async with connect(scene.live.ws_url, token=ben.token) as client:
                join = {"type": "join", "projectId": scene.project, "lastSeq": max(0, head - 3)}
                _sent, removed = await asyncio.gather(
                    client.send(join), http.delete(f"{members}/{ben.id}")
                )
                assert removed.status_code == 204, removed.text
                created = await http.post(
                    f"/api/projects/{scene.project}/tasks", json={"name": "after"}
                )
                assert created.status_code == 201, created.text
                # Until the join's outcome, however slow the machine: refused, or revoked.
                frames: list[Frame] = []
                while not frames or not outcome(frames):
                    try:
                        frames.append(await client.next(10))
                    except TimeoutError:
                        raise AssertionError(f"no outcome: {attempt} {frames}") from None
                # Once the owner has the change after the removal, Ben would have had
                # it too; and his join has been answered, its replay included.
                await witness.through(head + 2)
                frames += await client.drained()  # and then nothing more
            removal = head + 1
            late = [f for f in frames if f.get("seq", 0) >= removal and f["type"] != "joined"]
            assert late == [], (attempt, frames)
            kinds = [f["type"] for f in frames]
            if "joined" in kinds:
                assert kinds[0] == "joined", (attempt, frames)
                left = kinds.index("left")
                assert frames[left]["reason"] == "access_revoked"
                assert frames[left + 1 :] == [], (attempt, frames)
            else:
                # Refused. When the removal reaches the room while the join is being
                # checked, the subscription it had taken is ended first: a `left`.
                assert kinds in (["error"], ["left", "error"]), (attempt, frames)
                assert frames[-1]["code"] == "forbidden"


def outcome(frames: list[Frame]) -> bool:
    """Whether a raced join has come to its end: refused, or joined and then revoked."""
    kinds = [f["type"] for f in frames]
    return kinds[-1] == "error" or (kinds[-1] == "left" and "joined" in kinds)


# -- the project, deleted -------------------------------------------------------------------


async def test_after_deletion_members_get_project_deleted_and_left_then_nothing(
    scene: Scene,
) -> None:
    ben, ana = scene.member, scene.owner
    head = scene.head()
    async with (
        watching(scene, ana) as owner_ws,
        watching(scene, ben, last_seq=0) as member_ws,
        sse_log(scene, ben) as stream,
        httpx.AsyncClient(base_url=scene.live.api_url, headers=bearer(ben), timeout=30) as http,
    ):
        await stream.through(is_joined)
        await owner_ws.drained()  # the member's arrival
        poll = asyncio.create_task(
            http.get(f"/api/projects/{scene.project}/events", params={"after": head, "wait": 10})
        )
        await eventually(lambda: scene.live.poll_waits(scene.project), "the long poll waiting")
        scene.delete_project()
        ended: list[list[Frame]] = []
        for client in (owner_ws, member_ws):
            deleted, left = await client.next(), await client.next()
            assert (deleted["type"], deleted["seq"]) == ("project_deleted", head + 1)
            assert left == {"type": "left", "projectId": scene.project, "reason": "project_deleted"}
            ended.append(await client.drained())
        await asyncio.wait_for(stream.ended.wait(), 10)
        sse = stream.take()
        answered = await asyncio.wait_for(poll, 10)
        # Nothing can happen to it any more, through the API or the broadcast endpoint.
        refused_change = ana.http.post(
            f"/api/projects/{scene.project}/tasks", json={"name": "ghost"}
        )
        secret = scene.live.stack.settings.resolved_broadcast_secret()
        async with httpx.AsyncClient(base_url=scene.live.gateway_http, timeout=10) as gateway:
            appended = await gateway.post(
                "/broadcast",
                json={
                    "projectId": scene.project,
                    "type": "comment_deleted",
                    "data": {"commentId": scene.comment, "taskId": scene.task},
                },
                headers={"Authorization": f"Bearer {secret}"},
            )
        after = [await client.drained() for client in (owner_ws, member_ws)]
    assert ended == [[], []]
    assert [event.event for event in sse] == ["project_deleted", "left"]
    assert answered.status_code == 200, answered.text
    assert [e["type"] for e in answered.json()["events"]] == ["project_deleted"]
    assert refused_change.status_code == 404
    assert appended.status_code == 404, appended.text
    assert after == [[], []]
    for person in (ana, ben):
        await assert_ws_refused(scene, person)
        await assert_sse_refused(scene, person)
        # Its log stays readable to its members (it ends with the deletion); not the rest.
        tail = person.http.get(
            f"/api/projects/{scene.project}/events", params={"after": head + 1, "wait": 5}
        ).json()
        assert (tail["events"], tail["ended"]) == ([], True)
        for template in READS:
            if "/events" in template:
                continue
            response = person.http.get(template.format(**scene.ids))
            assert response.status_code == 404, (template, response.text)
    assert_reads_like_nothing(scene, scene.outsider)
