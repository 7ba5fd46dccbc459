"""The ``tasklane`` command: ``serve``, ``migrate`` and ``demo`` (``server``), ``watch``
(``watch``), the gym's ``seed``, ``reset`` and ``state`` (``gym``) and
``gym episodes …`` (``episodes``), and ``mcp``, the agent tools over MCP (``mcp``)."""

from __future__ import annotations

import signal
from importlib.metadata import version
from types import FrameType

import typer

from tasklane.cli import episodes, gym, mcp, server, watch

DISTRIBUTION = "tasklane-server"

cli = typer.Typer(help="Tasklane: a live, Asana-style work manager.", no_args_is_help=True)


def _version(show: bool) -> None:
    if show:
        typer.echo(f"tasklane {version(DISTRIBUTION)}")
        raise typer.Exit()


@cli.callback()
def _options(
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and stop."
    ),
) -> None:
    """Tasklane: a live, Asana-style work manager."""


server.install(cli)
watch.install(cli)
gym.install(cli)
episodes.install(cli)
mcp.install(cli)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    signal.raise_signal(signal.SIGINT)


def main() -> None:
    """Run the command. Whatever signal dispositions the process inherited (one started
    with ``&`` from a non-interactive shell has SIGINT ignored), SIGINT stops a command,
    and SIGTERM stops it the same way."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    cli()
