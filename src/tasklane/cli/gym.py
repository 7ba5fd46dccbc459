"""The gym's commands: ``tasklane seed`` (on the database), ``tasklane reset`` and
``tasklane state`` (on a running server, through the gym API)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tasklane.client.errors import TasklaneError
from tasklane.client.gym import GymClient
from tasklane.client.rest import DEFAULT_URL
from tasklane.gym.presets import PASSWORD, PRESETS

# ``seed`` imports the server's modules itself, so that the client's commands (reset,
# state, episodes, run) start without loading them.
if TYPE_CHECKING:
    from tasklane.settings import Settings

console = Console()

PRESET_HELP = "small (a few hundred tasks), medium (a few thousand) or large (tens of thousands)."
URL = typer.Option(DEFAULT_URL, "--url", envvar="TASKLANE_URL", help="The Tasklane server.")
TOKEN = typer.Option(
    ...,
    "--token",
    envvar="GYM_ADMIN_TOKEN",
    show_default=False,
    help="The server's GYM_ADMIN_TOKEN.",
)


def check_preset(name: str) -> str:
    if name not in PRESETS:
        raise typer.BadParameter(f"choose {', '.join(PRESETS)}", param_hint="--preset")
    return name


def seed(
    seed: int = typer.Option(
        0, "--seed", min=0, max=2**31 - 1, help="The same seed, the same data."
    ),
    preset: str = typer.Option("small", "--preset", help=PRESET_HELP),
    replace: bool = typer.Option(
        False, "--replace", help="Replace what the database holds (needed unless it is empty)."
    ),
) -> None:
    """Fill the database (DATABASE_URL) with a deterministic seeded workspace."""
    from tasklane.settings import Settings

    settings = Settings()
    check_preset(preset)
    asyncio.run(_seed(settings, seed, preset, replace))


async def _seed(settings: Settings, seed_value: int, preset: str, replace: bool) -> None:
    from tasklane.app import build_services
    from tasklane.demo import is_empty
    from tasklane.gym.seed import generate
    from tasklane.gym.service import GymService
    from tasklane.migrate import upgrade

    await upgrade(settings.database_url)
    services = build_services(settings)
    try:
        if not replace and not await is_empty(services):
            console.print("[red]The database is not empty.[/red] Add --replace to replace it.")
            raise typer.Exit(1)
        rows = await asyncio.to_thread(generate, seed_value, PRESETS[preset])
        total = sum(len(table_rows) for table_rows in rows.values())
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=not sys.stdout.isatty(),
        ) as progress:
            bar = progress.add_task(f"Seeding {preset} workspace {seed_value}", total=total)

            def advance(table: str, count: int) -> None:
                progress.update(bar, advance=count, description=f"Seeding {table}")

            counts = await GymService(services.runtime).seed(seed_value, preset, advance, rows)
    finally:
        await services.runtime.db.dispose()
    table = Table(title=f"Seeded {preset} workspace, seed {seed_value}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(f"Every seeded person signs in with the password [bold]{PASSWORD}[/bold].")


def reset(
    seed: int = typer.Option(
        0, "--seed", min=0, max=2**31 - 1, help="The same seed, the same data."
    ),
    preset: str = typer.Option("small", "--preset", help=PRESET_HELP),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Reset a running server (GYM_MODE=1) to a seeded state; live clients resync."""
    check_preset(preset)
    try:
        with GymClient(url, admin_token=token) as gym:
            result = gym.reset(seed=seed, preset=preset)
    except TasklaneError as exc:
        console.print(f"[red]Reset failed[/red]: {exc}")
        raise typer.Exit(1) from exc
    how = "prepared and loaded" if result["prepared"] else "restored"
    console.print(
        f"{preset} workspace {seed} {how} in {result['millis']:.0f} ms; "
        f"clock at {result['clock']['now']}{' (frozen)' if result['clock']['frozen'] else ''}."
    )


def state(
    url: str = URL,
    token: str = TOKEN,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write it to this file instead of standard output."
    ),
) -> None:
    """Print a running server's whole state as canonical JSON."""
    try:
        with GymClient(url, admin_token=token) as gym:
            body = gym.state_bytes()
    except TasklaneError as exc:
        console.print(f"[red]Could not read the state[/red]: {exc}")
        raise typer.Exit(1) from exc
    if output is None:
        sys.stdout.buffer.write(body + b"\n")
    else:
        output.write_bytes(body)


def install(cli: typer.Typer) -> None:
    cli.command("seed")(seed)
    cli.command("reset")(reset)
    cli.command("state")(state)
