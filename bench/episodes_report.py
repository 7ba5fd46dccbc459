"""What ``bench.episodes`` measures, the goals it judges and how it reports them: the
tables printed, the "## Gym episodes" section of ``bench/results/<date>.md`` and
``bench/results/episodes-<date>.json``."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from rich.table import Table

from bench import api_profile, common
from bench.api_profile import Profile
from bench.common import BACKEND_NAMES, BACKENDS, percentile, summary

HEADING = "## Gym episodes"
SEED = 1
PRESET = "medium"
SERVER_CPU, LOAD_CPU = "0", "1"
RAISED_LIMIT = 1_000_000  # MUTATION_RATE, MUTATION_BURST, AUTH_RATE and AUTH_BURST
GOAL_MIB = 8.0  # per idle medium episode
GOAL_P90_MS = 150.0  # create and reset with the others busy
GOAL_RATIO = 0.8  # steps/s spread over the episodes ÷ steps/s all on one
GOAL_BACKENDS: dict[str, tuple[str, ...]] = {
    "memory": ("sqlite",),
    "latency": ("sqlite",),
    "ratio": BACKENDS,
}
BUSY_WARMUP_SECONDS = 1.0  # the agents run alone this long before the first busy round
BUSY_MAX_SECONDS = 20.0  # no busy round starts after this
# A busy agent's pace: a step a second, from each of 63 agents. An agent driven by a
# model takes seconds a step; a second is several times faster than any, and 63 of them
# keep about a fifth of the server's CPU busy. The same rounds with the agents stepping
# without pause (the server's CPU all taken: every request waits its turn behind theirs)
# are measured too, as a stress, beside the goal.
BUSY_PACE_SECONDS = 1.0
PROFILE_SECONDS = 10
PROFILE_RATE = 100  # samples per second and thread


@dataclass(frozen=True)
class Plan:
    """How many episodes, rounds and steps; ``--quick`` is a smaller one."""

    episodes: int
    rounds: int  # create/reset rounds with the others busy
    steps: int  # per agent and run
    repeats: int  # runs of each layout
    tasks: int  # each agent's own tasks, renamed in turn
    idle_rounds: int  # create/reset rounds with every agent still
    profile: bool
    quick: bool = False


# -- what is measured --------------------------------------------------------------------


@dataclass(frozen=True)
class Timed:
    """One request: the client's wall time around it and the ``millis`` the server
    reports."""

    client_ms: float
    server_ms: float


def client_ms(samples: Sequence[Timed]) -> list[float]:
    return [sample.client_ms for sample in samples]


def server_ms(samples: Sequence[Timed]) -> list[float]:
    return [sample.server_ms for sample in samples]


class Answered(Protocol):
    """An HTTP answer: httpx's, or ``kept_alive.Answer``."""

    @property
    def is_success(self) -> bool: ...
    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...


@dataclass
class Tally:
    """What the agents' task updates got back."""

    ok: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    first_failure: str = ""
    latencies_ms: list[float] = field(default_factory=list)

    def record(self, answer: Answered | None, ms: float, error: str = "") -> None:
        """One step's answer (None: no answer, ``error`` says why) and its time."""
        if answer is not None and answer.is_success:
            self.ok += 1
            self.latencies_ms.append(ms)
            return
        key = str(answer.status_code) if answer is not None else "transport"
        self.failed[key] = self.failed.get(key, 0) + 1
        if not self.first_failure:
            self.first_failure = f"{key}: {answer.text[:200] if answer is not None else error}"

    def clear(self) -> None:
        """Count afresh (the end of a warm-up)."""
        self.ok, self.failed, self.first_failure, self.latencies_ms = 0, {}, "", []

    def failures(self) -> int:
        return sum(self.failed.values())


@dataclass(frozen=True)
class Usage:
    """The CPU used over a stretch of wall time: the server's and the load client's
    (this process), in CPU seconds, and how busy the server's CPU was, whoever kept
    it busy."""

    seconds: float
    server: float
    client: float
    server_cpu_busy: float  # 0..1

    def share(self, cpu_seconds: float) -> float:
        return cpu_seconds / self.seconds if self.seconds > 0 else 0.0

    @property
    def others(self) -> float:
        """The share of the server's CPU that anything but the server used (PostgreSQL,
        or another program: then the numbers are disturbed)."""
        return max(0.0, self.server_cpu_busy - self.share(self.server))


