"""Redis pub/sub as the broker between processes: one channel per project
(``tasklane:project:<id>``), so a gateway hears only the projects it has rooms for, and
the control channel (``tasklane:control``) that every process hears.

A project's message is a line of JSON saying what it is (``{"seq", "type", "at",
"revokes"}`` for an event, ``{"type", "at"}`` for presence), a newline, and the frame's
bytes as they were encoded at commit; an announcement is its notice's JSON.

Pub/sub is the fast path and nothing more: Redis keeps no message for a subscriber that
is away. So the subscription is watched — a PING whenever the line has been quiet for
``ping_seconds``, and a line silent for ``silence_seconds`` counts as dead, as does any
error — and re-established with jittered exponential backoff. While it is down the
broker says so (``alive`` is False: the gateway's ``/readyz`` answers 503); once it is
back, every followed channel is subscribed again and then the ``on_resume`` callbacks
run, so the gateway reads from the event log whatever was published meanwhile.

One connection carries the subscription. Only this module's session task reads it, and
only its writer task writes to it, in the order commands were queued: a quick
unfollow-then-follow can never leave a project unsubscribed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from tasklane.realtime.broker import Announcement, Listener, Message, Presence, Resumed
from tasklane.realtime.control import encode_notice, notices
from tasklane.realtime.log import Committed

log = logging.getLogger(__name__)

FOLLOW_WAIT_SECONDS = 1.0  # longest a join waits for Redis to confirm a SUBSCRIBE


def redis_client(url: str) -> Redis:
    """A client for ``url`` that fails fast: a command is tried at most twice (once
    more on a fresh connection, which covers a restarted server) and waits at most two
    seconds for the network, so a request that publishes after commit is never held
    up for long by Redis being away."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=64,
        timeout=2,
        socket_connect_timeout=2,
        socket_timeout=2,
        retry=Retry(NoBackoff(), 1),
        protocol=2,
        client_name="tasklane",
    )
    return Redis.from_pool(pool)


