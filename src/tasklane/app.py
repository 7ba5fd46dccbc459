"""Wiring: ``build_stack(settings, role)`` makes the shared parts once;
``create_app`` is the HTTP app on ``PORT`` and ``create_gateway`` the realtime app on
``WS_PORT``. ``tasklane serve`` runs both in one process and one event loop by default,
or one of them with ``--role``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from importlib.metadata import version
from typing import Literal, Protocol

from argon2 import PasswordHasher
from fastapi import FastAPI
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

from tasklane import api, web
from tasklane.api import errors
from tasklane.api.limits import BodyLimit, RefuseNul
from tasklane.api.receipts import PROJECT_HEADER, SEQ_HEADER, SeqHeaders
from tasklane.clock import AdjustableClock, Clock, SystemClock
from tasklane.db import Database
from tasklane.edge.buckets import TokenBuckets
from tasklane.edge.deps import Limits
from tasklane.gateway.app import create_gateway
from tasklane.gateway.gateway import Gateway
from tasklane.gym import control
from tasklane.gym.service import GymService
from tasklane.ids import IdGenerator
from tasklane.realtime.broker import Broker
from tasklane.realtime.hub import Hub, HubLimits
from tasklane.realtime.memory_broker import MemoryBroker
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.notifier import GatewayNotifier, GatewayPresence
from tasklane.realtime.presence import MemoryPresence, PresenceStore
from tasklane.realtime.redis_broker import RedisBroker, redis_client
from tasklane.realtime.redis_presence import RedisPresence
from tasklane.realtime.waiters import ProjectWaiters, Slots
from tasklane.services import Services
from tasklane.services.runtime import Runtime
from tasklane.settings import Settings

Role = Literal["all", "api", "realtime"]


class PresenceReader(Protocol):
    async def list(self, project_id: str) -> list[dict[str, str]]: ...


@dataclass
class Stack:
    """Everything one process shares between its apps."""

    settings: Settings
    services: Services
    presence: PresenceReader
    gateway: Gateway | None  # None in an API-only process
    redis: Redis | None = None  # with REDIS_URL: the client the broker and presence share
    gym: GymService | None = None  # with GYM_MODE

    def __post_init__(self) -> None:
        if self.settings.gym_mode:
            self.gym = GymService(
                self.services.runtime, max_snapshots=self.settings.gym_max_snapshots
            )

    async def follow_gym(self, on_reset: Callable[[], Awaitable[None]]) -> Callable[[], None]:
        """In gym mode, hear the gym's announcements: apply the clock they carry and
        run ``on_reset`` after a reset or restore. Returns how to stop."""
        if self.gym is None:
            return lambda: None
        broker = self.services.runtime.broker
        return broker.subscribe(control.listener(self.services.runtime.clock, on_reset))

    async def close(self) -> None:
        await self.services.runtime.broker.close()
        await self.services.runtime.db.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def password_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    broker: Broker | None = None,
    wall_clock: Clock | None = None,
) -> Services:
    runtime = Runtime(
        db=Database(settings.database_url),
        clock=clock or SystemClock(),
        ids=ids or IdGenerator(),
        broker=broker or MemoryBroker(),
        wall_clock=wall_clock or SystemClock(),
    )
    return Services.build(
        runtime, password_hasher(settings), timedelta(hours=settings.session_ttl_hours)
    )


def build_stack(
    settings: Settings,
    role: Role = "all",
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    wall_clock: Clock | None = None,
) -> Stack:
    """The parts of one process. With ``REDIS_URL`` every role uses Redis: pub/sub
    between processes, one channel per project, and presence shared by all gateways
    (an API process reads it from there). Without it, ``all`` and ``realtime`` deliver
    in memory, and ``api`` reaches a gateway in another process through its
    ``/broadcast`` endpoint."""
    if clock is None and settings.gym_mode:
        clock = AdjustableClock()  # one clock the gym API sets for the whole app
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    broker: Broker
    presence: PresenceStore
    if redis is not None:
        broker = RedisBroker(redis)
        presence = RedisPresence(redis, settings.presence_ttl_seconds)
    else:
        broker, presence = MemoryBroker(), MemoryPresence()
    if role == "api":
        if redis is None:
            secret, url = settings.resolved_broadcast_secret(), settings.resolved_gateway_url()
            services = build_services(
                settings,
                clock=clock,
                ids=ids,
                broker=GatewayNotifier(url, secret),
                wall_clock=wall_clock,
            )
            return Stack(settings, services, GatewayPresence(url, secret), None)
        services = build_services(
            settings, clock=clock, ids=ids, broker=broker, wall_clock=wall_clock
        )
        return Stack(settings, services, presence, None, redis)
    services = build_services(settings, clock=clock, ids=ids, broker=broker, wall_clock=wall_clock)
    metrics = GatewayMetrics()
    hub = Hub(
        log=services.events,
        access=services.projects.can_read,
        presence=presence,
        broker=broker,
        clock=services.runtime.clock,
        metrics=metrics,
        limits=HubLimits(
            queue_messages=settings.ws_queue_messages,
            queue_bytes=settings.ws_queue_bytes,
            gap_wait=settings.gap_wait_ms / 1000,
            max_replay=settings.replay_max_events,
        ),
        commits=services.runtime.commits,
    )
    gateway = Gateway(settings, services, hub, presence, metrics)
    return Stack(settings, services, presence, gateway, redis)


async def _wake(waiters: ProjectWaiters) -> None:
    waiters.wake_all()


def create_app(
    settings: Settings,
    *,
    stack: Stack | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    wall_clock: Clock | None = None,
) -> FastAPI:
    """The HTTP app on ``PORT``: the web pages, the JSON API under ``/api`` and health
    checks.

    Given a ``stack``, the app uses it and leaves closing it to its owner; otherwise it
    builds one of its own and closes it on shutdown. The database schema must already
    be migrated (``tasklane migrate``; ``tasklane serve`` does it on start).
    """
    owned = stack is None
    parts = stack or build_stack(settings, clock=clock, ids=ids, wall_clock=wall_clock)

    waiters = ProjectWaiters(parts.services.runtime.broker)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        unsubscribe = parts.services.runtime.broker.subscribe(waiters.listener)
        stop_gym = await parts.follow_gym(partial(_wake, waiters))
        yield
        stop_gym()
        unsubscribe()
        if owned:
            await parts.close()

    app = FastAPI(
        title="Tasklane",
        version=version("tasklane-server"),
        description="An Asana-style work manager whose every change reaches everyone, live.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.services = parts.services
    app.state.stack = parts
    app.state.waiters = waiters
    app.state.poll_slots = Slots(settings.poll_max_per_user)
    app.state.limits = Limits(
        mutations=TokenBuckets(settings.mutation_rate, settings.mutation_burst),
        anonymous=TokenBuckets(settings.auth_rate, settings.auth_burst),
    )
    errors.install(app)
    for router in api.routers:
        app.include_router(router)
    if settings.gym_mode:
        app.include_router(api.gym.router)
    web.install(app)  # the pages (/, /login, /projects/…) and /static

    app.add_middleware(SeqHeaders)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RefuseNul)
    if settings.allowed_origins:
        # Front ends on other origins (docs/javascript.md) call the API with a token, or
        # with the cookie from an origin listed here, which the cookie rule trusts too.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=[SEQ_HEADER, PROJECT_HEADER],
            max_age=600,
        )
    return app


def create_realtime_app(stack: Stack) -> Starlette:
    """The realtime gateway on ``WS_PORT``, on the stack's hub."""
    if stack.gateway is None:
        raise ValueError("an API-only stack has no gateway")
    return create_gateway(stack.gateway, stack.follow_gym)
