"""The one source of identifiers and secrets.

IDs are prefixed strings (``task_…``). Their randomness comes from an injected
``random.Random``: a ``SystemRandom`` in production. Seeded, each prefix draws from its
own stream, so the IDs of one kind do not depend on how many of another were made (a
sign-in in the middle of a gym episode does not change the IDs of the tasks after it).
Secrets (session and API tokens) always come from ``secrets``: they must never be
predictable, whatever the seed.
"""

from __future__ import annotations

import hashlib
import random
import secrets

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 16

# What is not state keeps drawing from the injected source even when seeded: a sign-in
# token kept across a gym reset must not meet its ID again in the next episode.
UNSEEDED = frozenset({"tok", "conn", "snap"})
PREFIXES = frozenset(
    {"user", "ws", "proj", "mem", "sec", "task", "cmt", "tok", "evt", "conn", "snap"}
)


class IdGenerator:
    """Makes prefixed IDs such as ``proj_3k9x…`` from an injected random source."""

    def __init__(self, source: random.Random | None = None) -> None:
        self._source = source if source is not None else random.SystemRandom()
        self._seed: str | None = None
        self._streams: dict[str, random.Random] = {}

    @classmethod
    def seeded(cls, seed: int | str) -> IdGenerator:
        generator = cls()
        generator.reseed(seed)
        return generator

    def reseed(self, seed: int | str | None) -> None:
        """Draw from per-prefix streams derived from ``seed`` from now on; ``None``
        goes back to the injected source."""
        self._seed = None if seed is None else str(seed)
        self._streams = {}

    def new(self, prefix: str) -> str:
        if prefix not in PREFIXES:
            raise ValueError(f"unknown id prefix {prefix!r}")
        source = self._source
        if self._seed is not None and prefix not in UNSEEDED:
            source = self._streams.get(prefix) or self._streams.setdefault(
                prefix, random.Random(f"{self._seed}:{prefix}")
            )
        body = "".join(source.choice(ALPHABET) for _ in range(ID_LENGTH))
        return f"{prefix}_{body}"


def new_secret() -> str:
    """A fresh bearer secret: ``tl_`` and 43 URL-safe characters."""
    return "tl_" + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """How a bearer secret is stored. Secrets carry 256 bits, so a plain SHA-256 suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()
