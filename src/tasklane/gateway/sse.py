"""The Server-Sent Events view of the hub: ``GET :WS_PORT/sse?projectId=…``.

The same subscriptions, frames and guarantees as the WebSocket, written as
``id:``/``event:``/``data:`` lines. ``id`` is the stream's cursor (the ``seq`` of a
one-project stream, ``proj:seq,…`` for several), so a browser's automatic reconnect
sends it back as ``Last-Event-ID`` and resumes exactly where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from tasklane.edge.errors import error_response
from tasklane.gateway.admission import Seat
from tasklane.gateway.gateway import Gateway
from tasklane.protocol import closes, cursors, frames
from tasklane.protocol.base import contains_nul
from tasklane.protocol.closes import Refusal
from tasklane.realtime.connection import Connection

log = logging.getLogger(__name__)

CUT_OFF_SECONDS = 5.0  # how long a closed stream may stay stuck writing to a stalled client
FIRST_RETRY_MS = 2_000  # the browser's reconnect delay, as for the WebSocket's first retry
REFUSAL_STATUS = {
    closes.UNAUTHORIZED: 401,
    closes.ORIGIN_REFUSED: 403,
    closes.TOO_MANY_CONNECTIONS: 429,
    closes.SHUTDOWN: 503,
}


async def stream_events(gateway: Gateway, request: Request) -> Response:
    project_ids = list(dict.fromkeys(request.query_params.getlist("projectId")))
    if not 1 <= len(project_ids) <= cursors.MAX_STREAM_PROJECTS or any(
        not 1 <= len(p) <= 40 or contains_nul(p) for p in project_ids
    ):
        return error_response(
            400, "bad_request", f"give 1 to {cursors.MAX_STREAM_PROJECTS} projectId parameters"
        )
    cursor = request.headers.get("last-event-id") or request.query_params.get("lastEventId")
    starts = cursors.parse_cursor(cursor, project_ids)
    if isinstance(starts, frames.FrameError):
        return error_response(400, starts.code, starts.message)
    outcome = await gateway.admission.admit(request)
    if isinstance(outcome, Refusal):
        status = REFUSAL_STATUS.get(outcome.code, 400)
        code = {401: "unauthorized", 403: "forbidden", 429: "rate_limited"}.get(
            status, "unavailable"
        )
        return error_response(status, code, outcome.reason)
    # The seat is taken; from here on every way out gives it back.
    try:
        # Refuse before streaming: a browser's EventSource stops retrying on an error status.
        for project_id in project_ids:
            if not await gateway.services.projects.can_read(outcome.credential.user.id, project_id):
                gateway.admission.seats.give_back(outcome.seat)
                return error_response(403, "forbidden", "you cannot follow this project")
        conn = gateway.open(outcome, request)
    except BaseException:
        gateway.admission.seats.give_back(outcome.seat)
        raise
    seat = outcome.seat
    try:
        for project_id in project_ids:
            await gateway.hub.join(conn, project_id, starts.get(project_id))
    except BaseException:
        await gateway.close(conn, seat)
        raise
    return EventStream(
        conn,
        _frames(gateway, conn, seat, project_ids, dict(starts)),
        partial(gateway.close, conn, seat),
    )


class EventStream(StreamingResponse):
    """A ``text/event-stream`` that ends when the hub closes its connection, even if a
    client that stopped reading keeps the write blocked: after ``CUT_OFF_SECONDS`` the
    response is abandoned and the server closes the socket. However it ends — even if
    the client went before the first byte, when the frames were never started —
    ``ended`` runs: the hub forgets the connection and its seat is free again."""

    def __init__(
        self, conn: Connection, frames: AsyncIterator[bytes], ended: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__(
            frames,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self.conn = conn
        self.ended = ended

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        streaming = asyncio.ensure_future(super().__call__(scope, receive, send))
        closing = asyncio.ensure_future(self.conn.closed.wait())
        try:
            await asyncio.wait({streaming, closing}, return_when=asyncio.FIRST_COMPLETED)
            if not streaming.done():
                # The stream writes its last event and ends by itself, unless it is stuck
                # sending to a client that stopped reading.
                await asyncio.wait({streaming}, timeout=CUT_OFF_SECONDS)
            if not streaming.done():
                streaming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await streaming
        finally:
            closing.cancel()
            await self.ended()


async def _frames(
    gateway: Gateway,
    conn: Connection,
    seat: Seat,
    project_ids: list[str],
    positions: dict[str, int],
) -> AsyncIterator[bytes]:
    heartbeat = gateway.settings.heartbeat_seconds
    try:
        yield f"retry: {FIRST_RETRY_MS}\n".encode()
        while True:
            try:
                frame = await asyncio.wait_for(conn.next(), heartbeat)
            except TimeoutError:
                yield b": heartbeat\n\n"  # keeps idle proxies from closing the stream
                continue
            if frame is None:
                yield _closing(conn)
                return
            if frame.seq is not None and frame.project_id is not None:
                if frame.type == "joined":  # from Last-Event-ID if it had one, else the head
                    positions.setdefault(frame.project_id, frame.seq)
                else:  # an event, or resync_required's new starting point
                    positions[frame.project_id] = frame.seq
                yield (
                    f"id: {cursors.format_cursor(positions, project_ids)}\n".encode() + frame.sse()
                )
            else:
                yield frame.sse()
            if frame.type == "left" and not conn.subscriptions:
                return  # nothing left to follow: the "left" event said why
    finally:
        with contextlib.suppress(Exception):
            await gateway.close(conn, seat)
        log.info("stream closed", extra={"connection_id": conn.id, "user_id": conn.user_id})


def _closing(conn: Connection) -> bytes:
    """The last event of a stream the server ends: why, and when to come back."""
    code, reason = conn.close_frame or (1000, "")
    retry = b""
    if code == closes.SHUTDOWN:
        with contextlib.suppress(ValueError, TypeError, KeyError):
            retry = f"retry: {int(json.loads(reason)['retryAfterMs'])}\n".encode()
    data = json.dumps({"type": "close", "code": code, "reason": reason}, separators=(",", ":"))
    return retry + f"event: close\ndata: {data}\n\n".encode()
