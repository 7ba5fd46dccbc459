"""docs/gym.md's agent loop, run as written against a live gym server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tasklane.client.gym import GymClient
from tests.gym.conftest import ADMIN
from tests.live import LiveStack

DOC = Path(__file__).parents[2] / "docs" / "gym.md"


def test_the_documented_agent_loop_runs_and_repeats_itself(
    served: LiveStack, tmp_path: Path
) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 1
    script = tmp_path / "agent_loop.py"
    script.write_text(blocks[0])
    env = {**os.environ, "TASKLANE_URL": served.api_url, "GYM_ADMIN_TOKEN": ADMIN}
    run = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].removeprefix("episode 0") == lines[1].removeprefix("episode 1")
    done = int(re.search(r": (\d+) tasks done", lines[0]).group(1))  # type: ignore[union-attr]
    assert done > 0
    with GymClient(served.api_url, admin_token=ADMIN) as gym:
        assert len(gym.events()["events"]) == done
