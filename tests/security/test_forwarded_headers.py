"""``X-Forwarded-For`` counts only from a proxy the operator named in
``FORWARDED_ALLOW_IPS``: by default nobody's, not even a local process's, so no client
slips past a per-address limit (sign-ins on the app's port, connections on the
gateway's) by naming another address. Proved on real servers: the ones
``tasklane serve`` builds, in this process and as ``tasklane serve`` itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import websockets

from tasklane.serving import forwarded_headers
from tasklane.settings import Settings
from tests.conftest import Person, make_settings, unique_email
from tests.live import live_stack
from tests.processes import Tasklane
from tests.realtime.client import Client

Signup = Callable[[str], Person]
ELSEWHERE = "203.0.113.9"  # documentation addresses: never a real client
TRUSTED = ["default", "loopback-named"]


def forwarded_sign_in_after_the_limit(api_url: str) -> int:
    """Spend loopback's one sign-in, see the next one refused, then sign in from loopback
    with ``X-Forwarded-For`` naming another address: that answer's status."""
    wrong = {"email": unique_email("nobody"), "password": "a wrong guess"}
    with httpx.Client(base_url=api_url, timeout=30) as http:
        assert http.post("/api/auth/login", json=wrong).status_code == 401
        again = http.post("/api/auth/login", json=wrong)
        assert again.status_code == 429, again.text
        forwarded = http.post("/api/auth/login", json=wrong, headers={"X-Forwarded-For": ELSEWHERE})
    return forwarded.status_code


# Believed, the header names a client with a budget of its own: 401, a wrong password,
# not a refusal. Otherwise the request is still loopback's, and still refused: 429.
@pytest.mark.parametrize(("trusted", "status"), [("", 429), ("127.0.0.1", 401)], ids=TRUSTED)
def test_the_sign_in_limit_counts_a_forwarded_address_only_from_a_named_proxy(
    database_url: str, tmp_path: Path, trusted: str, status: int
) -> None:
    settings = make_settings(
        database_url, tmp_path, auth_rate=0.001, auth_burst=1, forwarded_allow_ips=trusted
    )
    with live_stack(settings) as running:
        assert forwarded_sign_in_after_the_limit(running.api_url) == status


@asynccontextmanager
async def gateway_connection(
    ws_url: str, token: str, forwarded_for: str | None = None
) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    async with websockets.connect(f"{ws_url}/ws", additional_headers=headers) as ws:
        yield Client(ws)


@pytest.mark.parametrize(("trusted", "admitted"), [("", False), ("127.0.0.1", True)], ids=TRUSTED)
async def test_the_gateways_connection_limit_counts_a_forwarded_address_only_from_a_named_proxy(
    database_url: str, tmp_path: Path, signup: Signup, trusted: str, admitted: bool
) -> None:
    ana, bob = signup("ana"), signup("bob")
    settings = make_settings(
        database_url, tmp_path, ws_max_connections_per_ip=1, forwarded_allow_ips=trusted
    )
    with live_stack(settings) as running:
        async with gateway_connection(running.ws_url, ana.token) as first:
            assert (await first.expect("connected"))["userId"] == ana.id
            async with gateway_connection(running.ws_url, bob.token, ELSEWHERE) as second:
                if admitted:
                    assert (await second.expect("connected"))["userId"] == bob.id
                else:
                    code, _reason = await second.closed()
                    assert code == 4002  # too many connections from this address


@pytest.mark.parametrize(("trusted", "status"), [("", 429), ("127.0.0.1", 401)], ids=TRUSTED)
def test_tasklane_serve_reads_forwarded_allow_ips_from_its_environment(
    database_url: str, tmp_path: Path, trusted: str, status: int
) -> None:
    api = Tasklane(
        "api",
        "api",
        {
            "DATABASE_URL": database_url,
            "DATA_DIR": str(tmp_path),
            "AUTH_RATE": "0.001",
            "AUTH_BURST": "1",
            "FORWARDED_ALLOW_IPS": trusted,
        },
        tmp_path,
    )
    api.start()
    try:
        forwarded = forwarded_sign_in_after_the_limit(api.http)
    finally:
        api.stop()
    assert forwarded == status, api.log.read_text()


# -- the setting itself -----------------------------------------------------------------


def options(value: str) -> dict[str, object]:
    return forwarded_headers(Settings(forwarded_allow_ips=value))


def test_by_default_no_proxy_is_believed() -> None:
    assert options("") == {"proxy_headers": False, "forwarded_allow_ips": []}


def test_named_proxies_are_passed_to_uvicorn_as_a_list() -> None:
    assert options(" 10.0.0.5, 10.1.0.0/16 ,::1") == {
        "proxy_headers": True,
        "forwarded_allow_ips": ["10.0.0.5", "10.1.0.0/16", "::1"],
    }
    assert options("10.0.0.5,*") == {"proxy_headers": True, "forwarded_allow_ips": ["*"]}


@pytest.mark.parametrize("value", ["nginx", "10.0.0.5/24", "10.0.0.300", "127.0.0.1;10.0.0.1"])
def test_an_entry_uvicorn_would_not_understand_stops_the_start(value: str) -> None:
    with pytest.raises(ValueError, match="FORWARDED_ALLOW_IPS"):
        options(value)
