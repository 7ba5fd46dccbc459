"""The trajectory's cursor (``proj_a:12,proj_b:7``): what ``format_trajectory`` writes,
``parse_trajectory`` reads back; anything else is a ``bad_cursor``, never a crash."""

from __future__ import annotations

import pytest

from tasklane.protocol.base import MAX_SEQ
from tasklane.protocol.cursors import format_trajectory, parse_trajectory
from tasklane.protocol.frames import FrameError


@pytest.mark.parametrize(
    "cursors",
    [
        {},
        {"proj_a": 0},
        {"proj_b": 7, "proj_a": 12},
        {"proj_a": MAX_SEQ, "proj_b": 1},
    ],
)
def test_a_formatted_cursor_parses_back_to_itself(cursors: dict[str, int]) -> None:
    written = format_trajectory(cursors)
    parsed = parse_trajectory(written)
    assert parsed == cursors
    assert isinstance(parsed, dict)
    assert format_trajectory(parsed) == written


def test_projects_are_written_in_order_of_their_ids() -> None:
    assert format_trajectory({"proj_b": 7, "proj_a": 12}) == "proj_a:12,proj_b:7"
    assert parse_trajectory("") == {}


@pytest.mark.parametrize(
    "cursor",
    [
        "proj_a:²",
        "proj_a:١٢",  # Arabic-Indic digits
        "proj_a:" + "9" * 5_000,
        f"proj_a:{MAX_SEQ + 1}",
        ":3",
        "proj_a",
        "proj_a:",
        "proj_a:-1",
        "proj_a:+1",
        "proj_a: 1",
        "proj_a:1,:2",
    ],
)
def test_anything_else_is_a_bad_cursor(cursor: str) -> None:
    refused = parse_trajectory(cursor)
    assert isinstance(refused, FrameError)
    assert refused.code == "bad_cursor"
