"""Writing a frame straight to a WebSocket's socket, the way a broadcast should.

The hub hands every subscriber the same ``Outgoing`` frame. Through ASGI, each send would
wake that connection's pump task, go through Starlette and uvicorn, and encode the text
again for every client. Under uvicorn's ``websockets-sansio`` protocol (what
``tasklane serve`` runs) the frame can instead be framed and written at once, from the
fan-out loop, with its bytes encoded once for everyone — when nothing is waiting in the
connection's queue and its socket is taking data. Otherwise the frame takes the queue
and the pump, so order, limits and slow-consumer handling stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from tasklane.realtime.wire import Outgoing

SEND_KEY = "tasklane.transport_send"
MAX_BUFFER = 256 * 1024  # bytes waiting in the socket's buffer before the queue takes over

DirectWrite = Callable[[Outgoing], bool]


class KeepServerSend:
    """ASGI middleware: keeps the server's own ``send`` of a WebSocket in its scope (the
    app's exception handling wraps it before the endpoint sees it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SEND_KEY] = send
        await self.app(scope, receive, send)


def direct_writer(scope: Mapping[str, Any]) -> DirectWrite | None:
    """A function that writes a frame to this WebSocket's socket now and says whether it
    did; None where the server is not one this works with."""
    protocol = getattr(scope.get(SEND_KEY), "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    transport = protocol.transport
    connection = protocol.conn

    def write(frame: Outgoing) -> bool:
        if (
            protocol.close_sent
            or protocol.disconnected
            or not protocol.writable.is_set()
            or transport.is_closing()
            or transport.get_write_buffer_size() > MAX_BUFFER
        ):
            return False
        try:
            connection.send_text(frame.data)
        except Exception:  # not open any more: the pump and the close path take over
            return False
        transport.write(b"".join(connection.data_to_send()))
        return True

    return write
