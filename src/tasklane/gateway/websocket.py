"""``/ws``: the WebSocket shell around the hub. It admits the upgrade, reads the client's
frames (parsed by ``protocol.frames``) and passes them to the hub, and pumps the
connection's queue into the socket. It holds no delivery logic of its own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from functools import partial

from starlette.websockets import WebSocket, WebSocketDisconnect

from tasklane.edge.buckets import TokenBuckets
from tasklane.gateway.direct import direct_writer
from tasklane.gateway.gateway import Gateway, gateway_of
from tasklane.protocol import closes, frames
from tasklane.protocol.closes import Refusal
from tasklane.realtime import outgoing
from tasklane.realtime.connection import Connection

log = logging.getLogger(__name__)

CUT_OFF_SECONDS = 1.0  # after a close, how long the pump may take to send what is queued
CLOSE_TIMEOUT = 30.0  # seconds a stalled peer has to take our close frame


@dataclass(slots=True)
class Reading:
    """What a WebSocket's read keeps from one client frame to the next."""

    bucket: TokenBuckets  # the client's frames per second
    strikes: int = 0  # refused frames in a row


async def serve(ws: WebSocket) -> None:
    """The ``/ws`` endpoint: one WebSocket for its whole life, in one coroutine, on its
    episode's gateway. A gateway holds them for hours by the thousand, and each frame of
    a coroutine kept alive is memory each connection pays."""
    gateway = gateway_of(ws)
    admitted = await gateway.admission.admit(ws)
    if isinstance(admitted, Refusal):
        await ws.accept()
        await ws.close(admitted.code, admitted.reason)
        return
    # The seat is taken; from here on every way out gives it back. The credential is
    # not kept: the connection holds what it needs of it.
    seat = admitted.seat
    try:
        await ws.accept()
        conn = gateway.open(admitted, ws)
    except BaseException:
        gateway.admission.seats.give_back(seat)
        raise
    del admitted
    conn.batching = ws.query_params.get("batch") in ("1", "true")
    conn.direct = direct_writer(ws.scope)
    # Its pump is the one task a connection adds; this endpoint does the reading.
    pump = asyncio.create_task(_pump(gateway, ws, conn))
    try:
        stalled = await _read(gateway, ws, conn)
        if not conn.open and not pump.done():
            await _cut_off(ws, conn, pump, stalled=stalled)
    finally:
        conn.close(1000, "")
        await gateway.close(conn, seat)
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(pump, timeout=5)
        log.info("disconnected", extra={"connection_id": conn.id, "user_id": conn.user_id})


async def _cut_off(
    ws: WebSocket, conn: Connection, pump: asyncio.Task[None], *, stalled: bool
) -> None:
    """Close a connection the hub gave up on. Its pump may be stuck sending to a peer
    that stopped reading: unless it has already had its CUT_OFF_SECONDS (``stalled``),
    it gets them now; then the close frame goes out once the peer reads again, or the
    socket is dropped when the close times out."""
    if not stalled:
        await asyncio.wait({pump}, timeout=CUT_OFF_SECONDS)
    if pump.done():
        return
    pump.cancel()
    code, reason = conn.close_frame or (1000, "")
    with contextlib.suppress(Exception):
        await asyncio.wait_for(ws.close(code, reason), timeout=CLOSE_TIMEOUT)


async def _pump(gateway: Gateway, ws: WebSocket, conn: Connection) -> None:
    """Send queued frames; then close with the connection's code. A consumer that
    stalls mid-send is cut off by the hub (its queue overflows) and by the transport's
    ping timeout.

    With ``conn.batching`` (the client connected with ``?batch=1``), frames that queued
    up while the previous send was under way go out together, as one JSON array of the
    frames' own JSON: under a burst, one message (and one write) instead of many."""
    metrics = gateway.metrics
    batching = conn.batching
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        while (frame := await conn.next()) is not None:
            if batching and conn.queued:
                taken = [frame, *conn.take(outgoing.BATCH_FRAMES - 1, outgoing.BATCH_BYTES)]
                metrics.batches.inc()
                metrics.batched_frames.inc(len(taken))
                await ws.send_text(outgoing.batch(taken).text)
                del taken
            else:
                await ws.send_text(frame.text)
            # Nothing of what was sent is kept while the next frame is awaited, which is
            # where thousands of idle connections spend their lives.
            del frame
        code, reason = conn.close_frame or (1000, "")
        await ws.close(code, reason)


async def _read(gateway: Gateway, ws: WebSocket, conn: Connection) -> bool:
    """Take the client's frames until it goes, or the connection is to be closed. Once
    it is, the pump has CUT_OFF_SECONDS to send what is queued and the close, which
    ends the read; True if the read had to be cut short instead."""
    settings = gateway.settings
    reading = Reading(TokenBuckets(settings.ws_messages_per_second, settings.ws_message_burst))
    try:
        async with asyncio.timeout(None) as deadline:
            conn.on_close = partial(_cut_off_after, deadline, CUT_OFF_SECONDS)
            while conn.open and await _take(gateway, ws, conn, reading):
                pass
    except TimeoutError:
        if not deadline.expired():
            raise
        return True
    finally:
        conn.on_close = None
    return False


async def _take(gateway: Gateway, ws: WebSocket, conn: Connection, reading: Reading) -> bool:
    """Receive one client frame and act on it; False once the client has gone. One
    frame per call, so that nothing of it is kept while the next is awaited (which is
    where thousands of idle connections spend their lives)."""
    settings, metrics = gateway.settings, gateway.metrics
    try:
        message = await ws.receive()
    except (WebSocketDisconnect, RuntimeError):
        return False
    if message["type"] == "websocket.disconnect":
        return False
    raw = message.get("text")
    frame = frames.parse(
        raw if raw is not None else message.get("bytes") or b"",
        max_bytes=settings.ws_max_frame_bytes,
    )
    if reading.bucket.take("frames") > 0:
        # Refused, but no strike: a client that is merely fast is not abusive.
        metrics.frame_errors.labels(code="rate_limited").inc()
        conn.send(outgoing.error("rate_limited", "too many frames; slow down"))
        return True
    if isinstance(frame, frames.FrameError):
        metrics.frame_errors.labels(code=frame.code).inc()
        conn.send(outgoing.error(frame.code, frame.message))
        reading.strikes += 1
        if reading.strikes >= settings.ws_abuse_strikes:
            conn.close(closes.ABUSE, "too many refused frames")
        return True
    reading.strikes = 0
    metrics.messages_in.labels(type=frame.type).inc()
    try:
        if isinstance(frame, frames.Ping):
            conn.send(outgoing.pong(frame.id))
        elif isinstance(frame, frames.Join):
            await gateway.hub.join(conn, frame.project_id, frame.last_seq)
        else:
            await gateway.hub.leave(conn, frame.project_id)
    except Exception:
        log.exception("frame failed", extra={"connection_id": conn.id})
        project_id = None if isinstance(frame, frames.Ping) else frame.project_id
        conn.send(outgoing.error("unavailable", "try again shortly", project_id))
    return True


def _cut_off_after(deadline: asyncio.Timeout, seconds: float) -> None:
    """A connection's read ends ``seconds`` from now at the latest."""
    deadline.reschedule(asyncio.get_running_loop().time() + seconds)
