"""The ``tasklane`` command stops cleanly on SIGINT and on SIGTERM, whatever signal
dispositions it inherited. A command started with ``&`` from a non-interactive shell
(``make test &``, a CI step, a supervisor's script) has SIGINT ignored: Python then
leaves it ignored, and a ``tasklane watch`` would never stop on the SIGINT it is sent."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import Person
from tests.live import LiveStack
from tests.processes import free_port, wait_until

TASKLANE = str(Path(sys.executable).parent / "tasklane")
STOPS_WITHIN = 10.0  # seconds from the signal to the exit
STOPS = [signal.SIGINT, signal.SIGTERM]


def with_sigint_ignored(*command: str) -> list[str]:
    """``command`` started the way a non-interactive shell starts one with ``&``: with
    SIGINT ignored (``trap '' INT``), a disposition ``exec`` keeps."""
    return ["sh", "-c", "trap '' INT; exec \"$@\"", "sh", *command]


def environment(**values: str) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("TASKLANE_")}
    return {**inherited, **values}


def live_now(line: str) -> bool:
    """Whether a line of ``tasklane watch --json`` says it follows the project live."""
    value = json.loads(line)
    return bool(value.get("type") == "status" and value.get("state") == "connected")


def ignores_sigint(pid: int) -> bool:
    """Whether the process ``pid`` has SIGINT ignored (its ``SigIgn`` mask in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    raise AssertionError(f"no SigIgn line for process {pid}")


def test_the_shell_starts_a_command_with_sigint_ignored() -> None:
    """What the tests below rely on: their commands start with SIGINT ignored."""
    process = subprocess.Popen(with_sigint_ignored("sleep", "30"))
    try:
        # Once ``exec`` has replaced the shell, the process's command is ``sleep``.
        wait_until(
            lambda: Path(f"/proc/{process.pid}/comm").read_text().strip() == "sleep",
            "sleep started",
        )
        assert ignores_sigint(process.pid)
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("stop", STOPS, ids=["SIGINT", "SIGTERM"])
async def test_watch_started_with_sigint_ignored_stops_with_status_0(
    live: LiveStack, signup: Callable[[str], Person], stop: signal.Signals
) -> None:
    ana = signup("ana")
    project = ana.http.post("/api/projects", json={"name": "Watched"}).json()
    process = await asyncio.create_subprocess_exec(
        *with_sigint_ignored(TASKLANE, "watch", project["id"], "--url", live.api_url, "--json"),
        env=environment(TASKLANE_TOKEN=ana.token, TASKLANE_GATEWAY_URL=live.gateway_http),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    output: list[str] = []
    try:
        async with asyncio.timeout(20):  # until it follows the project live
            while not output or not live_now(output[-1]):
                line = await process.stdout.readline()
                assert line, f"the watch ended before it connected: {output}"
                output.append(line.decode().rstrip("\n"))
        process.send_signal(stop)
        try:
            await asyncio.wait_for(process.wait(), STOPS_WITHIN)
        except TimeoutError:
            raise AssertionError(
                f"tasklane watch, started with SIGINT ignored, did not stop within "
                f"{STOPS_WITHIN} s of {stop.name}"
            ) from None
        rest = (await process.stdout.read()).decode()
        assert process.returncode == 0, f"{stop.name}: status {process.returncode}\n{rest}"
        assert "Traceback" not in rest, rest
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


@pytest.mark.parametrize("stop", STOPS, ids=["SIGINT", "SIGTERM"])
def test_serve_started_with_sigint_ignored_stops(tmp_path: Path, stop: signal.Signals) -> None:
    port, ws_port = free_port(), free_port()
    log = tmp_path / "serve.log"
    env = environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'tasklane.db'}",
        DATA_DIR=str(tmp_path),
        PORT=str(port),
        WS_PORT=str(ws_port),
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_KIB="64",
        ARGON2_PARALLELISM="1",
        LOG_LEVEL="warning",
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            with_sigint_ignored(TASKLANE, "serve"), env=env, stdout=out, stderr=out
        )
    try:

        def serving() -> bool:
            assert process.poll() is None, log.read_text()
            try:
                urls = (f"http://127.0.0.1:{p}/readyz" for p in (port, ws_port))
                return all(httpx.get(url, timeout=2).status_code == 200 for url in urls)
            except httpx.TransportError:
                return False

        wait_until(serving, "tasklane serve ready", within=60, every=0.1)
        process.send_signal(stop)
        try:
            status = process.wait(timeout=STOPS_WITHIN)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"tasklane serve, started with SIGINT ignored, did not stop within "
                f"{STOPS_WITHIN} s of {stop.name}:\n{log.read_text()}"
            ) from None
        assert status == 0, f"{stop.name}: status {status}\n{log.read_text()}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
