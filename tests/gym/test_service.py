"""The gym's operations on each database: resets that restore the seeded state exactly,
snapshots, the diff, the trajectory, the clock, and episodes that replay identically."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tasklane.app import build_services
from tasklane.clock import AdjustableClock
from tasklane.gym.presets import ANCHOR, PASSWORD
from tasklane.gym.service import GymService
from tasklane.models import User
from tasklane.protocol.auth import RegisterIn
from tasklane.protocol.project import ProjectCreate
from tasklane.protocol.task import CommentCreate, TaskCreate, TaskUpdate
from tasklane.protocol.timestamps import iso_millis
from tasklane.realtime.log import Committed
from tasklane.services.errors import Conflict, NotFound
from tests.backends import BACKENDS, throwaway_database
from tests.gym.conftest import Gym, gym_settings


async def seeded_person(gym: Gym, index: int = 0) -> tuple[User, str]:
    """The ``index``-th seeded owner of projects (who can do anything in them), signed in."""
    state = json.loads(await gym.gym.state())
    owners = list(dict.fromkeys(m["userId"] for m in state["members"] if m["role"] == "owner"))
    email = next(u["email"] for u in state["users"] if u["id"] == owners[index])
    user, _token, secret = await gym.services.auth.login(email, PASSWORD)
    return user, secret


def owned_project(state: dict[str, Any], user: User) -> str:
    project_id: str = next(
        m["projectId"] for m in state["members"] if m["userId"] == user.id and m["role"] == "owner"
    )
    return project_id


def first_task(state: dict[str, Any], project_id: str) -> dict[str, Any]:
    return next(t for t in state["tasks"] if t["projectId"] == project_id and not t["parentId"])


async def play(gym: Gym, user: User) -> list[str]:
    """One episode's worth of changes in the first project the user owns."""
    state = json.loads(await gym.gym.state())
    project_id = owned_project(state, user)
    task = await gym.services.tasks.create(user, project_id, TaskCreate(name="Agent's task"))
    target = first_task(state, project_id)
    await gym.services.tasks.update(user, target["id"], TaskUpdate(name="Renamed by the agent"))
    gym.clock.set(gym.clock.now() + timedelta(minutes=5), frozen=True)
    comment = await gym.services.comments.create(user, task.id, CommentCreate(text="Done."))
    return [task.id, comment.id]


async def test_two_resets_with_one_seed_give_the_same_state_whatever_happened_between(
    gym: Gym,
) -> None:
    await gym.gym.reset(11, "small")
    first = await gym.gym.state()
    user, _ = await seeded_person(gym)
    await play(gym, user)
    assert await gym.gym.state() != first
    result = await gym.gym.reset(11, "small")
    assert result["prepared"] is False  # restored from the template made the first time
    assert await gym.gym.state() == first
    await gym.gym.reset(12, "small")
    assert await gym.gym.state() != first


async def test_the_diff_lists_what_was_added_changed_and_deleted(gym: Gym) -> None:
    await gym.gym.reset(11, "small")
    user, _ = await seeded_person(gym)
    before = json.loads(await gym.gym.state())
    project_id = owned_project(before, user)
    target = first_task(before, project_id)
    created = await gym.services.tasks.create(user, project_id, TaskCreate(name="New"))
    await gym.services.tasks.update(user, target["id"], TaskUpdate(name="Changed"))
    changes = (await gym.gym.diff())["changes"]
    assert [t["id"] for t in changes["tasks"]["added"]] == [created.id]
    changed = {c["id"]: c for c in changes["tasks"]["changed"]}
    assert changed[target["id"]]["before"]["name"] == target["name"]
    assert changed[target["id"]]["after"]["name"] == "Changed"
    assert set(changed) == {target["id"]}
    assert changes["tasks"]["deleted"] == []
    project_change = changes["projects"]["changed"][0]
    assert project_change["after"]["lastSeq"] == 2
    assert changes["users"] == {"added": [], "changed": [], "deleted": []}
    await gym.services.tasks.delete(user, created.id)
    await gym.services.tasks.delete(user, target["id"])
    changes = (await gym.gym.diff())["changes"]
    assert changes["tasks"]["added"] == []
    assert target["id"] in [t["id"] for t in changes["tasks"]["deleted"]]
    await gym.gym.reset(11, "small")
    assert (await gym.gym.diff())["changes"]["tasks"] == {"added": [], "changed": [], "deleted": []}


