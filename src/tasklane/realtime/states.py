"""Checked transitions for the delivery core's state machines (a connection, a
subscription, a room): an impossible one is a bug, and fails loudly where it happens."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Set
from typing import TypeVar

E = TypeVar("E", bound=enum.Enum)


class InvalidTransition(RuntimeError):
    """A state machine was asked to go where it cannot from where it is."""


def check(owner: object, current: E, new: E, allowed: Mapping[E, Set[E]]) -> None:
    if new not in allowed[current]:
        choices = ", ".join(sorted(str(s.value) for s in allowed[current])) or "nothing"
        raise InvalidTransition(
            f"{type(owner).__name__}: {current.value} -> {new.value}; "
            f"from {current.value} it can only become {choices}"
        )
