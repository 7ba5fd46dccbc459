"""How long ``POST /api/gym/reset`` takes, per preset, on SQLite and PostgreSQL.

For each backend this makes a throwaway database (a SQLite file in a temporary folder, or
a PostgreSQL database created on the server at ``TASKLANE_BENCH_POSTGRES`` and dropped
afterwards), migrates it and serves the real app over loopback, as ``tasklane serve``
does, in a background thread. For each preset it then measures:

- the first reset, which prepares the template (generates and inserts every row), and
- N more resets, each restoring from that template after one small change made through
  the JSON API by a seeded person (a new task in a project they own), so every reset
  undoes a real change.

The time measured is the client's wall time around the request (``time.perf_counter``),
next to the ``millis`` the server reports. The summary is p50 / p90 / max (nearest rank)
of the client's time; the goal for the medium preset is judged on p90.

    python -m bench.reset [--presets small,medium,large] [--rounds N]
                          [--backends sqlite,postgresql] [--budget SECONDS]

Prints a table and writes the "## Gym reset" section of ``bench/results/<date>.md`` and
``bench/results/reset-<date>.json``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from rich.console import Console
from rich.table import Table

from bench import common
from bench.common import (
    BACKEND_NAMES,
    BACKENDS,
    POSTGRES_ADMIN,
    Budget,
    OutOfTime,
    machine,
    percentile,
    serving,
    summary,
    throwaway_database,
)
from tasklane.gym.presets import PASSWORD, PRESETS
from tasklane.settings import Settings

SEED = 1
DEFAULT_ROUNDS = {"small": 10, "medium": 10, "large": 3}
GOAL_PRESET = "medium"
GOAL_MS = {"sqlite": 300.0, "postgresql": 1000.0}  # the goal for the medium preset, judged on p90
BUDGET_SECONDS = 600.0
REQUEST_SECONDS = 180.0  # the first large reset on PostgreSQL prepares for ~30 s
HEADING = "## Gym reset"

console = Console(width=None if sys.stdout.isatty() else 120)  # piped: don't squeeze to 80
progress = Console(stderr=True)


# -- what is measured --------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One reset: the client's wall time around the request and the server's own."""

    client_ms: float
    server_ms: float


@dataclass
class Result:
    """Every reset of one preset on one backend."""

    backend: str
    preset: str
    prepare: Sample
    rounds: list[Sample]

    def client(self) -> list[float]:
        return [sample.client_ms for sample in self.rounds]

    def server(self) -> list[float]:
        return [sample.server_ms for sample in self.rounds]

    def goal(self) -> tuple[float, bool] | None:
        """Issue #9's goal for this backend, and whether p90 meets it (medium only)."""
        if self.preset != GOAL_PRESET or not self.rounds:
            return None
        target = GOAL_MS[self.backend]
        return target, percentile(self.client(), 0.9) < target

    def goal_met(self) -> bool | None:
        goal = self.goal()
        return None if goal is None else goal[1]


# -- the app, served for real ------------------------------------------------------------


def bench_settings(database_url: str, data_dir: Path, admin_token: str) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=data_dir,
        gym_mode=True,
        gym_admin_token=admin_token,
        log_level="warning",
        host="127.0.0.1",
    )


# -- talking to it -----------------------------------------------------------------------


def _ok(answer: httpx.Response, doing: str) -> Any:
    if answer.is_error:
        raise RuntimeError(f"{doing}: HTTP {answer.status_code} {answer.text[:300]}")
    return answer.json() if answer.content else None


def reset(admin: httpx.Client, preset: str, budget: Budget) -> tuple[Sample, bool]:
    """One ``POST /api/gym/reset``, timed from before sending to the last byte received;
    and whether it prepared the template."""
    timeout = budget.timeout(REQUEST_SECONDS, f"a {preset} reset")
    started = time.perf_counter()
    answer = admin.post("/api/gym/reset", json={"seed": SEED, "preset": preset}, timeout=timeout)
    client_ms = (time.perf_counter() - started) * 1000
    body = _ok(answer, f"reset to {preset}")
    return Sample(client_ms, float(body["millis"])), bool(body["prepared"])


def owner_and_project(admin: httpx.Client, budget: Budget) -> tuple[str, str]:
    """The email of a seeded person who owns a project, and that project, from the
    gym's state."""
    timeout = budget.timeout(REQUEST_SECONDS, "reading the gym state")
    state = _ok(admin.get("/api/gym/state", timeout=timeout), "read the gym state")
    member = next(m for m in state["members"] if m["role"] == "owner")
    email = next(u["email"] for u in state["users"] if u["id"] == member["userId"])
    return str(email), str(member["projectId"])


