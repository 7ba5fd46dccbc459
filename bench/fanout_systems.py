"""The four systems of the fan-out benchmark, each started as its own server process(es)
on loopback, and the trigger that makes one change (one event to every subscriber):

- ``tasklane-memory``: ``tasklane serve`` (API and gateway in one process and one event
  loop), SQLite, the in-memory broker. A change is ``PATCH /api/tasks/{id}``.
- ``tasklane-redis``: ``tasklane serve --role api`` and ``--role realtime``, PostgreSQL
  and a throwaway Redis, as deployed. A change is the same PATCH, to the API process.
- ``raw-websockets`` and ``python-socketio``: ``bench.refservers``; a change is one
  ``{"seq": N}`` on their control WebSocket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import redis
from websockets.asyncio.client import ClientConnection, connect

from bench.common import Budget
from bench.fanout_procs import Child, free_port, rss_kib, spawn, stop, wait_ready
from bench.refservers.loops import tasklanes_loop
from tasklane.settings import Settings

SYSTEMS = ("tasklane-memory", "tasklane-redis", "raw-websockets", "python-socketio")
TASKLANE = ("tasklane-memory", "tasklane-redis")
BACKEND = {"tasklane-memory": "sqlite", "tasklane-redis": "postgresql"}
TASKS = 8  # the changes rotate over this many tasks
BURST_IN_FLIGHT = 8  # concurrent PATCHes in a Tasklane burst
PASSWORD = "fanout-bench-password"  # a throwaway account on a throwaway database
RETRIES = 3  # a change the server answers 503 (Retry-After) is tried again this often
REQUEST_SECONDS = 120.0  # a PATCH waits its turn behind the fan-out in the same event loop

# Tasklane's limits, raised so that the benchmark measures delivery, not refusals.
TASKLANE_SETTINGS = {
    "WS_MAX_CONNECTIONS_PER_USER": "20000",
    "WS_MAX_CONNECTIONS_PER_IP": "20000",
    "MUTATION_RATE": "100000",
    "MUTATION_BURST": "100000",
    "AUTH_RATE": "1000",
    "AUTH_BURST": "1000",
    "ARGON2_MEMORY_KIB": "1024",
    "ARGON2_TIME_COST": "1",
    "ARGON2_PARALLELISM": "1",
    "LOG_LEVEL": "warning",
}


class Trigger(Protocol):
    """Makes one change, which every subscriber should receive as one event."""

    concurrency: int  # changes in flight during a burst
    retried: int  # changes the server refused with 503 and that were tried again

    async def head(self) -> int:
        """The last ``seq`` so far; the next change gets the one after it."""
        ...

    async def change(self) -> None: ...

    async def close(self) -> None: ...


@dataclass
class Running:
    """A started system: the processes measured, how subscribers reach it, its trigger."""

    system: str
    servers: list[Child]
    trigger: Trigger
    client_spec: dict[str, Any]
    folder: Path  # for logs
    batching: bool = False  # Tasklane: subscribers may opt into ?batch=1

    def spec(self, batch: bool) -> dict[str, Any]:
        if not batch:
            return self.client_spec
        return {**self.client_spec, "url": self.client_spec["url"] + "?batch=1"}

    def rss_kib(self) -> int:
        return sum(rss_kib(child.pid) for child in self.servers)

    @property
    def pids(self) -> list[int]:
        return [child.pid for child in self.servers]


@dataclass
class Resources:
    """What a system keeps across its sizes: a database URL and a Redis server."""

    folder: Path
    server_cpu: int | None
    payload_bytes: int
    database_url: str | None = None
    redis: Child | None = None
    redis_url: str | None = None


# -- Tasklane --------------------------------------------------------------------------


def tasklane_env(settings: dict[str, str]) -> dict[str, str]:
    """The environment of a Tasklane process: ours, without any Tasklane setting the
    caller's shell may hold, plus the benchmark's."""
    own = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key not in own}
    return {**env, **TASKLANE_SETTINGS, "HOST": "127.0.0.1", **settings}


def tasklane_command(role: str) -> list[str]:
    command = [str(Path(sys.executable).parent / "tasklane"), "serve"]
    return command if role == "all" else [*command, "--role", role]


@dataclass
class Account:
    token: str
    project_id: str
    task_ids: list[str]


async def set_up(api: str, budget: Budget) -> Account:
    """A user, a project and ``TASKS`` tasks, through the JSON API."""
    timeout = budget.timeout(REQUEST_SECONDS, "setting up the project")
    async with httpx.AsyncClient(base_url=api, timeout=timeout) as client:
        email = f"fanout-{uuid.uuid4().hex[:10]}@example.com"
        body = {"email": email, "name": "Fan-out Bench", "password": PASSWORD}
        token = _ok(await client.post("/api/auth/register", json=body), "register")["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        project = _ok(await client.post("/api/projects", json={"name": "Fan-out"}), "project")
        tasks = [
            _ok(
                await client.post(f"/api/projects/{project['id']}/tasks", json={"name": f"T{n}"}),
                "create a task",
            )["id"]
            for n in range(TASKS)
        ]
    return Account(str(token), str(project["id"]), [str(task) for task in tasks])


def _ok(answer: httpx.Response, doing: str) -> Any:
    if answer.is_error:
        raise RuntimeError(f"{doing}: HTTP {answer.status_code} {answer.text[:300]}")
    return answer.json()


class TasklaneTrigger:
    """``PATCH /api/tasks/{id}`` with a new name, rotating over the tasks: one
    ``task_updated`` event per request."""

    concurrency = BURST_IN_FLIGHT

    def __init__(self, api: str, account: Account) -> None:
        self.account = account
        self.made = self.retried = 0
        self.client = httpx.AsyncClient(
            base_url=api,
            headers={"Authorization": f"Bearer {account.token}"},
            timeout=REQUEST_SECONDS,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
        )

    async def head(self) -> int:
        answer = await self.client.get(f"/api/projects/{self.account.project_id}")
        return int(_ok(answer, "read the project")["seq"])

    async def change(self) -> None:
        self.made += 1
        task_id = self.account.task_ids[self.made % len(self.account.task_ids)]
        body = {"name": f"Fan-out change {self.made:07d}"}
        for attempt in range(RETRIES + 1):
            answer = await self.client.patch(f"/api/tasks/{task_id}", json=body)
            if answer.status_code != 503 or attempt == RETRIES:
                break
            # "unavailable; try again shortly": a refused change committed nothing.
            self.retried += 1
            await asyncio.sleep(float(answer.headers.get("retry-after", "1")))
        _ok(answer, "change a task")

    async def close(self) -> None:
        await self.client.aclose()


@asynccontextmanager
async def tasklane(
    system: str, resources: Resources, budget: Budget
) -> AsyncIterator[tuple[Running, Account]]:
    """Tasklane served as ``system`` says, set up with one project; stopped after."""
    port, ws_port = free_port(), free_port()
    base = {
        "PORT": str(port),
        "WS_PORT": str(ws_port),
        "DATA_DIR": str(resources.folder),
        "DATABASE_URL": resources.database_url or "",
        "BROADCAST_SECRET": "fanout-bench-" + uuid.uuid4().hex,
    }
    servers: list[Child] = []
    try:
        if system == "tasklane-memory":
            env = tasklane_env(base)
            servers.append(_spawn("tasklane", tasklane_command("all"), env, resources))
        else:
            env = tasklane_env({**base, "REDIS_URL": resources.redis_url or ""})
            servers.append(_spawn("tasklane-api", tasklane_command("api"), env, resources))
            await wait_ready(f"http://127.0.0.1:{port}/readyz", servers, budget)
            servers.append(_spawn("tasklane-gw", tasklane_command("realtime"), env, resources))
        await wait_ready(f"http://127.0.0.1:{port}/readyz", servers, budget)
        await wait_ready(f"http://127.0.0.1:{ws_port}/readyz", servers, budget)
        api = f"http://127.0.0.1:{port}"
        account = await set_up(api, budget)
        trigger = TasklaneTrigger(api, account)
        measured = servers + ([resources.redis] if resources.redis else [])
        spec = {
            "kind": "tasklane",
            "url": f"ws://127.0.0.1:{ws_port}/ws",
            "headers": {"Authorization": f"Bearer {account.token}"},
            "projectId": account.project_id,
        }
        try:
            yield Running(system, measured, trigger, spec, resources.folder, True), account
        finally:
            await trigger.close()
    finally:
        for child in reversed(servers):
            await asyncio.to_thread(stop, child)


def _spawn(name: str, command: list[str], env: dict[str, str], resources: Resources) -> Child:
    return spawn(name, command, env=env, cpu=resources.server_cpu, folder=resources.folder)


# -- the reference servers ---------------------------------------------------------------


class ControlTrigger:
    """One ``{"seq": N}`` message on a reference server's control WebSocket."""

    concurrency = 1  # sending is not waiting: one sender keeps the seqs in order

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.sent = self.retried = 0

    async def head(self) -> int:
        return self.sent

    async def change(self) -> None:
        self.sent += 1
        await self.connection.send(json.dumps({"seq": self.sent}))

    async def close(self) -> None:
        await self.connection.close()


