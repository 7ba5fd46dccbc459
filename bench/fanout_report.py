"""What the fan-out benchmark measured, the goals, and how it is shown: a Rich table, the
"## Fan-out" markdown section, the JSON file and the latency plot."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.table import Table

from bench.common import RESULTS, summary
from bench.fanout_clients import PhaseStats

HEADING = "## Fan-out"
PLOT = RESULTS / "fanout-latency.png"
GOAL_SIZE = 5_000
GOAL_KIB_PER_CONNECTION = 16.0
PACED, BURST, BATCHED = "paced", "burst", "burst ?batch=1"
LABELS = {
    "tasklane-memory": "Tasklane (memory)",
    "tasklane-redis": "Tasklane (Redis)",
    "raw-websockets": "raw websockets",
    "python-socketio": "python-socketio",
}


# -- what was measured ---------------------------------------------------------------------


def histogram_percentile(latency: Counter[int], fraction: float) -> float:
    """The nearest-rank percentile of a histogram of whole milliseconds."""
    total = sum(latency.values())
    rank = max(1, math.ceil(fraction * total))
    running = 0
    for ms in sorted(latency):
        running += latency[ms]
        if running >= rank:
            return float(ms)
    raise ValueError("empty histogram")


@dataclass
class PhaseResult:
    """One phase on one connection set: ``changes`` changes, every subscriber counted."""

    name: str
    changes: int
    stats: PhaseStats
    first_sent_ms: float
    last_sent_ms: float
    server_cpu_seconds: float  # every server process, from arming to the last receipt
    complete: bool
    rate: float | None = None  # paced: changes/s
    driver_cpu_seconds: float = 0.0
    other_cpu_percent: float | None = None  # the rest of the machine meanwhile (1 CPU = 100)
    change_ms: list[float] = field(default_factory=list)  # each trigger's round trip
    problems: list[str] = field(default_factory=list)

    def change_summary(self) -> dict[str, float] | None:
        """p50 / p90 / p99 / max of the changes' round trips (Tasklane: the PATCHes)."""
        return (
            {k: round(v, 1) for k, v in summary(self.change_ms).items()} if self.change_ms else None
        )

    def latency_ms(self) -> dict[str, float] | None:
        """p50 / p90 / p99 / max of commit-to-receive, nearest rank, first receipts."""
        if not self.stats.latency:
            return None
        found = {
            f"p{round(q * 100)}": histogram_percentile(self.stats.latency, q)
            for q in (0.5, 0.9, 0.99)
        }
        return {**found, "max": float(max(self.stats.latency))}

    def deliveries_per_second(self) -> float | None:
        """Deliveries over the span from the first change sent to the last receipt."""
        if self.stats.last_receive_ms is None or not self.stats.delivered:
            return None
        span = (self.stats.last_receive_ms - self.first_sent_ms) / 1000
        return self.stats.delivered / span if span > 0 else None

    def server_us_per_delivery(self) -> float | None:
        if not self.stats.delivered:
            return None
        return self.server_cpu_seconds * 1e6 / self.stats.delivered

    def client_cpu_percent(self) -> float | None:
        """The load clients' CPU time over the phase's wall time (one core = 100 %)."""
        if self.stats.wall_seconds <= 0:
            return None
        return 100 * self.stats.cpu_seconds / self.stats.wall_seconds

    def sending_rate(self) -> float | None:
        span = (self.last_sent_ms - self.first_sent_ms) / 1000
        return (self.changes - 1) / span if span > 0 and self.changes > 1 else None

    def as_json(self) -> dict[str, Any]:
        s = self.stats
        return {
            "phase": self.name,
            "changes": self.changes,
            "pacedRatePerSecond": self.rate,
            "connections": s.connections,
            "expected": s.expected,
            "delivered": s.delivered,
            "lost": s.lost,
            "duplicates": s.duplicates,
            "unexpected": s.unexpected,
            "complete": self.complete,
            "latencyMs": self.latency_ms(),
            "latencyHistogramMs": {str(ms): n for ms, n in sorted(s.latency.items())},
            "futureStamped": s.negative,
            "deliveriesPerSecond": _round(self.deliveries_per_second()),
            "sendingRatePerSecond": _round(self.sending_rate()),
            "firstSentMs": self.first_sent_ms,
            "lastSentMs": self.last_sent_ms,
            "firstReceiveMs": s.first_receive_ms,
            "lastReceiveMs": s.last_receive_ms,
            "serverCpuSeconds": round(self.server_cpu_seconds, 3),
            "serverMicrosPerDelivery": _round(self.server_us_per_delivery(), 2),
            "clientCpuSeconds": round(s.cpu_seconds, 3),
            "clientWallSeconds": s.wall_seconds,
            "clientCpuPercent": _round(self.client_cpu_percent(), 1),
            "driverCpuSeconds": round(self.driver_cpu_seconds, 3),
            "otherCpuPercent": _round(self.other_cpu_percent, 1),
            "changeRoundTripMs": self.change_summary(),
            "messages": s.messages,
            "batchedMessages": s.batches,
            "frameBytes": _round(s.frame_bytes, 1),
            "closedDuring": s.closed,
            "readerMismatches": s.mismatches,
            "readerVerified": s.verified,
            "problems": self.problems,
        }


