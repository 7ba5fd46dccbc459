"""Cursors: where a reader of a project's log (or of every project's) stands.

An SSE stream's ``id`` (and the ``Last-Event-ID`` a browser sends back) is ``12`` for a
one-project stream, or ``proj_a:12,proj_b:7`` for several; the gym's trajectory cursor
is ``proj_a:12,proj_b:7`` too. Both are read here, and only here.
"""

from __future__ import annotations

from tasklane.protocol.base import MAX_SEQ
from tasklane.protocol.frames import FrameError

MAX_STREAM_PROJECTS = 20


def parse_cursor(value: str | None, project_ids: list[str]) -> dict[str, int] | FrameError:
    """The ``Last-Event-ID`` of an SSE stream: ``12`` for a one-project stream, or
    ``proj_a:12,proj_b:7`` for several. Projects it does not name start live."""
    if not value:
        return {}
    if _digits(value):
        if len(project_ids) != 1:
            return FrameError("bad_request", "a plain Last-Event-ID needs exactly one projectId")
        return {project_ids[0]: _seq(value)}
    cursors: dict[str, int] = {}
    for part in value.split(","):
        project_id, _, seq = part.partition(":")
        if not _digits(seq) or project_id not in project_ids:
            return FrameError("bad_request", f"Last-Event-ID part {part[:60]!r} is not project:seq")
        cursors[project_id] = _seq(seq)
    return cursors


def parse_trajectory(value: str) -> dict[str, int] | FrameError:
    """The gym trajectory's cursor, ``proj_a:12,proj_b:7`` (empty: from the start)."""
    cursors: dict[str, int] = {}
    for part in filter(None, value.split(",")):
        project_id, _, seq = part.rpartition(":")
        # More than 12 digits is past any seq (and int() would balk at thousands).
        if not project_id or not _digits(seq) or len(seq) > 12 or int(seq) > MAX_SEQ:
            return FrameError("bad_cursor", f"bad cursor part {part[:60]!r}: expected proj_…:seq")
        cursors[project_id] = int(seq)
    return cursors


def format_trajectory(cursors: dict[str, int]) -> str:
    """The cursor ``parse_trajectory`` reads back: projects in order of their ids."""
    return ",".join(f"{project_id}:{seq}" for project_id, seq in sorted(cursors.items()))


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts "²" and other digits int() refuses."""
    return text.isascii() and text.isdigit()


def _seq(digits: str) -> int:
    return min(int(digits[:12]), MAX_SEQ)


def format_cursor(cursors: dict[str, int], project_ids: list[str]) -> str:
    """The ``id:`` of the next SSE event: what ``parse_cursor`` reads back."""
    if len(project_ids) == 1:
        return str(cursors[project_ids[0]])
    return ",".join(f"{project_id}:{seq}" for project_id, seq in cursors.items())
