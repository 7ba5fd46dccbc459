"""The SDK needs only the API's address: ``RealtimeClient`` asks ``GET /api/realtime``
where the gateway is, and connects there — to the configured public address, not to a
port it assumes."""

from __future__ import annotations

import asyncio

from tasklane.client import EventEnvelope, RealtimeClient
from tasklane.settings import Settings
from tests.client.gatekeeper import gatekeeper
from tests.client.story import people
from tests.live import live_stack


async def test_the_client_connects_where_the_api_says_the_gateway_is(settings: Settings) -> None:
    async with gatekeeper("http://127.0.0.1:9", refuse=set()) as keeper:  # upstream set below
        public = settings.model_copy(update={"public_gateway_url": keeper.url})
        with live_stack(public) as live:
            host, port = live.gateway_http.removeprefix("http://").rsplit(":", 1)
            keeper.upstream = (host, int(port))
            async with people(live.api_url, "ana") as (ana,):
                project = await ana.create_project("Found")
                assert ana.token is not None
                client = RealtimeClient(live.api_url, ana.token, transports=("ws",))
                async with client:
                    updates = client.updates()
                    await client.join(project.id, after=project.seq)
                    task = await ana.create_task(project.id, "Reached")
                    update = await asyncio.wait_for(anext(updates), 10)
                    assert isinstance(update, EventEnvelope)
                    assert (update.type, update.data["taskId"]) == ("task_created", task.id)
                    # It came through the public address, which the client was never given.
                    assert (client.gateway_ws, client.gateway_http) == (
                        keeper.url.replace("http://", "ws://"),
                        keeper.url,
                    )
                    assert keeper._pipes, "the connection runs through the public address"


async def test_without_a_public_address_the_gateway_is_beside_the_api(settings: Settings) -> None:
    with live_stack(settings) as live:
        async with people(live.api_url, "ana") as (ana,):
            assert ana.token is not None
            client = RealtimeClient(live.api_url, ana.token, transports=("ws",))
            found = await client._gateway()
            assert found == (live.ws_url, live.gateway_http)
            await client.close()
