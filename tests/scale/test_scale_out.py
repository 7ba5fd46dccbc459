"""Tasklane scaled out, as deployed: one API process and two gateway processes on
PostgreSQL and Redis (see conftest). Every test checks the same promise from another
angle: each change committed through the API reaches every follower, on whichever
gateway, exactly once and in ``seq`` order — while gateways are killed, Redis restarts,
or one gateway is cut off from Redis."""

from __future__ import annotations

import asyncio
import time

import httpx

from tasklane.realtime.redis_broker import redis_client
from tests.processes import Tasklane
from tests.reliability import Figures, scaled
from tests.scale.conftest import PRESENCE_TTL, Deployment
from tests.scale.people import Follower, Member, Traffic, log_after, members, shared_project


def exactly_the_log(follower: Follower, first: int, head: int) -> None:
    assert follower.seqs == list(range(first + 1, head + 1)), (
        f"{follower.member.name}: got {follower.seqs}"
    )
    assert not [c for c in follower.controls if c["type"] == "resync_required"]


def record(figures: Figures, followers: list[Follower], head: int, final: int, faults: int) -> None:
    expected = set(range(head + 1, final + 1))
    figures.faults = faults
    figures.committed = final - head
    figures.expected = len(followers) * len(expected)
    figures.delivered = sum(len(f.seqs) for f in followers)
    figures.lost = sum(len(expected - set(f.seqs)) for f in followers)
    figures.duplicated = sum(len(f.seqs) - len(set(f.seqs)) for f in followers)


async def readiness(process: Tasklane) -> tuple[int, dict[str, str]]:
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            response = await http.get(f"{process.http}/readyz")
    except httpx.TransportError:
        return 0, {}
    body: dict[str, str] = response.json()
    return response.status_code, body


async def until_ready(process: Tasklane, ready: bool, within: float = 20.0) -> float:
    """Wait until ``/readyz`` says 200 (``ready``) or 503; the seconds it took."""
    started = time.monotonic()
    while (await readiness(process))[0] != (200 if ready else 503):
        assert time.monotonic() - started < within, f"{process.name} ready={ready}"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def metric(process: Tasklane, name: str) -> float:
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{process.http}/metrics")).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"no {name} on {process.name}")


async def test_followers_on_two_gateways_get_the_same_sequence_and_one_presence(
    cluster: Deployment,
) -> None:
    async with members(cluster.api.http, "ana", "ben", "cy") as (ana, ben, cy):
        project_id, head = await shared_project(ana, ben, cy)
        on_a = await Follower(ana, project_id, [cluster.a.ws], head).start()
        on_b = await Follower(ben, project_id, [cluster.b.ws], head).start()
        third = await Follower(cy, project_id, [cluster.a.ws], head).start()
        try:
            # Presence is the union across gateways: the last to join sees everyone…
            (_, joined, _) = third.joins[-1]
            assert {p["userId"] for p in joined["presence"]} == {ana.id, ben.id, cy.id}
            # …a follower on B hears of an arrival on A…
            await on_b.heard("user_connected", cy.id)
            # …and the API, which keeps no presence of its own, reads the same.
            present = (await ana.http.get(f"/api/projects/{project_id}/presence")).json()
            assert [p["userId"] for p in present] == [ana.id, ben.id, cy.id]

            # Two writers at once, so publishes race; every follower still gets the log.
            async def write(who: Member, count: int) -> None:
                for n in range(count):
                    response = await who.http.post(
                        f"/api/projects/{project_id}/tasks", json={"name": f"task {n}"}
                    )
                    assert response.status_code == 201, response.text

            await asyncio.gather(write(ana, 25), write(ben, 25))
            final = (await ana.http.get(f"/api/projects/{project_id}")).json()["seq"]
            assert final == head + 50
            for follower in (on_a, on_b, third):
                await follower.reach(final)
            log = await log_after(ana, project_id, head)
            assert [e["seq"] for e in log] == list(range(head + 1, final + 1))
            for follower in (on_a, on_b, third):
                exactly_the_log(follower, head, final)

        finally:
            for follower in (on_a, on_b, third):
                await follower.stop()


async def test_a_long_poll_on_the_api_follows_its_project_on_redis(
    cluster: Deployment,
) -> None:
    """A long poll is woken by the commit's message, wherever it was made, not only by
    its once-a-second look at the log: the API process subscribes to the project's
    channel while polls wait on it (here it is the only subscriber)."""
    async with members(cluster.api.http, "ana") as (ana,):
        project_id, head = await shared_project(ana)
        poll = asyncio.create_task(
            ana.http.get(f"/api/projects/{project_id}/events?after={head}&wait=20")
        )
        redis = redis_client(cluster.redis.url)
        try:
            async with asyncio.timeout(10):
                while True:
                    counts = await redis.pubsub_numsub(f"tasklane:project:{project_id}")
                    if counts[0][1] == 1:
                        break
                    await asyncio.sleep(0.02)
        finally:
            await redis.aclose()
        committed = time.monotonic()
        await ana.http.post(f"/api/projects/{project_id}/tasks", json={"name": "woken"})
        answer = await poll
        woken_after = time.monotonic() - committed
        assert [e["seq"] for e in answer.json()["events"]] == [head + 1]
    print(f"\nlong poll answered {woken_after * 1000:.0f} ms after the commit")


