"""The BrowserGym tasks, driven by BrowserGym itself in the machine's Chromium.

BrowserGym pins Playwright 1.44 and the test run has 1.65, so BrowserGym runs in an
environment of its own: the packages of requirements/browsergym-lock.txt, installed under
the user's cache (``~/.cache/tasklane/browsergym/<hash of the lock>/``, like pip's own
cache) by uv the first time — seconds on a warm package cache — and reused after, by every
checkout; Tasklane itself comes from this checkout's sources (``PYTHONPATH``), so what
runs is always the code under test. A scripted agent (``browsergym_driver.py``) completes a
task through the pages by BrowserGym actions on the accessibility tree and is rewarded
1; one that reports a feasible task infeasible, and one that answers a question wrongly, get
less, with their answers as the gym recorded them; the oracle (``cheat``) answers through
the API and the next step ends the task; docs/tasks.md's worked example runs too; every
episode is deleted after.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby
from pathlib import Path
from typing import Any

import pytest

from tasklane.app import build_stack
from tasklane.client.gym import GymClient
from tasklane.serving import build_servers
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import free_port, running
from tests.packaging.environments import install, plain_environ, uv
from tests.web.browsers import CHROMIUM

# Making the environment on a cold package cache downloads ~100 MB.
pytestmark = pytest.mark.timeout(900)

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "browsergym-lock.txt"
MAIN_LOCK = ROOT / "requirements" / "lock.txt"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tasklane" / "browsergym"
SOURCES = os.pathsep.join(str(ROOT / path) for path in ("src", "clients/python/src"))
DRIVER = Path(__file__).with_name("browsergym_driver.py")
PLAYWRIGHTS_OWN = {"playwright", "greenlet", "pyee"}  # may differ: BrowserGym pins them
RUN = 120


# What ``pip freeze`` leaves out of a lock, and ``uv pip freeze`` shows.
INSTALLERS = {"pip", "setuptools", "wheel", "distribute"}


def pins(text: str) -> dict[str, str]:
    """``name==version`` lines (a lock, a freeze) by normalised name, installers aside."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", "-e")):
            name, version = line.split("==")
            found[name.lower().replace("_", "-")] = version
    return {name: version for name, version in found.items() if name not in INSTALLERS}


def browsergym_python() -> Path:
    """The Python of the BrowserGym environment, made if this lock has none yet; one
    process makes it while any other waits (pytest workers, other runs)."""
    key = hashlib.sha256(LOCK.read_bytes() + sys.version.encode()).hexdigest()[:16]
    venv = CACHE / key
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / ".ready").exists():
            for stale in CACHE.iterdir():  # made from another lock, or left half made
                if stale.is_dir():
                    shutil.rmtree(stale)
            made = uv(venv, "venv", "--quiet", "--python", sys.executable, str(venv))
            assert made.returncode == 0, f"uv venv failed:\n{made.stderr}"
            done = install(venv, "-r", str(LOCK))
            if done.returncode != 0:
                _skip_if_the_registry_is_unreachable()
                pytest.fail(f"installing failed:\n{done.stdout}\n{done.stderr}")
            frozen = uv(venv, "pip", "freeze", "--python", str(venv / "bin" / "python"))
            assert pins(frozen.stdout) == pins(LOCK.read_text()), (
                "requirements/browsergym-lock.txt is not what installs: regenerate it"
            )
            (venv / ".ready").touch()
    return venv / "bin" / "python"


def _skip_if_the_registry_is_unreachable() -> None:
    """Skip when the package index cannot be reached (the one reason to), judged by
    fetching one package afresh; any other failure fails."""
    wanted = f"browsergym-core=={pins(LOCK.read_text())['browsergym-core']}"
    with tempfile.TemporaryDirectory() as folder:
        download = ["download", "--no-deps", "--no-cache-dir", "-d", folder, wanted]
        probe = subprocess.run(
            [sys.executable, "-m", "pip", *download],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"the package registry is unreachable, BrowserGym cannot be installed: {last}")


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A gym server; its URL. On ports chosen beforehand, so that the app knows its own
    origin and takes the sign-in form the browser sends."""
    folder = tmp_path_factory.mktemp("browsergym")
    port, ws_port = free_port(), free_port()
    with throwaway_database("sqlite", folder) as url:
        settings = gym_settings(url, folder).model_copy(update={"port": port, "ws_port": ws_port})
        stack = build_stack(settings)
        with running(build_servers(stack, "all", port=port, ws_port=ws_port), stack):
            yield f"http://127.0.0.1:{port}"


RUNS = {  # name: (template, seed, the driver's plan)
    "solved": ("task.complete", 1, "solve"),
    "infeasible": ("task.rename", 1, "infeasible"),
    "wrong": ("question.count_open", 1, "answer:-1"),
    "cheat": ("question.count_open", 1, "cheat"),
}


def docs_example() -> str:
    """The worked example of docs/tasks.md's "BrowserGym" section."""
    section = (ROOT / "docs" / "tasks.md").read_text().split("\n## BrowserGym\n")[1]
    return section.split("```python\n")[1].split("```")[0]


