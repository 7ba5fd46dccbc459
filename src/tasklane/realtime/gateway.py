"""The realtime gateway on ``WS_PORT``: ``/ws``, ``/sse``, ``/broadcast``, ``/control``,
``/presence``, ``/healthz``, ``/readyz`` and ``/metrics``. It only moves bytes: frames are
parsed by ``wire``, delivered by the ``Hub``, and events are read through the services."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tasklane.api.deps import SESSION_COOKIE
from tasklane.api.limits import TokenBuckets
from tasklane.error_shape import error_response
from tasklane.realtime import closes, sse, wire
from tasklane.realtime.broker import CONTROL_CHANNEL, BrokerMessage
from tasklane.realtime.closes import Refusal
from tasklane.realtime.direct import KeepServerSend, direct_writer
from tasklane.realtime.hub import Connection, Hub
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.presence import PresenceStore
from tasklane.schemas.base import MAX_SEQ
from tasklane.services import Services
from tasklane.services.auth import REVOKED, Credential
from tasklane.services.errors import ServiceError
from tasklane.settings import Settings

log = logging.getLogger(__name__)

CUT_OFF_SECONDS = 1.0  # after a close, how long the pump may take to send what is queued
CLOSE_TIMEOUT = 30.0  # seconds a stalled peer has to take our close frame


class AppendBody(BaseModel):
    """Append a new event to a project's log and deliver it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    project_id: str = Field(min_length=1, max_length=40)
    type: str = Field(min_length=1, max_length=40)
    data: dict[str, Any] = Field(default_factory=dict)
    user_id: str | None = Field(None, max_length=32)


class NotifyBody(BaseModel):
    """An event committed elsewhere: deliver the log up to ``seq``."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    project_id: str = Field(min_length=1, max_length=40)
    seq: int = Field(ge=1, le=MAX_SEQ)


class ControlNotice(BaseModel):
    """An announcement for every process (a gym reset or clock, revoked tokens) relayed
    by an API-only process that has no shared broker."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["gym_reset", "gym_clock", "token_revoked"]
    body: dict[str, Any]


@dataclass(slots=True)
class Reading:
    """What a WebSocket's read keeps from one client frame to the next."""

    bucket: TokenBuckets  # the client's frames per second
    strikes: int = 0  # refused frames in a row


FollowGym = Callable[[Callable[[], Awaitable[None]]], Awaitable[Callable[[], None]]]


