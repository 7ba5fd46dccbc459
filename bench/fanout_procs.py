"""The processes of the fan-out benchmark: started on a chosen CPU, waited for, measured
from ``/proc`` (resident memory, CPU time) and stopped (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import Budget

ROOT = Path(__file__).resolve().parent.parent
SERVER_CPU = 0  # the server under test (every process of it)
CLIENT_CPU = 1  # the load clients, the driver, py-spy
STOP_SECONDS = 15.0  # Tasklane's gateway drains for up to 3 s, uvicorn for up to 10 s
READY_SECONDS = 60.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Pinning:
    """Which CPU each side runs on, or None when the machine has fewer than two."""

    server: int | None
    client: int | None

    def describe(self) -> str:
        if self.server is None:
            return "not pinned (fewer than 2 CPUs available)"
        return (
            f"server processes on CPU {self.server}; load clients, driver and py-spy on "
            f"CPU {self.client} (sched_setaffinity)"
        )


def pin_this_process() -> Pinning:
    """Pin the driver (and so every child it does not pin elsewhere) to the client CPU,
    and raise its file limit to the hard limit (children inherit both)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if not {SERVER_CPU, CLIENT_CPU} <= os.sched_getaffinity(0):
        return Pinning(None, None)
    os.sched_setaffinity(0, {CLIENT_CPU})
    return Pinning(SERVER_CPU, CLIENT_CPU)


def pinned(argv: Sequence[str], cpu: int | None) -> tuple[list[str], Callable[[], None] | None]:
    """``argv`` made to run on ``cpu`` from its first instruction: through ``taskset``
    (which execs it, so the PID stays), or else a ``preexec_fn``."""
    if cpu is None:
        return list(argv), None
    if shutil.which("taskset"):
        return ["taskset", "-c", str(cpu), *argv], None
    return list(argv), lambda: os.sched_setaffinity(0, {cpu})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Child:
    """A process this benchmark started, with its output in ``log``."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def spawn(
    name: str, argv: Sequence[str], *, env: dict[str, str], cpu: int | None, folder: Path
) -> Child:
    """Start ``argv`` in the repository's root, pinned to ``cpu``, output to a log file."""
    log = folder / f"{name}.log"
    command, before = pinned(argv, cpu)
    with log.open("wb") as out:
        popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=before,
        )
    return Child(name, popen, log)


def stop(child: Child, grace: float = STOP_SECONDS) -> None:
    """SIGTERM, and SIGKILL if it has not exited after ``grace`` seconds."""
    if not child.alive():
        return
    child.popen.terminate()
    try:
        child.popen.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        child.popen.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # reaped later, at exit
            child.popen.wait(timeout=10)


async def wait_ready(url: str, children: Sequence[Child], budget: Budget) -> None:
    """Poll ``url`` (a ``/readyz``) until it answers 200; fail early if a child exits."""
    deadline = time.monotonic() + budget.timeout(READY_SECONDS, f"waiting for {url}")
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            for child in children:
                if not child.alive():
                    raise RuntimeError(
                        f"{child.name} exited with {child.popen.returncode}:\n{child.log_tail()}"
                    )
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} was not ready in time")
            await asyncio.sleep(0.1)


# -- /proc -----------------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` (``VmRSS`` in ``/proc/<pid>/status``), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far (``/proc/<pid>/stat``), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def machine_busy_seconds() -> float:
    """CPU time every CPU of the machine has spent running processes (user, nice,
    system) or taken by the hypervisor (steal), from the ``cpu`` line of ``/proc/stat``,
    in seconds. Interrupts are left out: the loopback traffic of the benchmark itself
    is handled there, and is in no process's time."""
    line = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = (int(v) for v in line[1:9])
    return (user + nice + system + steal) / CLOCK_TICKS


def error_lines(folder: Path, limit: int = 3) -> list[str]:
    """The last few lines that mention an error in the server logs in ``folder``."""
    found = []
    for log in sorted(folder.glob("*.log")):
        if log.name.startswith("loadclient"):
            continue
        for line in log.read_text(errors="replace").splitlines():
            if "error" in line.lower() or "locked" in line.lower():
                found.append(f"{log.stem}: {line.strip()[:300]}")
    return found[-limit:]