@pytest.fixture(scope="module")
def outcomes(host: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every run's outcome: a BrowserGym environment each, with its own two Chromiums,
    on one gym server, two at a time (more only make each slower: BrowserGym gives an
    action half a second). The driver's runs give their outcome as JSON, the docs'
    example its output as text."""
    python = browsergym_python()
    logs = tmp_path_factory.mktemp("browsergym-runs")
    (logs / "docs.py").write_text(docs_example())
    commands = {"docs": [str(logs / "docs.py")]}  # the longest first
    commands |= {name: [str(DRIVER), t, str(seed), plan] for name, (t, seed, plan) in RUNS.items()}
    env = plain_environ(
        python.parent.parent,
        PYTHONPATH=SOURCES,
        TASKLANE_URL=host,
        GYM_ADMIN_TOKEN=ADMIN,
        TASKLANE_CHROMIUM=CHROMIUM,
    )

    def run(name: str) -> Any:
        done = subprocess.run(
            [str(python), *commands[name]],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=RUN,
            check=False,
        )
        (logs / f"{name}.err").write_text(done.stderr)
        assert done.returncode == 0, f"{name}:\n{done.stderr}"
        return done.stdout if name == "docs" else json.loads(done.stdout.splitlines()[-1])

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(commands, pool.map(run, commands), strict=True))


def test_an_agent_completes_a_task_through_the_pages(outcomes: dict[str, Any]) -> None:
    solved = outcomes["solved"]
    assert solved["goal"].startswith('Mark the task "')
    # Clicks, the status chosen, the message: an action that timed out (BrowserGym gives
    # one half a second) is tried again, so the count of clicks may vary.
    kinds = [kind for kind, _ in groupby(a.partition("(")[0] for a in solved["actions"])]
    assert kinds == ["click", "select_option", "send_msg_to_user"], solved["actions"]
    assert "/tasks/" in solved["url"]  # the task's details, opened by clicking
    assert solved["done"] is True
    assert solved["reward"] == 1.0, solved["errors"]
    info = solved["task_info"]
    assert {c["name"]: c["passed"] for c in info["checks"]} == {
        "task_done": True,
        "nothing_else_changed": True,
    }
    assert info["answer"]["status"] == "done"
    assert info["answer"]["answer"] == "Done: the task is complete."


def test_the_docs_example_renames_a_task(outcomes: dict[str, Any]) -> None:
    lines = outcomes["docs"].splitlines()
    assert lines[0].startswith('In the project "')
    assert lines[1:] == [
        "reward 1.0, ended: True",
        "{'task_renamed': True, 'nothing_else_changed': True}",
    ]


def test_reporting_infeasible_or_answering_wrongly_earns_less(
    outcomes: dict[str, Any],
) -> None:
    infeasible, wrong = outcomes["infeasible"], outcomes["wrong"]
    assert infeasible["done"] is True
    assert infeasible["reward"] == 0.0
    assert infeasible["task_info"]["answer"]["status"] == "infeasible"
    assert wrong["done"] is True
    assert wrong["reward"] == 0.0
    assert wrong["task_info"]["answer"]["status"] == "done"
    assert wrong["task_info"]["answer"]["answer"] == -1  # the message "-1", read as JSON
    assert [c["name"] for c in wrong["task_info"]["checks"] if not c["passed"]] == [
        "answer_is_right"
    ]


def test_the_oracle_answers_through_the_api_and_the_next_step_ends(
    outcomes: dict[str, Any],
) -> None:
    cheat = outcomes["cheat"]
    assert cheat["actions"] == ["noop(0)"]
    assert cheat["done"] is True
    assert cheat["reward"] == 1.0
    assert isinstance(cheat["task_info"]["answer"]["answer"], int)


def test_every_episode_is_deleted(host: str, outcomes: dict[str, Any]) -> None:
    with GymClient(host, admin_token=ADMIN) as gym:
        assert gym.episodes() == []


def test_the_lock_agrees_with_the_main_one_but_for_playwright() -> None:
    """The server and the SDK run in BrowserGym's environment at the versions tested
    everywhere else; only BrowserGym, its Playwright and what they alone need differ."""
    mine, main = pins(LOCK.read_text()), pins(MAIN_LOCK.read_text())
    differ = {name for name in mine.keys() & main.keys() if mine[name] != main[name]}
    assert differ <= PLAYWRIGHTS_OWN, (
        "regenerate requirements/browsergym-lock.txt as its header says"
    )
