"""Order among siblings as fractional-index keys: a move rewrites one row only."""

from __future__ import annotations

from collections.abc import Sequence

from fractional_indexing import generate_key_between


def rank_at(sibling_ranks: Sequence[str], position: int | None) -> str:
    """A key that sorts at index ``position`` among ``sibling_ranks`` (sorted, the
    moving item itself excluded); ``None`` or a position past the end means last."""
    if position is None or position >= len(sibling_ranks):
        before = sibling_ranks[-1] if sibling_ranks else None
        return str(generate_key_between(before, None))
    before = sibling_ranks[position - 1] if position > 0 else None
    return str(generate_key_between(before, sibling_ranks[position]))
