"""The realtime gateway's app on ``WS_PORT``: ``/ws`` (``websocket``), ``/sse``
(``sse``), the server-to-server endpoints (``internal``), health and metrics
(``health``), and the upkeep that runs while it serves (``upkeep``)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from tasklane.edge.episodes import EpisodeRouting
from tasklane.gateway import health, internal, sse, websocket
from tasklane.gateway.direct import KeepServerSend
from tasklane.gateway.gateway import Gateway, gateway_of
from tasklane.settings import Settings


class Lifecycle(Protocol):
    """Starts and stops every episode's part of the process (``episodes.Episodes``)."""

    async def open(self) -> None: ...
    async def close(self) -> None: ...


def _in_episode(
    endpoint: Callable[[Gateway, Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint on the gateway of the request's episode."""

    async def bound(request: Request) -> Response:
        return await endpoint(gateway_of(request), request)

    return bound


def create_gateway(settings: Settings, lifecycle: Lifecycle, routing: dict[str, Any]) -> Starlette:
    """The gateway's app; ``routing`` (``EpisodeRouting``'s options) finds each
    request's episode, whose gateway answers it."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await lifecycle.open()
        try:
            yield
        finally:
            await lifecycle.close()

    app = Starlette(
        routes=[
            WebSocketRoute("/ws", websocket.serve),
            Route("/sse", _in_episode(sse.stream_events), methods=["GET"]),
            Route("/broadcast", _in_episode(internal.broadcast), methods=["POST"]),
            Route("/notify", _in_episode(internal.notify), methods=["POST"]),
            Route("/control", _in_episode(internal.control), methods=["POST"]),
            Route("/presence/{project_id}", _in_episode(internal.presence), methods=["GET"]),
            Route("/healthz", _in_episode(health.healthz), methods=["GET"]),
            Route("/readyz", _in_episode(health.readyz), methods=["GET"]),
            Route("/metrics", _in_episode(health.metrics), methods=["GET"]),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(EpisodeRouting, **routing),
            Middleware(KeepServerSend),
            # The app's pages (on PORT, another origin) open /sse with the session cookie.
            Middleware(
                CORSMiddleware,
                allow_origins=settings.app_origins(),
                allow_credentials=True,
                allow_methods=["GET"],
                allow_headers=["Last-Event-ID", "Authorization"],
            ),
        ],
    )
    return app
