"""``tasklane gym run`` and ``tasklane gym grade`` from outside: more instances than the
8 run at once, with the oracle agent, all score 1 and grade the same offline; a command
agent gets the task in its environment; an agent that does nothing scores 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasklane.client.gym import GymClient
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, live_stack

TASKLANE = str(Path(sys.executable).parent / "tasklane")


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    folder = tmp_path_factory.mktemp("runner")
    with throwaway_database("sqlite", folder) as url:
        settings = gym_settings(url, folder).model_copy(update={"gym_max_episodes": 16})
        with live_stack(settings) as running:
            yield running


def tasklane(host: LiveStack, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TASKLANE_URL": host.api_url, "GYM_ADMIN_TOKEN": ADMIN}
    return subprocess.run(
        [TASKLANE, "gym", *args], env=env, capture_output=True, text=True, timeout=600
    )


def results(out: Path, name: str = "results.jsonl") -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / name).read_text().splitlines()]


def test_the_oracle_at_parallelism_8_and_the_offline_grade(host: LiveStack, tmp_path: Path) -> None:
    out = tmp_path / "run"
    ran = tasklane(
        host,
        "run",
        "--agent",
        "oracle",
        "--tasks",
        "task.*",
        "--seeds",
        "1,2",
        "--parallel",
        "8",
        "--out",
        str(out),
    )
    assert ran.returncode == 0, ran.stderr
    found = results(out)
    assert len(found) >= 16  # nine templates on two seeds: twice the eight at a time, and more
    assert {r["reward"] for r in found} == {1.0}, [r for r in found if r["reward"] != 1.0]
    assert all(
        r["steps"] == len(json.loads((out / str(r["trajectory"]) / "events.json").read_text()))
        for r in found
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["all"]["success"] == 1.0
    assert "Success by tier" in ran.stdout
    graded = tasklane(host, "grade", str(out))
    assert graded.returncode == 0, graded.stderr
    again = results(out, "regraded.jsonl")
    assert [(r["task"], r["seed"], r["reward"], r["checks"]) for r in again] == [
        (r["task"], r["seed"], r["reward"], r["checks"]) for r in found
    ]
    with GymClient(host.api_url, admin_token=ADMIN) as gym:
        assert gym.episodes() == []


def test_a_command_agent_and_an_idle_one(host: LiveStack, tmp_path: Path) -> None:
    agent = tmp_path / "agent.py"
    agent.write_text(
        "import json, os, httpx\n"
        "url = os.environ['TASKLANE_URL']\n"
        "login = httpx.post(url + '/api/auth/login', json={'email': os.environ['TASKLANE_EMAIL'],"
        " 'password': os.environ['TASKLANE_PASSWORD']}).json()\n"
        "instance = json.load(open(os.environ['TASKLANE_INSTANCE']))\n"
        "print(os.environ['TASKLANE_INTENT'])\n"
        "httpx.post(url + '/api/answer', json={'status': 'infeasible'},"
        " headers={'Authorization': 'Bearer ' + login['token']}).raise_for_status()\n"
    )
    out = tmp_path / "command"
    ran = tasklane(
        host,
        "run",
        "--agent",
        f"{sys.executable} {agent}",
        "--tasks",
        "infeasible.a*",  # four templates: each instance starts a process of its own
        "--seeds",
        "1,2",
        "--out",
        str(out),
    )
    assert ran.returncode == 0, ran.stderr
    found = results(out)
    assert found
    assert {r["reward"] for r in found} == {1.0}
    log = (out / str(found[0]["trajectory"]) / "agent.log").read_text()
    assert (
        log.strip()
        == json.loads((out / str(found[0]["trajectory"]) / "instance.json").read_text())["intent"]
    )
    idle = tmp_path / "idle"
    ran = tasklane(host, "run", "--agent", "idle", "--tasks", "task.*", "--out", str(idle))
    assert ran.returncode == 0, ran.stderr
    assert {r["reward"] for r in results(idle)} == {0.0}


def test_bad_options_are_refused(host: LiveStack, tmp_path: Path) -> None:
    for args, said in [
        (("--seeds", "one"), "whole numbers"),
        (("--tier", "legendary"), "--tier"),
        (("--tasks", "nothing.like.this"), "No template matches"),
    ]:
        ran = tasklane(host, "run", "--agent", "idle", "--out", str(tmp_path / "x"), *args)
        assert ran.returncode != 0
        assert said in ran.stderr + ran.stdout
