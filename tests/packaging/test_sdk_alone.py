"""The SDK on its own: its wheel alone in a fresh virtual environment, imported without
loading, or even finding, anything of the server, and following a real Tasklane."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from tests.packaging.environments import (
    SDK_SOURCE,
    Distributions,
    Served,
    fresh_environment,
    plain_environ,
    serving,
)

pytestmark = pytest.mark.timeout(600)  # installing takes a while on a cold package cache

SERVER_ONLY = ("fastapi", "starlette", "sqlalchemy", "argon2", "uvicorn", "redis", "rich")
SERVER_DISTRIBUTIONS = {"tasklane-server", "fastapi", "starlette", "sqlalchemy", "argon2-cffi"}
SERVER_DISTRIBUTIONS |= {"uvicorn", "redis", "rich", "alembic", "asyncpg", "aiosqlite"}

IMPORT = """
import importlib.metadata, importlib.util, json, sys

import tasklane.client
import tasklane.client.gym
import tasklane.protocol
import tasklane.protocol.events
from tasklane.client import AsyncTasklaneClient, RealtimeClient, TasklaneClient

server_only = sys.argv[1].split(",")
print(json.dumps({
    "loaded": sorted(name for name in server_only if name in sys.modules),
    "findable": sorted(name for name in server_only if importlib.util.find_spec(name)),
    "installed": sorted(d.metadata["Name"].lower() for d in importlib.metadata.distributions()),
    "from": [*tasklane.__path__, tasklane.client.__file__, tasklane.protocol.__file__],
}))
"""

FOLLOW = """
import asyncio, json, sys

from tasklane.client import AsyncTasklaneClient, RealtimeClient, TasklaneClient, payload

api_url, gateway_url = sys.argv[1:3]


async def follow(project, token):
    async with (
        RealtimeClient(api_url, token, gateway_url=gateway_url) as live,
        AsyncTasklaneClient(api_url, token) as api,
    ):
        updates = live.updates()
        await live.join(project.id, after=project.seq)
        await api.create_task(project.id, "Followed from the SDK alone")
        async for update in updates:
            return {
                "type": update.type,
                "seq": update.seq,
                "name": payload(update).task.name,
                "state": live.status.state,
            }


with TasklaneClient(api_url) as api:
    signed_in = api.login(email="ana@example.com", password="tasklane-demo")
    project = next(p for p in api.list_projects() if p.name == "Website relaunch")
seen = asyncio.run(asyncio.wait_for(follow(project, signed_in.token), 30))
print(json.dumps({"head": project.seq, **seen}))
"""


def oldest_dependencies() -> list[str]:
    """The SDK's dependencies at the lowest release its ranges allow."""
    project = tomllib.loads((SDK_SOURCE / "pyproject.toml").read_text())["project"]
    pinned = []
    for line in project["dependencies"]:
        requirement = Requirement(line)
        (lowest,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        pinned.append(f"{requirement.name}{extras}=={lowest}")
    return pinned


@pytest.fixture(scope="module", params=["locked", "oldest"])
def sdk_alone(
    request: pytest.FixtureRequest,
    distributions: Distributions,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A fresh virtual environment with the SDK's wheel and what it depends on: at the
    lock's versions, or at the lowest its ranges allow (the ranges promise those work)."""
    venv = tmp_path_factory.mktemp(f"sdk-{request.param}") / "venv"
    if request.param == "locked":
        fresh_environment(venv, distributions.sdk_wheel, find_links=distributions.folder)
    else:
        fresh_environment(
            venv,
            distributions.sdk_wheel,
            *oldest_dependencies(),
            find_links=distributions.folder,
            locked=False,
        )
    return venv


def run(venv: Path, code: str, *args: str) -> Any:
    """Run ``code`` in ``venv``'s Python, isolated (``-I``: no PYTHONPATH, no user site,
    not the working directory); what it printed, as JSON."""
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        env=plain_environ(venv),
        cwd=venv,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_sdk_alone_imports_without_anything_of_the_server(sdk_alone: Path) -> None:
    found = run(sdk_alone, IMPORT, ",".join(SERVER_ONLY))
    assert found["loaded"] == []
    assert found["findable"] == []  # not even installed
    assert set(found["installed"]) & SERVER_DISTRIBUTIONS == set()
    assert {"tasklane-sdk", "pydantic", "email-validator", "httpx", "websockets"} <= set(
        found["installed"]
    )
    assert all(place.startswith(str(sdk_alone)) for place in found["from"]), found["from"]


@pytest.fixture(scope="module")
def tasklane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A real Tasklane with the demo data, served by this checkout's own install."""
    tasklane = Path(sys.executable).parent / "tasklane"
    with serving(tasklane, tmp_path_factory.mktemp("tasklane")) as running:
        yield running


def test_the_sdk_alone_follows_a_real_tasklane(sdk_alone: Path, tasklane: Served) -> None:
    seen = run(sdk_alone, FOLLOW, tasklane.api_url, tasklane.gateway_url)
    assert seen == {
        "head": seen["head"],
        "type": "task_created",
        "seq": seen["head"] + 1,
        "name": "Followed from the SDK alone",
        "state": "connected",  # over WebSocket
    }
