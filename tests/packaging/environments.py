"""Building the distributions, installing them into fresh virtual environments, and
serving Tasklane from one of those, as someone who installed it would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

from tests.processes import free_port, wait_until

REPO = Path(__file__).resolve().parents[2]
SDK_SOURCE = REPO / "clients" / "python"
LOCK = REPO / "requirements" / "lock.txt"
VERSION = "0.1.0"


@dataclass(frozen=True)
class Distributions:
    """The four files this repository builds, side by side in ``folder`` (so that
    an install with ``--find-links folder`` finds ``tasklane-sdk==0.1.0`` there)."""

    folder: Path

    @property
    def sdk_wheel(self) -> Path:
        return self.folder / f"tasklane_sdk-{VERSION}-py3-none-any.whl"

    @property
    def sdk_sdist(self) -> Path:
        return self.folder / f"tasklane_sdk-{VERSION}.tar.gz"

    @property
    def server_wheel(self) -> Path:
        return self.folder / f"tasklane_server-{VERSION}-py3-none-any.whl"

    @property
    def server_sdist(self) -> Path:
        return self.folder / f"tasklane_server-{VERSION}.tar.gz"


def build(source: Path, into: Path) -> None:
    """``python -m build``: the sdist, then the wheel built from that sdist, so a file
    the sdist leaves out is missing from the wheel too. Each is built in an isolated
    environment of its own, which uv makes."""
    done = subprocess.run(
        [sys.executable, "-m", "build", "--installer", "uv", "--outdir", str(into), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"building {source} failed:\n{done.stdout}\n{done.stderr}"


def plain_environ(venv: Path, **extra: str) -> dict[str, str]:
    """An environment for a process of ``venv``: its ``bin`` first on the PATH, and
    nothing of the test run's own configuration (no PYTHONPATH, no Tasklane settings)."""
    kept = ("HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE")
    return {
        **{
            name: value
            for name, value in os.environ.items()
            if name in kept or name.startswith("PIP_")  # the machine's package index
        },
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": str(venv),
        **extra,
    }


def uv(venv: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """The test run's own uv (at the lock's version), working on ``venv``."""
    return subprocess.run(
        [sys.executable, "-m", "uv", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env=plain_environ(venv),
        cwd=venv.parent,
    )


def fresh_environment(
    venv: Path, *requirements: str | Path, find_links: Path, locked: bool = True
) -> Path:
    """A new virtual environment at ``venv`` holding ``requirements`` (wheels, or
    ``name==version``) and what they depend on, from the package index (or uv's cache)
    and at the lock's versions unless not ``locked``; its Python. uv installs them as pip
    would, from the same metadata, many times faster."""
    made = uv(venv, "venv", "--quiet", "--python", sys.executable, str(venv))
    assert made.returncode == 0, f"uv venv failed:\n{made.stderr}"
    python = venv / "bin" / "python"
    constraints = ["-c", str(LOCK)] if locked else []
    done = install(venv, *constraints, "--find-links", str(find_links), *map(str, requirements))
    assert done.returncode == 0, f"installing failed:\n{done.stdout}\n{done.stderr}"
    return python


def install(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``uv pip install args`` into ``venv``."""
    return uv(venv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *args)


@dataclass
class Served:
    """``tasklane serve --demo`` running: the app on ``api_url``, the gateway on
    ``gateway_url``, its output in ``log``."""

    api_url: str
    gateway_url: str
    log: Path


def _ready(url: str, process: subprocess.Popen[bytes], log: Path) -> bool:
    assert process.poll() is None, f"tasklane serve exited:\n{log.read_text()}"
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def serving(tasklane: Path, folder: Path, **settings: str) -> Iterator[Served]:
    """Run ``tasklane serve --demo`` (the executable ``tasklane``) on free ports with
    its data in ``folder``; yield once both sides answer ``/readyz``, and stop it with
    SIGTERM as a service manager would."""
    port, ws_port = free_port(), free_port()
    folder.mkdir(parents=True, exist_ok=True)
    env = plain_environ(
        tasklane.parent.parent,
        PORT=str(port),
        WS_PORT=str(ws_port),
        DATA_DIR=str(folder),
        LOG_LEVEL="warning",
        # Cheap password hashing: the demo's people are hashed, and signed in, with it.
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_KIB="1024",
        ARGON2_PARALLELISM="1",
        **settings,
    )
    served = Served(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ws_port}", folder / "log")
    with served.log.open("wb") as output:
        process = subprocess.Popen(
            [str(tasklane), "serve", "--demo"],
            env=env,
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        for url in (served.api_url, served.gateway_url):
            wait_until(partial(_ready, url, process, served.log), f"{url}/readyz", within=60)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired as late:
            process.kill()
            process.wait()
            raise AssertionError(f"SIGTERM did not stop it:\n{served.log.read_text()}") from late