@dataclass
class CaseResult:
    """One system with N subscribers."""

    system: str
    size: int
    client_processes: int = 0
    joined: int | None = None
    failed: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    connect_seconds: float | None = None
    rss_before_kib: int | None = None
    rss_idle_kib: int | None = None
    phases: list[PhaseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float | None = None  # how long the whole case took

    def kib_per_connection(self) -> float | None:
        if self.rss_before_kib is None or self.rss_idle_kib is None or not self.joined:
            return None
        return (self.rss_idle_kib - self.rss_before_kib) / self.joined

    def phase(self, name: str) -> PhaseResult | None:
        return next((phase for phase in self.phases if phase.name == name), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "subscribers": self.size,
            "clientProcesses": self.client_processes,
            "joined": self.joined,
            "failed": self.failed,
            "failures": dict(self.failures),
            "connectSeconds": self.connect_seconds,
            "rssBeforeKiB": self.rss_before_kib,
            "rssIdleKiB": self.rss_idle_kib,
            "idleKiBPerConnection": _round(self.kib_per_connection(), 2),
            "phases": [phase.as_json() for phase in self.phases],
            "seconds": _round(self.seconds, 1),
            "notes": self.notes,
        }


@dataclass
class Profile:
    """py-spy's samples of the Tasklane server during an (unmeasured) burst."""

    system: str
    size: int
    seconds: float
    changes: int = 0  # in the profiled burst
    samples: int = 0
    own: list[tuple[str, int]] = field(default_factory=list)  # leaf frames
    total: list[tuple[str, int]] = field(default_factory=list)  # anywhere on the stack
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "subscribers": self.size,
            "seconds": self.seconds,
            "changes": self.changes,
            "samples": self.samples,
            "ownSamples": [{"function": f, "samples": n} for f, n in self.own],
            "totalSamples": [{"function": f, "samples": n} for f, n in self.total],
            "error": self.error,
        }


@dataclass(frozen=True)
class Goal:
    text: str
    met: bool | None  # None: not measured
    detail: str

    def line(self) -> str:
        verdict = {True: "**met**", False: "**not met**", None: "not measured"}[self.met]
        return f"- {self.text} — {verdict}: {self.detail}"


@dataclass
class Run:
    """Everything one ``python -m bench.fanout`` produced."""

    when: datetime
    options: dict[str, Any]
    machine: dict[str, str]
    pinning: str
    payload_bytes: int
    cases: list[CaseResult] = field(default_factory=list)
    profile: Profile | None = None
    notes: list[str] = field(default_factory=list)

    def case(self, system: str, size: int) -> CaseResult | None:
        return next((c for c in self.cases if c.system == system and c.size == size), None)


# -- goals -------------------------------------------------------------------------------


def goals(run: Run) -> list[Goal]:
    return [
        *_rate_goals(run, "raw-websockets", 0.8),
        *_rate_goals(run, "python-socketio", 1.5),
        _paced_goal(run),
        _loss_goal(run),
        _memory_goal(run),
    ]


def _burst(case: CaseResult | None, name: str) -> PhaseResult | None:
    return case.phase(name) if case else None


