"""Running the apps: several uvicorn servers in one event loop (one process serves both
ports by default), and a gateway server that drains its connections gently."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from tasklane.app import Role, Stack, create_app, create_realtime_app
from tasklane.realtime.gateway import Gateway

SHUTDOWN_GRACE_SECONDS = 10


class SharedLoopServer(uvicorn.Server):
    """A uvicorn server that leaves signals to ``serve_together``: with two servers in one
    process, each installing its own handlers would leave one of them deaf."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class GatewayServer(SharedLoopServer):
    """On shutdown, first close every WebSocket with the "reconnect and resume" code and
    a jittered retry hint, then let uvicorn finish."""

    def __init__(self, config: uvicorn.Config, gateway: Gateway) -> None:
        super().__init__(config)
        self.gateway = gateway

    async def shutdown(self, sockets: list[object] | None = None) -> None:  # type: ignore[override]
        self.gateway.drain()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.gateway.hub.empty.wait(), timeout=3)
        await super().shutdown(sockets)  # type: ignore[arg-type]


def build_servers(stack: Stack, role: Role, *, port: int, ws_port: int) -> list[uvicorn.Server]:
    settings = stack.settings
    servers: list[uvicorn.Server] = []
    common = {
        "host": settings.host,
        "log_level": settings.log_level,
        "lifespan": "on",
        # A client that stopped reading must not hold a shutdown forever.
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_SECONDS,
    }
    if role in ("all", "api"):
        app = create_app(settings, stack=stack)
        servers.append(SharedLoopServer(uvicorn.Config(app, port=port, **common)))  # type: ignore[arg-type]
    if role in ("all", "realtime"):
        assert stack.gateway is not None
        config = uvicorn.Config(
            create_realtime_app(stack),
            port=ws_port,
            ws="websockets-sansio",
            ws_ping_interval=settings.heartbeat_seconds,
            ws_ping_timeout=settings.heartbeat_seconds,
            # A larger frame is refused by the WebSocket layer itself: close 1009.
            ws_max_size=settings.ws_max_frame_bytes,
            # Compression would run once per connection for every event: the opposite of
            # serialising once per broadcast. Frames go out as they were encoded.
            ws_per_message_deflate=False,
            **common,  # type: ignore[arg-type]
        )
        servers.append(GatewayServer(config, stack.gateway))
    return servers


async def serve_together(servers: list[uvicorn.Server]) -> None:
    """Serve until SIGINT or SIGTERM (or every ``should_exit``); a second SIGINT forces."""
    if threading.current_thread() is threading.main_thread():
        loop = asyncio.get_running_loop()

        def stop() -> None:
            for server in servers:
                if server.should_exit:
                    server.force_exit = True
                server.should_exit = True

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
    await asyncio.gather(*(server.serve() for server in servers))
