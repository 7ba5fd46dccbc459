"""The gymnasium environment on a live gym server: it passes gymnasium's environment
checker; a scripted agent solves a task through tool calls and is rewarded 1; an answer
with nothing done earns 0; a run cut short by ``max_steps`` is graded as it stands; and
closing deletes the episode."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gymnasium
import pytest
from gymnasium.utils.env_checker import check_env

from tasklane.agents.gym_env import ENV_ID, TasklaneToolEnv
from tasklane.client.gym import GymClient
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, live_stack

DOC = Path(__file__).parents[2] / "docs" / "tasks.md"


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    folder = tmp_path_factory.mktemp("gym-env")
    with throwaway_database("sqlite", folder) as url, live_stack(gym_settings(url, folder)) as up:
        yield up


def make(host: LiveStack, **options: Any) -> TasklaneToolEnv:
    env = gymnasium.make(ENV_ID, url=host.api_url, admin_token=ADMIN, **options)
    assert isinstance(env.unwrapped, TasklaneToolEnv)
    return env.unwrapped


def episodes(host: LiveStack) -> list[str]:
    with GymClient(host.api_url, admin_token=ADMIN) as gym:
        return [e.id for e in gym.episodes()]


def act(tool: str, **arguments: Any) -> str:
    return json.dumps({"tool": tool, "arguments": arguments})


def test_the_environment_passes_gymnasiums_checker(host: LiveStack) -> None:
    env = make(host, tasks="task.rename", seeds=(1, 2))
    try:
        check_env(env)
    finally:
        env.close()
    assert episodes(host) == []


def test_a_scripted_agent_solves_a_task_through_tool_calls(host: LiveStack) -> None:
    env = make(host, tasks="task.*")
    try:
        intent, info = env.reset(seed=5, options={"task": "task.rename", "seed": 3})
        params = info["instance"]["params"]
        assert params["task"] in intent
        assert params["new"] in intent
        assert {"list_projects", "update_task", "submit_answer"} <= {
            t["name"] for t in info["tools"]
        }
        projects, reward, done, cut, _ = env.step(act("list_projects"))
        assert params["project"] in {p["name"] for p in json.loads(projects)}
        assert (reward, done, cut) == (0.0, False, False)
        _, _, done, _, _ = env.step(
            act("update_task", task_id=params["task_id"], name=params["new"])
        )
        assert not done
        _, reward, done, cut, info = env.step(act("submit_answer", status="done"))
        assert (reward, done, cut) == (1.0, True, False)
        assert all(c["passed"] for c in info["grade"]["checks"])
        with pytest.raises(RuntimeError, match="reset"):
            env.step(act("list_projects"))
    finally:
        env.close()
    assert episodes(host) == []


def test_bad_actions_are_observed_not_raised_and_nothing_done_earns_nothing(
    host: LiveStack,
) -> None:
    env = make(host, tasks="task.rename")
    try:
        env.reset(options={"task": "task.rename", "seed": 1})
        for action, code in [
            ("rename it", "invalid_action"),
            (act("no_such_tool"), "unknown_tool"),
            (act("update_task", task_id=7), "invalid_arguments"),
        ]:
            observed, reward, done, _, _ = env.step(action)
            assert json.loads(observed)["error"]["code"] == code, observed
            assert (reward, done) == (0.0, False)
        _, reward, done, _, info = env.step(act("submit_answer", status="done"))
        assert (reward, done) == (0.0, True)
        assert "task_renamed" in [c["name"] for c in info["grade"]["checks"] if not c["passed"]]
    finally:
        env.close()


def test_a_run_cut_short_is_graded_as_it_stands(host: LiveStack) -> None:
    env = make(host, tasks="task.rename", max_steps=2)
    try:
        _, info = env.reset(options={"task": "task.rename", "seed": 2})
        params = info["instance"]["params"]
        first = env.step(act("update_task", task_id=params["task_id"], name=params["new"]))
        assert first[2:4] == (False, False)
        _, reward, done, cut, _ = env.step(act("list_projects"))
        assert (done, cut) == (False, True)
        assert reward == 1.0  # renamed, nothing else changed: the state is what is graded
        before = episodes(host)
        env.reset(options={"task": "task.rename", "seed": 2})
        assert len(episodes(host)) == len(before)  # the old episode went as the new came
    finally:
        env.close()
    assert episodes(host) == []


def test_a_selection_that_matches_nothing_is_refused(host: LiveStack) -> None:
    with pytest.raises(ValueError, match="no template"):
        TasklaneToolEnv(host.api_url, ADMIN, tasks="no.such.*")


def test_the_documented_example_runs_as_written(host: LiveStack, tmp_path: Path) -> None:
    section = DOC.read_text().split("\n## gymnasium\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    script = tmp_path / "example.py"
    script.write_text(block)
    env = {**os.environ, "TASKLANE_URL": host.api_url, "GYM_ADMIN_TOKEN": ADMIN}
    run = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    first, last = run.stdout.splitlines()
    assert re.fullmatch(r"\d+ tools; the task: Mark the task .* as complete\.", first)
    assert last == "reward 1.0, ended: True"
    assert episodes(host) == []