def _rate_goals(run: Run, reference: str, factor: float) -> list[Goal]:
    """Judged on measured deliveries/s; the ratio of server CPU per delivery (the
    deliveries one CPU second buys) is given beside it: it depends far less on what
    else runs on the machine, and not at all on the load client."""
    tasklane = run.case("tasklane-memory", GOAL_SIZE)
    other = _burst(run.case(reference, GOAL_SIZE), BURST)
    found = []
    for name, how in ((BURST, "without batching"), (BATCHED, "with ?batch=1")):
        text = f"N = {GOAL_SIZE:,}: Tasklane (memory) burst deliveries/s {how}"
        text += f" ≥ {factor}x {reference}"
        mine = _burst(tasklane, name)
        mine_rate = mine.deliveries_per_second() if mine else None
        other_rate = other.deliveries_per_second() if other else None
        if mine is None or other is None or mine_rate is None or other_rate is None:
            found.append(Goal(text, None, "a side was not measured"))
            continue
        ratio = mine_rate / other_rate
        detail = f"{mine_rate:,.0f}/s vs {other_rate:,.0f}/s = {ratio:.2f}x"
        mine_us, other_us = mine.server_us_per_delivery(), other.server_us_per_delivery()
        if mine_us and other_us:
            detail += (
                f" (by server CPU per delivery: {mine_us:.1f} vs {other_us:.1f} µs = "
                f"{other_us / mine_us:.2f}x)"
            )
        found.append(Goal(text, ratio >= factor, detail))
    return found


def _paced_goal(run: Run) -> Goal:
    text = f"N = {GOAL_SIZE:,}: Tasklane (memory) paced p99 ≤ raw-websockets' p99"
    mine, other = run.case("tasklane-memory", GOAL_SIZE), run.case("raw-websockets", GOAL_SIZE)
    a = mine.phase(PACED) if mine else None
    b = other.phase(PACED) if other else None
    la, lb = (a.latency_ms() if a else None), (b.latency_ms() if b else None)
    if la is None or lb is None:
        return Goal(text, None, "a side was not measured")
    return Goal(text, la["p99"] <= lb["p99"], f"{la['p99']:.0f} ms vs {lb['p99']:.0f} ms")


def _loss_goal(run: Run) -> Goal:
    phases = [(c, p) for c in run.cases for p in c.phases]
    if not phases:
        return Goal("zero loss everywhere", None, "nothing was measured")
    lost = [(c, p) for c, p in phases if p.stats.lost or not p.complete]
    duplicates = sum(p.stats.duplicates for _, p in phases)
    deliveries = sum(p.stats.delivered for _, p in phases)
    detail = f"{deliveries:,} deliveries in {len(phases)} phases, {duplicates} duplicates"
    if lost:
        where = "; ".join(f"{c.system} N={c.size:,} {p.name}: {p.stats.lost:,}" for c, p in lost)
        detail += f"; lost: {where}"
    else:
        detail += ", 0 lost"
    return Goal("zero loss everywhere", not lost, detail)


def _memory_goal(run: Run) -> Goal:
    text = f"idle memory ≤ {GOAL_KIB_PER_CONNECTION:.0f} KiB per connection (Tasklane)"
    measured = [
        (c, kib)
        for c in run.cases
        if c.system.startswith("tasklane") and (kib := c.kib_per_connection()) is not None
    ]
    if not measured:
        return Goal(text, None, "not measured")
    detail = ", ".join(f"{LABELS[c.system]} N={c.size:,}: {kib:.1f}" for c, kib in measured)
    return Goal(text, all(kib <= GOAL_KIB_PER_CONNECTION for _, kib in measured), detail)


# -- tables ------------------------------------------------------------------------------

CONNECTION_COLUMNS = (
    "System",
    "N",
    "Joined",
    "Failed",
    "Connect s",
    "RSS before MiB",
    "RSS idle MiB",
    "Idle KiB/conn",
    "Client procs",
)
PHASE_COLUMNS = (
    "System",
    "N",
    "Phase",
    "Changes",
    "Deliveries",
    "Lost",
    "Dup",
    "p50",
    "p90",
    "p99",
    "max",
    "Deliveries/s",
    "Server µs/delivery",
    "Client CPU %",
    "Other CPU %",
)


def _round(value: float | None, digits: int = 0) -> float | None:
    return None if value is None else round(value, digits)


