"""The one source of identifiers and secrets.

IDs are prefixed strings (``task_…``). Their randomness comes from an injected
``random.Random``: a ``SystemRandom`` in production, a seeded one for reproducible
workspaces. Secrets (session and API tokens) always come from ``secrets``: they must
never be predictable, whatever the seed.
"""

from __future__ import annotations

import hashlib
import random
import secrets

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 16

PREFIXES = frozenset({"user", "ws", "proj", "mem", "sec", "task", "cmt", "tok", "evt", "conn"})


class IdGenerator:
    """Makes prefixed IDs such as ``proj_3k9x…`` from an injected random source."""

    def __init__(self, source: random.Random | None = None) -> None:
        self._source = source if source is not None else random.SystemRandom()

    @classmethod
    def seeded(cls, seed: int) -> IdGenerator:
        return cls(random.Random(seed))

    def new(self, prefix: str) -> str:
        if prefix not in PREFIXES:
            raise ValueError(f"unknown id prefix {prefix!r}")
        body = "".join(self._source.choice(ALPHABET) for _ in range(ID_LENGTH))
        return f"{prefix}_{body}"


def new_secret() -> str:
    """A fresh bearer secret: ``tl_`` and 43 URL-safe characters."""
    return "tl_" + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """How a bearer secret is stored. Secrets carry 256 bits, so a plain SHA-256 suffices."""
    return hashlib.sha256(secret.encode()).hexdigest()
