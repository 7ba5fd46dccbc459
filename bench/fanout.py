"""Fan-out: N WebSocket subscribers in one project, changes through the JSON API, next to
two reference servers fed by the same load client with the same payload size.

The full path is measured: a ``PATCH /api/tasks/{id}`` is committed with its event, the
event goes through the broker to the gateway and out to every subscriber. Systems, each
started by this benchmark as its own server process(es) on loopback:

- ``tasklane-memory``: ``tasklane serve`` (API and gateway in one process), SQLite,
  in-memory broker;
- ``tasklane-redis``: ``tasklane serve --role api`` and ``--role realtime``, PostgreSQL
  (a throwaway database at ``TASKLANE_BENCH_POSTGRES``) and a throwaway ``redis-server``;
- ``raw-websockets``: ``bench.refservers.raw_websockets``, serialise once and
  ``websockets.broadcast``, the Python near-limit;
- ``python-socketio``: ``bench.refservers.socketio_server``, ``sio.emit`` to a room.

The subscribers are ``bench/loadclient/client.mjs`` (Node). The server runs on CPU 0;
the load clients and this driver on CPU 1. For each system and N it measures:

- idle memory per connection: (VmRSS of the server processes with N idle subscribers -
  before connecting) / N;
- paced: for ``--paced-seconds``, changes at ``--paced-load`` / N per second (the same
  deliveries/s at every N, so the phase measures latency rather than a growing backlog):
  commit-to-receive latency (client ``Date.now()`` - the event's ``timestamp``)
  p50 / p90 / p99 / max, loss and duplicates, exact per subscriber and ``seq``;
- burst: ``--burst`` changes (at most ``--burst-cap`` deliveries) as fast as the
  trigger allows (Tasklane: 8 PATCHes in flight): deliveries/s = deliveries /
  (last receipt - first change sent), latency, loss; for Tasklane at ``--batch-sizes``
  once more with subscribers that opt into batching (``?batch=1``);
- server CPU per delivery (utime + stime from ``/proc``), the clients' CPU, and what the
  rest of the machine used meanwhile.

Every system runs at the sizes up to 5,000 first, then at 10,000 as far as ``--budget``
goes: a case that would not fit (judged from the same system at 5,000) is recorded as
not run, with the reason. If a goal is missed, the Tasklane (memory) server is profiled
with py-spy during one more, unmeasured burst on its N = 5,000 connections.

    python -m bench.fanout [--systems tasklane-memory,tasklane-redis,raw-websockets,
                            python-socketio] [--sizes 1000,5000,10000]
                           [--paced-load D] [--paced-seconds S] [--burst N]
                           [--burst-cap D] [--batch-sizes 5000] [--budget SECONDS]

Prints tables and writes the "## Fan-out" section of ``bench/results/<date>.md``,
``bench/results/fanout-<date>.json`` and ``bench/results/fanout-latency.png`` (with
``--results-dir DIR``: the same files in DIR instead, for trial runs that must not
replace the recorded results).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from rich.console import Console
from websockets.asyncio.client import connect

from bench import common
from bench.common import POSTGRES_ADMIN, Budget, OutOfTime, machine, throwaway_database
from bench.fanout_clients import ClientFailed, node
from bench.fanout_procs import error_lines, pin_this_process
from bench.fanout_report import (
    BATCHED,
    BURST,
    GOAL_SIZE,
    HEADING,
    PACED,
    CaseResult,
    Run,
    as_json,
    goals,
    markdown_section,
    plot_latency,
    rich_tables,
)
from bench.fanout_run import GRACE_SECONDS, PER_CLIENT_PROCESS, Options, measure_case
from bench.fanout_systems import (
    BACKEND,
    BURST_IN_FLIGHT,
    SYSTEMS,
    TASKLANE,
    TASKLANE_SETTINGS,
    Resources,
    redis_server,
    redis_version,
    tasklane,
)
from bench.refservers.loops import tasklanes_loop

SIZES = (1_000, 5_000, 10_000)
PACED_LOAD = 20_000.0  # deliveries/s: 20 changes/s at N = 1,000, 4/s at 5,000, 2/s at 10,000
PACED_SECONDS = 5.0
BURST_CHANGES = 100
BURST_CAP = 100_000  # deliveries per burst: 100 changes up to N = 1,000, fewer beyond
BUDGET_SECONDS = 540.0
MIN_CASE_SECONDS = 20.0  # don't start a system and N with less budget than this
ORDER = ("raw-websockets", "python-socketio", "tasklane-memory", "tasklane-redis")
LARGE_ORDER = ("tasklane-memory", "raw-websockets", "tasklane-redis", "python-socketio")
RESERVE_SECONDS = 10.0  # kept for writing the results
STARTUP_SECONDS = 10.0  # starting a system and setting it up, stopping it
SET_SECONDS = 6.0  # per set of connections: settling, closing
SAFETY = 1.15  # estimates of how long a case takes came out up to this much short

console = Console(width=None if sys.stdout.isatty() else 160)
progress = Console(stderr=True)


# -- what a system keeps across sizes ------------------------------------------------------


@contextmanager
def system_resources(
    system: str, folder: Path, options: Options, payload_bytes: int
) -> Iterator[Resources]:
    """A system's database (Tasklane) and Redis (Tasklane with Redis), kept across its
    sizes; the PostgreSQL database is dropped and Redis stopped afterwards."""
    home = folder / system
    home.mkdir(parents=True, exist_ok=True)
    resources = Resources(home, options.pinning.server, payload_bytes)
    if system not in BACKEND:
        yield resources
        return
    with throwaway_database(BACKEND[system], home) as url:
        resources.database_url = url
        if system == "tasklane-redis":
            with redis_server(resources):
                yield resources
        else:
            yield resources


def schedule(systems: Sequence[str], sizes: Sequence[int]) -> list[tuple[str, int]]:
    """Every system at the sizes up to ``GOAL_SIZE`` first (the references before
    Tasklane, so that when Tasklane (memory) at ``GOAL_SIZE`` has been measured the goals
    can be judged and its profile taken on the same connections), then the larger sizes
    in ``LARGE_ORDER``, as far as the budget goes."""
    chosen = [system for system in ORDER if system in systems]
    first = [(system, size) for size in sizes if size <= GOAL_SIZE for system in chosen]
    large = [system for system in LARGE_ORDER if system in systems]
    return first + [(system, size) for size in sizes if size > GOAL_SIZE for system in large]


def estimate_seconds(before: CaseResult, size: int, batched: bool) -> float:
    """How long ``before``'s system would take at ``size``: connecting grows with N;
    the phases deliver about as much at every N (changes x N is capped)."""
    connect = (before.connect_seconds or 0.0) * size / before.size + SET_SECONDS
    phases = {p.name: p.stats.wall_seconds + GRACE_SECONDS for p in before.phases}
    measured = connect + phases.get(PACED, 0.0) + phases.get(BURST, 0.0)
    if batched:
        measured += connect + phases.get(BATCHED, phases.get(BURST, 0.0))
    return (STARTUP_SECONDS + measured) * SAFETY


def too_long(run: Run, options: Options, system: str, size: int, budget: Budget) -> str | None:
    """Why ``system`` at ``size`` cannot fit in what is left of the budget, judged from
    the same system at its largest smaller size."""
    left = budget.left()
    if left < MIN_CASE_SECONDS:
        return f"not run: the {budget.seconds:.0f} s budget ran out"
    smaller = [c for c in run.cases if c.system == system and c.size < size and c.phases]
    if not smaller:
        return None
    before = max(smaller, key=lambda case: case.size)
    batched = system in options.batch_systems and size in options.batch_sizes
    expected = estimate_seconds(before, size, batched)
    if expected <= left - RESERVE_SECONDS:
        return None
    return (
        f"not run: from N = {before.size:,} (connected in {before.connect_seconds or 0:.0f} s), "
        f"it would take about {expected:.0f} s, and {left:.0f} s of the "
        f"{budget.seconds:.0f} s budget were left (--budget to allow more)"
    )


def run_case(
    run: Run, result: CaseResult, resources: Resources, options: Options, budget: Budget
) -> None:
    """One system at one N; what it measured, or why it stopped, goes into ``result``."""

    def profile_wanted(measured: CaseResult) -> bool:
        if measured.system != "tasklane-memory" or measured.size != GOAL_SIZE or run.profile:
            return False
        mode = run.options["profile"]
        return mode == "always" or (mode == "auto" and any(g.met is False for g in goals(run)))

    progress.print(f"[bold]{result.system}[/bold] with {result.size:,} subscribers…")
    started_at = time.monotonic()
    try:
        profile = asyncio.run(measure_case(result, resources, options, budget, profile_wanted))
        run.profile = profile or run.profile
    except OutOfTime as stopped:
        result.notes.append(f"stopped: {stopped}")
    except Exception as failed:  # one system and N failing must not lose the rest
        result.notes.append(f"stopped: {type(failed).__name__}: {failed}")
        result.notes += [f"server log: {line}" for line in error_lines(resources.folder)]
    result.seconds = time.monotonic() - started_at
    progress.print(f"[dim]  took {result.seconds:.0f} s[/dim]")


# -- the payload size -----------------------------------------------------------------------


async def probe_payload(resources: Resources, budget: Budget) -> int:
    """The size in bytes of one ``task_updated`` frame as a subscriber receives it."""
    async with tasklane("tasklane-memory", resources, budget) as (running, account):
        headers = {"Authorization": f"Bearer {account.token}"}
        async with (
            asyncio.timeout(budget.timeout(30, "measuring the payload")),
            connect(running.client_spec["url"], additional_headers=headers) as ws,
        ):
            await ws.recv()  # connected
            await ws.send(json.dumps({"type": "join", "projectId": account.project_id}))
            while json.loads(await ws.recv())["type"] != "joined":
                pass
            await running.trigger.change()
            while True:
                frame = await ws.recv(decode=False)
                if json.loads(frame)["type"] == "task_updated":
                    return len(frame)


# -- the machine -------------------------------------------------------------------------


def describe(systems: Sequence[str]) -> dict[str, str]:
    backends = ["sqlite", *(["postgresql"] if "tasklane-redis" in systems else [])]
    described = machine(backends)
    node_version = subprocess.run([node(), "--version"], capture_output=True, text=True, timeout=10)
    described["node"] = node_version.stdout.strip().removeprefix("v")
    described["redis"] = redis_version() if "tasklane-redis" in systems else "not measured"
    for package in ("websockets", "python-socketio", "uvicorn"):
        described[package] = version(package)
    loop = tasklanes_loop()
    described["loop"] = f"uvloop {version('uvloop')}" if loop == "uvloop" else "asyncio"
    return described


# -- the command -------------------------------------------------------------------------


def _list(value: str, known: Sequence[str]) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(known)} (got {value!r})")
    return [name for name in known if name in names]  # always in the documented order


def _sizes(value: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"comma-separated numbers (got {value!r})") from None
    if not sizes or sizes[0] < 1 or sizes[-1] > 15_000:
        raise argparse.ArgumentTypeError("sizes from 1 to 15,000 (the file limit is 20,000)")
    return sizes


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fanout", description=__doc__.split("\n")[0]
    )
    add = parser.add_argument
    add(
        "--systems",
        type=lambda v: _list(v, SYSTEMS),
        default=list(SYSTEMS),
        help=f"comma-separated (default: {','.join(SYSTEMS)})",
    )
    add("--sizes", type=_sizes, default=list(SIZES), help="default: 1000,5000,10000")
    add(
        "--paced-load",
        type=float,
        default=PACED_LOAD,
        help=f"deliveries/s the paced phase offers: N x changes/s (default {PACED_LOAD:,.0f})",
    )
    add("--paced-rate", type=float, default=None, help="or fixed changes/s, whatever N")
    add("--paced-seconds", type=float, default=PACED_SECONDS, help="default 5")
    add("--burst", type=int, default=BURST_CHANGES, help="changes per burst (default 100)")
    add(
        "--burst-cap",
        type=int,
        default=BURST_CAP,
        help=f"most deliveries per burst, N x changes (default {BURST_CAP:,})",
    )
    add(
        "--batch-sizes",
        type=_sizes,
        default=None,
        help="sizes at which Tasklane's burst also runs with ?batch=1 subscribers "
        f"(default: {GOAL_SIZE}; each costs a second set of connections)",
    )
    add(
        "--batch-systems",
        type=lambda v: _list(v, TASKLANE),
        default=list(TASKLANE),
        help="the Tasklane systems whose burst also runs with ?batch=1 (default: both)",
    )
    add(
        "--client-processes",
        type=int,
        default=None,
        help=f"Node processes (default: one per {PER_CLIENT_PROCESS:,} subscribers)",
    )
    add(
        "--client-library",
        choices=("lean", "ws"),
        default="lean",
        help="how the Node client reads WebSocket frames: its own minimal reader (lean, "
        "default: half the CPU per message) or the ws library (socket.io always uses "
        "socket.io-client)",
    )
    add(
        "--profile",
        choices=("auto", "always", "never"),
        default="auto",
        help=f"py-spy Tasklane (memory) during a burst at N = {GOAL_SIZE:,}: when a goal "
        "is missed (auto)",
    )
    add(
        "--results-dir",
        type=Path,
        default=None,
        help="write the results here instead of bench/results/ (trial runs)",
    )
    add(
        "--budget",
        type=float,
        default=BUDGET_SECONDS,
        help=f"give up after this many seconds (default {BUDGET_SECONDS:.0f})",
    )
    args = parser.parse_args(argv)
    positive = (args.paced_load, args.paced_rate or 1, args.paced_seconds, args.burst)
    if min(positive) <= 0 or args.burst_cap < 1:
        parser.error("paced and burst options must be positive")
    if args.client_processes is not None and not 1 <= args.client_processes <= 16:
        parser.error("--client-processes must be from 1 to 16")
    return args


def options_from(args: argparse.Namespace) -> Options:
    return Options(
        sizes=args.sizes,
        paced_load=args.paced_load,
        paced_rate=args.paced_rate,
        paced_seconds=args.paced_seconds,
        burst=args.burst,
        burst_cap=args.burst_cap,
        batch_sizes=[GOAL_SIZE] if args.batch_sizes is None else args.batch_sizes,
        batch_systems=args.batch_systems,
        client_processes=args.client_processes,
        client_library=args.client_library,
        pinning=pin_this_process(),
    )


def run_all(args: argparse.Namespace, run: Run, options: Options, budget: Budget) -> None:
    """Measure the payload, then every system and size in ``schedule`` order; each
    result goes into ``run`` as soon as it is done (kept in the documented order)."""
    with tempfile.TemporaryDirectory(prefix="tasklane-bench-fanout-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        progress.print("[dim]measuring a task_updated frame…[/dim]")
        with system_resources("tasklane-memory", folder / "probe", options, 0) as resources:
            run.payload_bytes = asyncio.run(probe_payload(resources, budget))
        kept = {
            system: stack.enter_context(
                system_resources(system, folder, options, run.payload_bytes)
            )
            for system in args.systems
        }
        try:
            for system, size in schedule(args.systems, args.sizes):
                result = CaseResult(system, size)
                run.cases.append(result)
                why = too_long(run, options, system, size, budget)
                if why:
                    result.notes.append(why)
                    progress.print(f"[yellow]{system} with {size:,} subscribers: {why}[/yellow]")
                    continue
                run_case(run, result, kept[system], options, budget)
        finally:
            run.cases.sort(key=lambda case: (SYSTEMS.index(case.system), case.size))


def report(run: Run, results_dir: Path | None = None) -> None:
    for table in rich_tables(run):
        console.print(table)
    for goal in goals(run):
        console.print(goal.line().replace("**", ""))
    if run.profile and not run.profile.error:
        console.print("Profile, top functions by own time:")
        for function, samples in run.profile.own[:10]:
            console.print(f"  {100 * samples / run.profile.samples:5.1f} %  {function}")
    if results_dir is None:
        plot = plot_latency(run)
        section = markdown_section(run, plot)
        written = common.write_results(HEADING, section, "fanout", as_json(run), run.when)
    else:
        plot = plot_latency(run, results_dir / "fanout-latency.png")
        section = markdown_section(run, plot)
        day = run.when.strftime("%Y-%m-%d")
        written = results_dir / f"{day}.md"
        common.write_atomically(written, f"# Fan-out trial, {day}\n\n{section}")
        common.write_atomically(results_dir / f"fanout-{day}.json", as_json(run))
    console.print(f"Written to {written}, {written.with_name(f'fanout-{written.stem}.json')}")
    if plot:
        console.print(f"and {plot}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    budget = Budget(args.budget)
    options = options_from(args)
    try:
        node()
        described = describe(args.systems)
    except (ClientFailed, OSError, asyncpg.PostgresError) as failed:
        progress.print(f"[red]bench.fanout cannot start: {failed}[/red]")
        progress.print(f"[red](PostgreSQL admin URL: {POSTGRES_ADMIN})[/red]")
        return 2
    run = Run(
        when=datetime.now(UTC).astimezone(),
        options={
            "systems": args.systems,
            "sizes": args.sizes,
            "pacedLoad": args.paced_load,
            "pacedRate": args.paced_rate,
            "pacedSeconds": args.paced_seconds,
            "burst": args.burst,
            "burstCap": args.burst_cap,
            "batchSizes": options.batch_sizes,
            "batchSystems": options.batch_systems,
            "burstInFlight": BURST_IN_FLIGHT,
            "clientLibrary": args.client_library,
            "budgetSeconds": args.budget,
            "profile": args.profile,
            "tasklaneSettings": TASKLANE_SETTINGS,
        },
        machine=described,
        pinning=options.pinning.describe(),
        payload_bytes=0,
    )
    try:
        run_all(args, run, options, budget)
    except OutOfTime as stopped:
        run.notes.append(f"stopped early: {stopped}")
    except Exception as failed:  # keep whatever was measured
        progress.print(f"[red]bench.fanout failed: {type(failed).__name__}: {failed}[/red]")
        if not run.cases:
            progress.print(f"[red](PostgreSQL admin URL: {POSTGRES_ADMIN})[/red]")
            return 2
        run.notes.append(f"stopped early: {type(failed).__name__}: {failed}")
    run.notes.append(f"the whole run took {budget.seconds - budget.left():.0f} s")
    report(run, args.results_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
