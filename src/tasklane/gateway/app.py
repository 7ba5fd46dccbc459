"""The realtime gateway's app on ``WS_PORT``: ``/ws`` (``websocket``), ``/sse``
(``sse``), the server-to-server endpoints (``internal``), health and metrics
(``health``), and the upkeep that runs while it serves (``upkeep``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute

from tasklane.gateway import health, internal, sse, websocket
from tasklane.gateway.direct import KeepServerSend
from tasklane.gateway.gateway import Gateway
from tasklane.gateway.upkeep import Upkeep

FollowGym = Callable[[Callable[[], Awaitable[None]]], Awaitable[Callable[[], None]]]


def create_gateway(gateway: Gateway, follow_gym: FollowGym | None = None) -> Starlette:
    upkeep = Upkeep(gateway)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        broker = gateway.hub.broker
        unsubscribe = broker.subscribe(gateway.hub.receive)
        unsubscribe_control = broker.subscribe(upkeep.hear)
        stop_gym = await follow_gym(gateway.hub.reset) if follow_gym else (lambda: None)
        forget_resume = broker.on_resume(upkeep.resume)
        chores = upkeep.start()
        try:
            yield
        finally:
            for chore in chores:
                chore.cancel()
            forget_resume()
            stop_gym()
            unsubscribe_control()
            unsubscribe()

    app = Starlette(
        routes=[
            WebSocketRoute("/ws", websocket.WebSocketShell(gateway).serve),
            Route("/sse", partial(sse.stream_events, gateway), methods=["GET"]),
            Route("/broadcast", partial(internal.broadcast, gateway), methods=["POST"]),
            Route("/notify", partial(internal.notify, gateway), methods=["POST"]),
            Route("/control", partial(internal.control, gateway), methods=["POST"]),
            Route("/presence/{project_id}", partial(internal.presence, gateway), methods=["GET"]),
            Route("/healthz", partial(health.healthz, gateway), methods=["GET"]),
            Route("/readyz", partial(health.readyz, gateway), methods=["GET"]),
            Route("/metrics", partial(health.metrics, gateway), methods=["GET"]),
        ],
        lifespan=lifespan,
        # The app's pages (on PORT, another origin) open /sse with the session cookie.
        middleware=[
            Middleware(KeepServerSend),
            Middleware(
                CORSMiddleware,
                allow_origins=gateway.settings.app_origins(),
                allow_credentials=True,
                allow_methods=["GET"],
                allow_headers=["Last-Event-ID", "Authorization"],
            ),
        ],
    )
    app.state.gateway = gateway
    app.state.upkeep = upkeep
    return app