class RedisBroker:
    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "tasklane",
        ping_seconds: float = 1.0,
        silence_seconds: float = 3.0,
        backoff_seconds: tuple[float, float] = (0.1, 2.0),
        jitter: random.Random | None = None,
    ) -> None:
        """``redis`` is used to publish, and its pool's settings for the subscription;
        it stays the caller's to close."""
        self._redis = redis
        self._prefix = f"{prefix}:project:"
        # Always subscribed: announcements travel on it, and it keeps a line to ping.
        self._control = f"{prefix}:control".encode()
        self._ping_seconds = ping_seconds
        self._silence_seconds = silence_seconds
        self._backoff = backoff_seconds
        self._jitter = jitter or random.Random()
        self._listeners: list[Listener] = []
        self._resumed: list[Resumed] = []
        self._interest: Counter[str] = Counter()
        # Per channel, one entry per SUBSCRIBE sent and not yet confirmed, in order: the
        # future a ``follow`` waits on, or None for the session's own.
        self._confirmations: dict[bytes, deque[asyncio.Future[None] | None]] = {}
        self._outbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self._connection: AbstractConnection | None = None  # the live session's
        self._alive = False
        self._lost_at: float | None = None  # since when it is down; None: up, or never tried
        self._missed = False  # down at some point since the last session went live
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()

    def channel(self, project_id: str) -> str:
        return self._prefix + project_id

    # -- publishing ------------------------------------------------------------------

    async def publish(self, message: Message) -> None:
        channel: str | bytes
        if isinstance(message, Announcement):
            channel, payload = self._control, encode_notice(message.notice)
        else:
            header: dict[str, object] = {"type": message.type, "at": message.published_at}
            if isinstance(message, Committed):
                header.update(seq=message.seq, revokes=message.revoked_user)
            head = json.dumps(header, separators=(",", ":")).encode()
            channel, payload = self.channel(message.project_id), head + b"\n" + message.frame
        try:
            await self._redis.publish(channel, payload)
        except (RedisError, OSError) as exc:
            # Committed is committed: every gateway reads the log after reconnecting.
            log.warning("publish failed on %r: %s", channel, exc)

    # -- subscribing -----------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        self._start()

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def on_resume(self, callback: Resumed) -> Callable[[], None]:
        self._resumed.append(callback)
        return lambda: self._resumed.remove(callback) if callback in self._resumed else None

    async def follow(self, project_id: str) -> None:
        self._start()
        self._interest[project_id] += 1
        if self._connection is None:
            return  # down: the next session subscribes it, then calls on_resume
        channel = self.channel(project_id).encode()
        if self._interest[project_id] == 1:
            waiter: asyncio.Future[None] | None = asyncio.get_running_loop().create_future()
            self._send(("SUBSCRIBE", channel), (channel,), waiter)
        else:  # subscribed already, or about to be: wait for that
            pending = self._confirmations.get(channel)
            waiter = pending[-1] if pending else None
        if waiter is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(waiter), FOLLOW_WAIT_SECONDS)

    def _send(
        self,
        command: tuple[Any, ...],
        subscribing: tuple[bytes, ...] = (),
        waiter: asyncio.Future[None] | None = None,
    ) -> None:
        """Queue a command for the live session's writer; a SUBSCRIBE notes the
        confirmations it will bring."""
        for channel in subscribing:
            self._confirmations.setdefault(channel, deque()).append(waiter)
        self._outbox.put_nowait(command)

    def unfollow(self, project_id: str) -> None:
        if self._interest[project_id] <= 0:
            return
        self._interest[project_id] -= 1
        if self._interest[project_id] == 0:
            del self._interest[project_id]
            if self._connection is not None:
                self._send(("UNSUBSCRIBE", self.channel(project_id).encode()))

    @property
    def alive(self) -> bool:
        return self._alive

    async def close(self) -> None:
        self._listeners.clear()
        tasks = [t for t in (self._task, *self._background) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None

    # -- the subscription's life -----------------------------------------------------

    def _start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="redis-subscription"
            )

    async def _run(self) -> None:
        """Keep a subscription up for as long as the broker lives."""
        failures = 0
        while True:
            problem = "the subscription ended"
            try:
                await self._session()
            except (RedisError, OSError) as exc:
                problem = str(exc) or type(exc).__name__
            except Exception as exc:  # a bug must not leave the process deaf for good
                log.exception("Redis subscription failed")
                problem = repr(exc)
            now = asyncio.get_running_loop().time()
            self._missed = True
            if self._lost_at is None:  # it was up, or this was the first try
                failures, self._lost_at = 0, now
                log.warning("Redis subscription down: %s; reconnecting", problem)
            elif failures in (3, 10) or failures % 30 == 29:
                log.warning(
                    "Redis still unreachable after %.1f s: %s", now - self._lost_at, problem
                )
            base, cap = self._backoff
            await asyncio.sleep(min(cap, base * 2**failures) * self._jitter.uniform(0.5, 1.0))
            failures += 1

    async def _session(self) -> None:
        """One connection's subscription: returns never, raises when it is lost."""
        loop = asyncio.get_running_loop()
        pool = self._redis.connection_pool
        connection: AbstractConnection = pool.make_connection()  # type: ignore[no-untyped-call]
        writer: asyncio.Task[None] | None = None
        try:
            await connection.connect()  # type: ignore[no-untyped-call]
            # Snapshot the interest and go live with no await in between: a follow from
            # now on queues its own SUBSCRIBE behind this one.
            self._outbox = asyncio.Queue()
            channels = (*(self.channel(p).encode() for p in self._interest), self._control)
            self._connection = connection
            # The control channel last: its confirmation means all the others are in.
            self._send(("SUBSCRIBE", *channels), channels)
            writer = loop.create_task(self._write(connection))
            heard = loop.time()
            while True:
                response = await connection.read_response(timeout=self._ping_seconds)
                if writer.done():
                    writer.result()  # a failed write ends the session
                now = loop.time()
                if response is None:
                    if now - heard >= self._silence_seconds:
                        raise ConnectionError(f"no answer from Redis for {now - heard:.1f} s")
                    self._send(("PING",))
                    continue
                heard = now
                await self._handle(response)
        finally:
            self._connection = None
            self._alive = False
            if writer is not None:
                writer.cancel()
            for pending in self._confirmations.values():
                for waiter in pending:
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)
            self._confirmations.clear()
            with contextlib.suppress(Exception):
                await connection.disconnect(nowait=True)

    async def _write(self, connection: AbstractConnection) -> None:
        while True:
            command = await self._outbox.get()
            await connection.send_command(*command, check_health=False)

    async def _handle(self, response: Any) -> None:
        if not isinstance(response, list) or not response:
            return
        kind = response[0]
        if kind == b"message":
            await self._dispatch(response[1], response[2])
        elif kind == b"subscribe":
            pending = self._confirmations.get(response[1])
            waiter = pending.popleft() if pending else None
            if pending is not None and not pending:
                del self._confirmations[response[1]]
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            if response[1] == self._control:
                self._went_live()

    def _went_live(self) -> None:
        self._alive = True
        lost_at, self._lost_at = self._lost_at, None
        if not self._missed:
            return  # the first subscription: nothing was missed
        self._missed = False
        down = asyncio.get_running_loop().time() - (lost_at or 0.0)
        log.warning(
            "Redis subscription restored after %.1f s (%d projects followed)",
            down,
            len(self._interest),
        )
        for callback in list(self._resumed):
            task = asyncio.get_running_loop().create_task(self._resume(callback))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    @staticmethod
    async def _resume(callback: Resumed) -> None:
        try:
            await callback()
        except Exception:
            log.exception("an on_resume callback failed")

    def _read(self, channel: bytes, payload: bytes) -> Message:
        if channel == self._control:
            return Announcement(notices.validate_json(payload))
        head, _, frame = payload.partition(b"\n")
        header = json.loads(head)
        project_id = channel.decode()[len(self._prefix) :]
        at = float(header.get("at") or 0.0)
        if header.get("seq") is None:
            return Presence(project_id, str(header["type"]), frame, at)
        revoked = header.get("revokes")
        return Committed(
            project_id,
            int(header["seq"]),
            str(header["type"]),
            frame,
            revoked if isinstance(revoked, str) else None,
            at,
        )

    async def _dispatch(self, channel: bytes, payload: bytes) -> None:
        try:
            message = self._read(channel, payload)
        except (ValueError, KeyError, TypeError, ValidationError):
            log.warning("dropped a malformed message on %r", channel)
            return
        for listener in list(self._listeners):
            try:
                await listener(message)
            except Exception:  # one failing subscriber must not starve the others
                log.exception("a broker listener failed on %r", channel)
