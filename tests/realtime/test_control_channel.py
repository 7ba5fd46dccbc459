"""The gateway's ``POST /control``: an announcement from a process without a shared
broker, passed to every listener as a typed notice; anything else is refused."""

from __future__ import annotations

from typing import Any

import httpx

from tests.live import LiveStack
from tests.realtime.client import connect


def post(live: LiveStack, body: Any, secret: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    with httpx.Client(base_url=live.gateway_http, timeout=10) as http:
        return http.post("/control", json=body, headers=headers)


async def test_a_revocation_announced_on_the_control_endpoint_closes_that_tokens_sockets(
    live: LiveStack, signup: Any
) -> None:
    ana = signup("ana")
    secret = live.stack.settings.resolved_broadcast_secret()
    token = ana.http.post("/api/tokens", json={"name": "script"}).json()
    listed = ana.http.get("/api/tokens").json()
    token_id = next(t["id"] for t in listed if t["name"] == "script")
    async with (
        connect(live.ws_url, token=token["token"]) as revoked,
        connect(live.ws_url, token=ana.token) as other,
    ):
        answer = post(live, {"type": "tokens_revoked", "tokenIds": [token_id]}, secret)
        assert (answer.status_code, answer.json()) == (202, {"type": "tokens_revoked"})
        code, _reason = await revoked.closed()
        assert code == 4401
        await other.send({"type": "ping", "id": 1})
        assert (await other.expect("pong"))["id"] == 1  # another token's socket stays


def test_anything_but_a_known_notice_is_refused(live: LiveStack) -> None:
    secret = live.stack.settings.resolved_broadcast_secret()
    unsigned = post(live, {"type": "tokens_revoked", "tokenIds": []}, None)
    assert unsigned.status_code == 401
    for body in (
        {"type": "token_revoked", "body": {"tokenIds": ["tok_a"]}},  # the old, untyped form
        {"type": "tokens_revoked", "tokenIds": "tok_a"},
        {"type": "tokens_revoked", "tokenIds": ["tok_a"], "extra": 1},
        {"type": "project_deleted"},
        ["tokens_revoked"],
    ):
        answer = post(live, body, secret)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["code"] == "validation_error"
    # The gym's notices exist only in gym mode.
    gym = post(live, {"type": "gym_reset"}, secret)
    assert gym.status_code == 404
