"""Running the apps: several uvicorn servers in one event loop (one process serves both
ports by default), and a gateway server that drains its connections gently and closes a
WebSocket that sends text that is not UTF-8 without an alarm."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import CloseCode

from tasklane.app import Role, Stack, create_app, create_realtime_app
from tasklane.gateway.gateway import Gateway
from tasklane.settings import Settings

SHUTDOWN_GRACE_SECONDS = 10
# How long an idle keep-alive connection stays open. Longer than the clients' own
# (httpx, the SDK's transport, lets go of one after 5 s idle): with uvicorn's default of 5 s
# both ends give up at once, and a request sent on a connection just as the server
# closes it fails with "connection reset" (a harness's parallel rollouts, under load).
KEEP_ALIVE_SECONDS = 30

log = logging.getLogger(__name__)


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


class GatewayWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's ``websockets-sansio`` protocol, except for a text message that is not
    UTF-8: the connection is failed with 1007 (invalid frame payload data), as uvicorn
    does, but with one INFO line. uvicorn logs such a message as an ERROR with a
    traceback, and any client can send one at will: a flood of false alarms in the logs.
    The endpoint sees a disconnect with 1007, as for any connection that went."""

    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text" and not self.close_sent:
            # Joining one frame's bytes gives those bytes, uncopied; ASCII needs no
            # decoding to be known valid (most client frames are ASCII JSON).
            data = b"".join(self.frames)
            if not data.isascii():
                try:
                    data.decode()
                except UnicodeDecodeError as exc:
                    self.frames = []
                    self._fail_invalid_text(exc)
                    return
        super().send_receive_event_to_app()

    def _fail_invalid_text(self, exc: UnicodeDecodeError) -> None:
        log.info(
            "closed a WebSocket that sent text that is not UTF-8 (1007)",
            extra={"address": self.client[0] if self.client else "unknown"},
        )
        self.conn.fail(CloseCode.INVALID_DATA, f"{exc.reason} at position {exc.start}")
        # Tells the endpoint, writes the close frame and drops the socket.
        self.handle_parser_exception()


def forwarded_headers(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for ``X-Forwarded-For`` and ``X-Forwarded-Proto``: believed
    only from the proxies ``FORWARDED_ALLOW_IPS`` names, and from nobody by default.

    uvicorn's own default believes any process on the machine (127.0.0.1), and so would
    let any local client pass for another address and slip past the per-address limits
    on sign-ins and connections. uvicorn would read an entry that is not an address or a
    network as a name that no client's address ever matches, and quietly trust nobody by
    it: such an entry stops the start here instead."""
    trusted = [entry.strip() for entry in settings.forwarded_allow_ips.split(",")]
    trusted = [entry for entry in trusted if entry]
    if "*" in trusted:
        trusted = ["*"]
    for entry in trusted:
        if entry != "*":
            try:
                ipaddress.ip_network(entry)
            except ValueError as exc:
                raise ValueError(
                    f"FORWARDED_ALLOW_IPS: {entry!r} is neither an IP address nor a network"
                ) from exc
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def build_servers(stack: Stack, role: Role, *, port: int, ws_port: int) -> list[uvicorn.Server]:
    settings = stack.settings
    servers: list[uvicorn.Server] = []
    common: dict[str, Any] = {
        "host": settings.host,
        "log_level": settings.log_level,
        "lifespan": "on",
        # A client that stopped reading must not hold a shutdown forever.
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_SECONDS,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        **forwarded_headers(settings),
    }
    if role in ("all", "api"):
        app = create_app(settings, stack=stack)
        servers.append(SharedLoopServer(uvicorn.Config(app, port=port, **common)))
    if role in ("all", "realtime"):
        assert stack.gateway is not None
        config = uvicorn.Config(
            create_realtime_app(stack),
            port=ws_port,
            ws=GatewayWebSocketProtocol,
            ws_ping_interval=settings.heartbeat_seconds,
            ws_ping_timeout=settings.heartbeat_seconds,
            # A larger frame is refused by the WebSocket layer itself: close 1009.
            ws_max_size=settings.ws_max_frame_bytes,
            # Compression would run once per connection for every event: the opposite of
            # serialising once per broadcast. Frames go out as they were encoded.
            ws_per_message_deflate=False,
            **common,
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
