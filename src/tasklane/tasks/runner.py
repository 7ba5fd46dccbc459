"""``tasklane gym run``: instances of a task selection, each in an episode of its own,
worked by an agent, graded from state; and ``tasklane gym grade``: the same grades
again, offline, from what the run kept.

For each instance the run keeps, in ``<out>/trajectories/<name>/``: the instance
(``instance.json``), the state at the start and at the end with the app's day
(``before.json``, ``after.json``), the trajectory (``events.json``: every event since
the reset), the agent's answer (``answer.json``) and its output (``agent.log``). The
results are ``<out>/results.jsonl``, one line per instance, and ``<out>/summary.json``.
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import os
import shlex
import subprocess
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasklane.client.gym import GymClient
from tasklane.tasks.agents import BUILT_IN
from tasklane.tasks.attempt import Attempt, grade_kept
from tasklane.tasks.library import TEMPLATES
from tasklane.tasks.model import Instance, Template, Tier

TIERS: tuple[Tier, ...] = ("easy", "medium", "hard")
AgentFunction = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Selection:
    """Which templates: ids matching ``pattern`` (a glob), of the tiers and split given."""

    pattern: str = "*"
    tiers: tuple[Tier, ...] = TIERS
    split: str | None = None  # "train", "test" or None for both

    def templates(self) -> list[Template]:
        return [
            t
            for i, t in sorted(TEMPLATES.items())
            if fnmatch.fnmatchcase(i, self.pattern) and t.tier in self.tiers
        ]


@dataclass(frozen=True)
class Agent:
    """A command (run with the task in its environment) or a Python function
    (``package.module:function``, or a built-in name) given the task as a dict."""

    spec: str
    timeout: float = 600.0

    def run(self, task: dict[str, Any], log: Path) -> None:
        function = self._function()
        if function is not None:
            function(task)
            return
        env = {
            **os.environ,
            "TASKLANE_URL": task["url"],
            "TASKLANE_EMAIL": task["email"],
            "TASKLANE_PASSWORD": task["password"],
            "TASKLANE_INTENT": task["intent"],
            "TASKLANE_INSTANCE": str(log.parent / "instance.json"),
        }
        with log.open("wb") as out:
            subprocess.run(
                shlex.split(self.spec),
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=self.timeout,
                check=False,
            )

    def _function(self) -> AgentFunction | None:
        if self.spec in BUILT_IN:
            return BUILT_IN[self.spec]
        if ":" in self.spec and " " not in self.spec:
            module, _, name = self.spec.partition(":")
            found: AgentFunction = getattr(importlib.import_module(module), name)
            return found
        return None


@dataclass(frozen=True)
class Planned:
    template: Template
    seed: int
    repeat: int

    @property
    def name(self) -> str:
        return f"{self.template.id}__s{self.seed}__r{self.repeat}"


def run(
    gym: GymClient,
    selection: Selection,
    agent: Agent,
    *,
    seeds: Iterable[int],
    preset: str,
    repeats: int,
    parallel: int,
    out: Path,
    progress: Callable[[dict[str, Any]], None] = lambda result: None,
) -> list[dict[str, Any]]:
    """Every (template, seed, repeat) of the selection in its own episode, ``parallel``
    at a time; their results, also written to ``out``."""
    planned = [
        Planned(template, seed, repeat)
        for template in selection.templates()
        for seed in seeds
        if selection.split is None or template.split(seed) == selection.split
        for repeat in range(repeats)
    ]
    (out / "trajectories").mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max(1, parallel)) as pool, (out / "results.jsonl").open("w") as lines:
        for result in pool.map(lambda p: _one(gym, p, agent, preset, out), planned):
            if result is None:
                continue
            results.append(result)
            lines.write(json.dumps(result, sort_keys=True) + "\n")
            lines.flush()
            progress(result)
    _write(out / "summary.json", summarise(results))
    return results


def _one(
    gym: GymClient, planned: Planned, agent: Agent, preset: str, out: Path
) -> dict[str, Any] | None:
    attempt = Attempt.start(gym, planned.template, planned.seed, preset)
    if attempt is None:
        return None
    with attempt:
        kept = out / "trajectories" / planned.name
        kept.mkdir(parents=True, exist_ok=True)
        _write(kept / "instance.json", attempt.instance.public())
        _write(kept / "before.json", {"today": attempt.today, "state": attempt.before})
        started = time.perf_counter()
        error = ""
        try:
            agent.run(attempt.task(), kept / "agent.log")
        except Exception as exc:  # the agent's failure is its result, not the run's
            error = repr(exc)
        seconds = time.perf_counter() - started
        ended = attempt.finish()
        _write(kept / "after.json", {"today": attempt.today, "state": ended.after})
        _write(kept / "events.json", ended.events)
        _write(kept / "answer.json", ended.answer)
    return {
        **_identity(attempt.instance),
        "repeat": planned.repeat,
        **ended.grade.public(),
        "steps": len(ended.events),
        "seconds": round(seconds, 3),
        "error": error,
        "trajectory": f"trajectories/{planned.name}",
    }


def _identity(instance: Instance) -> dict[str, Any]:
    return {
        "task": instance.template,
        "version": instance.version,
        "seed": instance.seed,
        "preset": instance.preset,
        "tier": instance.tier,
        "split": instance.split,
    }


def regrade(out: Path) -> list[dict[str, Any]]:
    """The grades of a run again, from what it kept alone (no server)."""
    results = []
    for line in (out / "results.jsonl").read_text().splitlines():
        kept = json.loads(line)
        folder = out / kept["trajectory"]
        public = json.loads((folder / "instance.json").read_text())
        instance = Instance(
            template=public["template"],
            version=public["version"],
            seed=public["seed"],
            preset=public["preset"],
            tier=public["tier"],
            split=public["split"],
            interfaces=frozenset(public["interfaces"]),
            persona=public["persona"],
            intent=public["intent"],
            params=public["params"],
        )
        before = json.loads((folder / "before.json").read_text())
        after = json.loads((folder / "after.json").read_text())
        answer = json.loads((folder / "answer.json").read_text())
        graded = grade_kept(instance, before["state"], after["state"], before["today"], answer)
        results.append({**kept, **graded.public()})
    return results


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per tier: instances, the share that succeeded (reward 1), the mean reward, and
    pass^k: the share of (template, seed) whose k repeats all succeeded."""
    summary: dict[str, Any] = {}
    for tier in (*TIERS, "all"):
        mine = [r for r in results if tier == "all" or r["tier"] == tier]
        if not mine:
            continue
        groups: dict[tuple[str, int], list[float]] = {}
        for r in mine:
            groups.setdefault((r["task"], r["seed"]), []).append(r["reward"])
        k = min(len(v) for v in groups.values())
        summary[tier] = {
            "instances": len(mine),
            "success": round(sum(r["reward"] == 1.0 for r in mine) / len(mine), 4),
            "meanReward": round(sum(r["reward"] for r in mine) / len(mine), 4),
            "k": k,
            "passK": round(sum(all(x == 1.0 for x in v) for v in groups.values()) / len(groups), 4),
        }
    return summary


def _write(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, sort_keys=True, indent=1) + "\n")
