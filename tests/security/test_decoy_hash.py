"""A sign-in with an unknown email verifies against a decoy hash, so that it takes as long
as one with a known email. The decoy is made with the same parameters as every stored
hash, once per process and parameters: building a set of services (a gym episode, a
test) does not pay for a password hash each time."""

from __future__ import annotations

from argon2 import PasswordHasher

from tasklane.services.auth import decoy_hash


def test_the_decoy_has_the_hashers_cost_and_is_made_once_per_parameters() -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    decoy = decoy_hash(cheap)
    assert not cheap.check_needs_rehash(decoy)  # the same parameters as real hashes
    assert decoy_hash(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)) is decoy
    dearer = PasswordHasher(time_cost=2, memory_cost=64, parallelism=1)
    other = decoy_hash(dearer)
    assert other != decoy
    assert not dearer.check_needs_rehash(other)
