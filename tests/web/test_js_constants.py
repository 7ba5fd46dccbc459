"""The browser's realtime client (``@tasklane/realtime``, which the pages load from
``web/static/js/realtime/``) and the Python side speak one protocol with one set of
numbers: its constants (``constants.js``) and its ladder
(``realtime/ladder.js``) are read by Node and held against ``tasklane.client.backoff``,
``tasklane.protocol.closes`` and ``tasklane.protocol.events``. A change on one side that
the other does not follow fails here, rather than drifting."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tasklane.client import backoff, transports
from tasklane.protocol import closes, events, realtime
from tasklane.web.rendering import STATIC_DIR

REALTIME = STATIC_DIR / "js" / "realtime"  # @tasklane/realtime's src/, as the server ships it
PACKAGES = Path(__file__).parents[2] / "clients" / "js"
RANDOMS = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999)
FAILURES = range(10)

# Steps the two ladders must answer alike, as (transports, [("lost", was_up, hint),
# ("established",) or ("forgive",), …]). Both forgive a rung's failures only once a
# connection on it has lasted STABLE_AFTER ("forgive"), not as soon as it opens.
REFUSED: list[Any] = ["lost", False, None]
WORKED: list[Any] = ["established"]
CUT: list[Any] = ["lost", True, None]  # worked, then lost before it lasted
LASTED: list[Any] = ["forgive"]
SCENARIOS: list[tuple[list[backoff.TransportName], list[list[Any]]]] = [
    (["ws", "sse", "poll"], [REFUSED] * 18),
    (["ws", "sse", "poll"], [REFUSED] * 6 + [WORKED] + [REFUSED] * 5),
    (["sse", "poll"], [WORKED] + [REFUSED] * 5),
    (["ws", "poll"], [["lost", False, 9.0], ["lost", False, 0.5], ["lost", True, 1.25]]),
    (["ws"], [REFUSED] * 12),
    (["ws", "sse", "poll"], [WORKED, CUT] * 7),
    (["ws", "sse", "poll"], [REFUSED] * 4 + [WORKED, LASTED, CUT, REFUSED, WORKED, CUT]),
    (["sse", "poll"], [WORKED, CUT, WORKED, LASTED, CUT, REFUSED, REFUSED, REFUSED]),
]

# Node prints what the browser's modules hold, as JSON; times in milliseconds.
SCRIPT = """
const [constantsUrl, ladderUrl, randoms, failures, scenarios] = JSON.parse(process.argv[1]);
const constants = await import(constantsUrl);
const { Ladder, retryDelay, probeDelay } = await import(ladderUrl);
const fixed = (value) => () => value;
const runs = scenarios.map(([rungs, steps]) => {
  const ladder = new Ladder(rungs, fixed(0.5));
  return steps.map(([op, wasUp, hint]) => {
    if (op === "established") return ladder.established() ?? null;
    if (op === "forgive") return ladder.forgive() ?? null;
    return ladder.lost({ wasUp, hintMs: hint == null ? null : hint * 1000 });
  });
});
console.log(JSON.stringify({
  constants: { ...constants },
  retry: randoms.map((r) => failures.map((n) => retryDelay(n, fixed(r)))),
  probe: randoms.map((r) => probeDelay(fixed(r))),
  runs,
}));
"""


def fixed(value: float) -> backoff.Random:
    return lambda: value


@pytest.fixture(scope="module")
def browser_side() -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node (Node.js 20.19 or newer) is needed to read the browser's realtime constants "
            "and was not found on PATH; install it (Debian: apt-get install nodejs)",
            pytrace=False,
        )
    argument = json.dumps(
        [
            (REALTIME / "constants.js").as_uri(),
            (REALTIME / "ladder.js").as_uri(),
            RANDOMS,
            list(FAILURES),
            SCENARIOS,
        ]
    )
    done = subprocess.run(
        [node, "--input-type=module", "--eval", SCRIPT, argument],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).parent,
    )
    assert done.returncode == 0, f"node could not read the realtime modules:\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_backoff_numbers_are_the_python_clients(browser_side: dict[str, Any]) -> None:
    js = browser_side["constants"]
    assert js["BACKOFF"] == {
        "firstMs": backoff.FIRST_DELAY * 1000,
        "factor": backoff.FACTOR,
        "maxMs": backoff.MAX_DELAY * 1000,
        "jitter": backoff.JITTER,
    }
    assert js["PROBE_EVERY_MS"] == backoff.PROBE_EVERY * 1000
    assert js["STABLE_AFTER_MS"] == backoff.STABLE_AFTER * 1000
    assert js["RETRIES"] == backoff.RETRIES  # null in JSON is None: polling for ever
    assert js["TRANSPORTS"] == list(backoff.TRANSPORTS)


def test_the_retry_and_probe_delays_are_the_python_clients(browser_side: dict[str, Any]) -> None:
    for r, delays in zip(RANDOMS, browser_side["retry"], strict=True):
        expected = [backoff.retry_delay(n, fixed(r)) * 1000 for n in FAILURES]
        assert delays == pytest.approx(expected), f"random() = {r}"
        assert max(delays) <= backoff.MAX_DELAY * 1000
    expected_probes = [backoff.probe_delay(fixed(r)) * 1000 for r in RANDOMS]
    assert browser_side["probe"] == pytest.approx(expected_probes)


def python_runs() -> list[list[Any]]:
    runs: list[list[Any]] = []
    for rungs, steps in SCENARIOS:
        ladder = backoff.Ladder(rungs, fixed(0.5))
        run: list[Any] = []
        for step in steps:
            if step[0] in ("established", "forgive"):
                getattr(ladder, step[0])()
                run.append(None)
                continue
            _, was_up, hint = step
            outcome = ladder.lost(was_up=was_up, hint=hint)
            if isinstance(outcome, backoff.Retry):
                delay = outcome.delay * 1000
                run.append({"kind": "retry", "transport": outcome.transport, "delayMs": delay})
            else:
                run.append({"kind": "fallBack", "transport": outcome.transport})
        runs.append(run)
    return runs


def test_the_ladders_take_the_same_steps(browser_side: dict[str, Any]) -> None:
    # random() = 0.5 is no jitter at all: every delay is a whole number of milliseconds.
    for (rungs, _), js, py in zip(SCENARIOS, browser_side["runs"], python_runs(), strict=True):
        assert js == py, rungs


def test_the_close_codes_are_the_protocols(browser_side: dict[str, Any]) -> None:
    js = dict(browser_side["constants"]["CLOSE"])
    for name, value in vars(closes).items():
        if name.isupper() and isinstance(value, int):
            assert js.pop(name) == value, name
        elif name.isupper() and isinstance(value, range):
            assert js.pop(name) == {"first": value.start, "last": value.stop - 1}, name
    assert js.pop("ABNORMAL") == transports.ABNORMAL
    assert js == {}, "codes only the browser knows"


def test_the_event_types_are_the_protocols(browser_side: dict[str, Any]) -> None:
    js = browser_side["constants"]
    assert sorted(js["DURABLE_TYPES"]) == sorted(events.DURABLE_TYPES)
    assert len(set(js["DURABLE_TYPES"])) == len(js["DURABLE_TYPES"])
    assert js["PRESENCE_TYPES"] == list(events.PRESENCE_TYPES)
    # EventSource hands a named event only to a listener for that name: every type the
    # gateway may send has to be listened for.
    assert set(js["SSE_FRAME_TYPES"]) >= set(events.DURABLE_TYPES) | set(events.PRESENCE_TYPES)


def test_the_protocol_version_is_the_servers_and_the_packages_major(
    browser_side: dict[str, Any],
) -> None:
    assert browser_side["constants"]["PROTOCOL_VERSION"] == realtime.PROTOCOL_VERSION
    for package in ("realtime", "react"):
        manifest = json.loads((PACKAGES / package / "package.json").read_text())
        assert manifest["version"].split(".")[0] == str(realtime.PROTOCOL_VERSION), package
