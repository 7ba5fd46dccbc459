"""Tasklane as separate processes, the way a deployment runs it: ``tasklane serve --role
api`` and ``--role realtime`` sharing one database and one DATA_DIR. The gateway can be
stopped and started again under the browser's feet."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tasklane.migrate import upgrade
from tests.backends import run_apart


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Split:
    """An API process and a gateway process."""

    data_dir: Path
    database_url: str
    port: int = field(default_factory=free_port)
    ws_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)  # more settings, e.g. ALLOWED_ORIGINS

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_http(self) -> str:
        return f"http://127.0.0.1:{self.ws_port}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PORT": str(self.port),
            "WS_PORT": str(self.ws_port),
            "DATA_DIR": str(self.data_dir),
            "DATABASE_URL": self.database_url,
            "GATEWAY_URL": self.gateway_http,
            "ARGON2_MEMORY_KIB": "1024",
            "ARGON2_TIME_COST": "1",
            "ARGON2_PARALLELISM": "1",
            "LOG_LEVEL": "warning",
            "CATCH_UP_SECONDS": "0.5",
            **self.extra_env,
        }

    def start(self, *roles: str) -> None:
        """Starts a process of each of ``roles``, then waits until each answers ready.
        Each migrates the database as it starts: started together, they need it migrated
        already, or they would both migrate it at once."""
        tasklane = Path(sys.executable).parent / "tasklane"
        for role in roles:
            with (self.data_dir / f"{role}.log").open("ab") as log:
                self.processes[role] = subprocess.Popen(
                    [str(tasklane), "serve", "--role", role], env=self.env(), stdout=log, stderr=log
                )
        for role in roles:
            self._wait_until_ready(role)

    def _wait_until_ready(self, role: str) -> None:
        url = self.gateway_http if role == "realtime" else self.base_url
        deadline = time.monotonic() + 60
        while True:
            assert self.processes[role].poll() is None, (self.data_dir / f"{role}.log").read_text()
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{role} did not become ready"
            time.sleep(0.1)

    def stop(self, role: str) -> None:
        process = self.processes.pop(role)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for role in list(self.processes):
            self.stop(role)


@contextmanager
def split_servers(
    data_dir: Path, database_url: str, extra_env: dict[str, str] | None = None
) -> Iterator[Split]:
    """Both processes on ``database_url``, migrated here first (nothing to do on a
    throwaway database), so that they start side by side."""
    run_apart(upgrade(database_url))
    split = Split(data_dir, database_url, extra_env=dict(extra_env or {}))
    try:
        split.start("realtime", "api")
        yield split
    finally:
        split.stop_all()