@asynccontextmanager
async def reference(system: str, resources: Resources, budget: Budget) -> AsyncIterator[Running]:
    """``bench.refservers.<module>`` serving on a free port; stopped after."""
    module = {"raw-websockets": "raw_websockets", "python-socketio": "socketio_server"}[system]
    port = free_port()
    command = [
        sys.executable,
        "-m",
        f"bench.refservers.{module}",
        "--port",
        str(port),
        "--payload-bytes",
        str(resources.payload_bytes),
        "--loop",
        tasklanes_loop(),
    ]
    server = _spawn(system, command, dict(os.environ), resources)
    try:
        await wait_ready(f"http://127.0.0.1:{port}/readyz", [server], budget)
        # No keepalive: a server busy fanning out may not answer a ping for a long time.
        control = f"ws://127.0.0.1:{port}/control"
        connection = await connect(control, compression=None, ping_interval=None)
        trigger = ControlTrigger(connection)
        kind = "raw" if system == "raw-websockets" else "socketio"
        url = f"ws://127.0.0.1:{port}/" if kind == "raw" else f"http://127.0.0.1:{port}"
        try:
            yield Running(system, [server], trigger, {"kind": kind, "url": url}, resources.folder)
        finally:
            await trigger.close()
    finally:
        await asyncio.to_thread(stop, server)


