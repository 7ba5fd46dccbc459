"""``GET /api/realtime`` tells a client given only the API's address where the realtime
gateway is and which protocol it speaks: the configured ``PUBLIC_GATEWAY_URL`` (``wss://``
behind TLS), or the host the request came to on ``WS_PORT``. Tickets and the pages name
the same address, and front ends on origins listed in ``ALLOWED_ORIGINS`` may call the
API across origins."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from pydantic import ValidationError

from tasklane.protocol.realtime import PROTOCOL_VERSION
from tasklane.settings import Settings
from tests.conftest import Person, make_settings, unique_email
from tests.live import LiveStack, live_stack

BOARD = "https://board.example"


def test_the_api_names_the_gateway_it_serves_beside(live: LiveStack) -> None:
    answer = httpx.get(f"{live.api_url}/api/realtime", timeout=30)  # no credential needed
    assert answer.status_code == 200
    assert answer.json() == {
        "protocol": PROTOCOL_VERSION,
        "gateway": {"ws": live.ws_url, "http": live.gateway_http},
        "ticketTtlSeconds": 30,
    }


def test_a_ticket_names_the_same_gateway(live: LiveStack, signup: Callable[[str], Person]) -> None:
    ana = signup("ana")
    ticket = ana.http.post("/api/realtime/ticket").json()
    assert ticket["url"] == f"{live.ws_url}/ws?ticket={ticket['ticket']}"


@pytest.fixture(scope="module")
def public(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    settings = make_settings(
        database_url,
        tmp_path_factory.mktemp("public"),
        public_gateway_url="https://rt.example.com/realtime/",
        allowed_origins=[BOARD],
    )
    with live_stack(settings) as running:
        yield running


def register(live: LiveStack) -> str:
    body = {"email": unique_email("ana"), "name": "Ana", "password": "correct horse"}
    answer = httpx.post(f"{live.api_url}/api/auth/register", json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


def test_a_public_address_is_what_everyone_is_told(public: LiveStack) -> None:
    gateway = {"ws": "wss://rt.example.com/realtime", "http": "https://rt.example.com/realtime"}
    info = httpx.get(f"{public.api_url}/api/realtime", timeout=30).json()
    assert info["gateway"] == gateway
    token = register(public)
    with httpx.Client(
        base_url=public.api_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        ticket = http.post("/api/realtime/ticket").json()
        assert ticket["url"] == f"wss://rt.example.com/realtime/ws?ticket={ticket['ticket']}"
    # The pages connect there too, and their policy lets them.
    page = httpx.get(f"{public.api_url}/login", timeout=30)
    assert "wss://rt.example.com/realtime" in page.text
    policy = page.headers["content-security-policy"]
    connect = re.search(r"connect-src ([^;]*)", policy)
    assert connect is not None
    assert "wss://rt.example.com/realtime" in connect.group(1)
    assert "https://rt.example.com/realtime" in connect.group(1)


def test_a_listed_origin_may_call_the_api_across_origins(public: LiveStack) -> None:
    token = register(public)
    preflight = httpx.options(
        f"{public.api_url}/api/projects",
        headers={
            "Origin": BOARD,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=30,
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == BOARD
    assert "POST" in preflight.headers["access-control-allow-methods"]
    created = httpx.post(
        f"{public.api_url}/api/projects",
        json={"name": "Across"},
        headers={"Origin": BOARD, "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == BOARD
    exposed = created.headers["access-control-expose-headers"].lower()
    # A front end knows its own changes by the seq their answers name.
    assert "tasklane-seq" in exposed
    assert "tasklane-project" in exposed


def test_an_unlisted_origin_is_not_let_in(public: LiveStack) -> None:
    preflight = httpx.options(
        f"{public.api_url}/api/projects",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    answer = httpx.get(
        f"{public.api_url}/api/realtime", headers={"Origin": "https://evil.example"}, timeout=30
    )
    assert "access-control-allow-origin" not in answer.headers


def test_without_listed_origins_the_api_answers_no_cross_origin_request(live: LiveStack) -> None:
    preflight = httpx.options(
        f"{live.api_url}/api/projects",
        headers={"Origin": BOARD, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize(
    "url", ["ftp://rt.example.com", "https://", "https://rt.example.com/?x=1", "rt.example.com"]
)
def test_a_public_gateway_url_that_is_not_one_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="PUBLIC_GATEWAY_URL"):
        Settings(public_gateway_url=url)


def test_a_public_gateway_url_loses_its_trailing_slash() -> None:
    assert Settings(public_gateway_url="wss://rt.example.com/").public_gateway_url == (
        "wss://rt.example.com"
    )