async def test_removal_and_deletion_reach_every_gateway(cluster: Deployment) -> None:
    async with members(cluster.api.http, "ana", "ben", "cy") as (ana, ben, cy):
        project_id, head = await shared_project(ana, ben, cy)
        owner = await Follower(ana, project_id, [cluster.a.ws], head).start()
        removed = await Follower(ben, project_id, [cluster.b.ws], head).start()
        tab_a = await Follower(cy, project_id, [cluster.a.ws], head).start()
        tab_b = await Follower(cy, project_id, [cluster.b.ws], head).start()
        try:
            response = await ana.http.delete(f"/api/projects/{project_id}/members/{ben.id}")
            assert response.status_code == 204, response.text
            await removed.ended()
            assert removed.controls[-1]["reason"] == "access_revoked"
            await ana.http.post(f"/api/projects/{project_id}/tasks", json={"name": "secret"})
            response = await ana.http.delete(f"/api/projects/{project_id}")
            assert response.status_code == 204, response.text
            for follower in (owner, tab_a, tab_b):
                await follower.ended()
                assert follower.controls[-1]["reason"] == "project_deleted"
            final = head + 3  # member_removed, task_created, project_deleted
            exactly_the_log(owner, head, final)
            exactly_the_log(tab_b, head, final)
            # Ben heard nothing from the moment he was removed, on a gateway the change
            # was not made through.
            assert removed.seqs == []
        finally:
            for follower in (owner, removed, tab_a, tab_b):
                await follower.stop()


async def test_a_gateway_cut_off_from_redis_is_not_ready_yet_delivers_from_the_log(
    cluster: Deployment,
) -> None:
    async with members(cluster.api.http, "ana", "ben") as (ana, ben):
        project_id, head = await shared_project(ana, ben)
        deaf = await Follower(ana, project_id, [cluster.a.ws], head).start()
        hearing = await Follower(ben, project_id, [cluster.b.ws], head).start()
        try:
            resumes = await metric(cluster.a, "tasklane_broker_resumes_total")
            cluster.proxy.freeze()  # A's line to Redis goes silent; B's is fine
            cut = time.monotonic()
            noticed = await until_ready(cluster.a, False, within=15)
            status, body = await readiness(cluster.a)
            assert (status, body["broker"], body["database"]) == (503, "down", "ok")
            assert (await readiness(cluster.b))[0] == 200
            assert await metric(cluster.a, "tasklane_broker_up") == 0
            # Deaf is not dumb: A still reads the log every CATCH_UP_SECONDS.
            for n in range(3):
                await ana.http.post(f"/api/projects/{project_id}/tasks", json={"name": f"{n}"})
            await deaf.reach(head + 3)
            await hearing.reach(head + 3)
            cluster.proxy.thaw()
            thawed = time.monotonic()
            back = await until_ready(cluster.a, True, within=20)
            assert await metric(cluster.a, "tasklane_broker_resumes_total") == resumes + 1
            await ana.http.post(f"/api/projects/{project_id}/tasks", json={"name": "after"})
            await deaf.reach(head + 4)
            await hearing.reach(head + 4)
            exactly_the_log(deaf, head, head + 4)
            exactly_the_log(hearing, head, head + 4)
            # Cut off for longer than the TTL, A could not renew its users' presence:
            # B swept Ana out; once A is back, she is announced again.
            await hearing.heard("user_disconnected", ana.id, since=cut)
            await hearing.heard("user_connected", ana.id, since=thawed, within=10)
            present = (await ben.http.get(f"/api/projects/{project_id}/presence")).json()
            assert {p["userId"] for p in present} == {ana.id, ben.id}
        finally:
            cluster.proxy.thaw()
            for follower in (deaf, hearing):
                await follower.stop()
    print(
        f"\ncut off at 0; /readyz 503 after {noticed:.2f} s (silence limit 3 s + ping 1 s);"
        f" ready again {back:.2f} s after the line came back ({thawed - cut:.1f} s cut off)"
    )


