"""What the benchmarks share: a time budget, percentiles, throwaway databases, the app
served for real in a background thread, the machine's description, and the day's results
file in ``bench/results/`` (one ``## …`` section per benchmark, replaced on a rerun)."""

from __future__ import annotations

import asyncio
import math
import os
import platform
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import uvicorn

import tasklane
from tasklane.app import build_stack
from tasklane.migrate import upgrade
from tasklane.serving import build_servers, serve_together
from tasklane.settings import Settings

# The parts of the ``tasklane`` namespace package (server and SDK): py-spy names a file of
# an editable install from its part on (``services/tasks.py``), of a wheel from the
# package on (``tasklane/services/tasks.py``).
TASKLANE_PARTS = frozenset(
    entry.name.removesuffix(".py")
    for base in tasklane.__path__
    for entry in Path(base).iterdir()
    if not entry.name.startswith(("_", "."))
)


def tasklane_file(where: str) -> str:
    """A profiled file's path as ``tasklane/…`` if it is one of Tasklane's, else as given."""
    if where.split("/", 1)[0] in TASKLANE_PARTS:
        return f"tasklane/{where}"
    return where


POSTGRES_ADMIN = os.environ.get(
    "TASKLANE_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
RESULTS = Path(__file__).parent / "results"
STARTUP_SECONDS = 30.0


class OutOfTime(Exception):
    """The whole run took longer than its budget."""


@dataclass
class Budget:
    """A limit on the whole run's wall time; every request's timeout fits inside it."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def timeout(self, longest: float, doing: str) -> float:
        """The timeout for the next step: at most ``longest``, never past the budget."""
        left = self.left()
        if left <= 0:
            raise OutOfTime(f"the {self.seconds:.0f} s budget ran out before {doing}")
        return min(longest, left)


# -- numbers ------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: a value that was measured, never an interpolation."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 0.5),
        "p90": percentile(values, 0.9),
        "p99": percentile(values, 0.99),
        "max": max(values),
    }


# -- throwaway databases -----------------------------------------------------------------


@contextmanager
def throwaway_database(backend: str, folder: Path) -> Iterator[str]:
    """A freshly migrated, empty database of ``backend``; its async SQLAlchemy URL. A
    PostgreSQL one is dropped afterwards, whatever happened."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        asyncio.run(upgrade(url))
        yield url
        return
    name = f"tasklane_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        base = POSTGRES_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
        url = f"{base}/{name}"
        asyncio.run(upgrade(url))
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN, timeout=10)
    try:
        await connection.execute(statement, timeout=60)
    finally:
        await connection.close()


async def _postgres_settings(*names: str) -> dict[str, str]:
    connection = await asyncpg.connect(POSTGRES_ADMIN, timeout=10)
    try:
        return {name: str(await connection.fetchval(f"SHOW {name}")) for name in names}
    finally:
        await connection.close()


# -- the app, served for real ------------------------------------------------------------


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app and its realtime gateway in one event loop in a background thread, as
    ``tasklane serve`` runs them, on loopback ports the OS picks; yields the API's URL."""
    stack = build_stack(settings, "all")
    servers = build_servers(stack, "all", port=0, ws_port=0)

    async def serve() -> None:
        try:
            await serve_together(servers)
        finally:
            await stack.close()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), name="bench-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not all(server.started for server in servers):
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{_bound_port(servers[0])}"
    finally:
        for server in servers:
            server.should_exit = True
        thread.join(timeout=30)


def _bound_port(server: uvicorn.Server) -> int:
    port: int = server.servers[0].sockets[0].getsockname()[1]
    return port


# -- where and how -----------------------------------------------------------------------


def machine(backends: Sequence[str]) -> dict[str, str]:
    """What the numbers were measured on."""
    described = {
        "cpu": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": str(os.cpu_count() or "unknown"),
        "ram": _ram(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": "not measured",
    }
    if "postgresql" in backends:
        found = asyncio.run(_postgres_settings("server_version", "fsync", "synchronous_commit"))
        described["postgresql"] = (
            f"{found['server_version']}; fsync {found['fsync']}, "
            f"synchronous_commit {found['synchronous_commit']}"
        )
    return described


def machine_lines(described: dict[str, str]) -> list[str]:
    """The machine (``machine()``) as the results' lines say it."""
    return [
        f"- CPU: {described['cpu']}, {described['cores']} cores; RAM {described['ram']}",
        f"- OS: {described['os']}",
        f"- Python {described['python']}, SQLite {described['sqlite']}, "
        f"PostgreSQL {described['postgresql']}",
    ]


def _proc_field(path: str, name: str) -> str | None:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return None


def _ram() -> str:
    total = _proc_field("/proc/meminfo", "MemTotal")  # "24684092 kB"
    if not total or not total.split()[0].isdigit():
        return "unknown"
    return f"{int(total.split()[0]) / 1024 / 1024:.1f} GiB"


# -- results ---------------------------------------------------------------------------


def replace_section(document: str, heading: str, section: str) -> str:
    """``document`` with its section under ``heading`` (e.g. "## Gym reset") replaced by
    ``section`` (which starts with that heading and ends with a newline), or ``section``
    appended if it has none."""
    lines = document.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == heading), None)
    if start is None:
        return document.rstrip("\n") + "\n\n" + section
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith(("## ", "# "))),
        len(lines),
    )
    after = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + after if after else "")


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text)
    os.replace(partial, path)


def write_results(
    heading: str, section: str, json_name: str, json_text: str, when: datetime
) -> Path:
    """Put ``section`` under ``heading`` in the day's ``bench/results/<date>.md`` and
    write ``json_text`` to ``bench/results/<json_name>-<date>.json``; the markdown's path."""
    day = when.strftime("%Y-%m-%d")
    document_path = RESULTS / f"{day}.md"
    document = document_path.read_text() if document_path.exists() else f"# Benchmarks, {day}\n"
    write_atomically(document_path, replace_section(document, heading, section))
    write_atomically(RESULTS / f"{json_name}-{day}.json", json_text)
    return document_path
