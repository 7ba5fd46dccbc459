"""What a Python developer would otherwise pick for live updates: python-socketio.

``socketio.AsyncServer(async_mode="asgi")`` behind ``socketio.ASGIApp``, served by uvicorn
with the ``websockets-sansio`` WebSocket implementation and per-message deflate off, as
Tasklane's gateway is (see ``tasklane.serving``). Subscribers connect with socket.io's
WebSocket transport and emit ``join``; the server puts them in the room ``project`` and
acknowledges. Each trigger (``{"seq": N}`` on the control WebSocket ``/control``) does
``await sio.emit("event", payload, room="project")``, which encodes the packet once and
queues it for every member of the room. ``GET /readyz`` answers 200.

    python -m bench.refservers.socketio_server --port P --payload-bytes B

Runs on the event loop given by ``--loop`` (uvicorn's ``loop`` option): the driver
passes the one ``tasklane serve`` uses (uvloop when it is installed).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import socketio
import uvicorn

from bench.refservers import payload
from bench.refservers.loops import LOOPS

ROOM = "project"
BACKLOG = 4096

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def create_server() -> Any:
    """The Socket.IO server: ``join`` puts the caller in the room and acknowledges."""
    sio = socketio.AsyncServer(async_mode="asgi", logger=False, engineio_logger=False)

    async def join(sid: str, _room: object = None) -> str:
        await sio.enter_room(sid, ROOM)
        return "joined"

    sio.on("join", join)
    return sio


class Control:
    """The ASGI app beside Socket.IO: ``GET /readyz`` and the trigger WebSocket."""

    def __init__(self, sio: Any, payload_bytes: int) -> None:
        self.sio = sio
        self.payload_bytes = payload_bytes

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/control":
            await self.control(receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        elif scope["type"] == "http":
            found = scope["path"] == "/readyz"
            await send(
                {
                    "type": "http.response.start",
                    "status": 200 if found else 404,
                    "headers": [(b"content-type", b"text/plain")],
                }
            )
            await send({"type": "http.response.body", "body": b"ok\n" if found else b""})

    async def control(self, receive: Receive, send: Send) -> None:
        """One emit to the room per message received, in order."""
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            text = message.get("text") or message.get("bytes") or b"{}"
            seq = int(json.loads(text)["seq"])
            await self.sio.emit("event", payload.build(seq, self.payload_bytes), room=ROOM)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payload-bytes", type=int, required=True)
    parser.add_argument("--loop", choices=LOOPS, default="asyncio")
    args = parser.parse_args(argv)
    sio = create_server()
    app = socketio.ASGIApp(sio, other_asgi_app=Control(sio, args.payload_bytes))
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        loop=args.loop,
        log_level="warning",
        backlog=BACKLOG,
    )


if __name__ == "__main__":
    main()
