"""``tasklane serve --demo`` (what ``make run`` runs) as a real process: it migrates an
empty database, loads the demo workspace, prints the sign-ins and serves them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "warning",
        "COLUMNS": "120",
    }
    tasklane = Path(sys.executable).parent / "tasklane"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(tasklane), "serve", "--demo"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield base, log
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_with_demo_data_signs_in_a_demo_user_and_shows_their_projects(
    demo_server: tuple[str, Path],
) -> None:
    base, log = demo_server
    printed = log.read_text()
    assert "ana@example.com" in printed
    assert "tasklane-demo" in printed
    login = httpx.post(
        f"{base}/api/auth/login",
        json={"email": "ana@example.com", "password": "tasklane-demo"},
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    projects = httpx.get(f"{base}/api/projects", headers=headers).json()
    assert len(projects) == 3
    first = projects[0]
    tasks = httpx.get(f"{base}/api/projects/{first['id']}/tasks", headers=headers).json()
    assert len(tasks["items"]) >= 3
    events = httpx.get(f"{base}/api/projects/{first['id']}/events", headers=headers).json()
    assert events["headSeq"] == first["seq"] > 0
    assert httpx.get(f"{base}/docs").status_code == 200
