"""A wait told to a person: how long, in words that read well and never too short."""

from __future__ import annotations

import math


def in_words(seconds: int) -> str:
    """``seconds`` in the largest unit that still reads well, rounded up: a person
    told to wait must not come back too early."""
    amount, unit = seconds, "second"
    if amount > 90:
        amount, unit = math.ceil(amount / 60), "minute"
    if unit == "minute" and amount > 90:
        amount, unit = math.ceil(amount / 60), "hour"
    return f"{amount} {unit}{'' if amount == 1 else 's'}"