async def test_a_redis_restart_under_traffic_loses_nothing_and_doubles_nothing(
    cluster: Deployment, figures: Figures
) -> None:
    async with members(cluster.api.http, "ana", "ben", "cy") as (ana, ben, cy):
        project_id, head = await shared_project(ana, ben, cy)
        followers = [
            await Follower(ana, project_id, [cluster.a.ws], head).start(),
            await Follower(ben, project_id, [cluster.b.ws], head).start(),
            await Follower(cy, project_id, [cluster.b.ws], head).start(),
        ]
        traffic = Traffic(ana, project_id, head)
        traffic.start()
        try:
            await traffic.committing(10)  # and delivered as usual, before the fault
            cluster.redis.kill()
            killed = time.monotonic()
            for gateway in (cluster.a, cluster.b):
                await until_ready(gateway, False, within=10)
            # The outage lasts this long (longer in the long runs), and changes keep
            # committing meanwhile: its length is part of the scenario, not a wait.
            await asyncio.sleep(scaled(2, 20) * 0.75)
            cluster.redis.start()
            restarted = time.monotonic()
            back = max([await until_ready(g, True, within=20) for g in (cluster.a, cluster.b)])
            await traffic.committing(10)  # and some after it
            final = await traffic.stop()
            for follower in followers:
                await follower.reach(final)
        finally:
            for follower in followers:
                await follower.stop()
        log = await log_after(ana, project_id, head)
        assert [e["seq"] for e in log] == list(range(head + 1, final + 1))
        for follower in followers:
            exactly_the_log(follower, head, final)

    def lag(start: float, end: float) -> float:
        seqs = [s for s in range(head + 1, final + 1) if start <= traffic.commit_time(s) < end]
        return max(f.received[s] - traffic.commit_time(s) for f in followers for s in seqs)

    during = [s for s in range(head + 1, final + 1) if killed <= traffic.commit_time(s)]
    assert len(during) >= 10, "too few changes while Redis was away to prove anything"
    record(figures, followers, head, final, faults=1)
    print(
        f"\n{final - head} changes; Redis down {restarted - killed:.1f} s;"
        f" gateways ready {back:.2f} s after it was back; worst commit-to-client lag:"
        f" before {lag(0, killed):.3f} s, while down {lag(killed, restarted):.3f} s,"
        f" after {lag(restarted, float('inf')):.3f} s"
    )


async def test_a_killed_gateways_clients_resume_on_another_and_its_users_leave_presence(
    cluster: Deployment, figures: Figures
) -> None:
    async with members(cluster.api.http, "ana", "ben", "cy") as (ana, ben, cy):
        project_id, head = await shared_project(ana, ben, cy)
        # Ana's client goes to B when A dies; Cy's dies with A and never comes back.
        moving = await Follower(ana, project_id, [cluster.a.ws, cluster.b.ws], head).start()
        staying = await Follower(ben, project_id, [cluster.b.ws], head).start()
        lost = await Follower(cy, project_id, [cluster.a.ws], head, resume=False).start()
        await staying.heard("user_connected", cy.id)
        traffic = Traffic(ben, project_id, head)
        traffic.start()
        try:
            await traffic.committing(10)  # and delivered as usual, before the fault
            cluster.a.kill()
            killed = time.monotonic()
            # A is dead this long (longer in the long runs) while changes keep committing:
            # the length is part of the scenario, not a wait for something.
            await asyncio.sleep(scaled(1, 20))
            final = await traffic.stop()
            await moving.reach(final)
            await staying.reach(final)
            gone = await staying.heard("user_disconnected", cy.id, within=PRESENCE_TTL * 3 + 5)
            # Ana's entry on A expired with Cy's. The sweep that would wrongly announce her
            # departure is B's own timer (every TTL/3), and a sweep that finds nobody to
            # announce leaves no trace: let one more run…
            await asyncio.sleep(PRESENCE_TTL / 2)
            # …then a change: whatever that sweep published reached the followers first.
            marker = await ben.http.post(
                f"/api/projects/{project_id}/tasks", json={"name": "marker"}
            )
            assert marker.status_code == 201, marker.text
            await staying.reach(final + 1)
            await moving.reach(final + 1)
            final += 1
            present = (await ben.http.get(f"/api/projects/{project_id}/presence")).json()
            seen = [(kind, user) for kind, user, _ in staying.presence]  # before anyone leaves
        finally:
            for follower in (moving, staying, lost):
                await follower.stop()
        exactly_the_log(moving, head, final)
        exactly_the_log(staying, head, final)
        record(figures, [moving, staying], head, final, faults=1)
        assert [gateway for gateway, _, _ in moving.joins] == [cluster.a.ws, cluster.b.ws]
        resumed_after = moving.joins[-1][2] - killed
        assert lost.seqs == list(range(head + 1, lost.last_seq + 1))
        # Ana moved over before her entry expired: she never left.
        assert ("user_disconnected", ana.id) not in seen
        assert {p["userId"] for p in present} == {ana.id, ben.id}
    left_after = gone - killed
    assert left_after <= PRESENCE_TTL * 4 / 3 + 1.0, left_after
    print(
        f"\nSIGKILL of A at 0: Ana resumed on B after {resumed_after:.2f} s;"
        f" Cy left presence after {left_after:.2f} s"
        f" (bound TTL + TTL/3 = {PRESENCE_TTL * 4 / 3:.1f} s)"
    )
