"""A scaled-out Tasklane for the tests of this folder: one API process and two gateway
processes (``tasklane serve --role api|realtime``) on a real PostgreSQL database and a
Redis server of the module's own, which tests kill and restart. Gateway A reaches Redis
through a proxy that a test can freeze, cutting A alone off."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.backends import throwaway_database
from tests.processes import RedisServer, Tasklane, redis_server, wait_until
from tests.scale.proxy import Proxy, proxy_to

PRESENCE_TTL = 1.5  # seconds: a dead gateway's users leave within TTL + TTL/3
CATCH_UP = 1.0  # seconds between a gateway's comparisons of its rooms with the log


@dataclass
class Deployment:
    redis: RedisServer
    proxy: Proxy
    api: Tasklane
    a: Tasklane  # gateway A, through the proxy
    b: Tasklane  # gateway B

    @property
    def processes(self) -> list[Tasklane]:
        return [self.api, self.a, self.b]

    def start(self) -> None:
        for process in self.processes:
            process.start(ready=False)
        for process in self.processes:
            wait_until(process.is_ready, f"{process.name} ready", within=60, every=0.1)

    def heal(self) -> None:
        """Undo what the previous test did: a frozen line, a dead Redis or gateway."""
        self.proxy.thaw()
        if self.redis.process is None:
            self.redis.start()
        for process in self.processes:
            if not process.running:
                process.start(ready=False)
        for process in self.processes:
            wait_until(process.is_ready, f"{process.name} ready", within=60, every=0.1)

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("scale")
    with (
        throwaway_database("postgresql", folder) as database_url,
        redis_server(folder / "redis") as redis,
        proxy_to(redis.port) as proxy,
    ):
        env = {
            "DATABASE_URL": database_url,
            "DATA_DIR": str(folder / "data"),
            "PRESENCE_TTL_SECONDS": str(PRESENCE_TTL),
            "CATCH_UP_SECONDS": str(CATCH_UP),
        }
        deployment = Deployment(
            redis,
            proxy,
            Tasklane("api", "api", {**env, "REDIS_URL": redis.url}, folder),
            Tasklane("gateway-a", "realtime", {**env, "REDIS_URL": proxy.url}, folder),
            Tasklane("gateway-b", "realtime", {**env, "REDIS_URL": redis.url}, folder),
        )
        try:
            deployment.start()
            yield deployment
        finally:
            deployment.stop()


@pytest.fixture
def cluster(deployment: Deployment) -> Deployment:
    deployment.heal()
    return deployment
