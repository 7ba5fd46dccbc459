"""``bench.episodes --quick`` runs end to end on SQLite against a real ``tasklane serve``
and writes results of the documented shape (into a temporary folder, not
``bench/results``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench import episodes
from bench.episodes_report import HEADING, compare_layouts, summarize_threads


@pytest.mark.skipif(not episodes.can_pin(), reason="needs taskset and two CPUs")
def test_a_quick_run_writes_every_measure(tmp_path: Path) -> None:
    code = episodes.main(["--quick", "--backends", "sqlite", "--results", str(tmp_path)])

    assert code == 0
    [data] = tmp_path.glob("episodes-*.json")
    [document] = tmp_path.glob("????-??-??.md")
    body = json.loads(data.read_text())
    assert body["benchmark"] == "gym-episodes"
    assert body["plan"]["quick"] is True
    n = body["plan"]["episodes"]
    [result] = body["results"]
    assert result["backend"] == "sqlite"
    memory = result["memory"]
    assert memory["episodes"] == n
    assert len(memory["creates"]["rounds"]) == n
    assert memory["rssAfterKib"] > 0
    assert memory["rssUsedKib"] > 0
    busy = result["busy"]
    assert busy["agents"] == n - 1
    for request in ("create", "reset", "createStill", "resetStill"):
        assert busy[request]["rounds"], request
        assert busy[request]["clientMs"]["p90"] >= busy[request]["clientMs"]["p50"] > 0
    runs = result["throughput"]["runs"]
    assert sorted(run["layout"] for run in runs) == ["single", "spread"]
    for run in runs:
        assert run["agents"] == n
        assert run["steps"]["ok"] == n * body["plan"]["steps"], run["steps"]
    assert result["throughput"]["ratio"] > 0
    assert {goal["goal"] for goal in result["goals"]} == {"memory", "latency", "ratio"}
    assert result["profile"] is None  # --quick does not profile
    assert result["layoutProfile"] is None
    assert HEADING in document.read_text()


def test_a_thread_profile_is_shared_out_by_kind_of_thread() -> None:
    raw = "\n".join(
        [
            "thread (1): MainThread;Runner.run (asyncio/runners.py) 50",
            "thread (7): Thread-3 (_connection_worker_thread);_connection_worker_thread "
            "(aiosqlite/core.py) 20",
            "thread (8): Thread-9 (_connection_worker_thread);_connection_worker_thread "
            "(aiosqlite/core.py) 10",
            "thread (9): uvloop_0;_worker (concurrent/futures/thread.py) 10",
        ]
    )

    profile = summarize_threads(raw, seconds=1)

    assert profile.threads == [
        ("event loop (main thread)", 0.5),
        ("SQLite connections (aiosqlite, a thread each)", 0.3),
        ("the loop's executor (to_thread: password checks, file copies)", 0.1),
    ]
    assert profile.functions.samples == 90
    assert profile.functions.top[0].function == "Runner.run"


def test_layouts_are_compared_per_step() -> None:
    stacks = (
        "thread (1): MainThread;a (x.py);execute (asyncpg/x.py) {}\n"
        "thread (1): MainThread;b (y.py) {}"
    )
    spread, single = stacks.format(30, 10), stacks.format(20, 20)

    profile = compare_layouts((spread, 100), (single, 200))

    assert profile.per_100_steps("spread") == 40
    assert profile.per_100_steps("single") == 20
    assert profile.grown[0] == ("execute (asyncpg/x.py)", 30, 10)
    assert profile.grown[1] == ("b (y.py)", 10, 10)
