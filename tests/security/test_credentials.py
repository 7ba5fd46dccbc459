"""Credentials, over every door they open: a deleted personal token and a signed-out
session open nothing any more (REST, WebSocket, SSE, tickets); sign-ins are limited per
address, the form and the API alike; tickets open one connection for one user, soon,
and nothing else; the API's session cookie is HttpOnly and SameSite.

Already proved elsewhere and not repeated: argon2id storage and SHA-256 token hashes
(tests/api/test_auth.py), a ticket's single use and expiry on /ws and its single use on
/sse, and the refusal of a foreign Origin with a valid cookie on /ws (4403) and /sse
(403) (tests/realtime/test_gateway_edges.py, test_fallbacks.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest
import websockets

from tasklane.clock import FrozenClock
from tests.conftest import Person, make_settings, unique_email
from tests.live import LiveStack, live_stack
from tests.realtime.client import connect
from tests.realtime.test_fallbacks import answer, error_of

Signup = Callable[[str], Person]
Json = dict[str, Any]
PASSWORD = "correct horse"


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture(scope="module")
def strict(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """One stack for the settings that are not the defaults: three sign-ins or sign-ups
    per address and then about one an hour, cookies marked Secure, and 127.0.0.1 a proxy
    whose X-Forwarded-For is believed. (Each test signs in from an address of its own.)"""
    settings = make_settings(
        database_url,
        tmp_path_factory.mktemp("strict"),
        auth_rate=0.0003,
        auth_burst=3,
        cookie_secure=True,
        forwarded_allow_ips="127.0.0.1",
    )
    with live_stack(settings) as running:
        yield running


async def ws_opens(live: LiveStack, origin: str, **options: Any) -> str:
    """``connected``, or how the gateway closed the upgrade."""
    async with connect(live.ws_url, origin=origin, expect_connected=False, **options) as client:
        try:
            kind: str = (await client.next())["type"]
        except websockets.ConnectionClosed as closed:
            return f"closed {closed.rcvd.code if closed.rcvd else None}"
    return kind


async def doors(live: LiveStack, secret: str, project_id: str, origin: str) -> dict[str, Any]:
    """What ``secret`` opens now: the REST API (as Bearer and as the session cookie), a
    new ticket, a WebSocket and an SSE stream (both ways each)."""
    bearer = {"Authorization": f"Bearer {secret}"}
    cookie = {"Cookie": f"tasklane_session={secret}", "Origin": origin}
    opened: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=live.api_url, timeout=30) as http:
        opened["rest bearer"] = (await http.get("/api/auth/me", headers=bearer)).status_code
        opened["rest cookie"] = (await http.get("/api/auth/me", headers=cookie)).status_code
        ticket = await http.post("/api/realtime/ticket", headers=bearer)
        opened["ticket"] = ticket.status_code
    opened["ws bearer"] = await ws_opens(live, origin, token=secret)
    opened["ws cookie"] = await ws_opens(live, origin, cookie=secret)
    params = [("projectId", project_id)]
    for way, headers in (("sse bearer", bearer), ("sse cookie", cookie)):
        status, _body = await answer(live.gateway_http, params, headers)
        opened[way] = status
    return opened


async def ws_close_code(live: LiveStack, **options: Any) -> int:
    async with connect(live.ws_url, expect_connected=False, **options) as client:
        code, _reason = await client.closed()
    return code


OPEN = {
    "rest bearer": 200,
    "rest cookie": 200,
    "ticket": 201,
    "ws bearer": "connected",
    "ws cookie": "connected",
    "sse bearer": 200,
    "sse cookie": 200,
}


async def test_a_deleted_personal_token_opens_no_door_any_more(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    project = ok(ana.http.post("/api/projects", json={"name": "Tokens"}))["id"]
    token = ok(ana.http.post("/api/tokens", json={"name": "CI"}))
    origin = live.stack.settings.app_origins()[0]
    assert await doors(live, token["token"], project, origin) == OPEN
    assert ana.http.delete(f"/api/tokens/{token['id']}").status_code == 204
    assert await doors(live, token["token"], project, origin) == {
        "rest bearer": 401,
        "rest cookie": 401,
        "ticket": 401,
        "ws bearer": "closed 4401",
        "ws cookie": "closed 4401",
        "sse bearer": 401,
        "sse cookie": 401,
    }
    assert ok(ana.http.get("/api/auth/me"))["id"] == ana.id  # her session is another thing


async def test_signing_out_closes_every_door_of_that_session_only(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    project = ok(ana.http.post("/api/projects", json={"name": "Sessions"}))["id"]
    origin = live.stack.settings.app_origins()[0]
    async with httpx.AsyncClient(base_url=live.api_url, timeout=30) as browser:
        credentials = {"email": ana.email, "password": PASSWORD}
        session = ok(await browser.post("/api/auth/login", json=credentials))["token"]
        assert await doors(live, session, project, origin) == OPEN
        out = await browser.post("/api/auth/logout", headers={"Origin": origin})  # by cookie
        assert out.status_code == 204, out.text
    closed = await doors(live, session, project, origin)
    assert closed == {
        "rest bearer": 401,
        "rest cookie": 401,
        "ticket": 401,
        "ws bearer": "closed 4401",
        "ws cookie": "closed 4401",
        "sse bearer": 401,
        "sse cookie": 401,
    }
    assert await doors(live, ana.token, project, origin) == OPEN  # her other session


def test_the_api_sign_in_cookie_is_httponly_samesite_and_scoped(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    with httpx.Client(base_url=live.api_url, timeout=30) as browser:
        response = browser.post("/api/auth/login", json={"email": ana.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    cookie = SimpleCookie(response.headers["set-cookie"])["tasklane_session"]
    assert cookie.value == response.json()["token"]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() in ("lax", "strict")
    assert cookie["path"] == "/"
    assert not cookie["domain"]  # this host only
    assert not cookie["secure"]  # COOKIE_SECURE is off here; see the test below


def test_with_cookie_secure_the_cookie_is_secure(strict: LiveStack) -> None:
    with httpx.Client(base_url=strict.api_url, timeout=30) as browser:
        body = {"email": unique_email("secure"), "name": "S", "password": PASSWORD}
        response = browser.post(
            "/api/auth/register", json=body, headers={"X-Forwarded-For": "198.51.100.9"}
        )
    assert response.status_code == 201, response.text
    cookie = SimpleCookie(response.headers["set-cookie"])["tasklane_session"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True


# -- tickets ---------------------------------------------------------------------------------


async def test_a_ticket_is_short_lived_for_its_user_only_and_only_for_realtime(
    live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    before = datetime.now(UTC)
    issued = ok(ana.http.post("/api/realtime/ticket"))
    ttl = timedelta(seconds=live.stack.settings.ticket_ttl_seconds)
    expires = datetime.fromisoformat(issued["expiresAt"].replace("Z", "+00:00"))
    assert before + ttl - timedelta(seconds=5) <= expires <= before + ttl + timedelta(seconds=5)
    # A ticket is not a token: the API refuses it, and spends nothing of it.
    async with httpx.AsyncClient(base_url=live.api_url, timeout=30) as http:
        as_token = {"Authorization": f"Bearer {issued['ticket']}"}
        me = await http.get("/api/auth/me", headers=as_token)
    assert me.status_code == 401
    async with connect(live.ws_url, ticket=issued["ticket"], expect_connected=False) as client:
        assert (await client.expect("connected"))["userId"] == ana.id
    # And a token is not a ticket.
    assert await ws_close_code(live, ticket=ana.token) == 4401


@pytest.fixture(scope="module")
def real_time() -> FrozenClock:
    return FrozenClock(datetime(2031, 6, 1, 12, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def timed(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, real_time: FrozenClock
) -> Iterator[LiveStack]:
    """A stack whose real time, which credentials expire on, is ``real_time``."""
    settings = make_settings(database_url, tmp_path_factory.mktemp("timed"))
    with live_stack(settings, wall_clock=real_time) as live:
        yield live


async def test_an_expired_ticket_opens_no_stream(timed: LiveStack, real_time: FrozenClock) -> None:
    ana = {"email": unique_email("ana"), "name": "Ana", "password": PASSWORD}
    async with httpx.AsyncClient(base_url=timed.api_url, timeout=30) as http:
        token = ok(await http.post("/api/auth/register", json=ana))["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        project = ok(await http.post("/api/projects", json={"name": "Soon"}))["id"]
        issued = real_time.now()
        tickets = [ok(await http.post("/api/realtime/ticket"))["ticket"] for _ in range(2)]
    ttl = timedelta(seconds=timed.stack.settings.ticket_ttl_seconds)
    real_time.set(issued + ttl - timedelta(milliseconds=1))
    stream = [("projectId", project), ("ticket", tickets[0])]
    assert await answer(timed.gateway_http, stream) == (200, None)  # a stream started
    real_time.set(issued + ttl)
    status, refused = await answer(
        timed.gateway_http, [("projectId", project), ("ticket", tickets[1])]
    )
    assert status == 401
    assert refused is not None
    error_of(refused, "unauthorized")


# -- sign-ins, limited per address -------------------------------------------------------------


def test_sign_ins_beyond_the_burst_are_refused_per_address_by_the_api_and_the_form(
    strict: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")  # registered through the other stack: no sign-in spent here
    origin = strict.stack.settings.app_origins()[0]
    credentials = {"email": ana.email, "password": PASSWORD}
    with httpx.Client(base_url=strict.api_url, timeout=30) as http:
        wrong = http.post("/api/auth/login", json={**credentials, "password": "guess one"})
        assert wrong.status_code == 401
        form = http.post(
            "/login", data={**credentials, "password": "guess two"}, headers={"Origin": origin}
        )
        assert form.status_code == 401
        right = http.post("/api/auth/login", json=credentials)
        assert right.status_code == 200  # the third, still within the burst
        for refused in (
            http.post("/api/auth/login", json=credentials),
            http.post(
                "/api/auth/register", json={**credentials, "email": unique_email("x"), "name": "X"}
            ),
        ):
            assert refused.status_code == 429, refused.text
            error_of(refused.json(), "rate_limited")
            assert int(refused.headers["Retry-After"]) >= 1
        page = http.post("/login", data=credentials, headers={"Origin": origin})
        assert page.status_code == 429
        assert page.headers["content-type"].startswith("text/html")
        assert "tasklane_session" not in page.headers.get("set-cookie", "")
        # Another address is not held back: uvicorn takes the client's address from
        # X-Forwarded-For when the request comes from a proxy named in FORWARDED_ALLOW_IPS
        # (127.0.0.1 here; nobody by default, see test_forwarded_headers.py).
        elsewhere = http.post(
            "/api/auth/login", json=credentials, headers={"X-Forwarded-For": "203.0.113.7"}
        )
        assert elsewhere.status_code == 200, elsewhere.text
        # What a signed-in user does is not a sign-in.
        me = http.get("/api/auth/me", headers={"Authorization": f"Bearer {ana.token}"})
        assert me.status_code == 200
