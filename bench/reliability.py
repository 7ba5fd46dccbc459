"""The long fault, soak and hostile-input runs, and their figures.

Runs the fault tests (``tests/faults``: PostgreSQL crashes, killed API processes, a
reconnect storm, the soak), the scale-out faults (``tests/scale``: a gateway SIGKILLed
under traffic, Redis restarted) and the hostile-input suite (``tests/security``) with
``TASKLANE_RELIABILITY=long`` — more clients, more traffic, longer runs — and gathers what
each recorded (faults injected, events committed, delivered, lost, duplicated, inputs
tried, 5xx answers, peak memory) into ``bench/results/reliability-<date>.md`` and
``bench/results/reliability-<date>.json``.

    python -m bench.reliability [--only PATTERN] [--budget SECONDS]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import common

SUITES = ["tests/faults", "tests/scale", "tests/security"]
COLUMNS = [
    ("faults", "Faults"),
    ("committed", "Committed"),
    ("expected", "Expected"),
    ("delivered", "Delivered"),
    ("lost", "Lost"),
    ("duplicated", "Dup."),
    ("requests", "Inputs"),
    ("server_errors", "5xx"),
    ("unavailable", "503"),
    ("peak_rss_mib", "Peak RSS MiB"),
]
console = Console(width=None if sys.stdout.isatty() else 160)


def run_suites(record: Path, only: str | None, budget: float) -> dict[str, str]:
    """Run the suites in their long form; each test's outcome by its id."""
    junit = record / "junit.xml"
    command = [sys.executable, "-m", "pytest", *SUITES, "-q", "-p", "no:cacheprovider"]
    command += [f"--junitxml={junit}"]
    if only:
        command += ["-k", only]
    env = {
        **os.environ,
        "TASKLANE_RELIABILITY": "long",
        "TASKLANE_RELIABILITY_RECORD": str(record),
    }
    try:
        subprocess.run(command, env=env, timeout=budget, check=False)
    except subprocess.TimeoutExpired:
        console.print(f"[red]The runs took longer than {budget:.0f} s and were stopped.[/red]")
    return outcomes(junit)


def outcomes(junit: Path) -> dict[str, str]:
    if not junit.exists():
        return {}
    found: dict[str, str] = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        name = f"{case.get('classname', '')}::{case.get('name', '')}"
        failed = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        found[name] = "failed" if failed else "skipped" if skipped else "passed"
    return found


def figures(record: Path) -> list[dict[str, Any]]:
    rows = [json.loads(path.read_text()) for path in sorted(record.glob("*.json"))]
    return sorted(rows, key=lambda row: str(row["test"]))


def short(test: str) -> str:
    return test.removeprefix("tests/").replace(".py::test_", ": ").replace("_", " ")


def markdown(rows: list[dict[str, Any]], results: dict[str, str], when: datetime) -> str:
    described = common.machine(["postgresql"])
    passed = sum(1 for r in results.values() if r == "passed")
    failed = [name for name, r in results.items() if r == "failed"]
    lines = [
        f"Measured {when:%Y-%m-%d %H:%M:%S} UTC with `python -m bench.reliability` "
        "(`TASKLANE_RELIABILITY=long`).",
        "",
        f"- CPU: {described['cpu']}, {described['cores']} cores; RAM {described['ram']}",
        f"- Python {described['python']}, SQLite {described['sqlite']}, "
        f"PostgreSQL {described['postgresql']}",
        f"- Tests: {passed} passed, {len(failed)} failed, "
        f"{sum(1 for r in results.values() if r == 'skipped')} skipped",
        "",
        "| Run | " + " | ".join(title for _, title in COLUMNS) + " |",
        "| --- | " + " | ".join("---:" for _ in COLUMNS) + " |",
    ]
    for row in rows:
        cells = [_cell(row.get(key)) for key, _ in COLUMNS]
        lines.append(f"| {short(row['test'])} | " + " | ".join(cells) + " |")
    totals = {key: sum(float(row.get(key) or 0) for row in rows) for key, _ in COLUMNS}
    lines += [
        "",
        f"In all: {totals['faults']:.0f} faults injected, {totals['committed']:.0f} events "
        f"committed, {totals['delivered']:.0f} of {totals['expected']:.0f} expected "
        f"deliveries made, {totals['lost']:.0f} lost, {totals['duplicated']:.0f} duplicated; "
        f"{totals['requests']:.0f} inputs tried, {totals['server_errors']:.0f} answered "
        "with a 5xx other than the documented 503 of an outage.",
        "",
    ]
    notes = [f"- {short(row['test'])}: {note}" for row in rows for note in row.get("notes", [])]
    if notes:
        lines += ["Notes:", "", *notes, ""]
    if failed:
        lines += ["Failed:", "", *(f"- `{name}`" for name in failed), ""]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if value else "—"
    return f"{value:,}" if value else "0" if value == 0 else "—"


def table(rows: list[dict[str, Any]]) -> Table:
    shown = Table(title="Reliability (long runs)")
    shown.add_column("Run")
    for _, title in COLUMNS:
        shown.add_column(title, justify="right")
    for row in rows:
        shown.add_row(short(row["test"]), *(_cell(row.get(key)) for key, _ in COLUMNS))
    return shown


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability")
    parser.add_argument("--only", help="a pytest -k expression to run some of the runs only")
    parser.add_argument("--budget", type=float, default=2400.0, help="seconds for all the runs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tasklane-reliability-") as folder:
        record = Path(folder)
        results = run_suites(record, args.only, args.budget)
        rows = figures(record)
    when = datetime.now(UTC)
    console.print(table(rows))
    body = {"measuredAt": when.isoformat(timespec="seconds"), "tests": results, "runs": rows}
    day = when.strftime("%Y-%m-%d")
    path = common.RESULTS / f"reliability-{day}.md"
    common.write_atomically(path, f"# Reliability, {day}\n\n" + markdown(rows, results, when))
    common.write_atomically(
        common.RESULTS / f"reliability-{day}.json", json.dumps(body, indent=2) + "\n"
    )
    console.print(f"Written to {path}")
    return 0 if results and all(r != "failed" for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