@asynccontextmanager
async def started(system: str, resources: Resources, budget: Budget) -> AsyncIterator[Running]:
    """Any of the ``SYSTEMS``, started and ready for subscribers."""
    if system in TASKLANE:
        async with tasklane(system, resources, budget) as (running, _account):
            yield running
    else:
        async with reference(system, resources, budget) as running:
            yield running


# -- what a system keeps across sizes ------------------------------------------------------


@contextmanager
def redis_server(resources: Resources) -> Iterator[None]:
    """A throwaway ``redis-server`` without persistence, on the server CPU; stopped after."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not on PATH (scripts/test-redis.sh installs it)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    command += ["no", "--dir", str(resources.folder), "--maxmemory-policy", "noeviction"]
    child = _spawn("redis", command, dict(os.environ), resources)
    try:
        url = f"redis://127.0.0.1:{port}/0"
        _wait_for_redis(url, child)
        resources.redis, resources.redis_url = child, url
        yield
    finally:
        stop(child)
        resources.redis = resources.redis_url = None


def _wait_for_redis(url: str, child: Child, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        while True:
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    return
            if not child.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start:\n{child.log_tail()}")
            time.sleep(0.1)
    finally:
        client.close()


def redis_version() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        return "not installed"
    found = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    words = found.stdout.split()
    return next((w.removeprefix("v=") for w in words if w.startswith("v=")), found.stdout.strip())
