"""The tool set (``tools``) as an MCP server, on the official SDK (extra ``mcp``).

One server is bound to one person in one Tasklane — a gym episode's base URL, or any
server's: it signs in once, with an email and password or a token, and every tool call
is that person's call of the public API. Tools are listed with their input schema (the
JSON schema of their arguments) and, for those that change nothing, the
``readOnlyHint`` annotation. A call that goes wrong — an unknown tool, arguments that do
not fit, the API refusing, even a bug — comes back as a tool error (``isError``) with
the reason in words; the server goes on serving.

Calls run one at a time, in the order they arrive: one person acting, as in a
browser, and in a gym the same calls in the same order make the same IDs.

Transports: stdio (``serve_stdio``) and streamable HTTP (``serve_http``, at ``/mcp``);
``tasklane mcp`` runs either (docs/tasks.md, "MCP").
"""

from __future__ import annotations

import json
import logging
import threading
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import anyio.to_thread
import uvicorn
from mcp import types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

from tasklane.agents.tools import TOOLS, ToolError, call, describe
from tasklane.client import TasklaneClient
from tasklane.protocol.auth import UserPublic

logger = logging.getLogger(__name__)
PATH = "/mcp"  # where the streamable HTTP transport answers


def sign_in(
    url: str, *, email: str | None = None, password: str | None = None, token: str | None = None
) -> tuple[TasklaneClient, UserPublic]:
    """A client of the API at ``url`` signed in as one person, and who that is: with
    ``token``, or else ``email`` and ``password``. A refusal raises the SDK's
    ``TasklaneError`` now rather than at the first tool call."""
    api = TasklaneClient(url, token)
    try:
        if token is not None:
            return api, api.me()
        if email is None or password is None:
            raise ValueError("give a token, or an email and a password")
        return api, api.login(email=email, password=password).user
    except BaseException:
        api.close()
        raise


class ToolServer:
    """The MCP side of the tools for one signed-in person: ``server`` is the SDK's
    low-level ``Server`` to run on a transport."""

    def __init__(self, api: TasklaneClient, person: UserPublic) -> None:
        self.api = api
        self.person = person
        self._one_at_a_time = threading.Lock()
        self._listed = [
            types.Tool(
                name=found["name"],
                description=found["description"],
                input_schema=found["inputSchema"],
                annotations=types.ToolAnnotations(read_only_hint=not TOOLS[found["name"]].changes),
            )
            for found in describe()
        ]
        self.server: Server[Any] = Server(
            "tasklane",
            version=_version(),
            title="Tasklane",
            instructions=(
                f"You act in Tasklane, a work manager, as {person.name} <{person.email}>: "
                "every tool is a call of its API as this person. Find things by name with "
                "the list_ and search_ tools, change them with the others, and end a task "
                "with submit_answer (done, with the answer if a question was asked, or "
                "infeasible)."
            ),
            on_list_tools=self._list_tools,
            on_call_tool=self._call_tool,
        )

    async def _list_tools(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=self._listed)

    async def _call_tool(
        self, ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        try:
            result = await anyio.to_thread.run_sync(self._call, params.name, params.arguments)
        except ToolError as exc:
            return _error(exc.code, str(exc))
        except Exception:
            logger.exception("The tool %r failed", params.name)
            return _error("internal_error", f"{params.name} failed inside the tool server")
        structured = result if isinstance(result, dict) else {"result": result}
        return types.CallToolResult(
            content=[types.TextContent(text=json.dumps(result, ensure_ascii=False))],
            structured_content=structured,
        )

    def _call(self, name: str, arguments: dict[str, Any] | None) -> Any:
        with self._one_at_a_time:
            return call(self.api, name, arguments or {})

    async def serve_stdio(self) -> None:
        """Serve one client on stdin and stdout until stdin closes."""
        async with stdio_server() as (read, write):
            await self.server.run(read, write, self.server.create_initialization_options())

    async def serve_http(self, host: str, port: int) -> None:
        """Serve streamable HTTP at ``http://host:port/mcp`` until interrupted."""
        app = self.server.streamable_http_app(streamable_http_path=PATH, host=host)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        await uvicorn.Server(config).serve()


def _error(code: str, message: str) -> types.CallToolResult:
    """A tool error: the reason in words, and in ``structuredContent`` with its code."""
    return types.CallToolResult(
        content=[types.TextContent(text=message)],
        structured_content={"error": {"code": code, "message": message}},
        is_error=True,
    )


def _version() -> str:
    try:
        return version("tasklane-server")
    except PackageNotFoundError:
        return ""
