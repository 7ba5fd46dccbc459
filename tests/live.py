"""Real uvicorn servers in a background thread, on ports the OS picks."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from tasklane.app import Role, Stack, build_stack
from tasklane.clock import Clock
from tasklane.serving import build_servers, serve_together
from tasklane.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _bound_port(server: uvicorn.Server) -> int:
    port: int = server.servers[0].sockets[0].getsockname()[1]
    return port


@contextmanager
def running(servers: list[uvicorn.Server], stack: Stack | None = None) -> Iterator[list[int]]:
    """Serve ``servers`` in one event loop in a thread; yields their ports. The
    ``stack`` is closed in that same loop once they have stopped."""

    async def serve() -> None:
        try:
            await serve_together(servers)
        finally:
            if stack is not None:
                await stack.close()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not all(server.started for server in servers):
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test servers did not start")
        time.sleep(0.01)
    try:
        yield [_bound_port(server) for server in servers]
    finally:
        for server in servers:
            server.should_exit = True
        thread.join(timeout=30)


@contextmanager
def live_server(app: ASGIApp) -> Iterator[str]:
    """Serve one ``app`` on 127.0.0.1 over real sockets; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    with running([uvicorn.Server(config)]) as (port,):
        yield f"http://127.0.0.1:{port}"


@dataclass
class LiveStack:
    stack: Stack
    api_url: str  # http://127.0.0.1:PORT
    ws_url: str  # ws://127.0.0.1:WS_PORT (the gateway's HTTP side is http://…)
    gateway_http: str
    api_app: Any  # the FastAPI app on api_url, to look at its state

    def connections_of(self, user_id: str) -> int:
        """The user's connections the gateway holds. A connection the client has closed
        counts until the gateway has finished with it, its user's departure from
        presence included: a witness that it is over, where the close handshake is not
        (it completes before the gateway lets the connection go)."""
        assert self.stack.gateway is not None
        return self.stack.gateway.admission.seats.of(user_id=user_id)

    def poll_waits(self, project_id: str) -> bool:
        """Whether a long poll of the project is past its access check and waits for
        the log to grow (it holds the project's wake-up signal)."""
        return project_id in self.api_app.state.waiters._signals


@contextmanager
def live_stack(
    settings: Settings,
    role: Role = "all",
    *,
    clock: Clock | None = None,
    wall_clock: Clock | None = None,
) -> Iterator[LiveStack]:
    """The app and the realtime gateway on one stack, as ``tasklane serve`` runs them;
    on a ``clock`` and a ``wall_clock`` (what credentials expire on) the test moves, if
    given."""
    if role == "all":  # the gateway's port is known before it binds: GET /api/realtime names it
        settings = settings.model_copy(update={"ws_port": free_port()})
    stack = build_stack(settings, role, clock=clock, wall_clock=wall_clock)
    servers = build_servers(stack, role, port=0, ws_port=settings.ws_port if role == "all" else 0)
    with running(servers, stack) as ports:
        api, gateway = (ports[0], ports[1]) if role == "all" else (ports[0], ports[0])
        yield LiveStack(
            stack,
            f"http://127.0.0.1:{api}",
            f"ws://127.0.0.1:{gateway}",
            f"http://127.0.0.1:{gateway}",
            servers[0].config.app,
        )