def sign_in(user: httpx.Client, email: str, budget: Budget) -> None:
    """Sign ``user`` in as ``email``; its later requests carry the token as a Bearer.
    (Sign-in tokens outlive resets for people who still exist.)"""
    timeout = budget.timeout(60, "signing in")
    body = {"email": email, "password": PASSWORD}
    token = _ok(user.post("/api/auth/login", json=body, timeout=timeout), "sign in")["token"]
    user.cookies.clear()
    user.headers["Authorization"] = f"Bearer {token}"


def change(user: httpx.Client, project_id: str, round_number: int, budget: Budget) -> str:
    """The small change a reset must undo: a new task. Its ID."""
    timeout = budget.timeout(60, "making a change")
    body = {"name": f"Benchmark change {round_number}"}
    answer = user.post(f"/api/projects/{project_id}/tasks", json=body, timeout=timeout)
    return str(_ok(answer, "create a task")["id"])


def check_undone(user: httpx.Client, task_id: str, budget: Budget) -> None:
    """The task made before a reset is gone after it."""
    answer = user.get(f"/api/tasks/{task_id}", timeout=budget.timeout(60, "checking a reset"))
    if answer.status_code != 404:
        raise RuntimeError(f"task {task_id} survived a reset (HTTP {answer.status_code})")


def bench_preset(
    base_url: str, admin_token: str, backend: str, preset: str, rounds: int, budget: Budget
) -> Result:
    """The first (preparing) reset of ``preset``, then ``rounds`` resets that each undo
    one change."""
    admin_headers = {"Authorization": f"Bearer {admin_token}"}
    with (
        httpx.Client(base_url=base_url, headers=admin_headers) as admin,
        httpx.Client(base_url=base_url) as user,
    ):
        progress.print(f"[dim]{backend} {preset}: preparing…[/dim]")
        prepare, prepared = reset(admin, preset, budget)
        if not prepared:
            raise RuntimeError(f"the first {preset} reset did not prepare its template")
        email, project_id = owner_and_project(admin, budget)
        sign_in(user, email, budget)
        progress.print(f"[dim]{backend} {preset}: {rounds} rounds…[/dim]")
        samples = []
        for number in range(1, rounds + 1):
            task_id = change(user, project_id, number, budget)
            sample, prepared = reset(admin, preset, budget)
            if prepared:
                raise RuntimeError(f"a later {preset} reset prepared its template again")
            check_undone(user, task_id, budget)
            samples.append(sample)
    return Result(backend, preset, prepare, samples)


def bench_backend(
    backend: str, rounds: dict[str, int], budget: Budget, on_result: Callable[[Result], None]
) -> None:
    """Every preset on one throwaway database of ``backend``, served by one app; each
    result goes to ``on_result`` as soon as it is measured."""
    admin_token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix=f"tasklane-bench-{backend}-") as tmp:
        folder = Path(tmp)
        with (
            throwaway_database(backend, folder) as url,
            serving(bench_settings(url, folder, admin_token)) as base_url,
        ):
            for preset, count in rounds.items():
                on_result(bench_preset(base_url, admin_token, backend, preset, count, budget))


# -- the machine -------------------------------------------------------------------------


# -- reporting ---------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def goal_cell(result: Result) -> str:
    goal = result.goal()
    if goal is None:
        return "—"
    target, met = goal
    return f"{'met' if met else 'MISSED'} (< {target:.0f})"


def goal_lines(results: Sequence[Result]) -> list[str]:
    lines = []
    for result in results:
        goal = result.goal()
        if goal is not None:
            target, met = goal
            p90 = percentile(result.client(), 0.9)
            lines.append(
                f"- {GOAL_PRESET} on {BACKEND_NAMES[result.backend]}: < {target:.0f} ms — "
                f"{'**met**' if met else '**missed**'} (p90 {_ms(p90)} ms)"
            )
    return lines


COLUMNS = (
    "Backend",
    "Preset",
    "Prepare",
    "Rounds",
    "p50",
    "p90",
    "max",
    "Server p50",
    f"Goal ({GOAL_PRESET})",
)


def rows(results: Sequence[Result]) -> list[list[str]]:
    """One row per backend and preset; times in ms."""
    found = []
    for result in results:
        client, server = summary(result.client()), summary(result.server())
        found.append(
            [
                BACKEND_NAMES[result.backend],
                result.preset,
                _ms(result.prepare.client_ms),
                str(len(result.rounds)),
                _ms(client["p50"]),
                _ms(client["p90"]),
                _ms(client["max"]),
                _ms(server["p50"]),
                goal_cell(result),
            ]
        )
    return found


def rich_table(results: Sequence[Result]) -> Table:
    table = Table(title="POST /api/gym/reset, client wall time (ms)")
    for number, name in enumerate(COLUMNS):
        table.add_column(name, justify="right" if 2 <= number <= 7 else "left")
    for row in rows(results):
        table.add_row(*row)
    return table


