"""The Python near-limit of fan-out: a bare ``websockets`` server.

It keeps the set of open subscriber connections. Each trigger (``{"seq": N}`` on the
control WebSocket ``/control``) builds the payload once, serialises it once and hands
the same bytes to every subscriber with ``websockets.asyncio.server.broadcast``: no
per-connection queue or task, no compression. A subscriber is any other WebSocket path;
it gets ``{"type":"joined"}`` once it is in the set. ``GET /readyz`` answers 200.

    python -m bench.refservers.raw_websockets --port P --payload-bytes B

Runs on the event loop given by ``--loop``: the driver passes the one ``tasklane serve``
uses (uvloop when it is installed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from collections.abc import Sequence
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.http11 import Request, Response

from bench.refservers import payload
from bench.refservers.loops import LOOPS, run_on

JOINED = '{"type":"joined"}'
BACKLOG = 4096


class Fanout:
    """The subscribers, and what a trigger sends them."""

    def __init__(self, payload_bytes: int) -> None:
        self.payload_bytes = payload_bytes
        self.subscribers: set[ServerConnection] = set()

    async def handle(self, connection: ServerConnection) -> None:
        request = connection.request
        if request is not None and request.path == "/control":
            await self.control(connection)
            return
        self.subscribers.add(connection)
        try:
            await connection.send(JOINED)
            await connection.wait_closed()
        finally:
            self.subscribers.discard(connection)

    async def control(self, connection: ServerConnection) -> None:
        """One broadcast per message received, in order."""
        async for message in connection:
            seq = int(json.loads(message)["seq"])
            broadcast(self.subscribers, payload.encode(payload.build(seq, self.payload_bytes)))


def ready(connection: ServerConnection, request: Request) -> Response | None:
    """``GET /readyz`` is a health check, not a WebSocket."""
    if request.path == "/readyz":
        return connection.respond(HTTPStatus.OK, "ok\n")
    return None


async def run(port: int, payload_bytes: int) -> None:
    fanout = Fanout(payload_bytes)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(
        fanout.handle,
        "127.0.0.1",
        port,
        compression=None,
        process_request=ready,
        backlog=BACKLOG,
    ):
        await stop


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payload-bytes", type=int, required=True)
    parser.add_argument("--loop", choices=LOOPS, default="asyncio")
    args = parser.parse_args(argv)
    run_on(args.loop, run(args.port, args.payload_bytes))


if __name__ == "__main__":
    main()