class Gateway:
    def __init__(
        self,
        settings: Settings,
        services: Services,
        hub: Hub,
        presence: PresenceStore,
        metrics: GatewayMetrics,
        jitter: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.services = services
        self.hub = hub
        self.presence = presence
        self.metrics = metrics
        self.secret = settings.resolved_broadcast_secret()
        self.jitter = jitter or random.Random()
        metrics.broker_up.set_function(lambda: float(self.broker_alive))

    @property
    def broker_alive(self) -> bool:
        """Whether this gateway hears what other processes publish. A deaf gateway
        still delivers (it reads the log every ``CATCH_UP_SECONDS``) but is not ready."""
        return self.hub.broker.alive

    # -- /ws ---------------------------------------------------------------------------

    async def authenticate(self, ws: HTTPConnection) -> Credential | Refusal:
        ticket = ws.query_params.get("ticket")
        if ticket is not None:
            credential = await self.services.auth.redeem_ticket(ticket)
            return credential or Refusal(closes.UNAUTHORIZED, "invalid or expired ticket", "ticket")
        header = ws.headers.get("authorization", "")
        secret = header[7:].strip() if header.lower().startswith("bearer ") else None
        if secret is None:
            secret = ws.cookies.get(SESSION_COOKIE)
            origin = ws.headers.get("origin")
            # Browsers send cookies whichever site opened the socket: only the app's own
            # pages may use them here (cross-site WebSocket hijacking).
            if secret and origin is not None and origin not in self.settings.app_origins():
                return Refusal(closes.ORIGIN_REFUSED, "origin not allowed", "origin")
        if not secret:
            return Refusal(closes.UNAUTHORIZED, "sign in or send a Bearer token", "missing")
        credential = await self.services.auth.credential(secret)
        refusal = Refusal(closes.UNAUTHORIZED, "invalid or expired credentials", "invalid")
        return credential or refusal

    async def admit(self, connection: HTTPConnection) -> Credential | Refusal:
        """Authenticate a WebSocket upgrade or an SSE request, and apply the limits."""
        try:
            outcome = await self.authenticate(connection)
        except Exception:
            log.exception("authentication failed")
            outcome = Refusal(closes.SHUTDOWN, '{"retryAfterMs":1000}', "unavailable")
        address = connection.client.host if connection.client else "unknown"
        if not isinstance(outcome, Refusal) and self._over_limit(outcome.user.id, address):
            outcome = Refusal(closes.TOO_MANY_CONNECTIONS, "too many connections", "limit")
        if isinstance(outcome, Refusal):
            self.metrics.rejected_auths.labels(reason=outcome.metric).inc()
            log.info("connection refused: %s", outcome.reason, extra={"address": address})
        return outcome

    def open(self, credential: Credential, connection: HTTPConnection) -> Connection:
        """Register an admitted connection with the hub; it starts with ``connected``."""
        address = connection.client.host if connection.client else "unknown"
        user = credential.user
        conn = self.hub.connect(
            self.services.runtime.ids.new("conn"), user.id, user.name, address, credential.token_id
        )
        log.info("connected", extra={"connection_id": conn.id, "user_id": conn.user_id})
        conn.send(wire.connected(conn.id, conn.user_id, self.settings.heartbeat_seconds))
        return conn

    async def websocket(self, ws: WebSocket) -> None:
        conn = await self._accept(ws)
        if conn is None:
            return
        # A gateway holds its connections for hours by the thousand: each costs one task
        # of ours, its pump; this endpoint does the reading.
        pump = asyncio.create_task(self._pump(ws, conn))
        try:
            stalled = await self._read(ws, conn)
            if conn.closing is not None and not pump.done():
                await self._cut_off(ws, conn, pump, stalled=stalled)
        finally:
            await self.hub.disconnect(conn)
            conn.close(1000, "")
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(pump, timeout=5)
            log.info("disconnected", extra={"connection_id": conn.id, "user_id": conn.user_id})

    async def _accept(self, ws: WebSocket) -> Connection | None:
        """Accept the upgrade; the connection, open and ready for its pump, or None if it
        was refused (closed with the refusal's code). The credential is not kept: the
        connection holds what it needs of it."""
        outcome = await self.admit(ws)
        await ws.accept()
        if isinstance(outcome, Refusal):
            await ws.close(outcome.code, outcome.reason)
            return None
        conn = self.open(outcome, ws)
        conn.batching = ws.query_params.get("batch") in ("1", "true")
        conn.direct = direct_writer(ws.scope)
        return conn

    async def _cut_off(
        self, ws: WebSocket, conn: Connection, pump: asyncio.Task[None], *, stalled: bool
    ) -> None:
        """Close a connection the hub gave up on. Its pump may be stuck sending to a peer
        that stopped reading: unless it has already had its CUT_OFF_SECONDS
        (``stalled``), it gets them now; then the close frame goes out once the peer reads
        again, or the socket is dropped when the close times out."""
        if not stalled:
            await asyncio.wait({pump}, timeout=CUT_OFF_SECONDS)
        if pump.done():
            return
        pump.cancel()
        code, reason = conn.closing or (1000, "")
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(code, reason), timeout=CLOSE_TIMEOUT)

    def _over_limit(self, user_id: str, address: str) -> bool:
        return (
            self.hub.connections_of(user_id=user_id) >= self.settings.ws_max_connections_per_user
            or self.hub.connections_of(address=address) >= self.settings.ws_max_connections_per_ip
        )

    async def _pump(self, ws: WebSocket, conn: Connection) -> None:
        """Send queued frames; then close with the connection's code. A consumer that
        stalls mid-send is cut off by the hub (its queue overflows) and by the
        transport's ping timeout.

        With ``conn.batching`` (the client connected with ``?batch=1``), frames that
        queued up while the previous send was under way go out together, as one JSON
        array of the frames' own text: under a burst, one message (and one write)
        instead of many."""
        batching = conn.batching
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while (frame := await conn.next()) is not None:
                if batching and conn.queued:
                    frames = [frame, *conn.take(wire.BATCH_FRAMES - 1, wire.BATCH_BYTES)]
                    self.metrics.batches.inc()
                    self.metrics.batched_frames.inc(len(frames))
                    await ws.send_text(wire.batch(frames).text)
                else:
                    await ws.send_text(frame.text)
            code, reason = conn.closing or (1000, "")
            await ws.close(code, reason)

    async def _read(self, ws: WebSocket, conn: Connection) -> bool:
        """Take the client's frames until it goes, or the connection is to be closed.
        Once it is, the pump has CUT_OFF_SECONDS to send what is queued and the close,
        which ends the read; True if the read had to be cut short instead."""
        settings = self.settings
        reading = Reading(TokenBuckets(settings.ws_messages_per_second, settings.ws_message_burst))
        try:
            async with asyncio.timeout(None) as deadline:
                conn.on_close = partial(_cut_off_after, deadline, CUT_OFF_SECONDS)
                while conn.closing is None and await self._take(ws, conn, reading):
                    pass
        except TimeoutError:
            if not deadline.expired():
                raise
            return True
        finally:
            conn.on_close = None
        return False

    async def _take(self, ws: WebSocket, conn: Connection, reading: Reading) -> bool:
        """Receive one client frame and act on it; False once the client has gone. One
        frame per call, so that nothing of it is kept while the next is awaited (which is
        where thousands of idle connections spend their lives)."""
        settings = self.settings
        try:
            message = await ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return False
        if message["type"] == "websocket.disconnect":
            return False
        raw = message.get("text")
        frame = wire.parse(
            raw if raw is not None else message.get("bytes") or b"",
            max_bytes=settings.ws_max_frame_bytes,
        )
        if reading.bucket.take("frames") > 0:
            # Refused, but no strike: a client that is merely fast is not abusive.
            self.metrics.frame_errors.labels(code="rate_limited").inc()
            conn.send(wire.error("rate_limited", "too many frames; slow down"))
            return True
        if isinstance(frame, wire.FrameError):
            self.metrics.frame_errors.labels(code=frame.code).inc()
            conn.send(wire.error(frame.code, frame.message))
            reading.strikes += 1
            if reading.strikes >= settings.ws_abuse_strikes:
                conn.close(closes.ABUSE, "too many refused frames")
            return True
        reading.strikes = 0
        self.metrics.messages_in.labels(type=frame.type).inc()
        try:
            if isinstance(frame, wire.Ping):
                conn.send(wire.pong(frame.id))
            elif isinstance(frame, wire.Join):
                await self.hub.join(conn, frame.project_id, frame.last_seq)
            else:
                await self.hub.leave(conn, frame.project_id)
        except Exception:
            log.exception("frame failed", extra={"connection_id": conn.id})
            conn.send(wire.error("unavailable", "try again shortly", frame_project(frame)))
        return True

    # -- HTTP ----------------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        given = header[7:].strip() if header.lower().startswith("bearer ") else ""
        return hmac.compare_digest(given.encode(), self.secret.encode())

    async def broadcast(self, request: Request) -> Response:
        if not self._authorized(request):
            self.metrics.broadcasts.labels(result="unauthorized").inc()
            return error_response(401, "unauthorized", "send the broadcast secret as Bearer")
        try:
            body = await request.json()
        except (ValueError, RecursionError):  # RecursionError: nested too deeply
            self.metrics.broadcasts.labels(result="invalid").inc()
            return error_response(400, "invalid_json", "the request body is not valid JSON")
        try:
            if isinstance(body, dict) and "seq" in body:
                notice = NotifyBody.model_validate(body)
                await self.hub.catch_up([notice.project_id])
                self.metrics.broadcasts.labels(result="notified").inc()
                return JSONResponse({"projectId": notice.project_id, "seq": notice.seq}, 202)
            append = AppendBody.model_validate(body)
        except ValidationError as exc:
            self.metrics.broadcasts.labels(result="invalid").inc()
            problems = [
                {"location": [str(p) for p in e["loc"]], "message": e["msg"]} for e in exc.errors()
            ]
            return error_response(422, "validation_error", "invalid broadcast body", problems)
        try:
            event = await self.services.broadcasts.append(
                append.project_id, append.type, append.data, append.user_id
            )
        except ServiceError as exc:
            self.metrics.broadcasts.labels(result="refused").inc()
            return error_response(exc.status, exc.code, exc.message, exc.details or None)
        self.metrics.broadcasts.labels(result="appended").inc()
        return JSONResponse({"projectId": event.project_id, "seq": event.seq}, 201)

    async def control(self, request: Request) -> Response:
        """An announcement for every process (a gym reset or clock, revoked tokens) from
        an API-only process that has no shared broker: passed to this process's listeners
        as if it had come through one."""
        if not self._authorized(request):
            return error_response(401, "unauthorized", "send the broadcast secret as Bearer")
        try:
            notice = ControlNotice.model_validate_json(await request.body())
        except ValidationError as exc:
            problems = [
                {"location": [str(p) for p in e["loc"]], "message": e["msg"]} for e in exc.errors()
            ]
            return error_response(422, "validation_error", "invalid announcement", problems)
        if notice.type != REVOKED and not self.settings.gym_mode:
            return error_response(404, "not_found", "the gym is off (GYM_MODE)")
        body = json.dumps(notice.body).encode()
        await self.hub.broker.publish(BrokerMessage(CONTROL_CHANNEL, None, notice.type, body))
        return JSONResponse({"type": notice.type}, 202)

    async def hear_control(self, message: BrokerMessage) -> None:
        """A broker listener: close the connections of tokens revoked anywhere."""
        if message.project_id != CONTROL_CHANNEL or message.type != REVOKED:
            return
        with contextlib.suppress(ValueError, TypeError, KeyError):
            token_ids = json.loads(message.frame)["tokenIds"]
            self.hub.end_credentials({t for t in token_ids if isinstance(t, str)})

    async def presence_list(self, request: Request) -> Response:
        """Who is here, for API processes that keep no presence of their own."""
        if not self._authorized(request):
            return error_response(401, "unauthorized", "send the broadcast secret as Bearer")
        project_id = request.path_params["project_id"]
        return JSONResponse(await self.presence.list(project_id))

    async def healthz(self, _request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(self, _request: Request) -> Response:
        checks = {"database": "ok", "broker": "ok" if self.broker_alive else "down"}
        try:
            async with self.services.runtime.db.read() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means not ready; say which
            checks["database"] = f"error: {type(exc).__name__}"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", **checks}, 200 if ready else 503
        )

    async def metrics_page(self, _request: Request) -> Response:
        return Response(generate_latest(self.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # -- lifecycle ------------------------------------------------------------------------

    async def catch_up_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.catch_up_seconds)
            try:
                await self.hub.catch_up()
            except Exception:
                log.exception("catch-up with the event log failed")

    async def check_credentials_forever(self) -> None:
        """Every ``CREDENTIAL_CHECK_SECONDS``, close the connections whose session or
        token is gone or expired: the bound on revocation when its announcement was
        lost (a broker outage), and how expiry reaches long-lived connections."""
        while True:
            await asyncio.sleep(self.settings.credential_check_seconds)
            await self.check_credentials()

    async def check_credentials(self) -> None:
        in_use = self.hub.token_ids()
        if not in_use:
            return
        try:
            valid = await self.services.auth.valid_tokens(in_use)
        except Exception as exc:  # the database away: check again next time
            log.warning("credential check failed: %s", exc)
            return
        if ended := self.hub.end_credentials(in_use - valid):
            log.info("closed %d connections whose credentials ended", ended)

    async def keep_presence_forever(self) -> None:
        """Renew this gateway's presence entries and sweep out expired ones, every
        third of ``PRESENCE_TTL_SECONDS``."""
        while True:
            await asyncio.sleep(self.settings.presence_ttl_seconds / 3)
            await self.keep_presence()

    async def keep_presence(self) -> None:
        try:
            await self.hub.keep_presence()
        except Exception as exc:  # Redis away: entries expire, and come back with it
            log.warning("presence upkeep failed: %s", exc)

    async def resume(self) -> None:
        """After a broker interruption: whatever was published meanwhile is only in the
        log, so read it; and presence may have lost this gateway's entries."""
        self.metrics.broker_resumes.inc()
        log.info("broker resumed: catching up %d rooms from the log", len(self.hub.rooms))
        await self.hub.catch_up()
        await self.keep_presence()

    def drain(self) -> None:
        """Close every connection with a reconnect code and a jittered retry hint."""
        spread = self.settings.drain_spread_ms
        self.hub.drain(lambda: self.jitter.randint(0, spread))


def _cut_off_after(deadline: asyncio.Timeout, seconds: float) -> None:
    """A connection's read ends ``seconds`` from now at the latest."""
    deadline.reschedule(asyncio.get_running_loop().time() + seconds)


def frame_project(frame: wire.Join | wire.Leave | wire.Ping) -> str | None:
    return None if isinstance(frame, wire.Ping) else frame.project_id


def create_gateway(gateway: Gateway, follow_gym: FollowGym | None = None) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        broker = gateway.hub.broker
        unsubscribe = broker.subscribe(gateway.hub.receive)
        await broker.follow(CONTROL_CHANNEL)
        unsubscribe_control = broker.subscribe(gateway.hear_control)
        stop_gym = await follow_gym(gateway.hub.reset) if follow_gym else (lambda: None)
        forget_resume = broker.on_resume(gateway.resume)
        chores = [
            asyncio.create_task(gateway.catch_up_forever()),
            asyncio.create_task(gateway.keep_presence_forever()),
            asyncio.create_task(gateway.check_credentials_forever()),
        ]
        try:
            yield
        finally:
            for chore in chores:
                chore.cancel()
            forget_resume()
            stop_gym()
            unsubscribe_control()
            broker.unfollow(CONTROL_CHANNEL)
            unsubscribe()

    app = Starlette(
        routes=[
            WebSocketRoute("/ws", gateway.websocket),
            Route("/sse", partial(sse.stream_events, gateway), methods=["GET"]),
            Route("/broadcast", gateway.broadcast, methods=["POST"]),
            Route("/presence/{project_id}", gateway.presence_list, methods=["GET"]),
            Route("/control", gateway.control, methods=["POST"]),
            Route("/healthz", gateway.healthz, methods=["GET"]),
            Route("/readyz", gateway.readyz, methods=["GET"]),
            Route("/metrics", gateway.metrics_page, methods=["GET"]),
        ],
        lifespan=lifespan,
        # The app's pages (on PORT, another origin) open /sse with the session cookie.
        middleware=[
            Middleware(KeepServerSend),
            Middleware(
                CORSMiddleware,
                allow_origins=gateway.settings.app_origins(),
                allow_credentials=True,
                allow_methods=["GET"],
                allow_headers=["Last-Event-ID", "Authorization"],
            ),
        ],
    )
    app.state.gateway = gateway
    return app