def markdown_section(results: Sequence[Result], described: dict[str, str], when: datetime) -> str:
    align = ["---" if not 2 <= n <= 7 else "---:" for n in range(len(COLUMNS))]
    table = [f"| {' | '.join(COLUMNS)} |", f"| {' | '.join(align)} |"]
    table += [f"| {' | '.join(row)} |" for row in rows(results)]
    return "\n".join(
        [
            HEADING,
            "",
            f"Measured {when.strftime('%Y-%m-%d %H:%M:%S %Z')} with `python -m bench.reset` "
            f"(seed {SEED}).",
            "",
            *common.machine_lines(described),
            "",
            "`POST /api/gym/reset` over loopback, as the client times it, in ms. *Prepare*: "
            "the first reset of a preset, which generates and inserts its template. The "
            "rounds each restore the template after one change (a new task) made through "
            "the JSON API; p50 / p90 / max are nearest-rank over them. *Server p50*: the "
            "`millis` the server reports.",
            "",
            *table,
            "",
            f"Goals ({GOAL_PRESET} preset, judged on p90):",
            "",
            *(goal_lines(results) or ["- not measured"]),
            "",
        ]
    )


def as_json(results: Sequence[Result], described: dict[str, str], when: datetime) -> str:
    body = {
        "benchmark": "gym-reset",
        "measuredAt": when.isoformat(timespec="seconds"),
        "seed": SEED,
        "machine": described,
        "goal": {"preset": GOAL_PRESET, "statistic": "p90", "ms": GOAL_MS},
        "results": [
            {
                "backend": r.backend,
                "preset": r.preset,
                "prepare": _sample_json(r.prepare),
                "rounds": [_sample_json(sample) for sample in r.rounds],
                "clientMs": {k: round(v, 2) for k, v in summary(r.client()).items()},
                "serverMs": summary(r.server()),
                "goalMet": r.goal_met(),
            }
            for r in results
        ],
    }
    return json.dumps(body, indent=2) + "\n"


def _sample_json(sample: Sample) -> dict[str, float]:
    return {"clientMs": round(sample.client_ms, 2), "serverMs": sample.server_ms}


def write_results(results: Sequence[Result], described: dict[str, str], when: datetime) -> Path:
    """Write the day's markdown section and JSON; the markdown file's path."""
    section = markdown_section(results, described, when)
    return common.write_results(HEADING, section, "reset", as_json(results, described, when), when)


# -- the command -------------------------------------------------------------------------


def _names(value: str, known: Sequence[str]) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(known)} (got {value!r})")
    return names


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.reset", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--presets",
        type=lambda v: _names(v, list(PRESETS)),
        default=list(DEFAULT_ROUNDS),
        help="comma-separated presets (default: small,medium,large)",
    )
    parser.add_argument(
        "--backends",
        type=lambda v: _names(v, BACKENDS),
        default=list(BACKENDS),
        help="comma-separated backends (default: sqlite,postgresql)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="restoring resets per preset (default: 10 small and medium, 3 large)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=BUDGET_SECONDS,
        help=f"give up after this many seconds (default {BUDGET_SECONDS:.0f})",
    )
    args = parser.parse_args(argv)
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def _gave_up(stopped: Exception, budget: Budget) -> str:
    if isinstance(stopped, OutOfTime):
        return str(stopped)
    if budget.left() <= 1:
        return f"the {budget.seconds:.0f} s budget ran out during a request"
    return f"a request timed out after {budget.seconds - budget.left():.0f} s of the run"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    rounds = {p: args.rounds or DEFAULT_ROUNDS.get(p, 10) for p in args.presets}
    budget = Budget(args.budget)
    when = datetime.now(UTC).astimezone()
    results: list[Result] = []
    try:
        described = machine(args.backends)
        for backend in args.backends:
            bench_backend(backend, rounds, budget, results.append)
    except (OutOfTime, httpx.TimeoutException) as stopped:
        if results:
            console.print(rich_table(results))
        progress.print(f"[red]bench.reset gave up: {_gave_up(stopped, budget)}[/red]")
        progress.print("[red]No results were written.[/red]")
        return 2
    except (OSError, asyncpg.PostgresError) as failed:
        progress.print(f"[red]bench.reset could not reach a database or serve: {failed}[/red]")
        progress.print(f"[red](PostgreSQL admin URL: {POSTGRES_ADMIN})[/red]")
        return 2
    console.print(rich_table(results))
    for line in goal_lines(results):
        console.print(line.replace("**", ""))
    written = write_results(results, described, when)
    console.print(f"Written to {written} and {written.with_name(f'reset-{written.stem}.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
