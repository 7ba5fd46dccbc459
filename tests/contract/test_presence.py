"""The PresenceStore contract, once, for every implementation. A "gateway" is one
process's store: in memory there is only the one process, so every gateway shares the
same store; in Redis each gateway has its own client and its own connections to renew.

The last tests are about entries that expire, which only a store shared between
processes has: there, a gateway that dies cannot say goodbye."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from tasklane.realtime.presence import MemoryPresence, PresenceChange, PresenceStore
from tasklane.realtime.redis_broker import redis_client
from tasklane.realtime.redis_presence import RedisPresence
from tests.processes import TEST_REDIS

TTL = 0.6  # seconds, for the tests of expiry


@dataclass
class Stores:
    gateway: Callable[..., PresenceStore]  # gateway(ttl=30.0)
    expires: bool
    redis: Redis | None
    prefix: str


@pytest.fixture(params=["memory", "redis"])
async def stores(request: pytest.FixtureRequest) -> AsyncIterator[Stores]:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    if request.param == "memory":
        shared = MemoryPresence()
        yield Stores(lambda ttl=30.0: shared, False, None, prefix)
        return
    client = redis_client(TEST_REDIS)
    yield Stores(lambda ttl=30.0: RedisPresence(client, ttl, prefix=prefix), True, client, prefix)
    async for key in client.scan_iter(match=f"{prefix}:*"):
        await client.delete(key)
    await client.aclose()


def project() -> str:
    return f"proj_{uuid.uuid4().hex[:12]}"


async def test_presence_is_per_user_not_per_tab(stores: Stores) -> None:
    store, pid = stores.gateway(), project()
    assert await store.add(pid, "user_ana", "Ana", "conn_1") is True
    assert await store.add(pid, "user_ana", "Ana", "conn_2") is False
    assert await store.list(pid) == [{"userId": "user_ana", "name": "Ana"}]
    assert await store.remove(pid, "user_ana", "conn_1") is False
    assert await store.list(pid) == [{"userId": "user_ana", "name": "Ana"}]
    assert await store.remove(pid, "user_ana", "conn_2") is True
    assert await store.list(pid) == []


async def test_the_list_is_the_union_of_every_gateway_in_arrival_order(stores: Stores) -> None:
    one, two, pid = stores.gateway(), stores.gateway(), project()
    await one.add(pid, "user_cy", "Cy", "conn_1")
    await two.add(pid, "user_ana", "Ana", "conn_2")
    await one.add(pid, "user_ben", "Ben", "conn_3")
    expected = [
        {"userId": "user_cy", "name": "Cy"},
        {"userId": "user_ana", "name": "Ana"},
        {"userId": "user_ben", "name": "Ben"},
    ]
    assert await one.list(pid) == expected
    assert await two.list(pid) == expected


async def test_tabs_on_two_gateways_make_one_arrival_and_one_departure(stores: Stores) -> None:
    one, two, pid = stores.gateway(), stores.gateway(), project()
    assert await one.add(pid, "user_ana", "Ana", "conn_a") is True
    assert await two.add(pid, "user_ana", "Ana", "conn_b") is False
    assert await one.remove(pid, "user_ana", "conn_a") is False
    assert await two.remove(pid, "user_ana", "conn_b") is True


async def test_each_transition_is_reported_to_exactly_one_racing_gateway(stores: Stores) -> None:
    gateways, pid = [stores.gateway() for _ in range(8)], project()
    added = await asyncio.gather(
        *(g.add(pid, "user_ana", "Ana", f"conn_{n}") for n, g in enumerate(gateways))
    )
    assert sorted(added) == [False] * 7 + [True]
    removed = await asyncio.gather(
        *(g.remove(pid, "user_ana", f"conn_{n}") for n, g in enumerate(gateways))
    )
    assert sorted(removed) == [False] * 7 + [True]


async def test_removing_what_is_not_there_reports_nothing(stores: Stores) -> None:
    store, pid = stores.gateway(), project()
    assert await store.remove(pid, "user_ana", "conn_1") is False
    await store.add(pid, "user_ana", "Ana", "conn_1")
    assert await store.remove(pid, "user_ana", "conn_2") is False
    assert await store.remove(pid, "user_ana", "conn_1") is True
    assert await store.remove(pid, "user_ana", "conn_1") is False


async def test_projects_are_kept_apart(stores: Stores) -> None:
    store, one, two = stores.gateway(), project(), project()
    await store.add(one, "user_ana", "Ana", "conn_1")
    assert await store.list(two) == []
    assert await store.add(two, "user_ana", "Ana", "conn_1") is True
    assert await store.remove(one, "user_ana", "conn_1") is True
    assert await store.list(two) == [{"userId": "user_ana", "name": "Ana"}]


async def test_upkeep_of_live_entries_changes_nothing(stores: Stores) -> None:
    store, pid = stores.gateway(), project()
    await store.add(pid, "user_ana", "Ana", "conn_1")
    assert await store.refresh() == []
    assert await store.sweep([pid]) == []
    assert await store.sweep([]) == []
    assert await store.list(pid) == [{"userId": "user_ana", "name": "Ana"}]


# -- entries that expire ---------------------------------------------------------------


@pytest.fixture
def expiring(stores: Stores) -> Stores:
    if not stores.expires:
        pytest.skip("entries in one process's memory die with it: nothing to expire")
    return stores


async def renewing(store: PresenceStore, seconds: float) -> None:
    """Be a live gateway for ``seconds``: renew every third of the TTL."""
    for _ in range(round(seconds / (TTL / 3))):
        assert await store.refresh() == []
        await asyncio.sleep(TTL / 3)


async def test_a_dead_gateways_users_leave_once_and_the_living_stay(expiring: Stores) -> None:
    dead, alive, other = expiring.gateway(TTL), expiring.gateway(TTL), expiring.gateway(TTL)
    pid = project()
    await dead.add(pid, "user_ana", "Ana", "conn_1")  # only on the gateway that dies
    await dead.add(pid, "user_ben", "Ben", "conn_2")
    await alive.add(pid, "user_ben", "Ben", "conn_3")  # Ben has a tab elsewhere too
    await renewing(alive, TTL * 1.5)
    # Expired entries are not listed even before anyone sweeps them.
    assert await other.list(pid) == [{"userId": "user_ben", "name": "Ben"}]
    swept = await asyncio.gather(alive.sweep([pid]), other.sweep([pid]))
    assert sorted(swept, key=len) == [[], [PresenceChange(pid, "user_ana", "Ana")]]
    assert await alive.sweep([pid]) == []
    assert await other.list(pid) == [{"userId": "user_ben", "name": "Ben"}]
    # The dead gateway's other entry went with it: Ben's last tab leaving is his departure.
    assert await alive.remove(pid, "user_ben", "conn_3") is True


async def test_renewed_entries_outlive_the_ttl(expiring: Stores) -> None:
    store, sweeper, pid = expiring.gateway(TTL), expiring.gateway(TTL), project()
    await store.add(pid, "user_ana", "Ana", "conn_1")
    await renewing(store, TTL * 2)
    assert await sweeper.sweep([pid]) == []
    assert await sweeper.list(pid) == [{"userId": "user_ana", "name": "Ana"}]


async def test_entries_lost_by_redis_come_back_with_the_next_renewal(expiring: Stores) -> None:
    assert expiring.redis is not None
    store, pid = expiring.gateway(TTL), project()
    await store.add(pid, "user_ana", "Ana", "conn_1")
    async for key in expiring.redis.scan_iter(match=f"{expiring.prefix}:*"):
        await expiring.redis.delete(key)  # as a Redis restart without persistence does
    assert await store.list(pid) == []
    assert await store.refresh() == [PresenceChange(pid, "user_ana", "Ana")]
    assert await store.list(pid) == [{"userId": "user_ana", "name": "Ana"}]
    assert await store.refresh() == []


async def test_a_gateway_swept_while_cut_off_brings_its_users_back(expiring: Stores) -> None:
    cut_off, sweeper, pid = expiring.gateway(TTL), expiring.gateway(TTL), project()
    await cut_off.add(pid, "user_ana", "Ana", "conn_1")
    await asyncio.sleep(TTL * 1.2)  # no renewal: as if it could not reach Redis
    assert await sweeper.sweep([pid]) == [PresenceChange(pid, "user_ana", "Ana")]
    assert await cut_off.refresh() == [PresenceChange(pid, "user_ana", "Ana")]
    assert await sweeper.list(pid) == [{"userId": "user_ana", "name": "Ana"}]


async def test_a_connection_that_left_is_not_brought_back(expiring: Stores) -> None:
    store, pid = expiring.gateway(TTL), project()
    await store.add(pid, "user_ana", "Ana", "conn_1")
    assert await store.remove(pid, "user_ana", "conn_1") is True
    assert await store.refresh() == []
    assert await store.list(pid) == []
