"""Where a Tasklane server's time goes under ``bench.api``'s load: ``py-spy record
--gil`` attached to the running server (raw collapsed stacks, no line numbers, only the
thread holding the GIL: Python's own work, whichever thread does it; a loop waiting in
``epoll`` or an idle pool thread is not counted, and ``--idle`` misreads pool threads
waiting on a condition as busy), summarised as the functions with the most *own*
samples (the innermost frame), beside their *total* share (anywhere on the stack), the
Tasklane functions with the most total samples, and the own time per top-level package.
The number of samples over rate times duration is the share of the time the GIL was held.

SQLAlchemy's asyncio layer runs the ORM's synchronous code in greenlets, and py-spy shows
a greenlet's stack without the coroutine that started it: such stacks start at the ORM
call (``Session.scalar``, ``Session.refresh``…), so Tasklane's totals only count the part
above it. The shares by *root* frame show how much that is.

If ``py-spy`` cannot attach (ptrace refused), ``pyinstrument`` is the fallback: it must
start the server itself, so it profiles the server's whole life (start-up and set-up
included, the load dominating); own time then comes from its pstats output."""

from __future__ import annotations

import pstats
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import tasklane_file

TOP = 10
RATE = 100  # samples per second
TASKLANE_TOP = 8


@dataclass(frozen=True)
class Line:
    """One function: its own share and its total share of the samples (0..1)."""

    function: str
    where: str  # the file, as the profiler shortens it
    own: float
    total: float


@dataclass
class Profile:
    """The summary of one profile."""

    tool: str
    samples: int  # py-spy: stack samples; pyinstrument: seconds of profiled time
    top: list[Line]
    tasklane: list[Line] = field(default_factory=list)  # Tasklane's own, by total share
    held: float | None = None  # py-spy: the share of the time the GIL was held
    roots: list[tuple[str, float]] = field(default_factory=list)  # py-spy: by root frame
    packages: list[tuple[str, float]] = field(default_factory=list)  # own share per package
    note: str = ""


def record_py_spy(pid: int, seconds: int, cpu: str, output: Path) -> str | None:
    """Sample ``pid`` for ``seconds`` (py-spy itself pinned to ``cpu``, not the server's);
    None when written, else why not (e.g. ptrace refused)."""
    command = [
        *("taskset", "-c", cpu, str(Path(sys.executable).parent / "py-spy"), "record"),
        *("--pid", str(pid), "--duration", str(seconds), "--rate", str(RATE), "--gil"),
        *("--format", "raw", "--nolineno", "--output", str(output)),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    except (OSError, subprocess.TimeoutExpired) as failed:
        return f"py-spy did not run: {failed}"
    if done.returncode != 0 or not output.exists():
        return f"py-spy failed (exit {done.returncode}): {(done.stderr or done.stdout)[-400:]}"
    return None


def summarize_py_spy(raw: str, seconds: float, top: int = TOP) -> Profile:
    """The top functions by own samples in py-spy's raw output (``a;b;c 12`` lines) of
    a ``seconds`` recording."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    roots: Counter[str] = Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        samples += count
        own[frames[-1]] += count
        roots[frames[0]] += count
        for frame in set(frames):
            total[frame] += count
    if not samples:
        return Profile("py-spy", 0, [], note="py-spy recorded no samples")
    packages: Counter[str] = Counter()
    for frame, count in own.items():
        packages[_package(_split(frame)[1])] += count
    ours = [f for f, _ in total.most_common() if _inside_tasklane(f)]
    return Profile(
        tool="py-spy",
        samples=samples,
        top=[_line(frame, own, total, samples) for frame, _ in own.most_common(top)],
        tasklane=[_line(frame, own, total, samples) for frame in ours[:TASKLANE_TOP]],
        packages=[(name, n / samples) for name, n in packages.most_common(8)],
        held=min(1.0, samples / (RATE * seconds)),
        roots=[(_split(frame)[0], n / samples) for frame, n in roots.most_common(6)],
    )


def _line(frame: str, own: Counter[str], total: Counter[str], samples: int) -> Line:
    return Line(*_split(frame), own=own[frame] / samples, total=total[frame] / samples)


def _inside_tasklane(frame: str) -> bool:
    """A Tasklane function that does the work: not the command's entry points and not an
    ASGI middleware's ``__call__``, which are on every request's stack."""
    function, where = _split(frame)
    return (
        _package(where) == "tasklane"
        and not where.startswith("tasklane/cli/")
        and function != "<module>"
        and not function.endswith(".__call__")
    )


def _split(frame: str) -> tuple[str, str]:
    """``"Session.execute (sqlalchemy/orm/session.py)"`` → the function and the file."""
    function, _, where = frame.rpartition(" (")
    return (function, tasklane_file(where.rstrip(")"))) if function else (frame, "")


def _package(where: str) -> str:
    """The top-level package or module of a file as py-spy shortens it."""
    if where.startswith("<"):
        return "python (frozen)"
    head = where.split("/", 1)[0]
    return head.removesuffix(".py") or "?"


def pyinstrument_command(command: list[str], output: Path) -> list[str]:
    """``command`` (a Python console script and its arguments) run under pyinstrument,
    which writes pstats to ``output`` when the server exits."""
    script, *arguments = command
    return [
        *(sys.executable, "-m", "pyinstrument", "--renderer", "pstats"),
        *("--outfile", str(output), script, *arguments),
    ]


def summarize_pstats(path: Path, top: int = TOP) -> Profile:
    """The top functions by own time in a pstats file (written by pyinstrument)."""
    stats = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    own: dict[tuple[str, str], float] = defaultdict(float)
    total: dict[tuple[str, str], float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, tottime, cumtime, _callers) in stats.items():
        key = (str(function), _shorten(str(filename)))
        own[key] += float(tottime)
        total[key] = max(total[key], float(cumtime))
    seconds = sum(own.values())
    if seconds <= 0:
        return Profile("pyinstrument", 0, [], note="pyinstrument recorded nothing")
    packages: dict[str, float] = defaultdict(float)
    for (_function, where), value in own.items():
        packages[_package(where)] += value
    ranked = sorted(own.items(), key=lambda item: item[1], reverse=True)[:top]
    return Profile(
        tool="pyinstrument",
        samples=round(seconds),
        top=[
            Line(function, where, own=value / seconds, total=min(1.0, total[key] / seconds))
            for key, value in ranked
            for function, where in [key]
        ],
        packages=[
            (name, value / seconds)
            for name, value in sorted(packages.items(), key=lambda item: item[1], reverse=True)[:8]
        ],
        note="whole server life (start-up and set-up included), main thread only",
    )


def _shorten(filename: str) -> str:
    """A path from its package on, as py-spy shows it."""
    stdlib = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/"
    for marker in ("/site-packages/", "/src/", stdlib):
        if marker in filename:
            return filename.rsplit(marker, 1)[1]
    return filename
