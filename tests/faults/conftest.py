"""Faults injected into real processes: a PostgreSQL cluster of the module's own that
tests crash and restart. (Sizes and figures: ``tests/reliability.py``.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from tasklane.migrate import upgrade
from tests.processes import free_port


@dataclass
class Cluster:
    """A PostgreSQL server of the test's own, which it may crash and start again."""

    folder: Path
    port: int
    binaries: Path

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(
            str(self.binaries / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def crash(self) -> None:
        """Stop at once, without a checkpoint: recovery runs on the next start."""
        self._run(
            str(self.binaries / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-m",
            "immediate",
            "stop",
        )

    async def database(self) -> str:
        """A new migrated database on this server; its async SQLAlchemy URL."""
        name = f"tasklane_faults_{int(time.time() * 1000)}"
        connection = await asyncpg.connect(self.admin_url)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"
        await upgrade(url)
        return url


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not binaries:
        pytest.fail("PostgreSQL's server binaries are missing: run scripts/test-postgres.sh")
    folder = Path(tempfile.mkdtemp(prefix="tasklane-pg-", dir="/tmp"))
    folder.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    made = Cluster(folder, free_port(), binaries[-1])
    made._run(
        str(made.binaries / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "--auth=trust"
    )
    made.start()
    try:
        yield made
    finally:
        subprocess.run(
            [
                *(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                str(made.binaries / "pg_ctl"),
                "-D",
                str(folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)
