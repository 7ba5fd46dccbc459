"""The one source of identifiers and secrets.

IDs are prefixed strings (``task_…``). Unseeded, their randomness comes from an injected
``random.Random``: a ``SystemRandom`` in production. Seeded, each prefix is a stream of
its own, and the n-th ID of a stream is a hash of (seed, prefix, n): the IDs of one kind
do not depend on how many of another were made (a sign-in in the middle of a gym episode
does not change the IDs of the tasks after it), and where the streams stand is a count
per prefix (a ``Position``) that can be kept and resumed from, so a gym branch restored
from a snapshot makes the IDs the branch it was taken from made.
Secrets (session and API tokens) always come from ``secrets``: they must never be
predictable, whatever the seed.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 16

# What is not state keeps drawing from the injected source even when seeded: a sign-in
# token kept across a gym reset must not meet its ID again in the next episode.
UNSEEDED = frozenset({"tok", "conn", "snap"})
PREFIXES = frozenset(
    {"user", "ws", "proj", "mem", "inv", "sec", "task", "cmt", "tok", "evt", "conn", "snap"}
)


@dataclass(frozen=True)
class Position:
    """Where seeded streams stand: their seed and how many IDs of each prefix they made."""

    seed: str
    counts: Mapping[str, int] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """As JSON: ``{"seed": …, "counts": {prefix: n}}``."""
        return {"seed": self.seed, "counts": dict(sorted(self.counts.items()))}

    @classmethod
    def from_public(cls, value: Mapping[str, Any]) -> Position:
        counts = value.get("counts", {})
        return cls(str(value["seed"]), {str(p): int(n) for p, n in counts.items()})


class IdGenerator:
    """Makes prefixed IDs such as ``proj_3k9x…`` from an injected random source, or
    from seeded streams."""

    def __init__(self, source: random.Random | None = None) -> None:
        self._source = source if source is not None else random.SystemRandom()
        self._seed: str | None = None
        self._counts: dict[str, int] = {}

    @classmethod
    def seeded(cls, seed: int | str) -> IdGenerator:
        generator = cls()
        generator.reseed(seed)
        return generator

    def reseed(self, seed: int | str | None) -> None:
        """Start per-prefix streams derived from ``seed`` afresh; ``None`` goes back to
        the injected source."""
        self.resume(None if seed is None else Position(str(seed)))

    def position(self) -> Position | None:
        """Where the seeded streams stand; None when unseeded."""
        if self._seed is None:
            return None
        return Position(self._seed, dict(self._counts))

    def resume(self, position: Position | None) -> None:
        """Continue exactly where ``position`` was: the next ID of each prefix is the one
        that would have come after it. ``None`` goes back to the injected source."""
        self._seed = None if position is None else position.seed
        self._counts = {} if position is None else dict(position.counts)

    def new(self, prefix: str) -> str:
        if prefix not in PREFIXES:
            raise ValueError(f"unknown id prefix {prefix!r}")
        if self._seed is None or prefix in UNSEEDED:
            body = "".join(self._source.choice(ALPHABET) for _ in range(ID_LENGTH))
            return f"{prefix}_{body}"
        count = self._counts.get(prefix, 0)
        self._counts[prefix] = count + 1
        return f"{prefix}_{_nth(self._seed, prefix, count)}"


def _nth(seed: str, prefix: str, count: int) -> str:
    """The ``count``-th ID body of a seeded stream: 16 base-36 digits of a SHA-256."""
    number = int.from_bytes(hashlib.sha256(f"{seed}\0{prefix}\0{count}".encode()).digest())
    digits = []
    for _ in range(ID_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "".join(digits)


def new_secret() -> str:
    """A fresh bearer secret: ``tl_`` and 43 URL-safe characters."""
    return "tl_" + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """How a bearer secret is stored. Secrets carry 256 bits, so a plain SHA-256 suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()
