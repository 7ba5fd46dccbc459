from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tasklane.services.ranking import MAX_KEY, place, rank_at


def test_the_first_rank_and_appending_sort_in_order() -> None:
    ranks: list[str] = []
    for _ in range(50):
        ranks.append(rank_at(ranks, None))
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 50


@given(st.lists(st.integers(min_value=0, max_value=60), max_size=200))
def test_inserting_at_any_position_keeps_every_key_distinct_and_in_place(
    positions: list[int],
) -> None:
    order: list[str] = []
    for position in positions:
        key = rank_at(order, position)
        order.insert(min(position, len(order)), key)
        assert order == sorted(order)
    assert len(set(order)) == len(order)


def test_a_crowded_gap_is_spread_out_again_with_every_rewritten_key_reported() -> None:
    siblings = [("first", rank_at([], None))]
    siblings.append(("last", rank_at([r for _, r in siblings], None)))
    rewrites = 0
    for n in range(1_000):  # always squeeze in right after the first item
        key, reranked = place(siblings, 1)
        rewrites += bool(reranked)
        siblings = [(item, reranked.get(item, rank)) for item, rank in siblings]
        siblings.insert(1, (f"t{n}", key))
        keys = [rank for _, rank in siblings]
        assert keys == sorted(keys)
        assert len(set(keys)) == len(keys)
        assert max(len(k) for k in keys) <= MAX_KEY
    assert rewrites >= 1
