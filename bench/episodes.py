"""Gym episodes on SQLite and PostgreSQL: memory, create and reset under load, steps/s.

For each backend this makes a throwaway database and runs ``python -m tasklane serve``
on it as a subprocess (``GYM_MODE=1``, API and gateway in one process, ``LOG_LEVEL=
warning``, the per-user mutation and per-address sign-in limits raised so that no
limiter answers instead of the stack: every agent signs in from one address), alone on
CPU 0; this process, the load client, runs on CPU 1. The agents' steps go through a
client written for the purpose (``kept_alive``: one connection per agent, requests
written by hand), whose cost per request is a small fraction of the server's: with
httpx, the client's CPU ran out first and the layouts' ratio measured the client. Every
episode is of seed 1 and the medium preset, so they are all copies of one template.
Then:

1. **Memory.** An episode is created (it prepares the template), used as the agents
   below use theirs (sign-ins, task renames) and deleted; the server's ``VmRSS`` is
   read, ``--episodes`` (64) episodes are created one after the other and left idle,
   and ``VmRSS`` is read again: the difference over the count is the memory of an idle
   episode. Read once more after the agents below have worked
   in every episode: an episode used, then idle.
2. **Steps per second.** ``--episodes`` agents, each a loop of ``--steps`` task updates
   (``PATCH <base>/api/tasks/{id}`` renaming one of its own tasks as a seeded person
   who may edit them, the next request as soon as the last is answered), run with one
   agent per episode (*spread*) and all on the first episode (*single*): the same
   people, tasks and client concurrency, alternately ``--repeats`` times each after an
   unmeasured warm-up of each. Steps/s = steps ÷ the run's wall time; the ratio is the
   medians' (spread ÷ single), given by the server's CPU time per step too. When it
   misses the goal, every thread of the server is sampled with ``py-spy`` for a while
   of each layout, and the functions that take more samples per step spread than
   single are reported.
3. **Create and reset with the others busy.** One episode is deleted, and one agent
   per remaining episode (63) renames a task every second (``BUSY_PACE_SECONDS``; an
   agent driven by a model takes seconds a step) while, from a thread of its
   own with its own connections, the benchmark creates an episode (``POST
   /api/gym/episodes``: the 64th), signs a person in there, renames a task, resets the
   episode (``POST <base>/api/gym/reset``, same seed and preset) and deletes it,
   ``--rounds`` times (fewer if 20 s pass first). The same rounds before the agents
   start are the baseline. Times are the client's wall time around the request, beside
   the ``millis`` the server reports; p50 / p90 nearest rank. The same rounds are
   measured again with the agents stepping without pause (the server's CPU all taken,
   so every request waits its turn behind theirs): a stress, reported beside the goal's
   figures. When a p90 misses the
   goal, every thread of the server is sampled with ``py-spy`` during one more busy
   phase (not measured).

Goals: under 8 MiB per idle episode (SQLite); create and reset p90 under 150 ms with
the others busy (SQLite; PostgreSQL measured, no goal); spread steps/s at least 0.8 of
single (both).

    python -m bench.episodes [--backends sqlite,postgresql] [--episodes 64] [--rounds 20]
                             [--steps 8] [--repeats 3] [--budget 420] [--quick]
                             [--no-profile] [--results DIR]

Prints tables and writes the "## Gym episodes" section of ``bench/results/<date>.md``
and ``bench/results/episodes-<date>.json`` (``bench.episodes_report``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from rich.console import Console

from bench import api, api_procs, common
from bench.common import BACKEND_NAMES, BACKENDS, POSTGRES_ADMIN, Budget, OutOfTime
from bench.episodes_report import (
    BUSY_MAX_SECONDS,
    BUSY_PACE_SECONDS,
    BUSY_WARMUP_SECONDS,
    GOAL_BACKENDS,
    LOAD_CPU,
    PRESET,
    PROFILE_RATE,
    PROFILE_SECONDS,
    RAISED_LIMIT,
    SEED,
    SERVER_CPU,
    Busy,
    LayoutProfile,
    Memory,
    Outcome,
    Plan,
    Run,
    Tally,
    ThreadProfile,
    Timed,
    Usage,
    busy_lines,
    compare_layouts,
    failure_lines,
    goal_lines,
    layout_profile_lines,
    profile_lines,
    rich_tables,
    summarize_threads,
    write_results,
)
from bench.kept_alive import ConnectionLost, KeptAlive
from tasklane.gym.presets import PASSWORD

EDITING_ROLES = ("owner", "editor")
BUDGET_SECONDS = 420.0
STARTUP_SECONDS = 60.0
REQUEST_SECONDS = 60.0
SETTLE_SECONDS = 1.0  # before reading VmRSS
BUSY_MAX_STEPS = 5_000  # per agent in a busy phase, whatever else happens
PROFILE_MAX_ROUNDS = 200
SIGN_IN_AT_ONCE = 8
KEEPALIVE_SECONDS = 2.0

FULL = Plan(episodes=64, rounds=20, steps=8, repeats=3, tasks=4, idle_rounds=5, profile=True)
QUICK = Plan(
    episodes=3, rounds=2, steps=2, repeats=1, tasks=2, idle_rounds=1, profile=False, quick=True
)

console = Console(width=None if sys.stdout.isatty() else 160)  # piped: don't squeeze to 80
progress = Console(stderr=True, log_path=False)  # .log: each step with its time


# -- the server --------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A running ``tasklane serve`` in gym mode: where it answers, its pid and the
    admin token's header."""

    url: str
    pid: int
    admin: dict[str, str]