def _number(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def connection_rows(run: Run) -> list[list[str]]:
    rows = []
    for c in run.cases:
        rows.append(
            [
                LABELS[c.system],
                f"{c.size:,}",
                _number(c.joined),
                _number(c.failed) if c.joined is not None else "—",
                _number(c.connect_seconds, 1),
                _number(c.rss_before_kib and c.rss_before_kib / 1024, 1),
                _number(c.rss_idle_kib and c.rss_idle_kib / 1024, 1),
                _number(c.kib_per_connection(), 1),
                str(c.client_processes or "—"),
            ]
        )
    return rows


def phase_rows(run: Run) -> list[list[str]]:
    rows = []
    for c in run.cases:
        for p in c.phases:
            latency = p.latency_ms() or {}
            name = f"paced {p.rate:.3g}/s" if p.name == PACED and p.rate else p.name
            rows.append(
                [
                    LABELS[c.system],
                    f"{c.size:,}",
                    name + ("" if p.complete else " (incomplete)"),
                    _number(p.changes),
                    _number(p.stats.delivered),
                    _number(p.stats.lost),
                    _number(p.stats.duplicates),
                    *(_number(latency.get(key)) for key in ("p50", "p90", "p99", "max")),
                    "—" if p.name == PACED else _number(p.deliveries_per_second()),
                    _number(p.server_us_per_delivery(), 1),
                    _number(p.client_cpu_percent()),
                    _number(p.other_cpu_percent),
                ]
            )
        if not c.phases:
            rows.append([LABELS[c.system], f"{c.size:,}", "not measured", *["—"] * 12])
    return rows


def rich_tables(run: Run) -> list[Table]:
    first = Table(title="Fan-out: connections and idle memory (server processes' VmRSS)")
    second = Table(
        title=f"Fan-out: one project, {run.payload_bytes}-byte events, latency "
        "commit-to-receive in ms"
    )
    for table, columns, rows in (
        (first, CONNECTION_COLUMNS, connection_rows(run)),
        (second, PHASE_COLUMNS, phase_rows(run)),
    ):
        text_columns = 3 if table is second else 1
        for number, name in enumerate(columns):
            table.add_column(name, justify="left" if number < text_columns else "right")
        for row in rows:
            table.add_row(*row)
    return [first, second]


def _markdown_table(columns: Sequence[str], rows: list[list[str]], text_columns: int) -> list[str]:
    align = ["---" if n < text_columns else "---:" for n in range(len(columns))]
    lines = [f"| {' | '.join(columns)} |", f"| {' | '.join(align)} |"]
    return lines + [f"| {' | '.join(row)} |" for row in rows]


# -- the markdown section ------------------------------------------------------------------


def markdown_section(run: Run, plot: Path | None) -> str:
    m, o = run.machine, run.options
    lines = [
        HEADING,
        "",
        f"Measured {run.when.strftime('%Y-%m-%d %H:%M:%S %Z')} with `python -m bench.fanout` "
        f"(sizes {', '.join(f'{n:,}' for n in o['sizes'])}; {_pacing(o)}; bursts of "
        f"{o['burst']} changes, at most {o['burstCap']:,} deliveries).",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram']}",
        f"- OS: {m['os']}",
        f"- Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}, "
        f"Redis {m['redis']}, Node {m['node']}",
        f"- websockets {m['websockets']}, python-socketio {m['python-socketio']}, "
        f"uvicorn {m['uvicorn']}; every server on the event loop `tasklane serve` uses: "
        f"{m['loop']}",
        f"- Pinning: {run.pinning}; PostgreSQL (the machine's service) not pinned",
        "- Tasklane settings changed for the benchmark: "
        + ", ".join(f"`{k}={v}`" for k, v in o["tasklaneSettings"].items()),
        "",
        *_explanation(run),
        "",
        *_markdown_table(CONNECTION_COLUMNS, connection_rows(run), 1),
        "",
        *_markdown_table(PHASE_COLUMNS, phase_rows(run), 3),
        "",
    ]
    if plot is not None:
        lines += [f"![Paced latency, p50 and p99, by N]({plot.name})", ""]
    lines += ["Goals:", "", *(goal.line() for goal in goals(run)), ""]
    lines += _profile_lines(run.profile)
    notes = run.notes + [
        f"{LABELS[c.system]} N={c.size:,}: {n}" for c in run.cases for n in c.notes
    ]
    notes += [
        f"{LABELS[c.system]} N={c.size:,} {p.name}: {problem}"
        for c in run.cases
        for p in c.phases
        for problem in p.problems
    ]
    notes += _batching_notes(run) + _change_notes(run) + _client_notes(run) + _noise_notes(run)
    if notes:
        lines += ["Notes:", "", *(f"- {note}" for note in notes), ""]
    return "\n".join(lines)


def _pacing(options: dict[str, Any]) -> str:
    if options["pacedRate"]:
        return f"paced {options['pacedRate']:g} changes/s for {options['pacedSeconds']:g} s"
    return (
        f"paced for {options['pacedSeconds']:g} s at {options['pacedLoad']:,.0f} deliveries/s "
        f"offered, i.e. {options['pacedLoad'] / 1000:g} changes/s at N = 1,000"
    )


def _explanation(run: Run) -> list[str]:
    o = run.options
    return [
        "N WebSocket subscribers follow one project (Tasklane: one user, `join`; "
        "raw websockets: a connection set; python-socketio: a room). Tasklane's changes are "
        "`PATCH /api/tasks/{id}` through the JSON API (REST → commit → event → broker → "
        "gateway → clients); the reference servers broadcast on a control WebSocket message "
        f"with a payload padded to the same {run.payload_bytes} bytes as Tasklane's "
        "`task_updated` frame (python-socketio adds its own framing of about 12 bytes). "
        "Latency is the client's `Date.now()` minus the event's commit `timestamp` "
        "(references: the server's wall clock at broadcast), nearest-rank over every "
        "delivery. *Deliveries/s*: deliveries ÷ (last receipt - first change sent). "
        "*Server µs/delivery*: CPU time (utime + stime) of every server process during the "
        "phase ÷ deliveries (Tasklane with Redis: API, gateway and redis-server; the "
        "kernel's loopback work in softirq is not in it). *Client "
        "CPU %*: the Node load clients' CPU time over the phase's wall time (100 % = the "
        f"whole client CPU). Bursts: Tasklane {o['burstInFlight']} PATCHes in flight; "
        "references: triggers sent back to back. *Idle KiB/conn*: (VmRSS with N idle "
        "subscribers - before connecting) ÷ N, summed over the server processes. "
        f"Every subscriber of every phase is checked for each expected `seq`: *Lost* and "
        "*Dup* are exact. With `?batch=1`, Tasklane may send several events in one "
        "message (a JSON array). *Other CPU %*: what the rest of the machine used during "
        "the phase (`/proc/stat` user, system and steal time minus the server, clients and "
        "driver; PostgreSQL included), 100 % = one CPU: above a few per cent, other work "
        "competed with the measurement. The paced phase offers the same deliveries/s at "
        "every N (fewer changes/s as N grows), so that it measures latency, not a backlog; "
        "bursts have at most the capped deliveries.",
    ]


NOISY_PERCENT = 20.0
BUSY_CLIENT_PERCENT = 90.0


def _batching_notes(run: Run) -> list[str]:
    """How many messages of the ``?batch=1`` bursts carried several events."""
    return [
        f"{LABELS[c.system]} N={c.size:,} {p.name}: {p.stats.batches:,} of "
        f"{p.stats.messages:,} messages carried several events"
        for c in run.cases
        for p in c.phases
        if p.name == BATCHED
    ]


def _change_notes(run: Run) -> list[str]:
    """The round trips of Tasklane's PATCHes (p50 / p99) during each phase."""
    notes = []
    for c in run.cases:
        parts = [
            f"{p.name} {found['p50']:,.0f} / {found['p99']:,.0f}"
            for p in c.phases
            if (found := p.change_summary()) is not None
        ]
        if parts and c.system.startswith("tasklane"):
            notes.append(
                f"{LABELS[c.system]} N={c.size:,}: PATCH round trip p50 / p99 in ms: "
                + "; ".join(parts)
            )
    return notes


def _client_notes(run: Run) -> list[str]:
    """Phases in which the load client, not the server, may have set the pace."""
    busy = [
        f"{LABELS[c.system]} N={c.size:,} {p.name} ({cpu:.0f} %)"
        for c in run.cases
        for p in c.phases
        if (cpu := p.client_cpu_percent()) is not None and cpu >= BUSY_CLIENT_PERCENT
    ]
    if not busy:
        return []
    return [
        f"The load client was at least {BUSY_CLIENT_PERCENT:.0f} % busy during: "
        + ", ".join(busy)
        + ". There the server may be faster than measured."
    ]


def _noise_notes(run: Run) -> list[str]:
    """Phases during which other processes used a noticeable share of the machine."""
    noisy = [
        f"{LABELS[c.system]} N={c.size:,} {p.name} ({p.other_cpu_percent:.0f} %)"
        for c in run.cases
        for p in c.phases
        if p.other_cpu_percent is not None and p.other_cpu_percent > NOISY_PERCENT
    ]
    if not noisy:
        return []
    return [
        f"Other processes used more than {NOISY_PERCENT:.0f} % of a CPU during: "
        + ", ".join(noisy)
        + ". Those numbers are pessimistic; rerun on a quiet machine to compare."
    ]


def _profile_lines(profile: Profile | None) -> list[str]:
    if profile is None:
        return []
    heading = (
        f"Profile: py-spy, {LABELS[profile.system]} with N = {profile.size:,} subscribers, "
        f"during one more burst of {profile.changes} changes on the same connections (not "
        f"measured), {profile.seconds:.0f} s"
    )
    if profile.error:
        return [heading + f": not recorded ({profile.error}).", ""]
    lines = [
        heading + f", {profile.samples:,} samples of the thread holding the GIL (`--gil`; "
        "waiting in the event loop's poll is not sampled), by function.",
        "",
        "| Function (own time) | Own % | | Tasklane's functions (total time) | Total % |",
        "| --- | ---: | --- | --- | ---: |",
    ]
    for number in range(max(len(profile.own), len(profile.total))):
        own = profile.own[number] if number < len(profile.own) else ("", 0)
        total = profile.total[number] if number < len(profile.total) else ("", 0)
        lines.append(
            f"| `{own[0]}` | {100 * own[1] / profile.samples:.1f} | "
            f"| `{total[0]}` | {100 * total[1] / profile.samples:.1f} |"
        )
    return [*lines, ""]


# -- JSON and the plot -------------------------------------------------------------------


def as_json(run: Run) -> str:
    body = {
        "benchmark": "fanout",
        "measuredAt": run.when.isoformat(timespec="seconds"),
        "machine": run.machine,
        "pinning": run.pinning,
        "options": run.options,
        "payloadBytes": run.payload_bytes,
        "cases": [case.as_json() for case in run.cases],
        "goals": [{"goal": g.text, "met": g.met, "detail": g.detail} for g in goals(run)],
        "profile": run.profile.as_json() if run.profile else None,
        "notes": run.notes,
    }
    return json.dumps(body, indent=1, ensure_ascii=False) + "\n"


def plot_latency(run: Run, path: Path = PLOT) -> Path | None:
    """p50 (dashed) and p99 (solid) of the paced phase against N, per system, log y."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = []
    for system, label in LABELS.items():
        points = [
            (c.size, latency)
            for c in run.cases
            if c.system == system
            and (p := c.phase(PACED)) is not None
            and (latency := p.latency_ms()) is not None
        ]
        if points:
            series.append((label, points))
    if not series:
        return None
    figure, axes = plt.subplots(figsize=(7.5, 4.5), dpi=110)
    for number, (label, points) in enumerate(series):
        colour = f"C{number}"
        sizes = [size for size, _ in points]
        p99 = [max(latency["p99"], 0.5) for _, latency in points]
        p50 = [max(latency["p50"], 0.5) for _, latency in points]
        axes.plot(sizes, p99, "o-", color=colour, label=f"{label} p99")
        axes.plot(sizes, p50, "o--", color=colour, alpha=0.6, label=f"{label} p50")
    axes.set_yscale("log")
    axes.set_xlabel("subscribers in one project (N)")
    axes.set_ylabel("commit-to-receive latency, ms (log)")
    pacing = _pacing(run.options)
    axes.set_title(f"{pacing[0].upper()}{pacing[1:]}: p50 (dashed) and p99", fontsize=9)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
