"""API throughput: task updates per second through the full stack, on SQLite and on
PostgreSQL, beside an empty FastAPI endpoint served the same way as the ceiling.

*Full stack*: ``tasklane serve`` as a subprocess (one process: the API and the realtime
gateway, as deployed) on a throwaway database, with the per-user mutation limits raised
(``MUTATION_RATE`` and ``MUTATION_BURST`` = 1,000,000) so the rate limiter does not
answer instead of the stack. One user registers, makes a project and ``--tasks`` tasks;
the measured request is ``PATCH /api/tasks/{id}`` with ``{"name": …}`` and the user's
Bearer token, rotating over the tasks with a fresh name each time: every request
authenticates, commits the task's change and an event in one transaction and publishes
the event.

*Ceiling*: ``bench.empty_app``, the same request shape answered by an endpoint that only
parses the body into a pydantic model, served by the same uvicorn with the same options
and on the same event loop as ``tasklane serve`` (uvloop when it is installed). For
reference the empty endpoint is also measured on the other loop.

Each server runs alone on CPU 0 (``taskset``); the load generator, ``wrk`` (one thread,
``--connections`` connections), on CPU 1. Per target: a warm-up, then ``--repeats``
windows of ``--seconds``; the table shows the median window's requests/s and its p50/p99
latency (as wrk measures them), non-2xx answers and socket errors, the server's and the
load generator's CPU (1.0 = a whole CPU) and each CPU's busy share (whoever kept it
busy: PostgreSQL's own processes are not pinned). Goal: the full stack's requests/s at
least 40% of the ceiling's. When a backend misses it, the server is profiled under the
same load (``bench.api_profile``) and its top functions by own time are reported.

    python -m bench.api [--backends sqlite,postgresql] [--connections 32] [--seconds 10]
                        [--repeats 3] [--tasks 50] [--budget 300] [--no-profile]
                        [--no-other-loop]

Prints a table and writes the "## API throughput" section of ``bench/results/<date>.md``
and ``bench/results/api-<date>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from rich.console import Console
from rich.table import Table

from bench import api_procs, api_profile, api_wrk, common
from bench.api_procs import Served
from bench.api_profile import Profile
from bench.api_wrk import Load, WrkRun
from bench.common import BACKEND_NAMES, BACKENDS, POSTGRES_ADMIN, Budget, OutOfTime, machine
from bench.refservers.loops import tasklanes_loop
from tasklane.settings import Settings

HEADING = "## API throughput"
GOAL_RATIO = 0.40
BUDGET_SECONDS = 300.0
CONNECTIONS = 32
WARMUP_SECONDS = 2
WINDOW_SECONDS = 10
REPEATS = 3
TASKS = 50
PROFILE_SECONDS = 8
SERVER_CPU, LOAD_CPU = "0", "1"
STARTUP_SECONDS = 60.0
REQUEST_SECONDS = 30.0
RAISED_LIMIT = "1000000"
ROOT = Path(__file__).resolve().parent.parent
CEILING, CEILING_OTHER_LOOP = "ceiling", "ceiling-other-loop"
SERVE_LOOP = tasklanes_loop()  # the loop `tasklane serve` runs on
OTHER_LOOP = "asyncio" if SERVE_LOOP == "uvloop" else "uvloop"
LABELS = {
    CEILING: "Empty endpoint (ceiling)",
    CEILING_OTHER_LOOP: f"Empty endpoint, {OTHER_LOOP} (reference)",
    "sqlite": "Full stack, SQLite",
    "postgresql": "Full stack, PostgreSQL",
}
LOOPS = {CEILING: SERVE_LOOP, CEILING_OTHER_LOOP: OTHER_LOOP, "sqlite": SERVE_LOOP}
LOOPS["postgresql"] = SERVE_LOOP

console = Console(width=None if sys.stdout.isatty() else 140)  # piped: don't squeeze to 80
progress = Console(stderr=True)


# -- what is measured --------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How hard and how long each target is loaded."""

    connections: int
    seconds: int
    repeats: int
    tasks: int
    profile: bool
    other_loop: bool


@dataclass(frozen=True)
class Window:
    """One measured window: wrk's run, the server's CPU share and each CPU's busy share."""

    run: WrkRun
    server_cpu: float
    cpus: dict[str, float]


