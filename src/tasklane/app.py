"""``create_app(settings)``: wires the database, broker, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from tasklane import __version__, api
from tasklane.api import errors
from tasklane.api.deps import Limits
from tasklane.api.limits import BodyLimit, TokenBuckets
from tasklane.clock import Clock, SystemClock
from tasklane.db import Database
from tasklane.ids import IdGenerator
from tasklane.realtime.broker import Broker
from tasklane.realtime.memory_broker import MemoryBroker
from tasklane.services import Services
from tasklane.services.runtime import Runtime
from tasklane.settings import Settings


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
) -> Services:
    runtime = Runtime(
        db=Database(settings.database_url),
        clock=clock or SystemClock(),
        ids=ids or IdGenerator(),
        broker=broker or MemoryBroker(),
    )
    return Services.build(
        runtime, password_hasher(settings), timedelta(hours=settings.session_ttl_hours)
    )


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    broker: Broker | None = None,
) -> FastAPI:
    """The HTTP app on ``PORT``: the JSON API under ``/api`` and health checks.

    The database schema must already be migrated (``tasklane migrate``; ``tasklane
    serve`` does it on start).
    """
    services = build_services(settings, clock=clock, ids=ids, broker=broker)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await services.runtime.broker.close()
        await services.runtime.db.dispose()

    app = FastAPI(
        title="Tasklane",
        version=__version__,
        description="An Asana-style work manager whose every change reaches everyone, live.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.services = services
    app.state.limits = Limits(
        mutations=TokenBuckets(settings.mutation_rate, settings.mutation_burst),
        anonymous=TokenBuckets(settings.auth_rate, settings.auth_burst),
    )
    errors.install(app)
    for router in api.routers:
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
