"""What only the Redis broker has to get right, beyond the contract every broker keeps
(tests/contract): one channel per project, and a subscription that notices when it is
dead — a restarted server, or a line that went silent — comes back with every followed
project, and says so, so the gateway can fill the gap from the log."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from tasklane.realtime.log import Committed
from tasklane.realtime.redis_broker import RedisBroker, redis_client
from tests.contract.test_broker import Heard
from tests.processes import TEST_REDIS, RedisServer, eventually, redis_server
from tests.scale.proxy import proxy_to


class Resumes:
    def __init__(self) -> None:
        self.count = 0

    async def __call__(self) -> None:
        self.count += 1


@pytest.fixture
async def client() -> AsyncIterator[Redis]:
    redis = redis_client(TEST_REDIS)
    yield redis
    await redis.aclose()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with redis_server(tmp_path / "redis") as running:
        yield running


async def channels(redis: Redis, prefix: str) -> set[str]:
    found = await redis.pubsub_channels(f"{prefix}:project:*")
    return {name.decode() if isinstance(name, bytes) else name for name in found}


async def test_a_process_subscribes_one_channel_per_followed_project(client: Redis) -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    broker = RedisBroker(client, prefix=prefix)
    try:
        broker.subscribe(Heard())
        await eventually(lambda: broker.alive, "subscribed")
        await broker.follow("proj_one")
        await broker.follow("proj_two")
        assert await channels(client, prefix) == {
            f"{prefix}:project:proj_one",
            f"{prefix}:project:proj_two",
        }
        broker.unfollow("proj_one")
        async with asyncio.timeout(5):
            while True:
                if await channels(client, prefix) == {f"{prefix}:project:proj_two"}:
                    break
                await asyncio.sleep(0.01)
    finally:
        await broker.close()


async def test_after_a_redis_restart_the_subscription_resumes_every_project(
    server: RedisServer,
) -> None:
    redis = redis_client(server.url)
    broker = RedisBroker(redis, backoff_seconds=(0.05, 0.5))
    resumes, heard = Resumes(), Heard()
    try:
        broker.on_resume(resumes)
        broker.subscribe(heard)
        await eventually(lambda: broker.alive, "subscribed")
        await broker.follow("proj_one")
        server.kill()
        down = await eventually(lambda: not broker.alive, "noticed the crash")
        # Publishing while Redis is away loses the message, not the request.
        await broker.publish(Committed("proj_one", 1, "task_created", b"lost"))
        await broker.follow("proj_two")  # taken up when Redis is back
        server.start()
        back = time.monotonic()
        await eventually(lambda: broker.alive and resumes.count == 1, "resumed")
        resumed_after = time.monotonic() - back
        assert await channels(redis, "tasklane") == {
            "tasklane:project:proj_one",
            "tasklane:project:proj_two",
        }
        await broker.publish(Committed("proj_two", 1, "task_created", b"heard"))
        assert [getattr(m, "frame", None) for m in await heard.first(1)] == [b"heard"]
        assert resumes.count == 1
    finally:
        await broker.close()
        await redis.aclose()
    print(f"crash noticed in {down:.3f} s; resumed {resumed_after:.3f} s after Redis was back")


async def test_a_silent_line_is_found_dead_and_replaced(server: RedisServer) -> None:
    with proxy_to(server.port) as proxy:
        redis = redis_client(proxy.url)
        broker = RedisBroker(
            redis, ping_seconds=0.2, silence_seconds=0.6, backoff_seconds=(0.05, 0.2)
        )
        resumes, heard = Resumes(), Heard()
        try:
            broker.on_resume(resumes)
            broker.subscribe(heard)
            await eventually(lambda: broker.alive, "subscribed")
            await broker.follow("proj_one")
            proxy.freeze()  # no reset, no FIN: only silence
            deaf_after = await eventually(lambda: not broker.alive, "found dead", within=5)
            assert deaf_after >= 0.3
            proxy.thaw()
            await eventually(lambda: broker.alive and resumes.count == 1, "resumed", within=10)
            publisher = redis_client(server.url)
            try:
                await publisher.publish("tasklane:project:proj_one", b'{"seq":1,"type":"t"}\nx')
            finally:
                await publisher.aclose()
            assert [getattr(m, "frame", None) for m in await heard.first(1)] == [b"x"]
        finally:
            await broker.close()
            await redis.aclose()
    print(f"a silent line was declared dead after {deaf_after:.2f} s")