async def test_snapshots_round_trip_and_are_bounded(gym: Gym) -> None:
    for old in await gym.gym.snapshots():
        await gym.gym.delete_snapshot(old["id"])
    await gym.gym.reset(11, "small")
    user, _ = await seeded_person(gym)
    state = json.loads(await gym.gym.state())
    project_id = owned_project(state, user)
    kept = await gym.services.tasks.create(user, project_id, TaskCreate(name="Branch point"))
    at_snapshot = await gym.gym.state()
    snapshot = await gym.gym.snapshot()
    later = await gym.services.tasks.create(user, project_id, TaskCreate(name="After"))
    await gym.services.tasks.update(user, kept.id, TaskUpdate(name="Changed after"))
    await gym.gym.restore(snapshot["id"])
    assert await gym.gym.state() == at_snapshot
    added = (await gym.gym.diff())["changes"]["tasks"]["added"]
    assert [t["id"] for t in added] == [kept.id]  # compared with the reset it came from
    assert later.id not in at_snapshot.decode()
    # A restored branch goes on from the snapshot's seq, and restores again identically.
    again = await gym.services.tasks.create(user, project_id, TaskCreate(name="Other branch"))
    await gym.gym.restore(snapshot["id"])
    assert await gym.gym.state() == at_snapshot
    replayed = await gym.services.tasks.create(user, project_id, TaskCreate(name="Other branch"))
    assert replayed.id == again.id
    made = [snapshot["id"]]
    made += [(await gym.gym.snapshot())["id"] for _ in range(2)]
    with pytest.raises(Conflict) as refused:
        await gym.gym.snapshot()
    assert refused.value.code == "snapshot_limit"
    assert sorted(s["id"] for s in await gym.gym.snapshots()) == sorted(made)
    await gym.gym.delete_snapshot(made[1])
    with pytest.raises(NotFound):
        await gym.gym.restore(made[1])
    with pytest.raises(NotFound):
        await gym.gym.restore("snap_does-not-exist")
    made.append((await gym.gym.snapshot())["id"])


async def branch(gym: Gym, user: User) -> list[str]:
    """The same actions on whatever the state is now: a sign-up, a project, a task and a
    comment. Returns the IDs they made."""
    newcomer, _token, _secret = await gym.services.auth.register(
        RegisterIn(email="newcomer@example.com", name="Newcomer", password="long enough pw")
    )
    project = await gym.services.projects.create(user, ProjectCreate(name="Branch project"))
    task = await gym.services.tasks.create(user, project.id, TaskCreate(name="Branch task"))
    comment = await gym.services.comments.create(user, task.id, CommentCreate(text="Branch."))
    return [newcomer.id, project.id, task.id, comment.id]


async def test_branches_restored_from_a_snapshot_make_the_same_ids_for_the_same_actions(
    gym: Gym, gym_database: str, tmp_path: Path
) -> None:
    for old in await gym.gym.snapshots():
        await gym.gym.delete_snapshot(old["id"])
    await gym.gym.reset(31, "small")
    user, _ = await seeded_person(gym)
    state = json.loads(await gym.gym.state())
    project_id = owned_project(state, user)
    await gym.services.tasks.create(user, project_id, TaskCreate(name="Before the branch"))
    snapshot = (await gym.gym.snapshot())["id"]
    first = (await branch(gym, user), await gym.gym.state())
    await gym.gym.restore(snapshot)
    second = (await branch(gym, user), await gym.gym.state())
    # Whatever happens in between, a restore continues from where the snapshot was.
    await gym.services.tasks.create(user, project_id, TaskCreate(name="Another branch"))
    await gym.gym.restore(snapshot)
    third = (await branch(gym, user), await gym.gym.state())
    assert first == second == third
    # The streams' position is kept with the snapshot, not in the process that took it.
    elsewhere = build_services(gym_settings(gym_database, tmp_path), clock=gym.clock)
    try:
        await GymService(elsewhere.runtime).restore(snapshot)
        other = Gym(elsewhere, GymService(elsewhere.runtime), gym.clock)
        assert (await branch(other, user), await gym.gym.state()) == first
    finally:
        await elsewhere.runtime.db.dispose()
    await gym.gym.delete_snapshot(snapshot)


