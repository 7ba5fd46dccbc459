"""``tasklane serve``, ``migrate`` and ``demo``: the commands that run the server."""

from __future__ import annotations

import asyncio
import gc
from typing import TYPE_CHECKING

import typer

try:
    import uvloop
except ImportError:  # pragma: no cover - uvicorn[standard] brings it
    uvloop = None  # type: ignore[assignment]
from rich.console import Console
from rich.table import Table

# The server's modules are imported by the commands that run it, so that the client's
# commands (watch, gym, mcp) start without loading them.
if TYPE_CHECKING:
    from tasklane.app import Role
    from tasklane.settings import Settings

console = Console()

# Allocations (less deallocations) of objects that can hold others, between two
# collections of the youngest generation; CPython's default is 700.
GC_YOUNG_THRESHOLD = 10_000


def migrate() -> None:
    """Bring the database (DATABASE_URL) up to the current schema."""
    from tasklane.migrate import upgrade
    from tasklane.settings import Settings

    settings = Settings()
    asyncio.run(upgrade(settings.database_url))
    console.print(f"[green]Database is up to date[/green]: {settings.database_url}")


def load_demo() -> None:
    """Migrate, then load the demo workspace into an empty database."""
    from tasklane.settings import Settings

    settings = Settings()
    asyncio.run(_prepare(settings, with_demo=True))


def serve(
    demo_data: bool = typer.Option(
        False, "--demo", help="Load demo data first if the database is empty."
    ),
    role: str = typer.Option(
        "all",
        "--role",
        help="all: the app on PORT and the realtime gateway on WS_PORT; "
        "api or realtime: one side only.",
    ),
) -> None:
    """Migrate the database, then serve the app on PORT and the gateway on WS_PORT."""
    if role not in ("all", "api", "realtime"):
        raise typer.BadParameter("choose all, api or realtime", param_hint="--role")
    from tasklane import logs
    from tasklane.settings import Settings

    settings = Settings()
    logs.configure(settings.log_level)
    # uvloop (installed with uvicorn[standard]) wakes the loop for every database reply
    # and every socket more cheaply than asyncio's own loop.
    run = uvloop.run if uvloop is not None else asyncio.run
    run(_serve(settings, role, with_demo=demo_data))  # type: ignore[arg-type]


async def _serve(settings: Settings, role: Role, *, with_demo: bool) -> None:
    from tasklane.app import build_stack
    from tasklane.serving import build_servers, serve_together

    await _prepare(settings, with_demo=with_demo)
    stack = build_stack(settings, role)
    if role != "realtime":
        console.print(
            f"Tasklane on [bold]http://{settings.host}:{settings.port}[/bold] "
            f"(API docs at /docs) · database {settings.database_url}"
        )
    if role != "api":
        console.print(
            f"Realtime gateway on [bold]ws://{settings.host}:{settings.ws_port}/ws[/bold]"
        )
    try:
        servers = build_servers(stack, role, port=settings.port, ws_port=settings.ws_port)
        _settle_garbage_collection()
        await serve_together(servers)
    finally:
        await stack.close()


def _settle_garbage_collection() -> None:
    """Keep the garbage collector off what lives as long as the process, and run it
    less often.

    A gateway keeps about 150 objects per open WebSocket for as long as it is open, and
    the loaded app about 160,000 for good. With CPython's defaults, admitting 5,000
    connections (in one process, measured with ``gc.callbacks``) set off 11 full
    collections that walked all of them again and again: 6.0 s of collecting in all.
    With the youngest generation collected every 10,000 allocations rather than 700: no
    full collection, 1.6 s in all. At 50,000, 1.1 s, but the garbage of closed
    connections (cycles: websockets' parser, tasks) waited far longer to be freed: after
    5,000 connections closed, the next 5,000 grew the process by 9.5 KiB each rather
    than 1.6. Frozen after startup, the app's own objects are left out of the full
    collections that still happen: one with 5,000 connections open took 0.63-0.73 s
    rather than 0.75-0.84 s, a pause for every delivery.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


async def _prepare(settings: Settings, *, with_demo: bool) -> None:
    from tasklane import demo
    from tasklane.app import build_services
    from tasklane.migrate import upgrade

    await upgrade(settings.database_url)
    if not with_demo:
        return
    services = build_services(settings)
    try:
        if await demo.is_empty(services):
            with console.status("Loading demo data…"):
                await demo.load(services)
            console.print("[green]Demo data loaded.[/green]")
    finally:
        await services.runtime.db.dispose()
    table = Table(title="Demo sign-ins (password for all: " + demo.PASSWORD + ")")
    table.add_column("email")
    table.add_column("name")
    for email, name in demo.PEOPLE:
        table.add_row(email, name)
    console.print(table)


def install(cli: typer.Typer) -> None:
    cli.command()(serve)
    cli.command()(migrate)
    cli.command("demo")(load_demo)