@dataclass(frozen=True)
class Episode:
    id: str
    base: str  # ``<url>/e/<id>``


def server_env(
    database_url: str, folder: Path, port: int, token: str, plan: Plan
) -> dict[str, str]:
    """``bench.api``'s environment for ``tasklane serve`` (no inherited Tasklane
    setting, raised mutation limits), with gym mode, room for the episodes and the
    sign-in limits raised too."""
    env = api.tasklane_env(database_url, folder, port)
    env.update(
        MUTATION_RATE=str(RAISED_LIMIT),
        MUTATION_BURST=str(RAISED_LIMIT),
        AUTH_RATE=str(RAISED_LIMIT),
        AUTH_BURST=str(RAISED_LIMIT),
        GYM_MODE="1",
        GYM_ADMIN_TOKEN=token,
        GYM_MAX_EPISODES=str(plan.episodes + 6),
    )
    return env


@contextmanager
def gym_server(backend: str, plan: Plan, folder: Path, budget: Budget) -> Iterator[Server]:
    """``python -m tasklane serve`` on a throwaway ``backend`` database, pinned to
    ``SERVER_CPU``, until the block ends."""
    token = secrets.token_urlsafe(24)
    with common.throwaway_database(backend, folder) as url:
        port = api_procs.free_port()
        with api_procs.serving(
            [sys.executable, "-m", "tasklane", "serve"],
            port=port,
            cpu=SERVER_CPU,
            env=server_env(url, folder, port, token, plan),
            cwd=folder,
            log=folder / "tasklane.log",
            startup=budget.timeout(STARTUP_SECONDS, "starting tasklane serve"),
        ) as served:
            yield Server(served.url, served.pid, {"Authorization": f"Bearer {token}"})


def rss_kib(pid: int) -> int:
    """The process's resident memory (``VmRSS``), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key == "VmRSS":
            return int(value.split()[0])  # "123456 kB"
    raise RuntimeError(f"/proc/{pid}/status has no VmRSS")


class Meter:
    """The CPU the server and this process use from now until ``stop()``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.cpus = api_procs.cpu_times()
        self.server = api_procs.process_cpu_seconds(pid)
        self.client = _own_cpu_seconds()
        self.started = time.perf_counter()

    def stop(self) -> Usage:
        seconds = time.perf_counter() - self.started
        server = api_procs.process_cpu_seconds(self.pid) - self.server
        client = _own_cpu_seconds() - self.client
        busy = api_procs.busy_shares(self.cpus, api_procs.cpu_times())
        return Usage(seconds, server, client, busy.get(SERVER_CPU, 0.0))


def _own_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


# -- talking to it -----------------------------------------------------------------------


def _ok(answer: httpx.Response, doing: str) -> Any:
    if answer.is_error:
        raise RuntimeError(f"{doing}: HTTP {answer.status_code} {answer.text[:300]}")
    return answer.json() if answer.content else None


