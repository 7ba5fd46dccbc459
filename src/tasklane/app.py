"""Wiring: ``build_stack(settings, role)`` makes the shared parts once;
``create_app`` is the HTTP app on ``PORT`` and ``create_gateway`` the realtime app on
``WS_PORT``. ``tasklane serve`` runs both in one process and one event loop by default,
or one of them with ``--role``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

from fastapi import FastAPI
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

from tasklane import api, web
from tasklane.api import errors
from tasklane.api.limits import BodyLimit, RefuseNul
from tasklane.api.receipts import PROJECT_HEADER, SEQ_HEADER, SeqHeaders
from tasklane.clock import Clock, SystemClock
from tasklane.db import Database
from tasklane.edge.episodes import DEFAULT, EpisodeRouting, PresenceReader
from tasklane.episodes.registry import Episodes
from tasklane.episodes.runtime import EpisodeRuntime, Role, Shared, build_episode
from tasklane.episodes.runtime import build_services as episode_services
from tasklane.gateway.app import create_gateway
from tasklane.gateway.gateway import Gateway
from tasklane.gym.service import GymService
from tasklane.ids import IdGenerator
from tasklane.realtime.broker import Broker
from tasklane.realtime.redis_broker import redis_client
from tasklane.services import Services
from tasklane.settings import Settings

__all__ = ["Role", "Stack", "build_services", "build_stack", "create_app", "create_realtime_app"]


@dataclass(eq=False)
class Stack:
    """Everything one process shares between its apps: the default workspace's runtime
    and the registry of the gym's episodes."""

    shared: Shared
    default: EpisodeRuntime
    episodes: Episodes = field(init=False)

    def __post_init__(self) -> None:
        self.episodes = Episodes(self.shared, self.default)

    @property
    def settings(self) -> Settings:
        return self.shared.settings

    @property
    def redis(self) -> Redis | None:
        return self.shared.redis

    @property
    def services(self) -> Services:
        return self.default.services

    @property
    def gateway(self) -> Gateway | None:
        return self.default.gateway

    @property
    def gym(self) -> GymService | None:
        return self.default.gym

    @property
    def presence(self) -> PresenceReader:
        return self.default.presence

    def routing(self) -> dict[str, Any]:
        """The options of ``EpisodeRouting`` for this process's apps."""
        return {"find": self.episodes.find, "default": self.episodes.get_default}

    async def close(self) -> None:
        await self.default.close()
        if self.redis is not None:
            await self.redis.aclose()


def build_stack(
    settings: Settings,
    role: Role = "all",
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    wall_clock: Clock | None = None,
) -> Stack:
    """The parts of one process, for its role (``episodes.runtime.build_episode``)."""
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    shared = Shared(settings, role, redis, wall_clock=wall_clock or SystemClock())
    default = build_episode(shared, DEFAULT, Database(settings.database_url), clock=clock, ids=ids)
    return Stack(shared, default)


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    broker: Broker | None = None,
) -> Services:
    """The services alone, on ``DATABASE_URL`` (for the CLI's one-off commands)."""
    database = Database(settings.database_url)
    return episode_services(Shared(settings), database, clock=clock, ids=ids, broker=broker)


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

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await parts.episodes.open()
        yield
        await parts.episodes.close()
        if owned:
            await parts.close()

    app = FastAPI(
        title="Tasklane",
        version=version("tasklane-server"),
        description="An Asana-style work manager whose every change reaches everyone, live.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.stack = parts
    app.state.episodes = parts.episodes
    # The default episode's parts, for those who look (tests).
    app.state.services = parts.services
    app.state.waiters = parts.default.waiters
    app.state.limits = parts.default.limits
    errors.install(app)
    for router in api.routers:
        app.include_router(router)
    if settings.gym_mode:
        app.include_router(api.episodes.router)
        app.include_router(api.gym.router)
        app.include_router(api.answer.router)
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
    # Outermost: everything inside sees the episode's paths and parts.
    app.add_middleware(EpisodeRouting, **parts.routing())
    return app


def create_realtime_app(stack: Stack) -> Starlette:
    """The realtime gateway on ``WS_PORT``, on the stack's hub."""
    if stack.gateway is None:
        raise ValueError("an API-only stack has no gateway")
    return create_gateway(stack.settings, stack.episodes, stack.routing())
