"""A lean HTTP/1.1 client for the agents of ``bench.episodes``: one connection per agent,
kept open, requests written by hand and answers read by their ``Content-Length``.

httpx spends about as much CPU on a request as Tasklane's server does to answer it, so a
load client built on it, on its one CPU, runs out before the server does, and a ratio of
two layouts' steps per second then measures the client. This one costs a small fraction
of that: the server's time decides the rate."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class ConnectionLost(Exception):
    """The server closed the connection, or it broke, before a whole answer came."""


@dataclass
class KeptAlive:
    """One connection to ``base``'s host, opened on first use and again after a loss."""

    base: str  # scheme://host:port[/path]: requests' paths follow the path
    _streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = field(default=None)

    def __post_init__(self) -> None:
        parts = urlsplit(self.base)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"an http://host:port base, not {self.base!r}")
        self.host, self.port, self.prefix = parts.hostname, parts.port, parts.path.rstrip("/")

    async def request(self, method: str, path: str, *, token: str, body: Any) -> Answer:
        """``method`` ``path`` with a JSON body and a Bearer token; the answer (the
        caller bounds the wait, with ``asyncio.timeout``)."""
        payload = json.dumps(body, separators=(",", ":")).encode()
        head = (
            f"{method} {self.prefix}{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        reader, writer = await self._open()
        try:
            writer.write(head + payload)
            answer, closing = await _answer(reader)
        except (OSError, asyncio.IncompleteReadError, ConnectionLost) as lost:
            self.close()
            raise ConnectionLost(repr(lost)) from lost
        except BaseException:
            self.close()  # a timeout mid-answer: the connection's state is unknown
            raise
        if closing:
            self.close()
        return answer

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._streams is None or self._streams[1].is_closing():
            self._streams = await asyncio.open_connection(self.host, self.port)
        return self._streams

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def _answer(reader: asyncio.StreamReader) -> tuple[Answer, bool]:
    """The answer, and whether the server closes the connection after it."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    closing = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            closing = True
        elif name == "transfer-encoding":
            raise ConnectionLost(f"a {value.strip()} answer, which this client does not read")
    body = await reader.readexactly(length) if length else b""
    return Answer(status, body), closing
