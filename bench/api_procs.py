"""Servers for ``bench.api`` as subprocesses pinned to a CPU: free loopback ports,
waiting until one answers, stopping it (SIGTERM, then SIGKILL), and its CPU time and
each CPU's busy time from ``/proc``."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

STOP_SECONDS = 15.0  # Tasklane's graceful shutdown is 10 s
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Served:
    """A server process: its pid (the Python process itself: ``taskset`` execs it), the
    URL it answers on, and its log."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, characters: int = 1500) -> str:
        try:
            return self.log.read_text(errors="replace")[-characters:]
        except OSError:
            return ""


@contextmanager
def serving(
    command: Sequence[str],
    *,
    port: int,
    cpu: str,
    env: Mapping[str, str],
    cwd: Path,
    log: Path,
    startup: float,
) -> Iterator[Served]:
    """``command`` pinned to ``cpu``, answering ``GET /healthz`` on ``port`` within
    ``startup`` seconds; stopped afterwards whatever happened."""
    with log.open("w") as sink:
        process = subprocess.Popen(
            ["taskset", "-c", cpu, *command],
            env=dict(env),
            cwd=cwd,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    served = Served(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_healthy(served, startup)
        yield served
    finally:
        stop(process)


def _wait_healthy(served: Served, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=served.url, timeout=2) as client:
        while time.monotonic() < deadline:
            if served.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({served.process.returncode}):\n{served.log_tail()}"
                )
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{served.log_tail()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it is still there after ``STOP_SECONDS``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_SECONDS)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15)


def cpu_times() -> dict[str, tuple[int, int]]:
    """Per CPU (``"0"``, ``"1"``, …): (busy, total) jiffies so far, from ``/proc/stat``."""
    found = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if not name.startswith("cpu") or name == "cpu":
            continue
        numbers = [int(v) for v in values[:8]]
        idle = numbers[3] + numbers[4]  # idle + iowait
        found[name[3:]] = (sum(numbers) - idle, sum(numbers))
    return found


def busy_shares(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
) -> dict[str, float]:
    """Each CPU's busy share between two ``cpu_times`` readings (whoever kept it busy)."""
    shares = {}
    for cpu, (busy, total) in after.items():
        busy_before, total_before = before.get(cpu, (0, 0))
        elapsed = total - total_before
        shares[cpu] = (busy - busy_before) / elapsed if elapsed > 0 else 0.0
    return shares
