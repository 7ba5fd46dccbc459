"""Two episodes of one seed, driven at once by different agents, never meet.

Episodes of one seed hold the same project, user, section and task IDs, and the same
emails: a change, an event or a person of one that reached the other would pass there
for its own. So each agent marks what it writes with its episode's id, and each test
shows that a mark never crosses over: not in the state, the diff or the trajectory, not
on a WebSocket, an SSE stream or a long poll, not in presence, not through a reset, a
restore or a clock, and not with a token, a ticket or a cookie. What did not arrive is
shown with a witness (``Client.drained()``, or an event of the episode's own sent after
the other's change), never by waiting a while. And the same actions, played in both at
once, give the same bytes in both.

The suite runs on a gym server on SQLite twice: with the in-memory broker, and with
``REDIS_URL`` set, where every episode of the process talks to the same Redis.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest

from tasklane.gym.presets import PASSWORD
from tasklane.protocol import closes
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, live_stack
from tests.processes import redis_server
from tests.realtime.client import Client, connect
from tests.realtime.followers import Follower, SseReader
from tests.realtime.test_fallbacks import refused

Json = dict[str, Any]
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN}"}
SEED = 11
WITHIN = 10.0  # the longest any one thing a test waits for may take


# -- who and where -------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    id: str
    email: str


@dataclass(frozen=True)
class Cast:
    """Who acts, the same in every episode of the seed: a project, its owner and two
    more of its members."""

    project_id: str
    owner: Member
    first: Member
    second: Member


@dataclass(frozen=True)
class Episode:
    """One episode's addresses, reached through the test's HTTP client."""

    id: str
    base: str  # http://127.0.0.1:PORT/e/<id>
    ws: str  # ws://127.0.0.1:WS_PORT/e/<id>
    gateway_http: str  # http://127.0.0.1:WS_PORT/e/<id>
    http: httpx.AsyncClient = field(compare=False, repr=False)

    async def gym(self, method: str, path: str, body: Json | None = None) -> httpx.Response:
        """A call to the episode's own gym API (``<base>/api/gym/…``); it must succeed."""
        answer = await self.http.request(
            method, f"{self.base}/api/gym{path}", json=body, headers=ADMIN_HEADERS
        )
        assert answer.is_success, (path, answer.status_code, answer.text)
        return answer

    async def state(self) -> bytes:
        return (await self.gym("GET", "/state")).content

    async def trajectory(self) -> list[Json]:
        events: list[Json] = (await self.gym("GET", "/events")).json()["events"]
        return events

    @asynccontextmanager
    async def signed_in(self, member: Member) -> AsyncIterator[Agent]:
        """``member`` signed in to this episode, by Bearer token as an agent's SDK is."""
        answer = await self.http.post(
            f"{self.base}/api/auth/login", json={"email": member.email, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        self.http.cookies.clear()  # the client is shared: it keeps no sign-in
        yield Agent(self, member, answer.json()["token"])


@dataclass
class Agent:
    """A member signed in to one episode, and what it does there."""

    episode: Episode
    member: Member
    token: str

    async def request(self, method: str, path: str, body: Json | None = None) -> httpx.Response:
        return await self.episode.http.request(
            method, self.episode.base + path, json=body, headers=bearer(self.token)
        )

    async def call(self, method: str, path: str, body: Json | None = None) -> Any:
        """The answer's JSON (``{}`` for none); the call must succeed."""
        answer = await self.request(method, path, body)
        assert answer.is_success, (method, path, answer.status_code, answer.text)
        return answer.json() if answer.content else {}

    async def change(self, project_id: str, count: int = 1) -> list[Json]:
        """``count`` changes marked with the episode's id, in turn a task created, its
        notes written and a comment on it: one event each."""
        made: list[Json] = []
        task: Json = {}
        for n in range(count):
            mark = f"{n} of {self.episode.id}"
            if n % 3 == 0:
                task = await self.call(
                    "POST", f"/api/projects/{project_id}/tasks", {"name": f"task {mark}"}
                )
                made.append(task)
            elif n % 3 == 1:
                made.append(await self.call("PATCH", f"/api/tasks/{task['id']}", {"notes": mark}))
            else:
                made.append(
                    await self.call("POST", f"/api/tasks/{task['id']}/comments", {"text": mark})
                )
        return made


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def marked_by(frames: list[Json], own: Episode, other: Episode) -> bool:
    """Whether every frame carries the mark of ``own`` and none that of ``other``."""
    return all(own.id in json.dumps(f) and other.id not in json.dumps(f) for f in frames)


@asynccontextmanager
async def watching(agent: Agent, project_id: str) -> AsyncIterator[Client]:
    """A WebSocket of ``agent`` joined to the project, past the announcement of its own
    arrival (which comes back through the broker: with Redis, after a round trip)."""
    async with connect(agent.episode.ws, token=agent.token) as client:
        await client.join(project_id)
        assert (await client.until("user_connected"))["userId"] == agent.member.id
        yield client


# -- the server and its episodes -------------------------------------------------------

Episodes = Callable[[], Awaitable[Episode]]  # the ``episodes`` fixture: a new one each call


@pytest.fixture(scope="module", params=["memory", "redis", "postgresql"])
def host(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveStack]:
    """A gym server on SQLite with the in-memory broker or with Redis, or on
    PostgreSQL (a schema per episode, on one pool whose connections move between
    them) with the in-memory broker."""
    folder = tmp_path_factory.mktemp("isolation")
    with ExitStack() as resources:
        backend = "postgresql" if request.param == "postgresql" else "sqlite"
        url = resources.enter_context(throwaway_database(backend, folder))
        settings = gym_settings(url, folder)
        if request.param == "redis":
            redis = resources.enter_context(redis_server(folder / "redis"))
            settings = settings.model_copy(update={"redis_url": redis.url})
        yield resources.enter_context(live_stack(settings))


@pytest.fixture
async def episodes(host: LiveStack) -> AsyncIterator[Episodes]:
    """``await episodes()`` makes a new episode of ``SEED``; the test's episodes are
    deleted after it. One HTTP client serves the test (each new one costs tens of
    milliseconds)."""
    made: list[str] = []
    async with httpx.AsyncClient(timeout=60) as http:

        async def new() -> Episode:
            answer = await http.post(
                f"{host.api_url}/api/gym/episodes", json={"seed": SEED}, headers=ADMIN_HEADERS
            )
            assert answer.status_code == 201, answer.text
            created = answer.json()
            made.append(created["id"])
            urls = created["urls"]
            gateway = urls["gateway"]
            return Episode(created["id"], urls["base"], gateway["ws"], gateway["http"], http)

        yield new
        for episode_id in made:
            await http.delete(
                f"{host.api_url}/api/gym/episodes/{episode_id}", headers=ADMIN_HEADERS
            )


@pytest.fixture(scope="module")
def cast(host: LiveStack) -> Cast:
    """The project with the most members, read from an episode made for the purpose."""
    with httpx.Client(base_url=host.api_url, headers=ADMIN_HEADERS, timeout=60) as admin:
        created = admin.post("/api/gym/episodes", json={"seed": SEED}).json()
        state = admin.get(f"{created['urls']['base']}/api/gym/state").json()
        admin.delete(f"/api/gym/episodes/{created['id']}")
    emails = {u["id"]: u["email"] for u in state["users"]}
    members: dict[str, list[Json]] = {}
    for member in sorted(state["members"], key=lambda m: m["id"]):
        members.setdefault(member["projectId"], []).append(member)
    project_id = max(sorted(members), key=lambda p: len(members[p]))
    owner = next(m for m in members[project_id] if m["role"] == "owner")
    first, second = [m for m in members[project_id] if m["role"] == "editor"][:2]
    return Cast(
        project_id, *(Member(m["userId"], emails[m["userId"]]) for m in (owner, first, second))
    )


# -- state, diff, trajectory and tokens ----------------------------------------------------


async def test_changes_in_one_episode_are_absent_from_the_other(
    episodes: Episodes, cast: Cast
) -> None:
    a, b = await episodes(), await episodes()
    async with a.signed_in(cast.owner) as in_a, b.signed_in(cast.owner) as in_b:
        task, _notes, comment = await in_a.change(cast.project_id, 3)
        # The same task ID, were B to make a task; B has made none.
        assert (await in_b.request("GET", f"/api/tasks/{task['id']}")).status_code == 404
        listed = await in_b.call("GET", f"/api/projects/{cast.project_id}/tasks")
        assert a.id not in json.dumps(listed)
        # Each one's token means nothing in the other, though it names the same person.
        for agent, other in ((in_a, b), (in_b, a)):
            stranger = await other.http.get(
                f"{other.base}/api/auth/me", headers=bearer(agent.token)
            )
            assert stranger.status_code == 401
    diff_a = (await a.gym("GET", "/diff")).json()["changes"]
    assert [t["name"] for t in diff_a["tasks"]["added"]] == [task["name"]]
    assert [t["notes"] for t in diff_a["tasks"]["added"]] == [f"1 of {a.id}"]
    assert [c["text"] for c in diff_a["comments"]["added"]] == [comment["text"]]
    diff_b = (await b.gym("GET", "/diff")).json()["changes"]
    assert not any(rows for table in diff_b.values() for rows in table.values()), diff_b
    assert await b.trajectory() == []
    # B is what a fresh episode of the seed is, byte for byte; A is not.
    fresh = await (await episodes()).state()
    assert await b.state() == fresh
    assert await a.state() != fresh


async def test_credentials_of_one_episode_open_nothing_at_the_others_gateway(
    episodes: Episodes, cast: Cast
) -> None:
    a, b = await episodes(), await episodes()
    async with a.signed_in(cast.owner) as in_a:
        issued = await in_a.call("POST", "/api/realtime/ticket")
        assert issued["url"].startswith(f"{a.ws}/ws?")
        async with connect(b.ws, ticket=issued["ticket"], expect_connected=False) as client:
            assert (await client.closed())[0] == closes.UNAUTHORIZED
        async with connect(b.ws, token=in_a.token, expect_connected=False) as client:
            assert (await client.closed())[0] == closes.UNAUTHORIZED
        status, _body = await refused(
            b.gateway_http, [("projectId", cast.project_id)], bearer(in_a.token)
        )
        assert status == 401
        # B's gateway did not use up the ticket: it still opens A's.
        async with connect(a.ws, ticket=issued["ticket"], expect_connected=False) as client:
            assert (await client.expect("connected"))["userId"] == cast.owner.id


# -- events on every transport ---------------------------------------------------------


async def test_websocket_clients_hear_their_own_episode_only(
    episodes: Episodes, cast: Cast
) -> None:
    a, b = await episodes(), await episodes()
    async with (
        a.signed_in(cast.owner) as in_a,
        b.signed_in(cast.owner) as in_b,
        watching(in_a, cast.project_id) as client_a,
        watching(in_b, cast.project_id) as client_b,
    ):

        async def drive(agent: Agent, client: Client) -> list[Json]:
            made = await agent.change(cast.project_id, 6)
            return await client.events(len(made), WITHIN)

        heard_a, heard_b = await asyncio.gather(drive(in_a, client_a), drive(in_b, client_b))
        # Each has heard all its own episode made: whatever of the other's was on its
        # way to it came before the answer to this ping.
        assert await client_a.drained() == []
        assert await client_b.drained() == []
    assert marked_by(heard_a, a, b)
    assert marked_by(heard_b, b, a)
    # Exactly each episode's own log, in order, from seq 1.
    assert heard_a == await a.trajectory()
    assert heard_b == await b.trajectory()
    assert [e["seq"] for e in heard_a] == [e["seq"] for e in heard_b] == list(range(1, 7))


@pytest.mark.parametrize(("way_a", "way_b"), [("sse", "poll"), ("poll", "sse")])
async def test_sse_and_long_poll_followers_hear_their_own_episode_only(
    episodes: Episodes, cast: Cast, way_a: str, way_b: str
) -> None:
    a, b = await episodes(), await episodes()
    async with a.signed_in(cast.owner) as in_a, b.signed_in(cast.owner) as in_b:
        agents = {a: in_a, b: in_b}
        followers = {
            episode: Follower(
                way,
                episode.base,
                episode.ws,
                episode.gateway_http,
                agents[episode].token,
                cast.project_id,
            )
            for episode, way in ((a, way_a), (b, way_b))
        }
        heard: dict[Episode, list[Json]] = {a: [], b: []}

        async def follow(episode: Episode) -> None:
            async with asyncio.timeout(WITHIN):
                heard[episode] += await followers[episode].take(1)

        async with followers[a].session(0), followers[b].session(0):
            # One changes, then the other: had the first's event crossed over, it would
            # come to the second's follower before the second's own.
            for first, second in ((a, b), (b, a)):
                await agents[first].change(cast.project_id)
                await follow(first)
                await agents[second].change(cast.project_id)
                await follow(second)
            # And both at once.
            await asyncio.gather(*(agent.change(cast.project_id) for agent in agents.values()))
            await asyncio.gather(follow(a), follow(b))
    assert marked_by(heard[a], a, b)
    assert marked_by(heard[b], b, a)
    assert heard[a] == await a.trajectory()
    assert heard[b] == await b.trajectory()
    assert [e["seq"] for e in heard[a]] == [e["seq"] for e in heard[b]] == [1, 2, 3]


# -- presence ------------------------------------------------------------------------


async def test_people_present_in_one_episode_are_absent_from_the_other(
    episodes: Episodes, cast: Cast
) -> None:
    a, b = await episodes(), await episodes()
    project = cast.project_id
    async with (
        a.signed_in(cast.first) as first_in_a,
        a.signed_in(cast.second) as second_in_a,
        b.signed_in(cast.owner) as owner_in_b,
        watching(first_in_a, project) as client_a,
    ):

        async def present(agent: Agent) -> list[str]:
            people = await agent.call("GET", f"/api/projects/{project}/presence")
            return sorted(p["userId"] for p in people)

        async with connect(b.ws, token=owner_in_b.token) as client_b:
            joined = await client_b.join(project)
            assert [p["userId"] for p in joined["presence"]] == [cast.owner.id]
            assert (await client_b.until("user_connected"))["userId"] == cast.owner.id
            async with watching(second_in_a, project):
                # A's first member sees the second arrive: the arrival was announced.
                assert (await client_a.until("user_connected"))["userId"] == cast.second.id
                assert await client_b.drained() == []
                assert await present(owner_in_b) == [cast.owner.id]
                assert await present(first_in_a) == sorted([cast.first.id, cast.second.id])
            departed = await client_a.until("user_disconnected")
            assert departed["userId"] == cast.second.id
            assert await client_b.drained() == []
            assert await present(owner_in_b) == [cast.owner.id]
            # And the other way: B's owner, there all along, never showed in A (whose
            # client heard only the second member come and go).
            assert await present(first_in_a) == [cast.first.id]
            assert await client_a.drained() == []


# -- resets, restores and clocks ---------------------------------------------------------


@pytest.mark.parametrize("undo", ["reset", "restore"])
async def test_a_reset_or_restore_of_one_episode_leaves_the_other_alone(
    episodes: Episodes, cast: Cast, undo: str
) -> None:
    a, b = await episodes(), await episodes()
    snapshot = (await a.gym("POST", "/snapshot")).json()["id"]
    # A's snapshot is A's alone.
    assert (await b.gym("GET", "/snapshots")).json() == []
    elsewhere = await b.http.post(f"{b.base}/api/gym/restore/{snapshot}", headers=ADMIN_HEADERS)
    assert elsewhere.status_code == 404
    async with (
        a.signed_in(cast.owner) as in_a,
        b.signed_in(cast.owner) as in_b,
        watching(in_a, cast.project_id) as client_a,
        watching(in_b, cast.project_id) as client_b,
    ):
        await in_b.change(cast.project_id)
        assert [e["seq"] for e in await client_b.events(1)] == [1]
        await in_a.change(cast.project_id)
        assert [e["seq"] for e in await client_a.events(1)] == [1]
        if undo == "reset":
            await a.gym("POST", "/reset", {"seed": SEED})
        else:
            await a.gym("POST", f"/restore/{snapshot}")
        resync = await client_a.until("resync_required")
        assert (resync["projectId"], resync["seq"]) == (cast.project_id, 0)
        assert await client_b.drained() == []
        # B goes on from where it was, A from the start again, each hearing its own.
        await in_b.change(cast.project_id)
        after_b = await client_b.events(1)
        await in_a.change(cast.project_id)
        after_a = await client_a.events(1)
        assert [e["seq"] for e in after_b] == [2]
        assert [e["seq"] for e in after_a] == [1]
        assert marked_by(after_b, b, a)
        assert marked_by(after_a, a, b)
        assert await client_a.drained() == []
        assert await client_b.drained() == []
    assert [e["seq"] for e in await b.trajectory()] == [1, 2]
    assert [e["seq"] for e in await a.trajectory()] == [1]


async def test_deleting_one_episode_leaves_the_others_connections_open(
    host: LiveStack, episodes: Episodes, cast: Cast
) -> None:
    a, b = await episodes(), await episodes()
    async with (
        a.signed_in(cast.owner) as in_a,
        b.signed_in(cast.owner) as in_b,
        watching(in_a, cast.project_id) as client_a,
        watching(in_b, cast.project_id) as client_b,
    ):
        gone = await a.http.delete(f"{host.api_url}/api/gym/episodes/{a.id}", headers=ADMIN_HEADERS)
        assert gone.status_code == 204
        assert (await client_a.closed())[0] == closes.EPISODE_GONE
        assert await client_b.drained() == []
        await in_b.change(cast.project_id)
        assert [e["seq"] for e in await client_b.events(1)] == [1]
    assert (await b.gym("GET", "/clock")).status_code == 200


async def test_a_clock_set_in_one_episode_leaves_the_other_alone(
    episodes: Episodes, cast: Cast
) -> None:
    a, b = await episodes(), await episodes()
    seeded = (await b.gym("GET", "/clock")).json()
    moved = (await a.gym("POST", "/clock", {"now": "2031-05-06T07:08:09Z"})).json()
    assert moved["now"] == "2031-05-06T07:08:09.000Z"
    async with a.signed_in(cast.owner) as in_a, b.signed_in(cast.owner) as in_b:
        # A change in each, after the clock was set: each stamped by its own clock.
        [task_a], [task_b] = await asyncio.gather(
            in_a.change(cast.project_id), in_b.change(cast.project_id)
        )
    assert task_a["createdAt"] == moved["now"]
    assert task_b["createdAt"] == seeded["now"]
    assert (await b.gym("GET", "/clock")).json() == seeded


# -- determinism ---------------------------------------------------------------------


async def play(agent: Agent, project_id: str) -> list[Json]:
    """One agent's actions, each on what its own earlier answers said."""
    plan = await agent.call("POST", f"/api/projects/{project_id}/tasks", {"name": "Draft the plan"})
    room = await agent.call("POST", f"/api/projects/{project_id}/tasks", {"name": "Book a room"})
    answers = [plan, room]
    answers.append(await agent.call("PATCH", f"/api/tasks/{plan['id']}", {"status": "done"}))
    answers.append(
        await agent.call("POST", f"/api/tasks/{room['id']}/comments", {"text": "Room 4 is free"})
    )
    figures = await agent.call(
        "POST", f"/api/tasks/{plan['id']}/subtasks", {"name": "Collect the figures"}
    )
    answers.append(figures)
    answers.append(
        await agent.call(
            "PATCH",
            f"/api/tasks/{room['id']}",
            {"assigneeId": agent.member.id, "dueOn": "2026-03-10", "status": "in_progress"},
        )
    )
    answers.append(await agent.call("DELETE", f"/api/tasks/{figures['id']}"))
    return answers


async def test_the_same_actions_give_the_same_bytes_in_both(episodes: Episodes, cast: Cast) -> None:
    a, b = await episodes(), await episodes()
    seeded = await a.state()
    async with a.signed_in(cast.owner) as in_a, b.signed_in(cast.owner) as in_b:
        answers_a, answers_b = await asyncio.gather(
            play(in_a, cast.project_id), play(in_b, cast.project_id)
        )
    assert answers_a == answers_b  # the same IDs and timestamps
    state_a, state_b = [await e.state() for e in (a, b)]
    assert state_a == state_b
    assert state_a != seeded
    events_a, events_b = [(await e.gym("GET", "/events")).content for e in (a, b)]
    assert events_a == events_b
    assert len(json.loads(events_a)["events"]) == len(answers_a)


# -- cookies ----------------------------------------------------------------------------


async def test_each_episode_has_its_own_session_cookie(
    host: LiveStack, episodes: Episodes, cast: Cast
) -> None:
    a, b = await episodes(), await episodes()
    credentials = {"password": PASSWORD}
    async with httpx.AsyncClient(timeout=30) as browser:
        signed = await browser.post(
            f"{a.base}/api/auth/login", json={**credentials, "email": cast.first.email}
        )
        assert signed.status_code == 200, signed.text
        cookie = SimpleCookie(signed.headers["set-cookie"])
        assert list(cookie) == [f"tasklane_session_{a.id}"]
        assert cookie[f"tasklane_session_{a.id}"]["path"] == f"/e/{a.id}"
        secret = cookie[f"tasklane_session_{a.id}"].value

        async def me(episode: Episode) -> str | int:
            answer = await browser.get(f"{episode.base}/api/auth/me")
            return answer.json()["id"] if answer.status_code == 200 else answer.status_code

        # Signed in to A only: nobody in B, nor at the root.
        assert await me(a) == cast.first.id
        assert await me(b) == 401
        assert (await browser.get(f"{host.api_url}/api/auth/me")).status_code == 401
        # Signed in to both, as different people: each episode sees its own.
        signed = await browser.post(
            f"{b.base}/api/auth/login", json={**credentials, "email": cast.second.email}
        )
        assert signed.status_code == 200, signed.text
        assert await me(a) == cast.first.id
        assert await me(b) == cast.second.id
        # The gateway reads the same cookie under the same prefix, from the app's origin.
        origin = {"Origin": host.stack.settings.app_origins()[1]}
        for episode, member in ((a, cast.first), (b, cast.second)):
            async with browser.stream(
                "GET",
                f"{episode.gateway_http}/sse",
                params={"projectId": cast.project_id},
                headers=origin,
            ) as response:
                assert response.status_code == 200, await response.aread()
                connected = await SseReader(response).next()
                assert (connected.event, connected.data["userId"]) == ("connected", member.id)
    # A's cookie, handed to B by name and value, is nobody there: B reads its own.
    handed = f"tasklane_session_{a.id}={secret}"
    async with httpx.AsyncClient(timeout=30, headers={"Cookie": handed}) as stranger:
        assert (await stranger.get(f"{a.base}/api/auth/me")).status_code == 200
        assert (await stranger.get(f"{b.base}/api/auth/me")).status_code == 401
