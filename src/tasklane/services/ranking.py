"""Order among siblings as fractional-index keys: a move rewrites one row only.

A key between two neighbours always exists, but squeezing item after item into the
same gap makes keys grow by about one character every six inserts. Past ``MAX_KEY``
characters the siblings are spread out again with short, evenly spaced keys; the
event of that one mutation then lists every rewritten key in ``reranked``.
"""

from __future__ import annotations

from collections.abc import Sequence

from fractional_indexing import generate_key_between, generate_n_keys_between

MAX_KEY = 48


def rank_at(sibling_ranks: Sequence[str], position: int | None) -> str:
    """A key that sorts at index ``position`` among ``sibling_ranks`` (sorted, the
    moving item itself excluded); ``None`` or a position past the end means last."""
    if position is None or position >= len(sibling_ranks):
        before = sibling_ranks[-1] if sibling_ranks else None
        return str(generate_key_between(before, None))
    before = sibling_ranks[position - 1] if position > 0 else None
    return str(generate_key_between(before, sibling_ranks[position]))


def place(siblings: Sequence[tuple[str, str]], position: int | None) -> tuple[str, dict[str, str]]:
    """The key for a new or moving item at ``position`` among ``siblings`` (pairs of
    id and key, sorted by key, the item itself excluded), and the siblings whose keys
    had to be rewritten to make room (usually none)."""
    key = rank_at([rank for _, rank in siblings], position)
    if len(key) <= MAX_KEY:
        return key, {}
    index = len(siblings) if position is None else min(position, len(siblings))
    spread = [str(k) for k in generate_n_keys_between(None, None, len(siblings) + 1)]
    key = spread.pop(index)
    return key, {item: new for (item, _), new in zip(siblings, spread, strict=True)}
