"""Writing a frame straight to a WebSocket's socket, the way a broadcast should.

The hub hands every subscriber the same ``Outgoing`` frame. Through ASGI, each send would
wake that connection's pump task, go through Starlette and uvicorn, and encode the text
again for every client. Under uvicorn's ``websockets-sansio`` protocol (what
``tasklane serve`` runs) the frame can instead be written at once, from the fan-out
loop, when nothing is waiting in the connection's queue and its socket is taking data.
Otherwise the frame takes the queue and the pump, so order, limits and slow-consumer
handling stay as they are.

A text frame from a server is not masked, and without compression (Tasklane does not
negotiate it) it is the same bytes for every connection: header and payload are built
once per frame, not once per connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

from tasklane.realtime.outgoing import Outgoing

SEND_KEY = "tasklane.transport_send"

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


@lru_cache(maxsize=128)
def framed(frame: Outgoing) -> bytes:
    """The frame as a server sends it on the wire: an unmasked, uncompressed text frame.
    The last ones are remembered, so that a fan-out to N sockets builds each once, also
    when it sends a run of events one by one to each."""
    if frame.parts is not None:  # a run: its frames one after another, in one write
        return b"".join(framed(part) for part in frame.parts)
    return Frame(Opcode.TEXT, frame.data).serialize(mask=False)


def direct_writer(scope: Mapping[str, Any]) -> DirectWrite | None:
    """A function that writes a frame to this WebSocket's socket now and says whether it
    did; None where the server is not one this works with."""
    protocol = getattr(scope.get(SEND_KEY), "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    if protocol.conn.extensions:  # compressed: each connection's bytes differ
        return None
    return SocketWriter(protocol).write


class SocketWriter:
    """Writes frames to one WebSocket's socket (one per connection, so: slots)."""

    __slots__ = ("connection", "transport", "writable")

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self.connection = protocol.conn
        self.transport = protocol.transport
        # Cleared by the transport while more than its high-water mark (64 KiB) waits to
        # go out, so a socket that takes data never has more than that queued in it.
        self.writable = protocol.writable

    def write(self, frame: Outgoing) -> bool:
        """Write ``frame`` now, if the WebSocket is open and its socket takes data."""
        # Not OPEN once a close was sent or received; closing once the peer has gone.
        if (
            self.connection.state is not State.OPEN
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(framed(frame))
        return True
