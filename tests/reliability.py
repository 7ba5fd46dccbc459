"""Fault and soak runs in two sizes, and the figures they record.

``make test`` runs them in a fast form. ``make reliability`` runs them again with
``TASKLANE_RELIABILITY=long`` (more traffic, more clients, longer runs) and
``TASKLANE_RELIABILITY_RECORD=<folder>``, where each test writes its figures as JSON for
``bench/reliability.py`` to gather into ``bench/results/reliability-<date>.md``."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

LONG = os.environ.get("TASKLANE_RELIABILITY") == "long"
RECORD = os.environ.get("TASKLANE_RELIABILITY_RECORD")


def scaled(fast: int, long: int) -> int:
    """A size for this run: ``fast`` under ``make test``, ``long`` under ``make reliability``."""
    return long if LONG else fast


@dataclass
class Figures:
    """What one fault run did and what came of it."""

    test: str
    faults: int = 0
    committed: int = 0  # events in the log
    delivered: int = 0  # events received by clients, all clients together
    expected: int = 0  # events that should have been received, all clients together
    lost: int = 0
    duplicated: int = 0
    requests: int = 0
    server_errors: int = 0  # 5xx other than the documented 503 during an outage
    unavailable: int = 0  # 503 answers during an outage
    peak_rss_mib: float = 0.0
    notes: list[str] = field(default_factory=list)

    def save(self) -> None:
        if RECORD:
            folder = Path(RECORD)
            folder.mkdir(parents=True, exist_ok=True)
            name = "".join(c if c.isalnum() or c in "-." else "_" for c in self.test)
            (folder / f"{name}.json").write_text(json.dumps(asdict(self), indent=2))


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
