"""The distributions, built once per run for every packaging test.

pytest-xdist runs test files in separate workers: the first worker that asks builds into
the run's shared temporary directory while holding a file lock; the others wait on the
lock and find the files built."""

from __future__ import annotations

import fcntl
import os
import shutil

import pytest

from tests.packaging.environments import REPO, SDK_SOURCE, Distributions, build


@pytest.fixture(scope="session")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's base is a folder of the run's own: its parent is shared.
    shared = base.parent if "PYTEST_XDIST_WORKER" in os.environ else base
    built = Distributions(shared / "distributions")
    with (shared / "distributions.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (built.folder / "complete").exists():
            shutil.rmtree(built.folder, ignore_errors=True)
            build(SDK_SOURCE, built.folder)
            build(REPO, built.folder)
            (built.folder / "complete").touch()
    return built
