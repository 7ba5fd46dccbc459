"""A TCP proxy in front of the realtime gateway that refuses what a corporate proxy or a
firewall refuses: the WebSocket upgrade on ``/ws`` (403), the event stream on ``/sse``
(503). Everything else is passed through, byte for byte, over real sockets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

REFUSALS = {
    "/ws": b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    "/sse": (
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html\r\n"
        b"content-length: 22\r\nconnection: close\r\n\r\n<h1>Blocked here</h1>\n"
    ),
}


@dataclass
class Gatekeeper:
    upstream: tuple[str, int]
    refuse: set[str] = field(default_factory=set)  # paths refused, of REFUSALS
    url: str = ""  # http://127.0.0.1:PORT once serving
    refused: list[str] = field(default_factory=list)  # paths refused so far
    _pipes: set[asyncio.Task[None]] = field(default_factory=set)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1].decode()
            path = target.split("?", 1)[0]
            if path in self.refuse:
                self.refused.append(path)
                writer.write(REFUSALS[path])
                await writer.drain()
                return
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            up_writer.write(head)
            try:
                await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
            finally:
                up_writer.close()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()
            self._pipes.discard(task)

    def cut(self) -> None:
        """Drop every connection passing through, as a network failure would."""
        for pipe in list(self._pipes):
            pipe.cancel()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    with contextlib.suppress(OSError):
        sink.write_eof()


@asynccontextmanager
async def gatekeeper(gateway_http: str, refuse: set[str]) -> AsyncIterator[Gatekeeper]:
    """A proxy to ``gateway_http`` (http://127.0.0.1:PORT) refusing ``refuse``."""
    host, port = gateway_http.removeprefix("http://").rsplit(":", 1)
    keeper = Gatekeeper((host, int(port)), set(refuse))
    server = await asyncio.start_server(keeper._serve, "127.0.0.1", 0)
    keeper.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield keeper
    finally:
        server.close()
        for pipe in list(keeper._pipes):
            pipe.cancel()
        await asyncio.gather(*keeper._pipes, return_exceptions=True)
        await server.wait_closed()