async def create_episode(
    client: httpx.AsyncClient, server: Server, budget: Budget
) -> tuple[Episode, Timed, bool]:
    """A new episode of the seed and preset, timed; and whether it prepared the
    template."""
    timeout = budget.timeout(REQUEST_SECONDS, "creating an episode")
    started = time.perf_counter()
    answer = await client.post(
        f"{server.url}/api/gym/episodes",
        json={"seed": SEED, "preset": PRESET},
        headers=server.admin,
        timeout=timeout,
    )
    elapsed = (time.perf_counter() - started) * 1000
    body = _ok(answer, "create an episode")
    episode = Episode(str(body["id"]), str(body["urls"]["base"]))
    return episode, Timed(elapsed, float(body["millis"])), bool(body["prepared"])


async def delete_episode(
    client: httpx.AsyncClient, server: Server, episode: Episode, budget: Budget
) -> None:
    timeout = budget.timeout(REQUEST_SECONDS, "deleting an episode")
    url = f"{server.url}/api/gym/episodes/{episode.id}"
    _ok(await client.delete(url, headers=server.admin, timeout=timeout), "delete an episode")


async def reset_episode(
    client: httpx.AsyncClient, server: Server, episode: Episode, budget: Budget
) -> Timed:
    """``POST <base>/api/gym/reset`` to the same seed and preset, timed."""
    timeout = budget.timeout(REQUEST_SECONDS, "resetting an episode")
    started = time.perf_counter()
    answer = await client.post(
        f"{episode.base}/api/gym/reset",
        json={"seed": SEED, "preset": PRESET},
        headers=server.admin,
        timeout=timeout,
    )
    elapsed = (time.perf_counter() - started) * 1000
    body = _ok(answer, "reset an episode")
    if body["prepared"]:
        raise RuntimeError("a reset prepared its template again")
    return Timed(elapsed, float(body["millis"]))


async def read_state(
    client: httpx.AsyncClient, server: Server, episode: Episode, budget: Budget
) -> dict[str, Any]:
    timeout = budget.timeout(REQUEST_SECONDS, "reading the gym state")
    answer = await client.get(
        f"{episode.base}/api/gym/state", headers=server.admin, timeout=timeout
    )
    state: dict[str, Any] = _ok(answer, "read the gym state")
    return state


async def sign_in(client: httpx.AsyncClient, episode: Episode, email: str, budget: Budget) -> str:
    """A seeded person's Bearer token in ``episode``."""
    timeout = budget.timeout(REQUEST_SECONDS, "signing in")
    body = {"email": email, "password": PASSWORD}
    answer = await client.post(f"{episode.base}/api/auth/login", json=body, timeout=timeout)
    return str(_ok(answer, f"sign in as {email}")["token"])


async def rename(
    client: httpx.AsyncClient, episode: Episode, token: str, task_id: str, name: str, wait: float
) -> httpx.Response:
    """One agent step: a new name for a task (``wait``: the request's timeout)."""
    return await client.patch(
        f"{episode.base}/api/tasks/{task_id}",
        json={"name": name},
        headers={"Authorization": f"Bearer {token}"},
        timeout=wait,
    )


def http_client(connections: int) -> httpx.AsyncClient:
    """The load client: at most ``connections`` connections, all kept alive. They are
    let go after ``KEEPALIVE_SECONDS`` idle, before uvicorn closes its end (after 5 s):
    with both at 5 s, a request sent on a connection the server is closing fails with
    ``ReadError`` (seen on PostgreSQL, where a step may wait that long for a turn)."""
    limits = httpx.Limits(
        max_connections=connections,
        max_keepalive_connections=connections,
        keepalive_expiry=KEEPALIVE_SECONDS,
    )
    return httpx.AsyncClient(limits=limits, timeout=REQUEST_SECONDS)


