"""One episode's running parts: its services on its own database, clock and ID streams,
its broker channels, hub, gateway, long-poll waiters, limits and presence. Nothing in
one episode's runtime is shared with another's, so seeded IDs that are the same in
every episode never meet: isolation by construction.

The default episode is the server's own workspace (``DATABASE_URL``) at the root; a
gym episode is one more runtime, addressed by ``/e/<id>``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from argon2 import PasswordHasher
from redis.asyncio import Redis

from tasklane.clock import AdjustableClock, Clock, SystemClock
from tasklane.db import Database
from tasklane.edge.buckets import TokenBuckets
from tasklane.edge.deps import Limits
from tasklane.edge.episodes import DEFAULT, PREFIX, PresenceReader
from tasklane.gateway.gateway import Gateway
from tasklane.gateway.upkeep import Upkeep
from tasklane.gym import control
from tasklane.gym.service import GymService
from tasklane.ids import IdGenerator
from tasklane.realtime.broker import Broker
from tasklane.realtime.hub import Hub, HubLimits
from tasklane.realtime.memory_broker import MemoryBroker
from tasklane.realtime.metrics import GatewayMetrics
from tasklane.realtime.notifier import GatewayNotifier, GatewayPresence
from tasklane.realtime.presence import MemoryPresence, PresenceStore
from tasklane.realtime.redis_broker import RedisBroker
from tasklane.realtime.redis_presence import RedisPresence
from tasklane.realtime.waiters import ProjectWaiters, Slots
from tasklane.services import Services
from tasklane.services.runtime import Runtime
from tasklane.settings import Settings

Role = Literal["all", "api", "realtime"]

log = logging.getLogger(__name__)


def password_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


@dataclass(eq=False)
class Shared:
    """What every episode of one process shares: the settings, the role, the Redis
    client, the gateway's metrics and the password hasher."""

    settings: Settings
    role: Role = "all"
    redis: Redis | None = None
    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)
    wall_clock: Clock = field(default_factory=SystemClock)
    hasher: PasswordHasher | None = None

    def __post_init__(self) -> None:
        if self.hasher is None:
            self.hasher = password_hasher(self.settings)


