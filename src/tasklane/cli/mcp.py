"""``tasklane mcp``: the agent tool set as an MCP server for one person in one Tasklane
(a gym episode's base URL, or any server's), over stdio or streamable HTTP. Needs the
``mcp`` extra."""

from __future__ import annotations

from enum import StrEnum

import anyio
import typer

from tasklane.client.errors import TasklaneError
from tasklane.client.rest import DEFAULT_URL

MISSING = (
    "tasklane mcp needs the MCP SDK, which is not installed: pip install 'tasklane-server[mcp]'"
)


class Transport(StrEnum):
    stdio = "stdio"
    http = "http"


def mcp_command(
    url: str = typer.Option(
        DEFAULT_URL,
        "--url",
        envvar="TASKLANE_URL",
        help="The Tasklane to act in: a server's URL or a gym episode's base URL (…/e/<id>).",
    ),
    email: str | None = typer.Option(
        None, "--email", envvar="TASKLANE_EMAIL", help="Sign in as this person…"
    ),
    password: str | None = typer.Option(
        None, "--password", envvar="TASKLANE_PASSWORD", help="…with this password."
    ),
    token: str | None = typer.Option(
        None,
        "--token",
        show_default=False,
        help="Or act with this token (a personal API token or a session's); it wins over "
        "--email and --password.",
    ),
    transport: Transport = typer.Option(
        Transport.stdio, "--transport", help="stdio (one client, the one that started it) or http."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Where HTTP listens."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Where HTTP listens."),
) -> None:
    """Serve the agent tools over MCP, as one person, until the client leaves or Ctrl-C."""
    try:
        from tasklane.agents.mcp_server import ToolServer, sign_in
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] not in ("mcp", "mcp_types"):
            raise
        _say(MISSING)
        raise typer.Exit(2) from None
    if token is None and (email is None or password is None):
        _say("Give --email and --password (or TASKLANE_EMAIL and TASKLANE_PASSWORD), or --token.")
        raise typer.Exit(2)
    try:
        api, person = sign_in(url, email=email, password=password, token=token)
    except TasklaneError as exc:
        _say(f"Could not sign in at {url}: {exc}")
        raise typer.Exit(1) from exc
    tools = ToolServer(api, person)
    where = "stdio" if transport is Transport.stdio else f"http://{host}:{port}/mcp"
    _say(f"Tasklane tools for {person.name} <{person.email}> at {url}, over {where}")
    try:
        if transport is Transport.stdio:
            anyio.run(tools.serve_stdio)
        else:
            anyio.run(tools.serve_http, host, port)
    except KeyboardInterrupt:
        pass
    finally:
        api.close()


def _say(message: str) -> None:
    typer.echo(message, err=True)  # plain: never wrapped, stdout left to the protocol


def install(cli: typer.Typer) -> None:
    cli.command("mcp")(mcp_command)