# -- agents ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """What one agent does: who it is and the tasks it renames in turn (no other agent
    touches them)."""

    email: str
    tasks: tuple[str, ...]


def assign(state: dict[str, Any], agents: int, tasks: int) -> list[Work]:
    """Each agent's person and tasks, from the seeded state: the people who may edit a
    live project, taken in turn (one person serves several agents when there are more
    agents than people), each agent with ``tasks`` tasks of a project its person may
    edit, none of them another agent's. The same in every episode of the seed."""
    live = {p["id"] for p in state["projects"] if not p["deletedAt"] and not p["archived"]}
    emails = {user["id"]: user["email"] for user in state["users"]}
    editing: dict[str, list[str]] = {}
    for member in sorted(state["members"], key=lambda m: str(m["id"])):
        if member["role"] in EDITING_ROLES and member["projectId"] in live:
            editing.setdefault(member["userId"], []).append(member["projectId"])
    free: dict[str, list[str]] = {}
    for task in sorted(state["tasks"], key=lambda t: str(t["id"])):
        free.setdefault(task["projectId"], []).append(task["id"])
    people = sorted(editing)
    if not people:
        raise RuntimeError("the seeded state has nobody who may edit a project")
    found = []
    for number in range(agents):
        person = people[number % len(people)]
        projects = editing[person]
        project = projects[(number // len(people)) % len(projects)]
        mine, free[project] = free[project][:tasks], free[project][tasks:]
        if len(mine) < tasks:
            raise RuntimeError(f"project {project} has too few tasks left for agent {number}")
        found.append(Work(str(emails[person]), tuple(mine)))
    return found


@dataclass(frozen=True)
class Agent:
    """An agent signed in to its episode, with a connection of its own for its steps
    (``kept_alive``: a load client cheap enough that the server's time sets the rate)."""

    number: int
    episode: Episode
    token: str
    work: Work
    line: KeptAlive = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "line", KeptAlive(self.episode.base))


async def drive(
    client: httpx.AsyncClient,
    agent: Agent,
    steps: int,
    tally: Tally,
    budget: Budget,
    stop: Callable[[], bool] = lambda: False,
    pace: float = 0.0,
) -> None:
    """Up to ``steps`` task renames, one at a time, until ``stop()`` says so or the
    budget runs low; with ``pace``, one every ``pace`` seconds at most (started at a
    random moment of the first, so that the agents do not step in unison)."""
    tasks = agent.work.tasks
    loop = asyncio.get_running_loop()
    due = loop.time() + random.uniform(0, pace)
    for step in range(steps):
        if pace:
            await asyncio.sleep(max(0.0, due - loop.time()))
            due += pace
        if stop() or budget.left() <= REQUEST_SECONDS / 4:
            return
        name = f"Agent {agent.number} step {step}"
        task = tasks[step % len(tasks)]
        started = time.perf_counter()
        try:
            async with asyncio.timeout(REQUEST_SECONDS):
                answer = await agent.line.request(
                    "PATCH", f"/api/tasks/{task}", token=agent.token, body={"name": name}
                )
        except (ConnectionLost, OSError, TimeoutError) as failed:
            tally.record(None, 0.0, repr(failed))
            continue
        tally.record(answer, (time.perf_counter() - started) * 1000)


async def sign_in_all(
    client: httpx.AsyncClient,
    placed: Sequence[tuple[int, Episode, Work]],
    budget: Budget,
    known: dict[tuple[str, str], str],
) -> list[Agent]:
    """The agents (number, episode, work) signed in: one token per person and episode,
    kept in ``known`` across calls."""
    gate = asyncio.Semaphore(SIGN_IN_AT_ONCE)

    async def token_for(episode: Episode, email: str) -> str:
        async with gate:
            key = (episode.id, email)
            if key not in known:
                known[key] = await sign_in(client, episode, email, budget)
            return known[key]

    tokens = await asyncio.gather(*(token_for(episode, work.email) for _, episode, work in placed))
    return [
        Agent(number, episode, token, work)
        for (number, episode, work), token in zip(placed, tokens, strict=True)
    ]


# -- 1. memory ---------------------------------------------------------------------------


async def measure_memory(
    client: httpx.AsyncClient, server: Server, plan: Plan, budget: Budget
) -> tuple[Memory, Timed, list[Episode], list[Work]]:
    """A first episode prepares the template, is used as the agents will use theirs
    (sign-ins and renames, so that what every request allocates once is there
    before), and is deleted; then ``plan.episodes`` idle episodes. The memory, the
    preparation's time, the episodes and the agents' work."""
    progress.log("[dim]preparing the template…[/dim]")
    first, prepare, prepared = await create_episode(client, server, budget)
    if not prepared:
        raise RuntimeError("the first episode did not prepare its template")
    works = assign(await read_state(client, server, first, budget), plan.episodes, plan.tasks)
    placed = [(n, first, work) for n, work in enumerate(works[: 2 * SIGN_IN_AT_ONCE])]
    warming = await sign_in_all(client, placed, budget, {})
    await one_run(client, server, "warm-up", warming, 2, budget)
    hang_up(warming)
    await delete_episode(client, server, first, budget)
    await asyncio.sleep(SETTLE_SECONDS)
    before = rss_kib(server.pid)
    progress.log(f"[dim]creating {plan.episodes} episodes…[/dim]")
    episodes, creates = [], []
    for _ in range(plan.episodes):
        episode, timed, _prepared = await create_episode(client, server, budget)
        episodes.append(episode)
        creates.append(timed)
    await asyncio.sleep(SETTLE_SECONDS)
    memory = Memory(plan.episodes, before, rss_kib(server.pid), creates)
    progress.log(f"[dim]{memory.per_episode_mib():.3f} MiB per idle episode[/dim]")
    return memory, prepare, episodes, works


# -- 2. steps per second, spread and single ----------------------------------------------


async def one_run(
    client: httpx.AsyncClient,
    server: Server,
    layout: str,
    agents: Sequence[Agent],
    steps: int,
    budget: Budget,
) -> Run:
    """Every agent's ``steps`` at once, until the last is answered."""
    tally = Tally()
    meter = Meter(server.pid)
    await asyncio.gather(*(drive(client, agent, steps, tally, budget) for agent in agents))
    return Run(layout, len(agents), meter.stop(), tally)


async def measure_throughput(
    client: httpx.AsyncClient,
    server: Server,
    layouts: dict[str, list[Agent]],
    plan: Plan,
    budget: Budget,
) -> list[Run]:
    """A warm-up of each layout, then the layouts in turn, ``plan.repeats`` times each."""
    progress.log(
        f"[dim]{plan.episodes} agents x {plan.steps} steps, spread and single, "
        f"{plan.repeats} run(s) each…[/dim]"
    )
    for agents in layouts.values():
        await one_run(client, server, "warm-up", agents, min(plan.steps, 2), budget)
    runs = []
    for _ in range(plan.repeats):
        for layout, agents in layouts.items():
            run = await one_run(client, server, layout, agents, plan.steps, budget)
            runs.append(run)
            progress.log(
                f"[dim]{layout}: {run.per_second:,.0f} steps/s, "
                f"{run.cpu_ms_per_step:.2f} ms of server CPU per step[/dim]"
            )
    return runs


# -- 3. create and reset with the others busy --------------------------------------------


async def one_round(
    client: httpx.AsyncClient, server: Server, work: Work, budget: Budget
) -> tuple[Timed, Timed]:
    """Create an episode, rename a task there, reset it and delete it: the create's and
    the reset's times."""
    episode, created, _prepared = await create_episode(client, server, budget)
    try:
        token = await sign_in(client, episode, work.email, budget)
        timeout = budget.timeout(REQUEST_SECONDS, "renaming a task")
        answer = await rename(client, episode, token, work.tasks[0], "Changed", timeout)
        _ok(answer, "rename a task before a reset")
        reset = await reset_episode(client, server, episode, budget)
    finally:
        await delete_episode(client, server, episode, budget)
    return created, reset


async def rounds_on_own_client(
    server: Server, work: Work, count: int, budget: Budget, until: float | None = None
) -> list[tuple[Timed, Timed]]:
    """``count`` rounds one after the other (fewer if ``until``, a
    ``time.monotonic()``, comes first), on connections of their own."""
    found = []
    async with http_client(2) as client:
        for _ in range(count):
            if until is not None and time.monotonic() >= until:
                break
            found.append(await one_round(client, server, work, budget))
    return found


async def with_agents_busy(
    client: httpx.AsyncClient,
    server: Server,
    agents: Sequence[Agent],
    tally: Tally,
    budget: Budget,
    measured: Callable[[], object],
    pace: float = 0.0,
) -> Usage:
    """``measured()`` while every agent renames tasks without pause. It is blocking and
    runs in a thread (with an event loop of its own), so that its requests are not
    timed on the agents' loop. The agents start ``BUSY_WARMUP_SECONDS`` earlier and stop
    with it; ``tally`` and the usage count from the start of ``measured`` to its end."""
    stopped = False

    def stop() -> bool:
        return stopped

    driving = asyncio.gather(
        *(drive(client, agent, BUSY_MAX_STEPS, tally, budget, stop, pace) for agent in agents)
    )
    try:
        await asyncio.sleep(BUSY_WARMUP_SECONDS)
        tally.clear()
        meter = Meter(server.pid)
        await asyncio.to_thread(measured)
        return meter.stop()
    finally:
        stopped = True
        await driving


async def measure_busy(
    client: httpx.AsyncClient,
    server: Server,
    agents: Sequence[Agent],
    work: Work,
    plan: Plan,
    budget: Budget,
    pace: float,
) -> Busy:
    """The rounds with every agent still, then with every agent busy: a step every
    ``pace`` seconds, or one after another with ``pace`` 0."""
    progress.log(f"[dim]{plan.idle_rounds} create/reset round(s), agents still…[/dim]")
    still = [await one_round(client, server, work, budget) for _ in range(plan.idle_rounds)]
    busy = Busy(len(agents), [c for c, _ in still], [r for _, r in still])
    how = f"a step every {pace:.0f} s" if pace else "without pause"
    progress.log(f"[dim]{plan.rounds} create/reset rounds, {len(agents)} agents, {how}…[/dim]")
    found: list[tuple[Timed, Timed]] = []

    def measured() -> None:
        until = time.monotonic() + BUSY_MAX_SECONDS
        found.extend(asyncio.run(rounds_on_own_client(server, work, plan.rounds, budget, until)))

    busy.usage = await with_agents_busy(client, server, agents, busy.tally, budget, measured, pace)
    busy.creates = [created for created, _ in found]
    busy.resets = [reset for _, reset in found]
    return busy


def record_threads(pid: int, output: Path) -> str | None:
    """``py-spy record`` of every thread of ``pid`` for ``PROFILE_SECONDS``, without
    pausing it (``--nonblocking``: with a hundred threads, pausing them all for each
    sample slows the server to a crawl), py-spy itself on ``LOAD_CPU``; None when
    written, else why not."""
    py_spy = str(Path(sys.executable).parent / "py-spy")
    command = [
        *("taskset", "-c", LOAD_CPU, py_spy, "record", "--pid", str(pid)),
        *("--duration", str(PROFILE_SECONDS), "--rate", str(PROFILE_RATE)),
        *("--threads", "--nonblocking", "--format", "raw", "--nolineno"),
        *("--output", str(output)),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PROFILE_SECONDS + 30)
    except (OSError, subprocess.TimeoutExpired) as failed:
        return f"py-spy did not run: {failed}"
    if done.returncode != 0 or not output.exists():
        return f"py-spy failed (exit {done.returncode}): {(done.stderr or done.stdout)[-400:]}"
    return None


async def profile_busy(
    client: httpx.AsyncClient,
    server: Server,
    agents: Sequence[Agent],
    work: Work,
    folder: Path,
    budget: Budget,
) -> tuple[ThreadProfile | None, str]:
    """py-spy on the server for ``PROFILE_SECONDS`` of one more busy phase (not
    measured): the profile, or None; and what the load did meanwhile, or why there is
    no profile."""
    if budget.left() < PROFILE_SECONDS + 30:
        return None, "no time left in the budget to profile"
    progress.log(f"[dim]profiling {PROFILE_SECONDS} s of a busy phase with py-spy…[/dim]")
    raw = folder / "py-spy.txt"
    rounds: list[tuple[Timed, Timed]] = []
    refused: list[str | None] = []

    async def sampled() -> None:
        recording = asyncio.create_task(asyncio.to_thread(record_threads, server.pid, raw))
        until = time.monotonic() + PROFILE_SECONDS
        rounds.extend(await rounds_on_own_client(server, work, PROFILE_MAX_ROUNDS, budget, until))
        refused.append(await recording)

    tally = Tally()
    usage = await with_agents_busy(
        client, server, agents, tally, budget, lambda: asyncio.run(sampled())
    )
    if refused and refused[0]:
        return None, refused[0]
    resets = [reset.client_ms for _, reset in rounds]
    note = (
        f"meanwhile {len(agents)} agents made {tally.ok / usage.seconds:,.0f} steps/s and "
        f"{len(rounds)} create/reset rounds ran, reset p50 "
        f"{statistics.median(resets) if resets else 0:,.0f} ms"
    )
    return summarize_threads(raw.read_text(), PROFILE_SECONDS), note


async def profile_layouts(
    client: httpx.AsyncClient,
    server: Server,
    layouts: dict[str, list[Agent]],
    folder: Path,
    budget: Budget,
) -> tuple[LayoutProfile | None, str]:
    """py-spy on the server for ``PROFILE_SECONDS`` of each layout, the agents stepping
    without pause (not measured): where a step spread over the episodes costs more than
    one on a single episode; or None and why not."""
    if budget.left() < 2 * PROFILE_SECONDS + 30:
        return None, "no time left in the budget to profile"
    found: dict[str, tuple[str, int]] = {}
    for layout, agents in layouts.items():
        progress.log(f"[dim]profiling {PROFILE_SECONDS} s of {layout} steps with py-spy…[/dim]")
        raw = folder / f"py-spy-{layout}.txt"
        refused: list[str | None] = []
        tally = Tally()

        def record(raw: Path = raw, refused: list[str | None] = refused) -> None:
            refused.append(record_threads(server.pid, raw))

        await with_agents_busy(client, server, agents, tally, budget, record)
        if refused and refused[0]:
            return None, refused[0]
        found[layout] = (raw.read_text(), tally.ok)
    return compare_layouts(found["spread"], found["single"]), ""


# -- one backend -------------------------------------------------------------------------


def hang_up(agents: Sequence[Agent]) -> None:
    for agent in agents:
        agent.line.close()


async def measure_backend(
    backend: str, server: Server, plan: Plan, folder: Path, budget: Budget
) -> Outcome:
    agents: list[Agent] = []
    try:
        return await measure_with(backend, server, plan, folder, budget, agents)
    finally:
        hang_up(agents)


async def measure_with(
    backend: str,
    server: Server,
    plan: Plan,
    folder: Path,
    budget: Budget,
    agents: list[Agent],
) -> Outcome:
    """``measure_backend``; ``agents`` gets every agent signed in, to hang up after."""
    async with http_client(plan.episodes) as client:
        memory, prepare, episodes, works = await measure_memory(client, server, plan, budget)
        outcome = Outcome(backend, prepare, memory)
        progress.log("[dim]signing the agents in…[/dim]")
        tokens: dict[tuple[str, str], str] = {}
        spread = await sign_in_all(
            client, [(n, episode, works[n]) for n, episode in enumerate(episodes)], budget, tokens
        )
        single = await sign_in_all(
            client, [(n, episodes[0], works[n]) for n in range(len(episodes))], budget, tokens
        )
        agents.extend([*spread, *single])
        outcome.runs = await measure_throughput(
            client, server, {"spread": spread, "single": single}, plan, budget
        )
        await asyncio.sleep(SETTLE_SECONDS)
        outcome.memory.used_kib = rss_kib(server.pid)
        if plan.profile and backend in GOAL_BACKENDS["ratio"] and outcome.ratio_met() is False:
            outcome.layout_profile, outcome.layout_profile_note = await profile_layouts(
                client, server, {"spread": spread, "single": single}, folder, budget
            )
        # The busy phase: an agent in every episode but the last, which goes.
        await delete_episode(client, server, episodes[-1], budget)
        busy_agents, work = spread[:-1], works[-1]
        outcome.busy = await measure_busy(
            client, server, busy_agents, work, plan, budget, BUSY_PACE_SECONDS
        )
        outcome.stress = await measure_busy(client, server, busy_agents, work, plan, budget, 0.0)
        if plan.profile and backend in GOAL_BACKENDS["latency"] and outcome.latency_met() is False:
            outcome.profile, outcome.profile_note = await profile_busy(
                client, server, busy_agents, work, folder, budget
            )
    return outcome


def bench_backend(backend: str, plan: Plan, budget: Budget) -> Outcome:
    progress.log(f"[bold]{BACKEND_NAMES[backend]}[/bold]")
    with tempfile.TemporaryDirectory(prefix=f"tasklane-bench-episodes-{backend}-") as tmp:
        folder = Path(tmp)
        with gym_server(backend, plan, folder, budget) as server:
            return asyncio.run(measure_backend(backend, server, plan, folder, budget))


@contextmanager
def pinned(cpu: str) -> Iterator[None]:
    """This thread, and the threads it starts meanwhile, on ``cpu`` until the block
    ends."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {int(cpu)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def can_pin() -> bool:
    """``taskset`` on the PATH, and the two CPUs the server and the client run on."""
    cpus = os.sched_getaffinity(0)
    return shutil.which("taskset") is not None and {int(SERVER_CPU), int(LOAD_CPU)} <= cpus


# -- the command -------------------------------------------------------------------------


def _backends(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names or any(name not in BACKENDS for name in names):
        raise argparse.ArgumentTypeError(f"choose from {', '.join(BACKENDS)} (got {value!r})")
    return names


def _at_least(least: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        number = int(value)
        if number < least:
            raise argparse.ArgumentTypeError(f"must be at least {least} (got {value})")
        return number

    return parse


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.episodes", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--backends",
        type=_backends,
        default=list(BACKENDS),
        help="comma-separated backends (default: sqlite,postgresql)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a smoke run: {QUICK.episodes} episodes, {QUICK.rounds} rounds, {QUICK.steps} "
        "steps, 1 run of each layout, no profile (the options below override it)",
    )
    parser.add_argument("--episodes", type=_at_least(2), help=f"default {FULL.episodes}")
    parser.add_argument(
        "--rounds", type=_at_least(1), help=f"busy create/reset rounds (default {FULL.rounds})"
    )
    parser.add_argument(
        "--steps", type=_at_least(1), help=f"per agent and run (default {FULL.steps})"
    )
    parser.add_argument(
        "--repeats", type=_at_least(1), help=f"runs of each layout (default {FULL.repeats})"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=BUDGET_SECONDS,
        help=f"give up after this many seconds (default {BUDGET_SECONDS:.0f})",
    )
    parser.add_argument(
        "--profile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="profile the server when a goal of create, reset or the ratio is missed "
        "(default: yes, but not with --quick)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=common.RESULTS,
        help="where the markdown and the JSON go (default: bench/results)",
    )
    return parser.parse_args(argv)


def plan_of(args: argparse.Namespace) -> Plan:
    base = QUICK if args.quick else FULL
    return Plan(
        episodes=args.episodes or base.episodes,
        rounds=args.rounds or base.rounds,
        steps=args.steps or base.steps,
        repeats=args.repeats or base.repeats,
        tasks=base.tasks,
        idle_rounds=base.idle_rounds,
        profile=base.profile if args.profile is None else args.profile,
        quick=args.quick,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if not can_pin():
        progress.print(
            f"[red]bench.episodes needs taskset and CPUs {SERVER_CPU} and {LOAD_CPU}[/red]"
        )
        return 2
    plan = plan_of(args)
    budget = Budget(args.budget)
    when = datetime.now(UTC).astimezone()
    outcomes: list[Outcome] = []
    try:
        described = common.machine(args.backends)
        with pinned(LOAD_CPU):
            for backend in args.backends:
                outcomes.append(bench_backend(backend, plan, budget))
    except (OutOfTime, TimeoutError, httpx.TimeoutException) as stopped:
        for table in rich_tables(outcomes) if outcomes else []:
            console.print(table)
        progress.print(f"[red]bench.episodes gave up: {stopped or 'a request timed out'}[/red]")
        progress.print("[red]No results were written.[/red]")
        return 2
    except (OSError, RuntimeError, asyncpg.PostgresError) as failed:
        progress.print(f"[red]bench.episodes failed: {failed}[/red]")
        progress.print(f"[red](PostgreSQL admin URL: {POSTGRES_ADMIN})[/red]")
        return 2
    for table in rich_tables(outcomes):
        console.print(table)
    for line in [*busy_lines(outcomes), *goal_lines(outcomes), *failure_lines(outcomes)]:
        console.print(line.replace("**", ""), markup=False)
    for outcome in outcomes:
        console.print(*profile_lines(outcome), sep="\n", markup=False)
        console.print(*layout_profile_lines(outcome), sep="\n", markup=False)
    document, data = write_results(outcomes, plan, described, when, args.results)
    console.print(f"Written to {document} and {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
