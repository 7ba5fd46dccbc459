"""The SDK's clients check HTTPS servers against one TLS context, loaded once: a harness
that opens a client per episode does not load the certificates again for each."""

from __future__ import annotations

import ssl

import httpx

from tasklane.client import AsyncTasklaneClient, TasklaneClient
from tasklane.client.gym import GymClient
from tasklane.client.rest import tls_context
from tasklane.client.transports import SseLink

URL = "https://tasklane.example"


def context_of(client: httpx.Client | httpx.AsyncClient) -> ssl.SSLContext:
    """The context the client's connections are made with (httpx keeps it in its
    transport's connection pool)."""
    context: ssl.SSLContext = client._transport._pool._ssl_context  # type: ignore[union-attr]
    return context


async def test_every_client_shares_the_one_context_and_it_verifies() -> None:
    shared = tls_context()
    assert shared.verify_mode is ssl.CERT_REQUIRED
    assert shared.check_hostname
    with TasklaneClient(URL) as api, GymClient(URL, admin_token="token") as gym:
        assert context_of(api._http) is shared
        assert context_of(gym._http) is shared
        with gym.episode("ep_x") as episode:
            assert context_of(episode._http) is shared
    async with AsyncTasklaneClient(URL) as api_async:
        assert context_of(api_async._http) is shared
    link = SseLink(URL, "token")
    assert context_of(link._http) is shared
    await link.close()
