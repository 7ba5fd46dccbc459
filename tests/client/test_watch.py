"""``tasklane watch`` as a real process against a real server: it shows a change made
through the API, as a readable line or as the log's own JSON, with the connection's
status; the URL and token come from options or from the environment."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from tasklane.cli import cli
from tasklane.cli.watch import watch
from tasklane.client import gateway_for
from tests.client.story import people
from tests.live import LiveStack

TASKLANE = str(Path(sys.executable).parent / "tasklane")
NO_SETTINGS: dict[str, str | None] = {
    "TASKLANE_URL": None,
    "TASKLANE_TOKEN": None,
    "TASKLANE_GATEWAY_URL": None,
}


class Watch:
    """A running ``tasklane watch``: its output, a line at a time."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    async def line_with(self, text: str, within: float = 20.0) -> str:
        """The next line of output that contains ``text``."""
        assert self.process.stdout is not None
        async with asyncio.timeout(within):
            while True:
                raw = await self.process.stdout.readline()
                if not raw:
                    raise AssertionError(f"the watch ended before {text!r}: {self.lines}")
                line = raw.decode().rstrip("\n")
                self.lines.append(line)
                if text in line:
                    return line

    async def json_line(self, **fields: Any) -> dict[str, Any]:
        """The next JSON line with these fields."""
        while True:
            value: dict[str, Any] = json.loads(await self.line_with("{"))
            if all(value.get(k) == v for k, v in fields.items()):
                return value


@asynccontextmanager
async def watching(*args: str, env: dict[str, str] | None = None) -> AsyncIterator[Watch]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("TASKLANE_")
    }
    process = await asyncio.create_subprocess_exec(
        TASKLANE,
        "watch",
        *args,
        env={**environment, "COLUMNS": "80", **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield Watch(process)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_json_lines_show_the_status_and_the_logs_own_events(live: LiveStack) -> None:
    async with people(live.api_url, "ana") as (ana,):
        assert ana.token is not None
        project = await ana.create_project("Watched")
        environment = {"TASKLANE_TOKEN": ana.token, "TASKLANE_GATEWAY_URL": live.gateway_http}
        async with watching(project.id, "--url", live.api_url, "--json", env=environment) as cli:
            assert (await cli.json_line(type="status"))["state"] == "connecting"
            assert (await cli.json_line(type="status"))["state"] == "connected"
            task = await ana.create_task(project.id, "Seen from afar")
            shown = await cli.json_line(type="task_created")
            cli.process.send_signal(signal.SIGINT)
            assert await asyncio.wait_for(cli.process.wait(), 20) == 0
        log = (await ana.list_events(project.id, after=project.seq)).events
    assert shown == log[0].model_dump(mode="json", by_alias=True)
    assert shown["data"]["task"]["id"] == task.id


async def test_readable_lines_say_who_did_what(live: LiveStack) -> None:
    output = io.StringIO()
    async with people(live.api_url, "ana") as (ana,):
        assert ana.token is not None
        project = await ana.create_project("Readable")
        await ana.create_task(project.id, "Already there")
        watching = asyncio.create_task(
            watch(
                project.id,
                url=live.api_url,
                token=ana.token,
                gateway=None,  # where the API says the gateway is
                as_json=False,
                after=0,
                console=Console(file=output, width=80),
            )
        )
        lines = Lines(output)
        try:
            header = await lines.with_text("Watching")
            await lines.with_text("Live")
            replayed = await lines.with_text("task_created")
            task = await ana.create_task(project.id, "Ship it")
            created = await lines.with_text("Ship it")
            await ana.update_task(task.id, status="done")
            moved = await lines.with_text("task_status_changed")
            await ana.delete_project(project.id)
            deleted = await lines.with_text("project_deleted")
            assert await asyncio.wait_for(watching, 10) == 0  # nothing left to follow
        finally:
            watching.cancel()
    assert f"Readable ({project.id}) as Ana, after #0 · {live.gateway_http}" in header
    assert "#2 task_created Ana created “Already there” in To do" in replayed
    assert "#3 task_created Ana created “Ship it” in To do" in created
    assert "#4 task_status_changed Ana moved “Ship it” from todo to done" in moved
    assert "#5 project_deleted Ana deleted the project" in deleted
    assert "No longer following the project: project_deleted" in output.getvalue()


class Lines:
    """What a watch wrote into ``output``, a line at a time."""

    def __init__(self, output: io.StringIO) -> None:
        self.output = output
        self.read = 0

    async def with_text(self, text: str, within: float = 10.0) -> str:
        async with asyncio.timeout(within):
            while True:
                lines = self.output.getvalue().splitlines()
                for number in range(self.read, len(lines)):
                    if text in lines[number]:
                        self.read = number + 1
                        return lines[number]
                await asyncio.sleep(0.02)


def test_a_bad_token_or_a_foreign_project_ends_the_watch_with_an_error(
    live: LiveStack, signup: Any
) -> None:
    ana, bob = signup("ana"), signup("bob")
    project_id = ana.http.post("/api/projects", json={"name": "Mine"}).json()["id"]
    runner = CliRunner()
    arguments = ["watch", project_id, "--url", live.api_url, "--gateway", live.gateway_http]
    refused = runner.invoke(cli, [*arguments, "--token", "not-a-token"], env=NO_SETTINGS)
    hidden = runner.invoke(cli, arguments, env={**NO_SETTINGS, "TASKLANE_TOKEN": bob.token})
    assert refused.exit_code == hidden.exit_code == 1
    assert f"{project_id}: 401 unauthorized" in refused.output
    assert f"{project_id}: 404 not_found" in hidden.output


def test_the_token_is_required() -> None:
    result = CliRunner().invoke(cli, ["watch", "proj_x"], env=NO_SETTINGS)
    assert result.exit_code == 2
    assert "Missing option" in result.output
    assert "--token" in result.output


@pytest.mark.parametrize(
    ("api", "gateway"),
    [
        ("http://127.0.0.1:3001", "http://127.0.0.1:3002"),
        ("https://tasklane.example.com/", "https://tasklane.example.com:3002"),
        ("http://[::1]:8000/base", "http://[::1]:3002"),
    ],
)
def test_the_gateway_is_the_apis_host_on_port_3002(api: str, gateway: str) -> None:
    assert gateway_for(api) == gateway
