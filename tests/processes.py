"""Processes the tests start and stop as a deployment would: ``tasklane serve --role …``
subprocesses, and throwaway ``redis-server``s that a test may kill and restart without
touching anyone else's."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# The Redis server that ``make test`` makes reachable (scripts/test-redis.sh).
TEST_REDIS = os.environ.get("TASKLANE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(
    check: Callable[[], bool], what: str, within: float = 20.0, every: float = 0.05
) -> float:
    """Poll ``check()`` until it is true; the seconds it took."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < within, f"{what}: not within {within} s"
        time.sleep(every)
    return time.monotonic() - started


async def eventually(
    check: Callable[[], bool], what: str, within: float = 10.0, every: float = 0.01
) -> float:
    """Wait, without blocking the event loop, until ``check()``; the seconds it took."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        assert time.monotonic() - started < within, f"{what}: not within {within} s"
        await asyncio.sleep(every)


@dataclass
class RedisServer:
    """A ``redis-server`` of the test's own on a free port, without persistence: a
    restart loses everything, as a crashed cache would."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is missing: run scripts/test-redis.sh"
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.folder),
                ],
                stdout=log,
                stderr=log,
            )
        wait_until(self.answers, "redis-server answering", within=10)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """Stop at once, as a crash would (SIGKILL): no goodbye to any client."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


@contextmanager
def redis_server(folder: Path) -> Iterator[RedisServer]:
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Tasklane:
    """One ``tasklane serve --role ROLE`` process. ``env`` is its whole configuration
    beyond the test defaults (DATABASE_URL, REDIS_URL, DATA_DIR…)."""

    name: str
    role: str
    env: dict[str, str]
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / f"{self.name}.log"

    def start(self, *, ready: bool = True) -> None:
        ports = {"PORT": str(self.port)} if self.role == "api" else {"WS_PORT": str(self.port)}
        env = {
            **os.environ,
            "ARGON2_MEMORY_KIB": "1024",
            "ARGON2_TIME_COST": "1",
            "ARGON2_PARALLELISM": "1",
            "LOG_LEVEL": "info",
            "MUTATION_RATE": "10000",
            "MUTATION_BURST": "10000",
            "AUTH_RATE": "10000",
            "AUTH_BURST": "10000",
            **self.env,
            **ports,
        }
        tasklane = Path(sys.executable).parent / "tasklane"
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(tasklane), "serve", "--role", self.role], env=env, stdout=log, stderr=log
            )
        if ready:
            wait_until(self.is_ready, f"{self.name} ready", within=60, every=0.1)

    def readiness(self) -> tuple[int, dict[str, str]]:
        """``GET /readyz``: the status and the body (0 and {} when nothing answers)."""
        try:
            response = httpx.get(f"{self.http}/readyz", timeout=2)
        except httpx.TransportError:
            return 0, {}
        body: dict[str, str] = response.json()
        return response.status_code, body

    def is_ready(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, self.log.read_text()
        return self.readiness()[0] == 200

    def kill(self) -> None:
        """SIGKILL: no drain, no goodbye, nothing cleaned up."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def start_together(processes: Sequence[Tasklane]) -> None:
    """Start every process, then wait until each is ready: their start-ups (mostly
    imports) overlap rather than follow one another."""
    for process in processes:
        process.start(ready=False)
    for process in processes:
        wait_until(process.is_ready, f"{process.name} ready", within=60, every=0.1)
