"""Revocation reaches connections that are already open. Signing out ends that session's
WebSocket and SSE connections and voids its unused tickets; deleting a personal token
does the same for the token; an expired session's connections close; other sessions of
the same person carry on. Across processes the news travels with the broker (or the
gateway's ``/control`` from an API-only process), and when it is lost the gateways'
periodic check (``CREDENTIAL_CHECK_SECONDS``) closes the connections anyway."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tasklane.clock import AdjustableClock
from tasklane.protocol import closes
from tasklane.settings import Settings
from tests.backends import throwaway_database
from tests.conftest import Person, unique_email
from tests.live import LiveStack, live_stack
from tests.processes import Tasklane, free_port, redis_server
from tests.realtime.client import connect
from tests.realtime.followers import SseEvent, SseReader, sse_stream

PASSWORD = "correct horse"
SIGNED_OUT = (closes.UNAUTHORIZED, "signed out, or the token was revoked or expired")


def register(api_url: str) -> tuple[str, str]:
    """A new account on ``api_url``: its user ID and session token."""
    answer = httpx.post(
        f"{api_url}/api/auth/register",
        json={"email": unique_email("revoked"), "name": "Rev", "password": PASSWORD},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["user"]["id"], answer.json()["token"]


def sign_in_again(api_url: str, person: Person) -> str:
    answer = httpx.post(
        f"{api_url}/api/auth/login", json={"email": person.email, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_project(api_url: str, token: str) -> str:
    answer = httpx.post(f"{api_url}/api/projects", json={"name": "Plans"}, headers=bearer(token))
    assert answer.status_code == 201, answer.text
    project: str = answer.json()["id"]
    return project


def sign_out(api_url: str, token: str) -> None:
    answer = httpx.post(f"{api_url}/api/auth/logout", headers=bearer(token))
    assert answer.status_code == 204, answer.text


def signed_in(api_url: str, token: str) -> bool:
    answer = httpx.get(f"{api_url}/api/auth/me", headers=bearer(token))
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 200


def add_task(api_url: str, token: str, project: str, name: str) -> None:
    answer = httpx.post(
        f"{api_url}/api/projects/{project}/tasks", json={"name": name}, headers=bearer(token)
    )
    assert answer.status_code == 201, answer.text


def ticket(api_url: str, token: str) -> str:
    answer = httpx.post(f"{api_url}/api/realtime/ticket", headers=bearer(token))
    assert answer.status_code == 201, answer.text
    secret: str = answer.json()["ticket"]
    return secret


async def until_event(stream: SseReader, name: str) -> SseEvent:
    event = await stream.next()
    while event.event != name:
        event = await stream.next()
    return event


async def assert_ticket_refused(ws_url: str, secret: str) -> None:
    async with connect(ws_url, ticket=secret, expect_connected=False) as refused:
        assert await refused.closed() == (closes.UNAUTHORIZED, "invalid or expired ticket")


async def test_signing_out_ends_that_sessions_streams_and_tickets_and_nothing_else(
    live: LiveStack, signup: Any
) -> None:
    person: Person = signup("leaver")
    other_session = sign_in_again(live.api_url, person)
    project = new_project(live.api_url, person.token)
    unused = ticket(live.api_url, person.token)
    async with (
        connect(live.ws_url, token=person.token) as signed_out,
        connect(live.ws_url, token=other_session) as staying,
        sse_stream(live.gateway_http, person.token, [project]) as stream,
    ):
        for client in (signed_out, staying):
            await client.join(project)
        await until_event(stream, "joined")

        sign_out(live.api_url, person.token)

        # Well before the periodic check (CREDENTIAL_CHECK_SECONDS, 10 s by default).
        assert await signed_out.closed(within=5) == SIGNED_OUT
        event = await until_event(stream, "close")
        assert (event.data["code"], event.data["reason"]) == SIGNED_OUT
        await assert_ticket_refused(live.ws_url, unused)
        assert not signed_in(live.api_url, person.token)

        add_task(live.api_url, other_session, project, "Still here")
        assert (await staying.until("task_created"))["data"]["task"]["name"] == "Still here"


async def test_deleting_a_personal_token_ends_its_connections_and_tickets(
    live: LiveStack, signup: Any
) -> None:
    person: Person = signup("scripter")
    made = person.http.post("/api/tokens", json={"name": "script"})
    assert made.status_code == 201, made.text
    token_id, secret = made.json()["id"], made.json()["token"]
    project = new_project(live.api_url, secret)
    unused = ticket(live.api_url, secret)
    async with (
        connect(live.ws_url, token=secret) as by_token,
        connect(live.ws_url, ticket=ticket(live.api_url, secret)) as by_ticket,
        connect(live.ws_url, token=person.token) as by_session,
    ):
        for client in (by_token, by_ticket, by_session):
            await client.join(project)
        assert person.http.delete(f"/api/tokens/{token_id}").status_code == 204
        assert await by_token.closed(within=5) == SIGNED_OUT
        assert await by_ticket.closed(within=5) == SIGNED_OUT
        await assert_ticket_refused(live.ws_url, unused)
        # The pass that closed those two looked at this one too, and left it open.
        assert await by_session.drained() == []


@pytest.fixture
def clocked(settings: Settings) -> Iterator[tuple[LiveStack, AdjustableClock]]:
    """The app and gateway on a clock the test moves (the real-time one that sessions
    expire on too), checking credentials often."""
    clock = AdjustableClock()
    quick = settings.model_copy(update={"credential_check_seconds": 0.2})
    with live_stack(quick, clock=clock, wall_clock=clock) as live:  # sessions expire on it
        yield live, clock


async def test_a_session_that_expires_closes_its_open_connections(
    clocked: tuple[LiveStack, AdjustableClock],
) -> None:
    live, clock = clocked
    ttl = timedelta(hours=live.stack.settings.session_ttl_hours)
    start = clock.now()
    _user, older = register(live.api_url)
    clock.set(start + timedelta(minutes=1), frozen=False)
    _user, newer = register(live.api_url)  # expires a minute after the older one
    project = new_project(live.api_url, newer)
    async with (
        connect(live.ws_url, token=older) as expiring,
        connect(live.ws_url, token=newer) as client,
    ):
        await client.join(project)
        await client.expect("user_connected")  # its own arrival
        clock.set(start + ttl + timedelta(seconds=10), frozen=False)
        assert await expiring.closed(within=10) == SIGNED_OUT
        # The check that closed the older session's connection found this one valid.
        assert await client.drained() == []
        clock.set(start + timedelta(minutes=1) + ttl + timedelta(seconds=10), frozen=False)
        assert await client.closed(within=10) == SIGNED_OUT
    assert not signed_in(live.api_url, older)
    assert not signed_in(live.api_url, newer)


def split_processes(
    folder: Path, database_url: str, *, gateway_env: dict[str, str], api_env: dict[str, str]
) -> tuple[Tasklane, Tasklane]:
    env = {"DATABASE_URL": database_url, "DATA_DIR": str(folder / "data")}
    gateway = Tasklane("gateway", "realtime", {**env, **gateway_env}, folder)
    api = Tasklane("api", "api", {**env, **api_env}, folder)
    return api, gateway


@pytest.fixture(scope="module", params=["without Redis", "with Redis"])
def split(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Tasklane, Tasklane]]:
    """An API process and a gateway process that check credentials only every ten
    minutes: a connection closed sooner was told."""
    folder = tmp_path_factory.mktemp("revocation-split")
    with ExitStack() as resources:
        database_url = resources.enter_context(throwaway_database("postgresql", folder))
        shared = {}
        if request.param == "with Redis":
            shared["REDIS_URL"] = resources.enter_context(redis_server(folder / "redis")).url
        gateway_port = free_port()
        api, gateway = split_processes(
            folder,
            database_url,
            gateway_env={**shared, "CREDENTIAL_CHECK_SECONDS": "600"},
            api_env={**shared, "GATEWAY_URL": f"http://127.0.0.1:{gateway_port}"},
        )
        gateway.port = gateway_port
        gateway.start()
        api.start()
        try:
            yield api, gateway
        finally:
            api.stop()
            gateway.stop()


async def test_signing_out_on_the_api_process_closes_connections_on_the_gateway(
    split: tuple[Tasklane, Tasklane],
) -> None:
    api, gateway = split
    _user, token = register(api.http)
    project = new_project(api.http, token)
    async with connect(gateway.ws, token=token) as client:
        await client.join(project)
        sign_out(api.http, token)
        assert await client.closed(within=10) == SIGNED_OUT


@pytest.fixture
def unannounced(tmp_path: Path) -> Iterator[tuple[Tasklane, Tasklane]]:
    """An API process that cannot reach the gateway at all (a wrong ``GATEWAY_URL``), and
    a gateway that checks credentials twice a second."""
    with throwaway_database("postgresql", tmp_path) as database_url:
        api, gateway = split_processes(
            tmp_path,
            database_url,
            gateway_env={"CREDENTIAL_CHECK_SECONDS": "0.5"},
            api_env={"GATEWAY_URL": f"http://127.0.0.1:{free_port()}"},
        )
        gateway.start()
        api.start()
        try:
            yield api, gateway
        finally:
            api.stop()
            gateway.stop()


async def test_when_the_news_is_lost_the_periodic_check_closes_the_connection(
    unannounced: tuple[Tasklane, Tasklane],
) -> None:
    api, gateway = unannounced
    _user, token = register(api.http)
    _other, staying = register(api.http)
    project = new_project(api.http, token)
    async with (
        connect(gateway.ws, token=token) as client,
        connect(gateway.ws, token=staying) as other,
    ):
        await client.join(project)
        sign_out(api.http, token)
        assert await client.closed(within=10) == SIGNED_OUT
        # The check that closed it looked at the other session too, and left it open.
        assert await other.drained() == []
    assert "could not pass tokens_revoked" in api.log.read_text()