@dataclass(eq=False)
class EpisodeRuntime:
    """Everything one episode runs on (``edge.episodes.EpisodeParts`` and the gateway)."""

    episode_id: str
    settings: Settings
    services: Services
    presence: PresenceReader
    gateway: Gateway | None  # None in an API-only process
    gym: GymService | None = None
    waiters: ProjectWaiters = field(init=False)
    slots: Slots = field(init=False)
    limits: Limits = field(init=False)
    last_used: float = field(default_factory=time.monotonic)
    requests: int = 0  # requests and connections under way
    _used: bool = False  # since the last used_since_check
    unused: asyncio.Event = field(default_factory=asyncio.Event)  # set while requests is 0
    _stops: list[Callable[[], None]] = field(default_factory=list)
    _chores: list[asyncio.Task[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        settings = self.settings
        self.waiters = ProjectWaiters(self.services.runtime.broker)
        self.slots = Slots(settings.poll_max_per_user)
        self.limits = Limits(
            mutations=TokenBuckets(settings.mutation_rate, settings.mutation_burst),
            anonymous=TokenBuckets(settings.auth_rate, settings.auth_burst),
        )
        self.unused.set()

    @property
    def broker(self) -> Broker:
        return self.services.runtime.broker

    def enter(self) -> None:
        """A request or a connection begins (``EpisodeRouting``)."""
        self.requests += 1
        self._used = True
        self.unused.clear()
        self.last_used = time.monotonic()

    def leave(self) -> None:
        self.requests -= 1
        self.last_used = time.monotonic()
        if not self.requests:
            self.unused.set()

    def used_since_check(self) -> bool:
        """Whether a request came, or one is under way, since the last time asked."""
        used, self._used = self._used or bool(self.requests), False
        return used

    def idle_seconds(self) -> float:
        """How long nobody has used the episode; 0 while someone does."""
        return 0.0 if self.requests else time.monotonic() - self.last_used

    @property
    def connections(self) -> int:
        return len(self.gateway.hub.connections) if self.gateway is not None else 0

    async def start(self) -> None:
        """Listen: long polls wake on commits, the gym's announcements reach the clock,
        the waiters and the hub, and the gateway delivers and keeps itself."""
        broker = self.broker
        self._stops.append(broker.subscribe(self.waiters.listener))
        if self.gym is not None:
            listener = control.listener(self.services.runtime.clock, self._after_reset)
            self._stops.append(broker.subscribe(listener))
        if self.gateway is not None:
            upkeep = Upkeep(self.gateway)
            self._stops.append(broker.subscribe(self.gateway.hub.receive))
            self._stops.append(broker.subscribe(upkeep.hear))
            self._stops.append(broker.on_resume(upkeep.resume))
            self._chores = upkeep.start()

    async def _after_reset(self) -> None:
        self.waiters.wake_all()
        if self.gateway is not None:
            await self.gateway.hub.reset()

    async def stop(self) -> None:
        chores, self._chores = self._chores, []
        for chore in chores:
            chore.cancel()
        # A chore stopped in the middle of a query gives its connection back before the
        # database can be let go (a connection returned later would be left unclosed).
        await asyncio.gather(*chores, return_exceptions=True)
        stops, self._stops = self._stops, []
        for stop in reversed(stops):
            stop()

    async def close(self) -> None:
        """Stop, and let go of the broker and the database."""
        await self.stop()
        await self.broker.close()
        if self.gym is not None and self.gym.generations is not None:
            await self.gym.generations.close()
        await self.services.runtime.db.dispose()


def build_services(
    shared: Shared,
    database: Database,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    broker: Broker | None = None,
) -> Services:
    settings = shared.settings
    runtime = Runtime(
        db=database,
        clock=clock or SystemClock(),
        ids=ids or IdGenerator(),
        broker=broker or MemoryBroker(),
        wall_clock=shared.wall_clock,
    )
    assert shared.hasher is not None
    return Services.build(runtime, shared.hasher, timedelta(hours=settings.session_ttl_hours))


def build_episode(
    shared: Shared,
    episode_id: str,
    database: Database,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
) -> EpisodeRuntime:
    """The parts of one episode on ``database``, for the process's role.

    With ``REDIS_URL`` every role uses Redis: pub/sub between processes, and presence
    shared by all gateways (an API process reads it from there). Without it, ``all``
    and ``realtime`` deliver in memory, and ``api`` reaches a gateway in another process
    through its ``/broadcast`` endpoint."""
    settings = shared.settings
    if clock is None and settings.gym_mode:
        clock = AdjustableClock()  # one clock the gym API sets for the whole episode
    broker: Broker
    presence: PresenceStore
    if shared.redis is not None:
        # Each episode's channels and keys are its own: tasklane:<id>:project:…
        prefix = "tasklane" if episode_id == DEFAULT else f"tasklane:{episode_id}"
        broker = RedisBroker(shared.redis, prefix=prefix)
        presence = RedisPresence(shared.redis, settings.presence_ttl_seconds, prefix=prefix)
    else:
        broker, presence = MemoryBroker(), MemoryPresence()
    gym = (
        (lambda runtime: GymService(runtime, max_snapshots=settings.gym_max_snapshots))
        if settings.gym_mode
        else None
    )
    if shared.role == "api":
        if shared.redis is None:
            secret, url = settings.resolved_broadcast_secret(), settings.resolved_gateway_url()
            root = "" if episode_id == DEFAULT else f"{PREFIX}{episode_id}"
            notifier = GatewayNotifier(url + root, secret)
            services = build_services(shared, database, clock=clock, ids=ids, broker=notifier)
            reader: PresenceReader = GatewayPresence(url + root, secret)
        else:
            services = build_services(shared, database, clock=clock, ids=ids, broker=broker)
            reader = presence
        return EpisodeRuntime(
            episode_id, settings, services, reader, None, gym(services.runtime) if gym else None
        )
    services = build_services(shared, database, clock=clock, ids=ids, broker=broker)
    hub = Hub(
        log=services.events,
        access=services.projects.can_read,
        presence=presence,
        broker=broker,
        clock=services.runtime.clock,
        metrics=shared.metrics,
        limits=HubLimits(
            queue_messages=settings.ws_queue_messages,
            queue_bytes=settings.ws_queue_bytes,
            gap_wait=settings.gap_wait_ms / 1000,
            max_replay=settings.replay_max_events,
        ),
        commits=services.runtime.commits,
    )
    gateway = Gateway(
        settings, services, hub, presence, shared.metrics, reports_broker=episode_id == DEFAULT
    )
    return EpisodeRuntime(
        episode_id,
        settings,
        services,
        presence,
        gateway,
        gym(services.runtime) if gym else None,
    )
