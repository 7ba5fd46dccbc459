"""The reference servers' event: as many bytes as a Tasklane ``task_updated`` frame.

``{"type":"task_updated","seq":17,"ts":1764379425678,"pad":"xx…"}``, compact JSON, where
``ts`` is the server's wall clock in milliseconds when it broadcasts and ``pad`` is
stretched so that the whole object serialises to exactly ``size`` bytes. ``seq`` and
``ts`` come first, so the load client can read them without parsing the padding."""

from __future__ import annotations

import json
import time
from typing import Any

SEPARATORS = (",", ":")


def build(seq: int, size: int, now_ms: int | None = None) -> dict[str, Any]:
    """The event for ``seq``, padded to serialise (compact, ASCII) to ``size`` bytes, or
    to its minimum size if that is larger."""
    ts = int(time.time() * 1000) if now_ms is None else now_ms
    event: dict[str, Any] = {"type": "task_updated", "seq": seq, "ts": ts, "pad": ""}
    event["pad"] = "x" * max(0, size - len(encode(event)))
    return event


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=SEPARATORS)
