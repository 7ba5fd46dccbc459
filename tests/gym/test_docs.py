"""The gym from outside: docs/gym.md's agent loop run as written, and the ``tasklane
reset`` / ``tasklane state`` commands, against a live gym server. Both are the same on
any database, so they run on SQLite only."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasklane.client.gym import GymClient
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN
from tests.live import LiveStack

DOC = Path(__file__).parents[2] / "docs" / "gym.md"


@pytest.fixture(scope="module")
def gym_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with throwaway_database("sqlite", tmp_path_factory.mktemp("gym")) as url:
        yield url


def run_block(served: LiveStack, tmp_path: Path, number: int) -> subprocess.CompletedProcess[str]:
    """The ``number``-th Python block of docs/gym.md, run as a script against the server."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 2
    script = tmp_path / f"block_{number}.py"
    script.write_text(blocks[number])
    env = {**os.environ, "TASKLANE_URL": served.api_url, "GYM_ADMIN_TOKEN": ADMIN}
    return subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300
    )


def test_the_documented_agent_loop_runs_and_repeats_itself(
    served: LiveStack, tmp_path: Path
) -> None:
    run = run_block(served, tmp_path, 0)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].removeprefix("episode 0") == lines[1].removeprefix("episode 1")
    done = int(re.search(r": (\d+) tasks done", lines[0]).group(1))  # type: ignore[union-attr]
    assert done > 0
    with GymClient(served.api_url, admin_token=ADMIN) as gym:
        assert len(gym.events()["events"]) == done


def test_the_documented_sixteen_rollouts_run_apart(served: LiveStack, tmp_path: Path) -> None:
    run = run_block(served, tmp_path, 1)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "16 rollouts, reward 16/16, each saw only its own task: True"
    ]
    with GymClient(served.api_url, admin_token=ADMIN) as gym:
        assert gym.episodes() == []


def test_the_episode_commands(served: LiveStack) -> None:
    env = {**os.environ, "TASKLANE_URL": served.api_url, "GYM_ADMIN_TOKEN": ADMIN}
    tasklane = str(Path(sys.executable).parent / "tasklane")

    def start(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [tasklane, "gym", "episodes", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return finish(start(*args))

    def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
        out, err = process.communicate(timeout=120)
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)

    created = run("create", "--seed", "4")
    assert created.returncode == 0, created.stderr
    episode_id, base = created.stdout.strip().split("\t")
    assert base == f"{served.api_url}/e/{episode_id}"
    # Three at once, a process's start-up being most of a command's time: a reset leaves
    # the episode in the list.
    listing, listing_json, resetting = (
        start("list"),
        start("list", "--json"),
        start("reset", episode_id, "--seed", "4"),
    )
    listed, reset = finish(listing_json), finish(resetting)
    assert episode_id in [e["id"] for e in json.loads(listed.stdout)]
    assert episode_id in finish(listing).stdout
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.startswith(f"{episode_id}: small workspace 4 restored")
    deleted = run("delete", episode_id)
    assert deleted.stdout.strip() == f"{episode_id}: deleted"
    gone = run("delete", episode_id)
    assert gone.returncode == 1
    assert "episode_not_found" in gone.stderr or "never existed" in gone.stderr
    assert gone.stdout == ""


def test_the_reset_and_state_commands(served: LiveStack, tmp_path: Path) -> None:
    env = {**os.environ, "TASKLANE_URL": served.api_url, "GYM_ADMIN_TOKEN": ADMIN}
    tasklane = str(Path(sys.executable).parent / "tasklane")
    refusing = subprocess.Popen(  # meanwhile: it changes nothing
        [tasklane, "state", "--token", "wrong"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reset = subprocess.run(
        [tasklane, "reset", "--seed", "6", "--preset", "small"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert reset.returncode == 0, reset.stderr
    assert "small workspace 6" in reset.stdout
    out = tmp_path / "state.json"
    state = subprocess.run(
        [tasklane, "state", "--output", str(out)], env=env, capture_output=True, timeout=120
    )
    assert state.returncode == 0, state.stderr
    with GymClient(served.api_url, admin_token=ADMIN) as gym:
        assert out.read_bytes() == gym.state_bytes()
    refused, _ = refusing.communicate(timeout=60)
    assert refusing.returncode == 1
    assert "GYM_ADMIN_TOKEN" in refused
