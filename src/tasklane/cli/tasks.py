"""``tasklane gym run`` and ``tasklane gym grade``: the task suite (docs/tasks.md) run
by an agent, each instance in an episode of its own, and graded again offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from tasklane.cli.gym import PRESET_HELP, TOKEN, URL, check_preset
from tasklane.client.errors import TasklaneError
from tasklane.client.gym import GymClient
from tasklane.tasks.model import Tier
from tasklane.tasks.runner import TIERS, Agent, Selection, regrade, run, summarise

console = Console()
errors = Console(stderr=True)
NUMBERS = "comma-separated whole numbers, e.g. 1,2,3"


def _numbers(text: str, option: str) -> list[int]:
    try:
        found = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise typer.BadParameter(NUMBERS, param_hint=option) from None
    if not found or min(found) < 0:
        raise typer.BadParameter(NUMBERS, param_hint=option)
    return found


def _tiers(text: str) -> tuple[Tier, ...]:
    chosen = tuple(t.strip() for t in text.split(",") if t.strip())
    unknown = [t for t in chosen if t not in TIERS]
    if unknown or not chosen:
        raise typer.BadParameter(f"choose among {', '.join(TIERS)}", param_hint="--tier")
    return tuple(t for t in TIERS if t in chosen)


def run_tasks(
    tasks: str = typer.Option("*", "--tasks", help="Template ids, a glob (task.*, question.*)."),
    tier: str = typer.Option("easy,medium,hard", "--tier", help="Tiers, comma-separated."),
    split: str = typer.Option("all", "--split", help="train, test or all."),
    agent: str = typer.Option(
        ...,
        "--agent",
        help="A command (run with TASKLANE_URL, TASKLANE_EMAIL, TASKLANE_PASSWORD, "
        "TASKLANE_INTENT and TASKLANE_INSTANCE set), a Python function "
        "(package.module:function), or oracle / idle.",
    ),
    seeds: str = typer.Option("1", "--seeds", help="Seeds, comma-separated."),
    preset: str = typer.Option("small", "--preset", help=PRESET_HELP),
    repeats: int = typer.Option(1, "--repeats", min=1, help="Runs of each instance (pass^k)."),
    parallel: int = typer.Option(4, "--parallel", min=1, max=64, help="Episodes at once."),
    timeout: float = typer.Option(600.0, "--timeout", min=1, help="Seconds an agent may take."),
    out: Path = typer.Option(Path("gym-run"), "--out", help="Where results and trajectories go."),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Run the task suite: every selected template and seed in an episode of its own."""
    check_preset(preset)
    if split not in ("train", "test", "all"):
        raise typer.BadParameter("choose train, test or all", param_hint="--split")
    selection = Selection(tasks, _tiers(tier), None if split == "all" else split)
    if not selection.templates():
        errors.print(f"[red]No template matches[/red] {tasks!r} in tiers {tier}.")
        raise typer.Exit(1)
    done = 0

    def progress(result: dict[str, Any]) -> None:
        nonlocal done
        done += 1
        console.print(
            f"{done:>4} {result['task']} seed {result['seed']}: reward {result['reward']:.2f}"
            f"{'  ' + result['error'] if result['error'] else ''}"
        )

    try:
        with GymClient(url, admin_token=token) as gym:
            results = run(
                gym,
                selection,
                Agent(agent, timeout),
                seeds=_numbers(seeds, "--seeds"),
                preset=preset,
                repeats=repeats,
                parallel=parallel,
                out=out,
                progress=progress,
            )
    except TasklaneError as exc:
        errors.print(f"[red]The run stopped[/red]: {exc}")
        raise typer.Exit(1) from exc
    _show(summarise(results))
    console.print(f"Results in {out / 'results.jsonl'}, trajectories in {out / 'trajectories'}.")


def grade_run(
    out: Path = typer.Argument(..., help="A run's folder (its --out)."),
) -> None:
    """Grade a run again from what it kept, with no server; writes regraded.jsonl."""
    if not (out / "results.jsonl").exists():
        errors.print(f"[red]No run in[/red] {out}: results.jsonl is missing.")
        raise typer.Exit(1)
    results = regrade(out)
    with (out / "regraded.jsonl").open("w") as lines:
        for result in results:
            lines.write(json.dumps(result, sort_keys=True) + "\n")
    _show(summarise(results))


def _show(summary: dict[str, Any]) -> None:
    table = Table(title="Success by tier")
    for column in ("tier", "instances", "success", "mean reward", "pass^k"):
        table.add_column(column, justify="right" if column != "tier" else "left")
    for tier, row in summary.items():
        table.add_row(
            tier,
            str(row["instances"]),
            f"{row['success']:.0%}",
            f"{row['meanReward']:.2f}",
            f"{row['passK']:.0%} (k={row['k']})",
        )
    console.print(table)


def install(group: typer.Typer) -> None:
    group.command("run")(run_tasks)
    group.command("grade")(grade_run)