@dataclass(frozen=True)
class Run:
    """One run of every agent's steps, spread over the episodes or all on one."""

    layout: str  # "spread" or "single"
    agents: int
    usage: Usage
    tally: Tally

    @property
    def per_second(self) -> float:
        return self.tally.ok / self.usage.seconds if self.usage.seconds > 0 else 0.0

    @property
    def cpu_ms_per_step(self) -> float:
        """The server's CPU time per step: less sensitive than steps/s to other programs
        on the machine."""
        return self.usage.server / self.tally.ok * 1000 if self.tally.ok else 0.0


@dataclass
class Memory:
    """The server's VmRSS (KiB) before creating ``episodes`` episodes, after (all
    idle), and once each had been used by the agents and left idle again."""

    episodes: int
    before_kib: int
    after_kib: int
    creates: list[Timed]  # each creation, the others idle
    used_kib: int | None = None

    def per_episode_mib(self, after_kib: int | None = None) -> float:
        after = self.after_kib if after_kib is None else after_kib
        return (after - self.before_kib) / self.episodes / 1024


@dataclass
class Busy:
    """Create and reset with every agent still (``still_*``) and with ``agents`` of them
    busy; what the agents did meanwhile."""

    agents: int
    still_creates: list[Timed]
    still_resets: list[Timed]
    creates: list[Timed] = field(default_factory=list)
    resets: list[Timed] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    usage: Usage | None = None

    @property
    def per_second(self) -> float:
        seconds = self.usage.seconds if self.usage else 0.0
        return self.tally.ok / seconds if seconds > 0 else 0.0


# The server's threads by what they run (py-spy names a thread "Thread-12 (<target>)";
# the loop's default executor's are "uvloop_0"… or "asyncio_0"…).
THREAD_KINDS = {
    "MainThread": "event loop (main thread)",
    "_connection_worker_thread": "SQLite connections (aiosqlite, a thread each)",
    "uvloop_N": "the loop's executor (to_thread: password checks, file copies)",
    "asyncio_N": "the loop's executor (to_thread: password checks, file copies)",
    "AnyIO worker thread": "AnyIO worker threads",
}


@dataclass
class ThreadProfile:
    """``py-spy record --threads --nonblocking`` of the server: every thread sampled
    (not only the one holding the GIL), without pausing it. Per kind of thread, its
    active samples over rate times seconds: the CPU it used or waited for (the server
    has one CPU: the shares may add up to more than 1.00). The top functions are
    ``api_profile``'s summary over every thread (its GIL share does not apply)."""

    functions: Profile
    threads: list[tuple[str, float]]


def summarize_threads(raw: str, seconds: float) -> ThreadProfile:
    """The summary of py-spy's raw output (``thread (id): name;frame;… count`` lines)."""
    threads: dict[str, int] = {}
    stacks = []
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        thread, *frames = stack.split(";")
        name = re.sub(r"\d+", "N", thread.partition(": ")[2]) or "unnamed"
        kind = THREAD_KINDS.get(re.sub(r"^Thread-N \((.+)\)$", r"\1", name), name)
        threads[kind] = threads.get(kind, 0) + int(count_text)
        if frames:
            stacks.append(f"{';'.join(frames)} {count_text}")
    functions = api_profile.summarize_py_spy("\n".join(stacks), seconds)
    functions.held = None
    ranked = sorted(threads.items(), key=lambda item: -item[1])
    return ThreadProfile(functions, [(kind, n / (PROFILE_RATE * seconds)) for kind, n in ranked])


@dataclass
class LayoutProfile:
    """py-spy (as ``ThreadProfile``) over ``PROFILE_SECONDS`` of each layout, the agents
    stepping without pause (not measured): the steps and active samples of each, and
    the functions whose own samples per step grew most from single to spread."""

    steps: dict[str, int]
    samples: dict[str, int]
    grown: list[tuple[str, float, float]]  # frame, spread and single samples per 100 steps

    def per_100_steps(self, layout: str) -> float:
        steps = self.steps.get(layout, 0)
        return self.samples.get(layout, 0) / steps * 100 if steps else 0.0


