"""The other half of the library, held to the same as the first in
``test_templates.py`` (see ``template_checks``): its own file, so that two workers
share the library."""

from __future__ import annotations

import pytest

from tests.tasks.template_checks import Starts, half, oracle_scores_one_and_nothing_zero


@pytest.mark.parametrize("template_id", half(1))
def test_the_oracle_scores_one_and_nothing_scores_zero(starts: Starts, template_id: str) -> None:
    oracle_scores_one_and_nothing_zero(starts, template_id)
