"""``tasklane gym episodes create|list|reset|delete``: the episodes of a running gym
server, through its gym API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from tasklane.cli import tasks
from tasklane.cli.gym import PRESET_HELP, TOKEN, URL, check_preset
from tasklane.client.errors import TasklaneError
from tasklane.client.gym import GymClient

console = Console()
errors = Console(stderr=True)

SEED = typer.Option(0, "--seed", min=0, max=2**31 - 1, help="The same seed, the same data.")
PRESET = typer.Option("small", "--preset", help=PRESET_HELP)
AS_JSON = typer.Option(False, "--json", help="Print the server's JSON answer.")

episodes = typer.Typer(help="Isolated episodes of one gym server.", no_args_is_help=True)


@contextmanager
def _gym(url: str, token: str, failed: str) -> Iterator[GymClient]:
    """A gym client; a refusal or an unreachable server is one line on stderr, exit 1."""
    try:
        with GymClient(url, admin_token=token) as gym:
            yield gym
    except TasklaneError as exc:
        errors.print(f"[red]{failed}[/red]: {exc}")
        raise typer.Exit(1) from exc


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, sort_keys=True))


@episodes.command("create")
def create(
    seed: int = SEED,
    preset: str = PRESET,
    running: bool = typer.Option(
        False, "--running", help="Let the episode's clock run (it starts frozen)."
    ),
    url: str = URL,
    token: str = TOKEN,
    as_json: bool = AS_JSON,
) -> None:
    """Create an episode; prints its id and base URL (what an agent is given)."""
    check_preset(preset)
    with _gym(url, token, "Could not create an episode") as gym:
        created = gym.create_episode(seed=seed, preset=preset, frozen=not running)
    if as_json:
        _print_json(created.model_dump(mode="json", by_alias=True))
        return
    typer.echo(f"{created.id}\t{created.urls.base}")


@episodes.command("list")
def list_episodes(url: str = URL, token: str = TOKEN, as_json: bool = AS_JSON) -> None:
    """List the server's episodes, oldest first."""
    with _gym(url, token, "Could not list the episodes") as gym:
        found = gym.episodes()
    if as_json:
        _print_json([e.model_dump(mode="json", by_alias=True) for e in found])
        return
    table = Table(title=f"{len(found)} episodes")
    table.add_column("id", no_wrap=True)
    for column in ("seed", "preset", "created", "idle (s)", "connections"):
        table.add_column(column)
    table.add_column("base URL", overflow="fold")
    for e in found:
        created = e.created_at.isoformat(timespec="seconds")
        row = (e.id, str(e.seed), e.preset, created, f"{e.idle_seconds:.0f}", str(e.connections))
        table.add_row(*row, e.urls.base)
    console.print(table)


@episodes.command("reset")
def reset(
    episode_id: str = typer.Argument(..., help="The episode's id (ep_…)."),
    seed: int = SEED,
    preset: str = PRESET,
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Reset one episode to a seeded state; its live clients resync, the others' do not
    notice."""
    check_preset(preset)
    with _gym(url, token, "Reset failed") as gym, gym.episode(episode_id) as episode:
        result = episode.reset(seed=seed, preset=preset)
    typer.echo(f"{episode_id}: {preset} workspace {seed} restored in {result['millis']:.0f} ms")


@episodes.command("delete")
def delete(
    episode_ids: list[str] = typer.Argument(..., help="The episodes' ids (ep_…)."),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Delete episodes: their URLs answer 404 and their connections close."""
    with _gym(url, token, "Delete failed") as gym:
        for episode_id in episode_ids:
            gym.delete_episode(episode_id)
            typer.echo(f"{episode_id}: deleted")


def install(cli: typer.Typer) -> None:
    group = typer.Typer(
        help="The gym: episodes (tasklane gym episodes …), and the task suite run and "
        "graded (tasklane gym run, tasklane gym grade).",
        no_args_is_help=True,
    )
    group.add_typer(episodes, name="episodes")
    tasks.install(group)
    cli.add_typer(group, name="gym")