@dataclass
class Target:
    """Every window of one server, and its profile if one was taken."""

    key: str
    windows: list[Window]
    profile: Profile | None = None
    profile_note: str = ""  # why there is none, or what the load did while profiling

    @property
    def label(self) -> str:
        return LABELS[self.key]

    def median(self) -> Window:
        ordered = sorted(self.windows, key=lambda w: w.run.per_second)
        return ordered[(len(ordered) - 1) // 2]

    def per_second(self) -> float:
        return self.median().run.per_second

    def non_2xx(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for window in self.windows:
            for code, count in window.run.non_2xx.items():
                found[code] = found.get(code, 0) + count
        return found

    def socket_errors(self) -> int:
        return sum(sum(w.run.socket_errors.values()) for w in self.windows)

    def first_failure(self) -> str:
        return next((w.run.first_failure for w in self.windows if w.run.first_failure), "")


def cpu_ms(window: Window) -> float:
    """The server's CPU time per request in a window, in ms: less sensitive than
    requests/s to other programs sharing the machine."""
    return window.server_cpu / window.run.per_second * 1000 if window.run.per_second else 0.0


def cpu_ratio(target: Target, ceiling: Target | None) -> float | None:
    """The ceiling's CPU per request over the full stack's: the requests/s ratio the two
    would have if each had a whole CPU to itself."""
    if ceiling is None or target.key not in BACKENDS:
        return None
    stack, empty = cpu_ms(target.median()), cpu_ms(ceiling.median())
    return empty / stack if stack > 0 else None


def ratio(target: Target, ceiling: Target | None) -> float | None:
    """The full stack's requests/s over the ceiling's (None for the ceilings)."""
    if ceiling is None or target.key not in BACKENDS or ceiling.per_second() <= 0:
        return None
    return target.per_second() / ceiling.per_second()


# -- loading a server --------------------------------------------------------------------


def _need(budget: Budget, seconds: float, doing: str) -> float:
    """A timeout for a step that lasts ``seconds``; OutOfTime if it cannot fit."""
    if budget.left() < seconds + 2:
        raise OutOfTime(f"the {budget.seconds:.0f} s budget ran out before {doing}")
    return budget.timeout(seconds + 20, doing)


def window(served: Served, load: Load, seconds: int, folder: Path, budget: Budget) -> Window:
    """One wrk run of ``seconds`` against ``served``, with the CPU it took."""
    timeout = _need(budget, seconds, "a measured window")
    cpus_before, server_before = api_procs.cpu_times(), api_procs.process_cpu_seconds(served.pid)
    run = api_wrk.run(load, seconds, folder, timeout)
    server_after, cpus_after = api_procs.process_cpu_seconds(served.pid), api_procs.cpu_times()
    return Window(
        run=run,
        server_cpu=(server_after - server_before) / run.seconds,
        cpus=api_procs.busy_shares(cpus_before, cpus_after),
    )


def _windows(plan: Plan) -> str:
    return f"{plan.repeats} window{'s' if plan.repeats > 1 else ''} of {plan.seconds} s"


def measure(
    key: str, served: Served, load: Load, plan: Plan, folder: Path, budget: Budget
) -> Target:
    """A warm-up, then ``plan.repeats`` measured windows."""
    progress.print(f"[dim]{LABELS[key]}: warm-up, then {_windows(plan)}…[/dim]")
    api_wrk.run(load, WARMUP_SECONDS, folder, _need(budget, WARMUP_SECONDS, "the warm-up"))
    windows = [window(served, load, plan.seconds, folder, budget) for _ in range(plan.repeats)]
    target = Target(key, windows)
    progress.print(f"[dim]{target.label}: {target.per_second():,.0f} requests/s[/dim]")
    return target


# -- the ceiling -------------------------------------------------------------------------


def bench_ceiling(key: str, plan: Plan, folder: Path, budget: Budget) -> Target:
    """The empty endpoint on CPU 0, loaded like the full stack (its token and task IDs
    are only sent, never checked)."""
    port = api_procs.free_port()
    command = [sys.executable, "-m", "bench.empty_app", "--port", str(port)]
    command += ["--loop", LOOPS[key]]
    script = Load.write_script(folder)
    with api_procs.serving(
        command,
        port=port,
        cpu=SERVER_CPU,
        env=os.environ,
        cwd=ROOT,
        log=folder / f"{key}.log",
        startup=budget.timeout(STARTUP_SECONDS, "starting the empty endpoint"),
    ) as served:
        ids = tuple(f"task_ceiling_{n:03d}" for n in range(plan.tasks))
        load = Load(served.url, "ceiling", ids, plan.connections, LOAD_CPU, script)
        return measure(key, served, load, plan, folder, budget)


# -- the full stack ----------------------------------------------------------------------


def tasklane_command() -> list[str]:
    return [str(Path(sys.executable).parent / "tasklane"), "serve"]


def tasklane_env(database_url: str, folder: Path, port: int) -> dict[str, str]:
    """The environment of ``tasklane serve``: ours, without any Tasklane setting it
    inherited, plus the benchmark's (raised mutation limits, quiet logs, no Redis)."""
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(
        HOST="127.0.0.1",
        PORT=str(port),
        WS_PORT=str(api_procs.free_port()),
        DATA_DIR=str(folder),
        DATABASE_URL=database_url,
        LOG_LEVEL="warning",
        MUTATION_RATE=RAISED_LIMIT,
        MUTATION_BURST=RAISED_LIMIT,
    )
    return env


def _ok(answer: httpx.Response, doing: str) -> Any:
    if answer.is_error:
        raise RuntimeError(f"{doing}: HTTP {answer.status_code} {answer.text[:300]}")
    return answer.json()


def prepare(url: str, tasks: int, budget: Budget) -> tuple[str, tuple[str, ...]]:
    """Register a user, make a project and ``tasks`` tasks: the token and the task IDs."""
    timeout = budget.timeout(REQUEST_SECONDS, "preparing the tasks")
    with httpx.Client(base_url=url, timeout=timeout) as client:
        body = {
            "email": "bench@example.com",
            "name": "Benchmark",
            "password": secrets.token_urlsafe(16),
        }
        token = _ok(client.post("/api/auth/register", json=body), "register")["token"]
        client.cookies.clear()
        client.headers["Authorization"] = f"Bearer {token}"
        project = _ok(client.post("/api/projects", json={"name": "Bench"}), "create a project")
        path = f"/api/projects/{project['id']}/tasks"
        ids = tuple(
            str(_ok(client.post(path, json={"name": f"Task {n}"}), "create a task")["id"])
            for n in range(tasks)
        )
    return str(token), ids


@contextmanager
def tasklane(
    env: dict[str, str], folder: Path, budget: Budget, command: list[str] | None = None
) -> Iterator[Served]:
    """``tasklane serve`` (or ``command``) on CPU 0 with ``env``, until the block ends."""
    with api_procs.serving(
        command or tasklane_command(),
        port=int(env["PORT"]),
        cpu=SERVER_CPU,
        env=env,
        cwd=folder,
        log=folder / "tasklane.log",
        startup=budget.timeout(STARTUP_SECONDS, "starting tasklane serve"),
    ) as served:
        yield served


def bench_backend(
    backend: str, plan: Plan, ceiling: Target, folder: Path, budget: Budget
) -> Target:
    """The full stack on a throwaway ``backend`` database; profiled if below the goal."""
    refused: str | None = None  # why py-spy could not profile it
    with common.throwaway_database(backend, folder) as url:
        env = tasklane_env(url, folder, api_procs.free_port())
        with tasklane(env, folder, budget) as served:
            token, ids = prepare(served.url, plan.tasks, budget)
            load = Load(
                served.url, token, ids, plan.connections, LOAD_CPU, Load.write_script(folder)
            )
            target = measure(backend, served, load, plan, folder, budget)
            if plan.profile and (ratio(target, ceiling) or 0) < GOAL_RATIO:
                refused = profile_with_py_spy(target, served, load, folder, budget)
        if refused:
            profile_with_pyinstrument(target, env, load, folder, budget, refused)
    return target


# -- profiling ---------------------------------------------------------------------------


def profile_with_py_spy(
    target: Target, served: Served, load: Load, folder: Path, budget: Budget
) -> str | None:
    """py-spy on the running server while wrk loads it as before; None if it worked,
    else why not."""
    progress.print(f"[dim]{target.label}: profiling {PROFILE_SECONDS} s with py-spy…[/dim]")
    seconds = PROFILE_SECONDS + 3
    timeout = _need(budget, seconds + 10, "profiling")
    raw = folder / "py-spy.txt"
    (folder / "profile-load").mkdir(exist_ok=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(api_wrk.run, load, seconds, folder / "profile-load", timeout)
        time.sleep(1)  # let the connections open
        failed = api_profile.record_py_spy(served.pid, PROFILE_SECONDS, LOAD_CPU, raw)
        during = loading.result(timeout=timeout)
    if failed:
        return failed
    target.profile = api_profile.summarize_py_spy(raw.read_text(), PROFILE_SECONDS)
    target.profile_note = f"{during.per_second:,.0f} requests/s while sampled"
    return None


def profile_with_pyinstrument(
    target: Target, env: dict[str, str], load: Load, folder: Path, budget: Budget, why: str
) -> None:
    """The fallback: a fresh server under pyinstrument on the same database, loaded for
    ``PROFILE_SECONDS``, then stopped so that it writes its profile."""
    progress.print(f"[yellow]{why}; profiling with pyinstrument instead[/yellow]")
    output = folder / "pyinstrument.pstats"
    env = {**env, "PORT": str(api_procs.free_port()), "WS_PORT": str(api_procs.free_port())}
    command = api_profile.pyinstrument_command(tasklane_command(), output)
    with tasklane(env, folder, budget, command) as served:
        timeout = _need(budget, PROFILE_SECONDS, "profiling")
        during = api_wrk.run(replace(load, url=served.url), PROFILE_SECONDS, folder, timeout)
    if not output.exists():
        target.profile_note = f"{why}; pyinstrument wrote no profile"
        return
    target.profile = api_profile.summarize_pstats(output)
    target.profile_note = f"{why}; {during.per_second:,.0f} requests/s under pyinstrument"


# -- reporting ---------------------------------------------------------------------------


COLUMNS = (
    "Target",
    "Loop",
    "Requests/s",
    "Windows (req/s)",
    "p50 ms",
    "p99 ms",
    "Non-2xx",
    "Socket errors",
    "Server CPU",
    "CPU ms/req",
    "wrk CPU",
    "CPU0 / CPU1 busy",
    "vs ceiling",
)
RIGHT = range(2, 13)


def _share(value: float) -> str:
    return f"{value * 100:.0f}%"


def row(target: Target, ceiling: Target | None) -> list[str]:
    middle = target.median()
    non_2xx = target.non_2xx()
    share = ratio(target, ceiling)
    return [
        target.label,
        LOOPS[target.key],
        f"{target.per_second():,.0f}",
        " / ".join(f"{w.run.per_second:,.0f}" for w in target.windows),
        f"{middle.run.p50_ms:.1f}",
        f"{middle.run.p99_ms:.1f}",
        ", ".join(f"{n} x {code}" for code, n in sorted(non_2xx.items())) or "0",
        str(target.socket_errors()),
        f"{middle.server_cpu:.2f}",
        f"{cpu_ms(middle):.2f}",
        f"{middle.run.cpu_share:.2f}",
        f"{_share(middle.cpus.get(SERVER_CPU, 0))} / {_share(middle.cpus.get(LOAD_CPU, 0))}",
        "—" if share is None else _share(share),
    ]


def _ceiling(targets: Sequence[Target]) -> Target | None:
    return next((t for t in targets if t.key == CEILING), None)


def rich_table(targets: Sequence[Target]) -> Table:
    table = Table(title="PATCH /api/tasks/{id} over loopback (wrk, median window)")
    for number, name in enumerate(COLUMNS):
        table.add_column(name, justify="right" if number in RIGHT else "left")
    for target in targets:
        table.add_row(*row(target, _ceiling(targets)))
    return table


def goal_lines(targets: Sequence[Target]) -> list[str]:
    ceiling = _ceiling(targets)
    lines = []
    for target in targets:
        share = ratio(target, ceiling)
        if share is None or ceiling is None:
            continue
        verdict = "**met**" if share >= GOAL_RATIO else "**missed**"
        by_cpu = cpu_ratio(target, ceiling) or 0.0
        lines.append(
            f"- {BACKEND_NAMES[target.key]}: {target.per_second():,.0f} requests/s = "
            f"{_share(share)} of the ceiling's {ceiling.per_second():,.0f} — {verdict} "
            f"(goal ≥ {_share(GOAL_RATIO)}). By server CPU per request "
            f"({cpu_ms(target.median()):.2f} ms against {cpu_ms(ceiling.median()):.2f} ms): "
            f"{_share(by_cpu)}."
        )
    return lines


def others_on_server_cpu(target: Target) -> float:
    """The most CPU 0 was kept busy by anything but the server in one window (PostgreSQL
    when it runs there, or another program: then the numbers are disturbed)."""
    return max(max(0.0, w.cpus.get(SERVER_CPU, 0) - w.server_cpu) for w in target.windows)


def disturbance_line(targets: Sequence[Target]) -> str:
    shares = ", ".join(f"{t.label} {_share(others_on_server_cpu(t))}" for t in targets)
    return (
        f"CPU {SERVER_CPU} busy with anything but the server under test, worst window: "
        f"{shares} (PostgreSQL's processes may run there; more than that means another "
        "program disturbed the run)."
    )


def failure_lines(targets: Sequence[Target]) -> list[str]:
    """The first non-2xx answer of each target that had one."""
    return [
        f"- {t.label}: first non-2xx answer: `{t.first_failure()}`"
        for t in targets
        if t.first_failure()
    ]


def profile_lines(target: Target) -> list[str]:
    profile = target.profile
    if profile is None:
        return [f"{target.label}: no profile ({target.profile_note})", ""]
    held = "" if profile.held is None else f" (the GIL held {_share(profile.held)} of the time)"
    unit = "samples" if profile.tool == "py-spy" else "s profiled"
    notes = "; ".join(n for n in (target.profile_note, profile.note) if n)
    lines = [
        f"**{target.label}**: {profile.tool}, {profile.samples:,} {unit}{held}; {notes}.",
        "",
        *_line_table(profile.top, "Function (by own time)"),
    ]
    if profile.tasklane:
        lines += ["", *_line_table(profile.tasklane, "Tasklane function (by total time)")]
    packages = ", ".join(f"{name} {share * 100:.0f}%" for name, share in profile.packages)
    lines += ["", f"Own time by package: {packages}."]
    if profile.roots:
        roots = ", ".join(f"`{name}` {share * 100:.0f}%" for name, share in profile.roots)
        lines += ["", f"Samples by root frame (the ORM's greenlets start at their call): {roots}."]
    return [*lines, ""]


def _line_table(found: Sequence[api_profile.Line], title: str) -> list[str]:
    return [
        f"| {title} | File | Own | Total |",
        "| --- | --- | ---: | ---: |",
        *(
            f"| `{x.function}` | {x.where} | {x.own * 100:.1f}% | {x.total * 100:.1f}% |"
            for x in found
        ),
    ]


def markdown_table(targets: Sequence[Target]) -> list[str]:
    align = ["---:" if n in RIGHT else "---" for n in range(len(COLUMNS))]
    ceiling = _ceiling(targets)
    return [
        f"| {' | '.join(COLUMNS)} |",
        f"| {' | '.join(align)} |",
        *(f"| {' | '.join(row(t, ceiling))} |" for t in targets),
    ]


def method_lines(plan: Plan) -> list[str]:
    """How the numbers were measured, for the results' reader."""
    return [
        f'`PATCH /api/tasks/{{id}}` with `{{"name": …}}` and a Bearer token, rotating over '
        f"{plan.tasks} tasks, from `wrk` (1 thread, {plan.connections} connections) pinned "
        f"to CPU {LOAD_CPU}; each server alone on CPU {SERVER_CPU} (`taskset`). Per target "
        f"a {WARMUP_SECONDS} s warm-up, then {_windows(plan)}: *Requests/s* is the median "
        "window's, with its p50/p99 latency; *Non-2xx* and *Socket errors* count all "
        "windows. *Server CPU* and *wrk CPU* are each process's CPU time over the window "
        "(1.00 = a whole CPU: wrk below that was not the bottleneck); *CPU ms/req* is the "
        "server's CPU time per request, less sensitive than requests/s to other programs "
        "on the machine; *CPU0 / CPU1 busy* is each CPU's busy share, whoever kept it busy "
        "(PostgreSQL's own processes are not pinned and share both CPUs with everything "
        "else).",
        "",
        "*Full stack*: `tasklane serve` (API and realtime gateway in one process) on a "
        "throwaway database, with the per-user limits raised (`MUTATION_RATE` and "
        f"`MUTATION_BURST` = {int(RAISED_LIMIT):,}) so that the rate limiter does not "
        "answer instead of the stack; each request authenticates, commits the task and an "
        "event in one transaction and publishes the event. *Ceiling*: `bench.empty_app`, "
        "the same request answered after parsing the body into a pydantic model, no "
        "database, with the same uvicorn options as Tasklane's API and on the event loop "
        f"`tasklane serve` runs on ({SERVE_LOOP}). The {OTHER_LOOP} row shows the same "
        "empty endpoint on the other loop; it is not the goal's reference.",
    ]


PROFILE_INTRO = (
    "Where the time goes, for each backend below the goal: `py-spy record --gil` on the "
    "server under the same load (the thread holding the GIL: Python's work, in whichever "
    "thread; waiting threads are not sampled, and sampling slows the server down). The "
    "top functions by *own* time (innermost frame; *Total*: anywhere on the stack), then "
    "Tasklane's functions by total time (entry points and ASGI middleware left out). "
    "SQLAlchemy runs the ORM in greenlets, whose stacks py-spy shows without their "
    "caller: Tasklane's totals miss the ORM work below them (see the samples by root "
    "frame)."
)


def markdown_section(
    targets: Sequence[Target], plan: Plan, described: dict[str, str], when: datetime
) -> str:
    profiled = [t for t in targets if t.profile is not None or t.profile_note]
    failures = failure_lines(targets)
    lines = [
        HEADING,
        "",
        f"Measured {when.strftime('%Y-%m-%d %H:%M:%S %Z')} with `python -m bench.api`.",
        "",
        *common.machine_lines(described),
        "",
        *method_lines(plan),
        "",
        *markdown_table(targets),
        "",
        disturbance_line(targets),
        "",
        f"Goal (full stack ≥ {_share(GOAL_RATIO)} of the ceiling's requests/s):",
        "",
        *(goal_lines(targets) or ["- not measured"]),
        *(["", *failures] if failures else []),
        "",
        *([PROFILE_INTRO, ""] if profiled else []),
        *(line for target in profiled for line in profile_lines(target)),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def as_json(
    targets: Sequence[Target], plan: Plan, described: dict[str, str], when: datetime
) -> str:
    ceiling = _ceiling(targets)
    body = {
        "benchmark": "api-throughput",
        "measuredAt": when.isoformat(timespec="seconds"),
        "machine": described,
        "plan": {
            "request": "PATCH /api/tasks/{id} {name}",
            "connections": plan.connections,
            "warmupSeconds": WARMUP_SECONDS,
            "windowSeconds": plan.seconds,
            "repeats": plan.repeats,
            "tasks": plan.tasks,
            "serverCpu": SERVER_CPU,
            "loadCpu": LOAD_CPU,
            "mutationRate": int(RAISED_LIMIT),
            "mutationBurst": int(RAISED_LIMIT),
        },
        "goal": {"fullStackOverCeiling": GOAL_RATIO},
        "targets": [_target_json(t, ratio(t, ceiling), cpu_ratio(t, ceiling)) for t in targets],
    }
    return json.dumps(body, indent=2) + "\n"


def _target_json(target: Target, share: float | None, by_cpu: float | None) -> dict[str, Any]:
    return {
        "target": target.key,
        "label": target.label,
        "loop": LOOPS[target.key],
        "requestsPerSecond": round(target.per_second(), 1),
        "ratioToCeiling": None if share is None else round(share, 4),
        "serverCpuMsPerRequest": round(cpu_ms(target.median()), 3),
        "goalMet": None if share is None else share >= GOAL_RATIO,
        "ratioByCpuPerRequest": None if by_cpu is None else round(by_cpu, 4),
        "windows": [_window_json(w) for w in target.windows],
        "profile": _profile_json(target),
    }


def _window_json(window: Window) -> dict[str, Any]:
    run = window.run
    return {
        "requests": run.requests,
        "seconds": round(run.seconds, 3),
        "requestsPerSecond": round(run.per_second, 1),
        "latencyMs": {"p50": run.p50_ms, "p99": run.p99_ms, "max": run.max_ms},
        "statuses": run.statuses,
        "socketErrors": run.socket_errors,
        "firstFailure": run.first_failure,
        "serverCpu": round(window.server_cpu, 3),
        "loadGeneratorCpu": round(run.cpu_share, 3),
        "cpuBusy": {cpu: round(share, 3) for cpu, share in window.cpus.items()},
        "othersOnServerCpu": round(max(0.0, window.cpus.get(SERVER_CPU, 0) - window.server_cpu), 3),
    }


def _profile_json(target: Target) -> dict[str, Any] | None:
    profile = target.profile
    if profile is None:
        return {"note": target.profile_note} if target.profile_note else None
    return {
        "tool": profile.tool,
        "samples": profile.samples,
        "note": "; ".join(n for n in (target.profile_note, profile.note) if n),
        "gilHeld": profile.held,
        "top": [_line_json(x) for x in profile.top],
        "tasklane": [_line_json(x) for x in profile.tasklane],
        "ownByPackage": dict(profile.packages),
        "byRootFrame": dict(profile.roots),
    }


def _line_json(line: api_profile.Line) -> dict[str, Any]:
    return {
        "function": line.function,
        "file": line.where,
        "own": round(line.own, 4),
        "total": round(line.total, 4),
    }


def write_results(
    targets: Sequence[Target], plan: Plan, described: dict[str, str], when: datetime
) -> Path:
    """Write the day's markdown section and JSON; the markdown file's path."""
    section = markdown_section(targets, plan, described, when)
    return common.write_results(
        HEADING, section, "api", as_json(targets, plan, described, when), when
    )


# -- the command -------------------------------------------------------------------------


def _backends(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names or any(name not in BACKENDS for name in names):
        raise argparse.ArgumentTypeError(f"choose from {', '.join(BACKENDS)} (got {value!r})")
    return names


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return number


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--backends",
        type=_backends,
        default=list(BACKENDS),
        help="comma-separated backends (default: sqlite,postgresql)",
    )
    parser.add_argument("--connections", type=_positive, default=CONNECTIONS)
    parser.add_argument("--seconds", type=_positive, default=WINDOW_SECONDS, help="per window")
    parser.add_argument("--repeats", type=_positive, default=REPEATS, help="windows per target")
    parser.add_argument("--tasks", type=_positive, default=TASKS, help="tasks to rotate over")
    parser.add_argument(
        "--budget",
        type=float,
        default=BUDGET_SECONDS,
        help=f"give up after this many seconds (default {BUDGET_SECONDS:.0f})",
    )
    parser.add_argument(
        "--profile",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="profile a backend that misses the goal (default: yes)",
    )
    parser.add_argument(
        "--other-loop",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the empty endpoint on the other event loop, for reference "
        "(default: yes)",
    )
    return parser.parse_args(argv)


def run_all(backends: Sequence[str], plan: Plan, budget: Budget, targets: list[Target]) -> None:
    """Every target in turn, each appended to ``targets`` as soon as it is measured."""
    for key in [CEILING, *([CEILING_OTHER_LOOP] if plan.other_loop else [])]:
        with tempfile.TemporaryDirectory(prefix=f"tasklane-bench-api-{key}-") as tmp:
            targets.append(bench_ceiling(key, plan, Path(tmp), budget))
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix=f"tasklane-bench-api-{backend}-") as tmp:
            targets.append(bench_backend(backend, plan, targets[0], Path(tmp), budget))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if not api_wrk.available():
        progress.print("[red]bench.api needs wrk and taskset (`apt-get install wrk`)[/red]")
        return 2
    plan = Plan(
        args.connections, args.seconds, args.repeats, args.tasks, args.profile, args.other_loop
    )
    budget = Budget(args.budget)
    when = datetime.now(UTC).astimezone()
    targets: list[Target] = []
    try:
        described = machine(args.backends)
        run_all(args.backends, plan, budget, targets)
    except (OutOfTime, TimeoutError, httpx.TimeoutException) as stopped:
        if targets:
            console.print(rich_table(targets))
        progress.print(f"[red]bench.api gave up: {stopped}[/red]")
        progress.print("[red]No results were written.[/red]")
        return 2
    except (OSError, RuntimeError, asyncpg.PostgresError) as failed:
        progress.print(f"[red]bench.api failed: {failed}[/red]")
        progress.print(f"[red](PostgreSQL admin URL: {POSTGRES_ADMIN})[/red]")
        return 2
    console.print(rich_table(targets))
    for line in [disturbance_line(targets), *goal_lines(targets), *failure_lines(targets)]:
        console.print(line.replace("**", ""), markup=False)
    for target in targets:
        if target.profile is not None:
            console.print(*profile_lines(target), sep="\n", markup=False)
    written = write_results(targets, plan, described, when)
    console.print(f"Written to {written} and {written.with_name(f'api-{written.stem}.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