def compare_layouts(
    spread: tuple[str, int], single: tuple[str, int], top: int = 12
) -> LayoutProfile:
    """``LayoutProfile`` from each layout's raw py-spy output and its steps meanwhile."""
    owns = {"spread": _own_samples(spread[0]), "single": _own_samples(single[0])}
    steps = {"spread": spread[1], "single": single[1]}

    def per_100(layout: str, frame: str) -> float:
        return owns[layout].get(frame, 0) / steps[layout] * 100 if steps[layout] else 0.0

    frames = set(owns["spread"]) | set(owns["single"])
    ranked = sorted(frames, key=lambda f: per_100("single", f) - per_100("spread", f))
    return LayoutProfile(
        steps=steps,
        samples={layout: sum(own.values()) for layout, own in owns.items()},
        grown=[(f, per_100("spread", f), per_100("single", f)) for f in ranked[:top]],
    )


def _own_samples(raw: str) -> dict[str, int]:
    """Samples per innermost frame in py-spy's raw ``--threads`` output."""
    own: dict[str, int] = {}
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = stack.split(";")[1:]  # the first is the thread
        if frames and count_text.isdigit():
            own[frames[-1]] = own.get(frames[-1], 0) + int(count_text)
    return own


@dataclass
class Outcome:
    """Everything measured on one backend."""

    backend: str
    prepare: Timed
    memory: Memory
    runs: list[Run] = field(default_factory=list)
    busy: Busy | None = None  # the agents at BUSY_PACE_SECONDS (the goal's)
    stress: Busy | None = None  # the agents without pause
    profile: ThreadProfile | None = None
    profile_note: str = ""
    layout_profile: LayoutProfile | None = None
    layout_profile_note: str = ""

    def of(self, layout: str) -> list[Run]:
        return [run for run in self.runs if run.layout == layout]

    def median_run(self, layout: str) -> Run | None:
        ordered = sorted(self.of(layout), key=lambda run: run.per_second)
        return ordered[(len(ordered) - 1) // 2] if ordered else None

    def median_rate(self, layout: str) -> float:
        rates = [run.per_second for run in self.of(layout)]
        return statistics.median(rates) if rates else 0.0

    def median_cpu_ms(self, layout: str) -> float:
        found = [run.cpu_ms_per_step for run in self.of(layout)]
        return statistics.median(found) if found else 0.0

    def ratio(self) -> float | None:
        """Steps/s spread over the episodes ÷ all on one (medians)."""
        single = self.median_rate("single")
        return self.median_rate("spread") / single if single > 0 else None

    def cpu_ratio(self) -> float | None:
        """The same ratio by the server's CPU per step: what the two would reach with a
        CPU each to themselves."""
        spread = self.median_cpu_ms("spread")
        return self.median_cpu_ms("single") / spread if spread > 0 else None

    def p90(self, request: str) -> float | None:
        """The p90 of ``request`` ("create" or "reset") with the others busy."""
        if self.busy is None:
            return None
        samples = self.busy.creates if request == "create" else self.busy.resets
        return percentile(client_ms(samples), 0.9) if samples else None

    def ratio_met(self) -> bool | None:
        ratio = self.ratio()
        return None if ratio is None else ratio >= GOAL_RATIO

    def latency_met(self) -> bool | None:
        create, reset = self.p90("create"), self.p90("reset")
        if create is None or reset is None:
            return None
        return max(create, reset) < GOAL_P90_MS


# -- goals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    backend: str
    name: str  # "memory", "latency" or "ratio"
    text: str  # what it asks
    value: str  # what was measured
    met: bool


def goals(outcome: Outcome) -> list[Goal]:
    """The goals of ``outcome``'s backend, judged."""
    found = []
    backend, n = outcome.backend, outcome.memory.episodes
    if backend in GOAL_BACKENDS["memory"]:
        mib = outcome.memory.per_episode_mib()
        text = f"idle medium episode < {GOAL_MIB:.0f} MiB"
        found.append(Goal(backend, "memory", text, f"{mib:.3f} MiB", mib < GOAL_MIB))
    met = outcome.latency_met()
    if backend in GOAL_BACKENDS["latency"] and met is not None and outcome.busy is not None:
        create, reset = outcome.p90("create") or 0.0, outcome.p90("reset") or 0.0
        found.append(
            Goal(
                backend,
                "latency",
                f"create and reset p90 < {GOAL_P90_MS:.0f} ms with {outcome.busy.agents} others "
                "busy",
                f"create p90 {_ms(create)} ms, reset p90 {_ms(reset)} ms",
                met,
            )
        )
    ratio, by_cpu = outcome.ratio(), outcome.cpu_ratio()
    if backend in GOAL_BACKENDS["ratio"] and ratio is not None:
        found.append(
            Goal(
                backend,
                "ratio",
                f"steps/s over {n} episodes ≥ {GOAL_RATIO} of all on one",
                f"{ratio:.2f}: {outcome.median_rate('spread'):,.0f} against "
                f"{outcome.median_rate('single'):,.0f} steps/s; by server CPU per step "
                f"{by_cpu or 0:.2f}",
                ratio >= GOAL_RATIO,
            )
        )
    return found


def goal_lines(outcomes: Sequence[Outcome]) -> list[str]:
    return [
        f"- {BACKEND_NAMES[g.backend]}, {g.text}: {'**met**' if g.met else '**missed**'} "
        f"({g.value})"
        for outcome in outcomes
        for g in goals(outcome)
    ]


# -- tables ------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _p(values: Sequence[float], fraction: float) -> str:
    return _ms(percentile(values, fraction)) if values else "—"


def _pair(values: Sequence[float]) -> str:
    return f"{_p(values, 0.5)} / {_p(values, 0.9)}"


def _share(value: float) -> str:
    return f"{value * 100:.0f}%"


MEMORY_COLUMNS = (
    "Backend",
    "Episodes",
    "RSS before (MiB)",
    "RSS after (MiB)",
    "MiB per episode",
    "Used, then idle: MiB per episode",
    "Create p50 / p90 (ms)",
    "Prepare (ms)",
)
LATENCY_COLUMNS = (
    "Backend",
    "Request",
    "Agents still: p50 / p90",
    "Busy: rounds",
    "p50",
    "p90",
    "max",
    "Server p50 / p90",
)
THROUGHPUT_COLUMNS = (
    "Backend",
    "Layout",
    "Runs (steps/s)",
    "Median steps/s",
    "Server CPU ms/step",
    "Step p50 / p90 (ms)",
    "Server / client CPU",
    "CPU 0 others",
    "Failed",
    "Spread ÷ single",
)


def memory_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    return [
        [
            BACKEND_NAMES[o.backend],
            str(o.memory.episodes),
            f"{o.memory.before_kib / 1024:,.1f}",
            f"{o.memory.after_kib / 1024:,.1f}",
            f"{o.memory.per_episode_mib():.3f}",
            "—"
            if o.memory.used_kib is None
            else f"{o.memory.per_episode_mib(o.memory.used_kib):.3f}",
            _pair(client_ms(o.memory.creates)),
            _ms(o.prepare.client_ms),
        ]
        for o in outcomes
    ]


def latency_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    found = []
    for o in outcomes:
        for phase, label in ((o.busy, ""), (o.stress, ", agents without pause")):
            if phase is not None:
                found.extend(_latency_rows(o, phase, label))
    return found


def _latency_rows(o: Outcome, phase: Busy, label: str) -> list[list[str]]:
    found = []
    for request, still, busy in (
        ("create", phase.still_creates, phase.creates),
        ("reset", phase.still_resets, phase.resets),
    ):
        found.append(
            [
                BACKEND_NAMES[o.backend],
                request + label,
                _pair(client_ms(still)),
                str(len(busy)),
                _p(client_ms(busy), 0.5),
                _p(client_ms(busy), 0.9),
                _ms(max(client_ms(busy))) if busy else "—",
                _pair(server_ms(busy)),
            ]
        )
    return found


def throughput_rows(outcomes: Sequence[Outcome]) -> list[list[str]]:
    found = []
    for o in outcomes:
        ratio, by_cpu = o.ratio(), o.cpu_ratio()
        for layout in ("spread", "single"):
            runs, middle = o.of(layout), o.median_run(layout)
            if middle is None:
                continue
            usage = middle.usage
            found.append(
                [
                    BACKEND_NAMES[o.backend],
                    f"{o.memory.episodes} episodes" if layout == "spread" else "1 episode",
                    " / ".join(f"{run.per_second:,.0f}" for run in runs),
                    f"{o.median_rate(layout):,.0f}",
                    f"{o.median_cpu_ms(layout):.2f}",
                    _pair([ms for run in runs for ms in run.tally.latencies_ms]),
                    f"{usage.share(usage.server):.2f} / {usage.share(usage.client):.2f}",
                    _share(max(run.usage.others for run in runs)),
                    str(sum(run.tally.failures() for run in runs)),
                    f"{ratio:.2f} (CPU {by_cpu or 0:.2f})"
                    if layout == "spread" and ratio is not None
                    else "",
                ]
            )
    return found


def busy_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """What the busy agents did while create and reset were timed."""
    lines = []
    for o in outcomes:
        for busy, label in ((o.busy, "at their pace"), (o.stress, "without pause")):
            if busy is not None and busy.usage is not None:
                lines.append(_busy_line(o, busy, label))
    return lines


def _busy_line(o: Outcome, busy: Busy, label: str) -> str:
    assert busy.usage is not None
    usage, tally = busy.usage, busy.tally
    failed = ", ".join(f"{n} x {code}" for code, n in sorted(tally.failed.items()))
    first = f" (first: `{tally.first_failure}`)" if tally.first_failure else ""
    return (
        f"- {BACKEND_NAMES[o.backend]}, {label}: {busy.agents} agents made "
        f"{busy.per_second:,.0f} steps/s (step p50 / p90 {_pair(tally.latencies_ms)} ms) "
        f"over {usage.seconds:.1f} s; server CPU {usage.share(usage.server):.2f}, client "
        f"{usage.share(usage.client):.2f}, CPU {SERVER_CPU} used by others "
        f"{_share(usage.others)}; failed steps: {failed or 'none'}{first}"
    )


def failure_lines(outcomes: Sequence[Outcome]) -> list[str]:
    return [
        f"- {BACKEND_NAMES[o.backend]}, {run.layout}: first failed step: "
        f"`{run.tally.first_failure}`"
        for o in outcomes
        for run in o.runs
        if run.tally.first_failure
    ]


def _rich(title: str, columns: Sequence[str], rows: list[list[str]], left: int) -> Table:
    table = Table(title=title)
    for number, name in enumerate(columns):
        table.add_column(name, justify="left" if number < left else "right")
    for row in rows:
        table.add_row(*row)
    return table


def rich_tables(outcomes: Sequence[Outcome]) -> list[Table]:
    return [
        _rich("Idle medium episodes: server memory", MEMORY_COLUMNS, memory_rows(outcomes), 1),
        _rich(
            "Create and reset, client wall time (ms)", LATENCY_COLUMNS, latency_rows(outcomes), 2
        ),
        _rich(
            "Agent steps per second (PATCH /api/tasks/{id})",
            THROUGHPUT_COLUMNS,
            throughput_rows(outcomes),
            2,
        ),
    ]


def _markdown(columns: Sequence[str], rows: list[list[str]], left: int) -> list[str]:
    align = ["---" if n < left else "---:" for n in range(len(columns))]
    return [
        f"| {' | '.join(columns)} |",
        f"| {' | '.join(align)} |",
        *(f"| {' | '.join(row)} |" for row in rows),
    ]


# -- the results' section ----------------------------------------------------------------


def method_lines(plan: Plan) -> list[str]:
    n = plan.episodes
    return [
        f"`python -m tasklane serve` in gym mode on a throwaway database, alone on CPU "
        f"{SERVER_CPU} (`taskset`), with `MUTATION_RATE`, `MUTATION_BURST`, `AUTH_RATE` and "
        f"`AUTH_BURST` raised to {RAISED_LIMIT:,}; the load client (this Python process, "
        f"`httpx.AsyncClient` with at most {n} connections) on CPU {LOAD_CPU}; PostgreSQL's "
        f"processes unpinned. Every episode is seed {SEED}, preset {PRESET}: copies of one "
        "template.",
        "",
        f"*Memory*: the server's VmRSS after creating {n} episodes one by one and leaving "
        "them idle, minus before (after a first episode prepared the template and was "
        f"deleted), ÷ {n}; *used, then idle*: the same once the agents below had signed in "
        f"and worked in every episode. *Create p50 / p90*: those {n} creations.",
        "",
        f"*Create and reset*: one episode deleted, one agent in each of the other {n - 1} "
        f"renames a task every {BUSY_PACE_SECONDS:.0f} s (then, in the rows *agents without "
        "pause*, one after another as fast as the server answers), while from a thread "
        "with its own connections a round "
        f"creates an episode (the {n}th), signs a person in there, renames a task, resets "
        f"the episode (same seed and preset) and deletes it: {plan.rounds} rounds (fewer "
        f"if {BUSY_MAX_SECONDS:.0f} s pass first), after "
        f"{BUSY_WARMUP_SECONDS:.0f} s of the agents alone; *agents still*: "
        f"{plan.idle_rounds} rounds before the agents start. Client wall time around the "
        "request; *Server*: the `millis` it reports; p50 / p90 nearest rank.",
        "",
        f"*Steps per second*: {n} agents, each {plan.steps} task renames (`PATCH "
        f"/api/tasks/{{id}}`, one request at a time, over {plan.tasks} tasks of its own, as "
        "a seeded person who may edit them), once one agent per episode (*spread*) and once "
        "all on one episode (*single*: the same people, signed in there, and the same "
        f"tasks), alternately, {plan.repeats} run(s) of each after a warm-up of each. "
        "Steps/s = steps ÷ the run's wall time; *median* over runs, ratio of the medians. "
        "*Server CPU ms/step* (median run) is less sensitive to other programs than steps/s; "
        f"the ratio by it is in brackets. *Server / client CPU*: each one's CPU time over "
        f"the median run (1.00 = a whole CPU); *CPU 0 others*: the most of CPU {SERVER_CPU} "
        "anything but the server used in a run (PostgreSQL, or other programs: then the "
        "numbers are disturbed).",
    ]


def profile_lines(outcome: Outcome) -> list[str]:
    name = BACKEND_NAMES[outcome.backend]
    profile = outcome.profile
    if profile is None:
        return [f"{name}: no profile ({outcome.profile_note}).", ""] if outcome.profile_note else []
    functions = profile.functions
    threads = ", ".join(f"{kind} {share:.2f}" for kind, share in profile.threads)
    packages = ", ".join(f"{package} {_share(share)}" for package, share in functions.packages)
    return [
        f"**{name}**: `py-spy record --threads --nonblocking` for {PROFILE_SECONDS} s of one "
        f"more busy phase, every thread sampled ({functions.samples:,} active samples; "
        f"{outcome.profile_note}).",
        "",
        f"- Active (on the CPU or waiting for it; 1.00 = all the time) by thread: {threads}.",
        f"- Own time by package, every thread: {packages}.",
        "",
        *_profile_table("Function (by own time, every thread)", functions.top),
        "",
        *_profile_table("Tasklane function (by total time)", functions.tasklane),
        "",
    ]


def layout_profile_lines(outcome: Outcome) -> list[str]:
    name = BACKEND_NAMES[outcome.backend]
    profile = outcome.layout_profile
    if profile is None:
        note = outcome.layout_profile_note
        return [f"{name}, spread against single: no profile ({note}).", ""] if note else []
    said = "; ".join(
        f"{layout}: {profile.steps[layout]:,} steps, {profile.samples[layout]:,} active "
        f"samples, {profile.per_100_steps(layout):.0f} per 100 steps"
        for layout in ("spread", "single")
    )
    return [
        f"**{name}, spread against single**: `py-spy record --threads --nonblocking` for "
        f"{PROFILE_SECONDS} s of each layout, the agents stepping without pause (not "
        f"measured); {said}. The functions whose own samples per 100 steps grew most:",
        "",
        "| Function | File | Spread | Single |",
        "| --- | --- | ---: | ---: |",
        *(
            f"| `{function}` | {where} | {spread:.1f} | {single:.1f} |"
            for frame, spread, single in profile.grown
            for function, where in [_frame(frame)]
        ),
        "",
    ]


def _frame(frame: str) -> tuple[str, str]:
    function, _, where = frame.rpartition(" (")
    return (function, common.tasklane_file(where.rstrip(")"))) if function else (frame, "")


def _profile_table(title: str, lines: Sequence[api_profile.Line]) -> list[str]:
    return [
        f"| {title} | File | Own | Total |",
        "| --- | --- | ---: | ---: |",
        *(f"| `{x.function}` | {x.where} | {_share(x.own)} | {_share(x.total)} |" for x in lines),
    ]


def markdown_section(
    outcomes: Sequence[Outcome], plan: Plan, described: dict[str, str], when: datetime
) -> str:
    failures = failure_lines(outcomes)
    command = "python -m bench.episodes" + (" --quick" if plan.quick else "")
    lines = [
        HEADING,
        "",
        f"Measured {when.strftime('%Y-%m-%d %H:%M:%S %Z')} with `{command}`.",
        "",
        *common.machine_lines(described),
        "",
        *method_lines(plan),
        "",
        *_markdown(MEMORY_COLUMNS, memory_rows(outcomes), 1),
        "",
        *_markdown(LATENCY_COLUMNS, latency_rows(outcomes), 2),
        "",
        "The agents while create and reset were timed:",
        "",
        *busy_lines(outcomes),
        "",
        *_markdown(THROUGHPUT_COLUMNS, throughput_rows(outcomes), 2),
        "",
        "Goals:",
        "",
        *(goal_lines(outcomes) or ["- not measured"]),
        *(["", *failures] if failures else []),
        "",
        *(line for outcome in outcomes for line in profile_lines(outcome)),
        *(line for outcome in outcomes for line in layout_profile_lines(outcome)),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


# -- the results' JSON -------------------------------------------------------------------


def _timed_json(samples: Sequence[Timed]) -> dict[str, Any]:
    return {
        "clientMs": _summary_json(client_ms(samples)),
        "serverMs": _summary_json(server_ms(samples)),
        "rounds": [{"clientMs": round(s.client_ms, 2), "serverMs": s.server_ms} for s in samples],
    }


def _summary_json(values: Sequence[float]) -> dict[str, float] | None:
    return {k: round(v, 2) for k, v in summary(values).items()} if values else None


def _tally_json(tally: Tally) -> dict[str, Any]:
    return {
        "ok": tally.ok,
        "failed": tally.failed,
        "firstFailure": tally.first_failure,
        "stepMs": _summary_json(tally.latencies_ms),
    }


def _usage_json(usage: Usage) -> dict[str, float]:
    return {
        "seconds": round(usage.seconds, 3),
        "serverCpu": round(usage.share(usage.server), 3),
        "clientCpu": round(usage.share(usage.client), 3),
        "serverCpuBusy": round(usage.server_cpu_busy, 3),
        "othersOnServerCpu": round(usage.others, 3),
    }


def _busy_json(busy: Busy) -> dict[str, Any]:
    return {
        "agents": busy.agents,
        "stepsPerSecond": round(busy.per_second, 1),
        "usage": None if busy.usage is None else _usage_json(busy.usage),
        "steps": _tally_json(busy.tally),
        "createStill": _timed_json(busy.still_creates),
        "resetStill": _timed_json(busy.still_resets),
        "create": _timed_json(busy.creates),
        "reset": _timed_json(busy.resets),
    }


def _run_json(run: Run) -> dict[str, Any]:
    return {
        "layout": run.layout,
        "agents": run.agents,
        "stepsPerSecond": round(run.per_second, 1),
        "serverCpuMsPerStep": round(run.cpu_ms_per_step, 3),
        "usage": _usage_json(run.usage),
        "steps": _tally_json(run.tally),
    }


def _outcome_json(o: Outcome) -> dict[str, Any]:
    ratio, by_cpu = o.ratio(), o.cpu_ratio()
    memory = o.memory
    return {
        "backend": o.backend,
        "prepare": {"clientMs": round(o.prepare.client_ms, 2), "serverMs": o.prepare.server_ms},
        "memory": {
            "episodes": memory.episodes,
            "rssBeforeKib": memory.before_kib,
            "rssAfterKib": memory.after_kib,
            "rssUsedKib": memory.used_kib,
            "mibPerEpisode": round(memory.per_episode_mib(), 4),
            "mibPerUsedEpisode": None
            if memory.used_kib is None
            else round(memory.per_episode_mib(memory.used_kib), 4),
            "creates": _timed_json(memory.creates),
        },
        "busy": None if o.busy is None else _busy_json(o.busy),
        "busyPaceSeconds": BUSY_PACE_SECONDS,
        "stress": None if o.stress is None else _busy_json(o.stress),
        "throughput": {
            "runs": [_run_json(run) for run in o.runs],
            "medianSpread": round(o.median_rate("spread"), 1),
            "medianSingle": round(o.median_rate("single"), 1),
            "ratio": None if ratio is None else round(ratio, 4),
            "ratioByCpuPerStep": None if by_cpu is None else round(by_cpu, 4),
        },
        "goals": [
            {"goal": g.name, "text": g.text, "value": g.value, "met": g.met} for g in goals(o)
        ],
        "profile": _profile_json(o),
        "layoutProfile": _layout_profile_json(o),
    }


def _profile_json(o: Outcome) -> dict[str, Any] | None:
    profile = o.profile
    if profile is None:
        return {"note": o.profile_note} if o.profile_note else None
    functions = profile.functions
    return {
        "tool": "py-spy record --threads --nonblocking",
        "seconds": PROFILE_SECONDS,
        "rate": PROFILE_RATE,
        "activeSamples": functions.samples,
        "note": o.profile_note,
        "activeByThread": dict(profile.threads),
        "top": [_line_json(line) for line in functions.top],
        "tasklane": [_line_json(line) for line in functions.tasklane],
        "ownByPackage": dict(functions.packages),
    }


def _layout_profile_json(o: Outcome) -> dict[str, Any] | None:
    profile = o.layout_profile
    if profile is None:
        return {"note": o.layout_profile_note} if o.layout_profile_note else None
    return {
        "tool": "py-spy record --threads --nonblocking",
        "seconds": PROFILE_SECONDS,
        "rate": PROFILE_RATE,
        "steps": profile.steps,
        "activeSamples": profile.samples,
        "grown": [
            {
                "frame": frame,
                "spreadPer100Steps": round(spread, 2),
                "singlePer100Steps": round(single, 2),
            }
            for frame, spread, single in profile.grown
        ],
    }


def _line_json(line: api_profile.Line) -> dict[str, Any]:
    return {"function": line.function, "file": line.where, "own": line.own, "total": line.total}


def as_json(
    outcomes: Sequence[Outcome], plan: Plan, described: dict[str, str], when: datetime
) -> str:
    body = {
        "benchmark": "gym-episodes",
        "measuredAt": when.isoformat(timespec="seconds"),
        "machine": described,
        "plan": {
            "seed": SEED,
            "preset": PRESET,
            "episodes": plan.episodes,
            "rounds": plan.rounds,
            "idleRounds": plan.idle_rounds,
            "steps": plan.steps,
            "repeats": plan.repeats,
            "tasksPerAgent": plan.tasks,
            "quick": plan.quick,
            "serverCpu": SERVER_CPU,
            "loadCpu": LOAD_CPU,
            "raisedLimits": RAISED_LIMIT,
        },
        "goals": {
            "mibPerIdleEpisode": {"below": GOAL_MIB, "backends": GOAL_BACKENDS["memory"]},
            "createResetP90Ms": {"below": GOAL_P90_MS, "backends": GOAL_BACKENDS["latency"]},
            "spreadOverSingle": {"atLeast": GOAL_RATIO, "backends": GOAL_BACKENDS["ratio"]},
        },
        "results": [_outcome_json(o) for o in outcomes],
    }
    return json.dumps(body, indent=2) + "\n"


def write_results(
    outcomes: Sequence[Outcome],
    plan: Plan,
    described: dict[str, str],
    when: datetime,
    folder: Path,
) -> tuple[Path, Path]:
    """The day's markdown section and JSON in ``folder`` (``common.write_results``'s
    files, in any folder: a test writes elsewhere); their paths."""
    day = when.strftime("%Y-%m-%d")
    document_path, json_path = folder / f"{day}.md", folder / f"episodes-{day}.json"
    document = document_path.read_text() if document_path.exists() else f"# Benchmarks, {day}\n"
    section = markdown_section(outcomes, plan, described, when)
    common.write_atomically(document_path, common.replace_section(document, HEADING, section))
    common.write_atomically(json_path, as_json(outcomes, plan, described, when))
    return document_path, json_path
