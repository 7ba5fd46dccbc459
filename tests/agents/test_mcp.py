"""``tasklane mcp`` from outside, with the official MCP SDK's client, against live gym
episodes: over stdio (the client starts the command) and over streamable HTTP (a
server on a loopback port), the tools are listed with their schemas, calls change the
episode, and what goes wrong comes back as tool errors; a scripted agent solves a
sample of the library's templates through MCP calls alone, each graded 1; the worked
example of docs/tasks.md runs as written."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TextIO

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from tasklane.agents.tools import TOOLS
from tasklane.client.gym import GymClient
from tasklane.tasks.attempt import Attempt
from tasklane.tasks.library import TEMPLATES
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, free_port, live_stack

BIN = Path(sys.executable).parent
TASKLANE = str(BIN / "tasklane")
DOC = Path(__file__).parents[2] / "docs" / "tasks.md"
DEADLINE = 60.0  # seconds a server may take to start, on a loaded machine


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    folder = tmp_path_factory.mktemp("mcp")
    with throwaway_database("sqlite", folder) as url:
        settings = gym_settings(url, folder).model_copy(update={"gym_max_episodes": 16})
        with live_stack(settings) as running:
            yield running


@pytest.fixture(scope="module")
def gym(host: LiveStack) -> Iterator[GymClient]:
    with GymClient(host.api_url, admin_token=ADMIN) as client:
        yield client


def attempt(gym: GymClient, template: str) -> Attempt:
    """The template's instance in an episode of its own, on the first seed that has one."""
    for seed in range(1, 10):
        found = Attempt.start(gym, TEMPLATES[template], seed)
        if found is not None:
            return found
    raise AssertionError(f"{template} has no instance on seeds 1 to 9")


def persona(found: Attempt) -> dict[str, str]:
    return {
        "TASKLANE_URL": found.url,
        "TASKLANE_EMAIL": found.email,
        "TASKLANE_PASSWORD": found.password,
    }


class Tools:
    """An MCP session's tool calls, their results read back as JSON."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session

    async def result(self, tool: str, /, **arguments: Any) -> types.CallToolResult:
        result = await self.session.call_tool(tool, arguments)
        assert isinstance(result, types.CallToolResult)
        return result

    async def __call__(self, tool: str, /, **arguments: Any) -> Any:
        result = await self.result(tool, **arguments)
        assert not result.is_error, (tool, arguments, text(result))
        return json.loads(text(result))

    async def refused(self, tool: str, /, **arguments: Any) -> tuple[str, str]:
        """The code and the message of a tool error."""
        result = await self.result(tool, **arguments)
        assert result.is_error, (tool, arguments)
        error = result.structured_content["error"]
        assert error["message"] == text(result)
        return error["code"], error["message"]


def text(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


@asynccontextmanager
async def over_stdio(env: dict[str, str], errlog: TextIO) -> AsyncIterator[ClientSession]:
    """``tasklane mcp`` started by the SDK's stdio client, with ``env`` only."""
    server = StdioServerParameters(command=TASKLANE, args=["mcp"], env=env)
    async with (
        stdio_client(server, errlog=errlog) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def test_over_stdio_tools_are_listed_called_and_refused(
    gym: GymClient, tmp_path: Path
) -> None:
    with attempt(gym, "task.rename") as found, (tmp_path / "server.log").open("w") as log:
        p = found.instance.params
        async with over_stdio(persona(found), log) as session:
            listed = (await session.list_tools()).tools
            assert [t.name for t in listed] == list(TOOLS)
            for tool in listed:
                assert tool.input_schema["type"] == "object"
                assert tool.annotations is not None
                assert tool.annotations.read_only_hint is (not TOOLS[tool.name].changes)
            schema = next(t for t in listed if t.name == "update_task").input_schema
            assert schema["required"] == ["task_id"]
            assert schema["properties"]["due_on"]["anyOf"][0] == {
                "format": "date",
                "type": "string",
            }

            tools = Tools(session)
            assert (await tools("me"))["email"] == found.email
            renamed = await tools("update_task", task_id=p["task_id"], name=p["new"])
            assert renamed["name"] == p["new"]
            listed_result = await tools.result("list_sections", project_id=p["project_id"])
            assert listed_result.structured_content == {"result": json.loads(text(listed_result))}

            code, message = await tools.refused("rename_task", task_id=p["task_id"])
            assert code == "unknown_tool"
            assert "There is no tool named 'rename_task'" in message
            code, message = await tools.refused("update_task", task_id=p["task_id"], due_on="soon")
            assert code == "invalid_arguments"
            assert message.startswith("Invalid arguments for update_task: due_on:")
            assert await tools.refused("get_task", task_id="task_missing") == (
                "not_found",
                "task not found",
            )
            assert (await tools("get_task", task_id=p["task_id"]))["name"] == p["new"]
        ended = found.finish()
    said = (tmp_path / "server.log").read_text()
    assert f"<{found.email}> at {found.url}, over stdio" in said
    assert ended.grade.reward == 1.0  # the state is what was asked, the refusals left no trace
    assert [e["type"] for e in ended.events] == ["task_updated"]
    after = next(t for t in ended.after["tasks"] if t["id"] == p["task_id"])
    assert after["name"] == p["new"]


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    """Until something listens on ``port``: the witness that the server is up."""
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listens on {port}") from None
        try:
            code = process.wait(timeout=0.05)  # the other witness: it died
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"tasklane mcp exited with {code}")