async def test_episodes_replay_identically_ids_timestamps_and_all(gym: Gym) -> None:
    outcomes = []
    for episode in range(2):
        await gym.gym.reset(21, "small")
        user, _ = await seeded_person(gym)
        if episode == 1:  # another sign-in must not shift the IDs of what follows
            await seeded_person(gym, index=1)
        made = await play(gym, user)
        trajectory, _cursor = await gym.gym.events({}, 100)
        outcomes.append(
            (
                made,
                await gym.gym.state(),
                [(e.project_id, e.seq, e.type, json.loads(e.frame)) for e in trajectory],
            )
        )
    assert outcomes[0] == outcomes[1]
    steps = outcomes[0][2]
    assert [step[2] for step in steps] == ["task_created", "task_updated", "comment_created"]
    assert [step[3]["timestamp"] for step in steps] == [
        iso_millis(moment) for moment in (ANCHOR, ANCHOR, ANCHOR + timedelta(minutes=5))
    ]


async def test_the_clock_is_frozen_set_advanced_or_running(gym: Gym) -> None:
    await gym.gym.reset(11, "small", now=ANCHOR + timedelta(days=3))
    assert gym.gym.clock_view() == {
        "now": "2026-03-05T09:00:00.000Z",
        "today": "2026-03-05",
        "frozen": True,
        "adjusted": True,
    }
    view = await gym.gym.set_clock(None, None, 90.0)
    assert view["now"] == "2026-03-05T09:01:30.000Z"
    user, _ = await seeded_person(gym)
    state = json.loads(await gym.gym.state())
    project_id = owned_project(state, user)
    task = await gym.services.tasks.create(user, project_id, TaskCreate(name="Stamped"))
    assert task.created_at == ANCHOR + timedelta(days=3, seconds=90)
    wall = [1_000.0]
    running = AdjustableClock(wall=lambda: wall[0])
    running.set(ANCHOR, frozen=False)
    wall[0] += 2.5
    assert running.now() == ANCHOR + timedelta(seconds=2.5)
    running.set(running.now(), frozen=True)
    wall[0] += 100
    assert running.now() == ANCHOR + timedelta(seconds=2.5)


async def test_sign_ins_of_seeded_people_survive_a_reset_and_nobody_elses(gym: Gym) -> None:
    await gym.gym.reset(11, "small")
    _user, seeded_secret = await seeded_person(gym)
    _stranger, _token, stranger_secret = await gym.services.auth.register(
        RegisterIn(email="stranger@example.com", name="Stranger", password="long enough pw")
    )
    await gym.gym.reset(11, "small")
    assert await gym.services.auth.authenticate(seeded_secret) is not None
    assert await gym.services.auth.authenticate(stranger_secret) is None


async def test_the_trajectory_pages_by_cursor_without_losing_an_event(gym: Gym) -> None:
    await gym.gym.reset(11, "small")
    people = [(await seeded_person(gym, index))[0] for index in range(2)]
    for person in people:
        await play(gym, person)
    everything, cursor = await gym.gym.events({}, 100)
    assert len(everything) == 6
    assert len({e.project_id for e in everything}) == 2
    times = [json.loads(e.frame)["timestamp"] for e in everything]
    assert times == sorted(times)
    paged: list[Committed] = []
    page_cursor: dict[str, int] = {}
    while True:
        page, page_cursor = await gym.gym.events(page_cursor, 1)
        if not page:
            break
        paged += page
    assert [(e.project_id, e.seq) for e in paged] == [(e.project_id, e.seq) for e in everything]
    assert page_cursor == cursor
    assert (await gym.gym.events(cursor, 100))[0] == []


def test_the_state_is_byte_identical_on_sqlite_and_postgresql(tmp_path: Path) -> None:
    async def seeded_state(url: str) -> bytes:
        services = build_services(gym_settings(url, tmp_path), clock=AdjustableClock())
        try:
            await GymService(services.runtime).reset(5, "small")
            return await GymService(services.runtime).state()
        finally:
            await services.runtime.db.dispose()

    states = []
    for backend in BACKENDS:
        with throwaway_database(backend, tmp_path) as url:
            states.append(asyncio.run(seeded_state(url)))
    assert b'"tasks":[{' in states[0]
    assert hashlib.sha256(states[0]).hexdigest() == hashlib.sha256(states[1]).hexdigest()