@contextmanager
def over_http(env: dict[str, str], port: int, log: TextIO) -> Iterator[str]:
    """``tasklane mcp --transport http`` in a process of its own; its endpoint once it
    listens. It must stop cleanly when terminated."""
    process = subprocess.Popen(
        [TASKLANE, "mcp", "--transport", "http", "--port", str(port)],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0


async def test_over_streamable_http(gym: GymClient, tmp_path: Path) -> None:
    port = free_port()
    with attempt(gym, "comment.add") as found, (tmp_path / "server.log").open("w") as log:
        p = found.instance.params
        with over_http(persona(found), port, log) as endpoint:
            async with (
                streamable_http_client(endpoint) as (read, write),
                ClientSession(read, write) as session,
            ):
                started = await session.initialize()
                assert started.server_info.name == "tasklane"
                assert found.email in (started.instructions or "")
                assert len((await session.list_tools()).tools) == len(TOOLS)
                tools = Tools(session)
                await tools("add_comment", task_id=p["task_id"], text=p["text"])
                await tools("submit_answer", status="done")
                code, _ = await tools.refused("delete_section", section_id="sec_missing")
                assert code == "not_found"
        assert found.finish().grade.reward == 1.0
    said = (tmp_path / "server.log").read_text()
    assert f"over http://127.0.0.1:{port}/mcp" in said


# -- a scripted agent: each template solved through MCP tool calls alone ----------------

Script = Callable[[Tools, dict[str, Any]], Awaitable[None]]


async def project_named(tools: Tools, name: str) -> str:
    return str(next(p["id"] for p in await tools("list_projects") if p["name"] == name))


async def task_named(tools: Tools, project_id: str, name: str) -> dict[str, Any]:
    page = await tools("list_tasks", project_id=project_id, text=name, include_subtasks=True)
    (found,) = [t for t in page["items"] if t["name"] == name]
    return dict(found)


async def due_relative(tools: Tools, p: dict[str, Any]) -> None:
    task = await task_named(tools, await project_named(tools, p["project"]), p["task"])
    await tools("update_task", task_id=task["id"], due_on=p["due"])
    await tools("submit_answer", status="done")


async def section_after(tools: Tools, p: dict[str, Any]) -> None:
    project_id = await project_named(tools, p["project"])
    names = [s["name"] for s in await tools("list_sections", project_id=project_id)]
    place = names.index(p["after"]) + 1
    await tools("create_section", project_id=project_id, name=p["name"], position=place)
    await tools("submit_answer", status="done")


async def count_open(tools: Tools, p: dict[str, Any]) -> None:
    project_id = await project_named(tools, p["project"])
    count, cursor = 0, None
    while True:
        page = await tools(
            "list_tasks", project_id=project_id, include_subtasks=True, limit=500, cursor=cursor
        )
        count += sum(t["status"] != "done" for t in page["items"])
        cursor = page["nextCursor"]
        if cursor is None:
            break
    await tools("submit_answer", status="done", answer=count)


async def assign_outsider(tools: Tools, p: dict[str, Any]) -> None:
    project_id = await project_named(tools, p["project"])
    members = {m["user"]["name"] for m in await tools("list_members", project_id=project_id)}
    people = await tools("find_people", query=p["outsider"])
    assert [person["name"] for person in people] == [p["outsider"]]  # they exist…
    if p["outsider"] in members:
        raise AssertionError("the outsider is a member after all")
    await tools(  # …but may not be assigned: not a member, and an editor cannot add them
        "submit_answer", status="infeasible", answer=f"{p['outsider']} is not a member"
    )


# comment.add is solved through MCP alone by test_over_streamable_http.
SCRIPTS: dict[str, Script] = {
    "task.due_relative": due_relative,
    "section.create_after": section_after,
    "question.count_open": count_open,
    "infeasible.assign_outsider": assign_outsider,
}


async def test_a_scripted_agent_solves_templates_through_mcp_alone(
    gym: GymClient, tmp_path: Path
) -> None:
    attempts = {template: attempt(gym, template) for template in SCRIPTS}
    try:

        async def solve(template: str, found: Attempt) -> None:
            with (tmp_path / f"{template}.log").open("w") as log:
                async with over_stdio(persona(found), log) as session:
                    await SCRIPTS[template](Tools(session), found.instance.params)

        async with anyio.create_task_group() as group:  # the servers start side by side
            for template, found in attempts.items():
                group.start_soon(solve, template, found)
        grades = {template: found.finish().grade for template, found in attempts.items()}
    finally:
        for found in attempts.values():
            found.close()
    assert {t: g.reward for t, g in grades.items()} == dict.fromkeys(SCRIPTS, 1.0), grades


# -- the command's refusals, and the documented example ----------------------------------


def test_the_command_refuses_without_the_sdk_or_a_sign_in(gym: GymClient) -> None:
    with attempt(gym, "task.rename") as found:
        env = {**os.environ, **persona(found)}
        without_sdk = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; sys.modules['mcp'] = None; "
                "sys.argv = ['tasklane', 'mcp']; from tasklane.cli import main; main()",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wrong = subprocess.Popen(
            [TASKLANE, "mcp", "--password", "not-the-password"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out, err = without_sdk.communicate(timeout=120)
        assert without_sdk.returncode == 2
        assert out == ""
        assert "pip install 'tasklane-server[mcp]'" in err
        out, err = wrong.communicate(timeout=120)
        assert wrong.returncode == 1
        assert out == ""
        assert f"Could not sign in at {found.url}: 401 invalid_credentials" in err


def test_the_documented_example_runs(gym: GymClient, tmp_path: Path) -> None:
    section = DOC.read_text().split("\n## MCP\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    script = tmp_path / "agent.py"
    script.write_text(block)
    with attempt(gym, "task.rename") as found:
        state = found.before
        me = next(u["id"] for u in state["users"] if u["email"] == found.email)
        env = {**os.environ, **persona(found), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
        run = subprocess.run(
            [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stderr
        ended = found.finish()
    lines = run.stdout.splitlines()
    assert (
        lines[0]
        == f"{len(TOOLS)} tools, {sum(not t.changes for t in TOOLS.values())} of them read only"
    )
    assert [t for t in state["tasks"] if t["assigneeId"] == me]  # the persona has work
    (added,) = [e for e in ended.events if e["type"] == "comment_created"]
    task = next(t for t in state["tasks"] if t["id"] == added["data"]["taskId"])
    assert task["assigneeId"] == me
    assert lines[1] == f"Commented on {task['name']!r}, due {task['dueOn']}"
    assert added["data"]["comment"]["text"] == f"Looking at this today ({found.today})."
    assert ended.answer is not None
    assert ended.answer["status"] == "done"
