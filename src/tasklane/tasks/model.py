"""The task format, version 1: templates, their instances, answers and grades."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from tasklane.client import TasklaneClient
    from tasklane.tasks.changes import Change
    from tasklane.tasks.world import World

FORMAT_VERSION = 1
Tier = Literal["easy", "medium", "hard"]
Interface = Literal["browser", "api", "tools"]
Split = Literal["train", "test"]
EVERY_INTERFACE: frozenset[Interface] = frozenset({"browser", "api", "tools"})
Params = dict[str, Any]
TEST_SHARE = 0.2  # of each template's seeds


@dataclass(frozen=True)
class Answer:
    """How an agent ends: ``done`` (with an ``answer`` when the task asks a question),
    or ``infeasible`` when what is asked cannot be done."""

    status: Literal["done", "infeasible"]
    answer: Any = None

    def public(self) -> dict[str, Any]:
        return {"status": self.status, "answer": self.answer}

    @classmethod
    def from_public(cls, value: Mapping[str, Any] | None) -> Answer | None:
        if not value:
            return None
        status = value.get("status")
        if status not in ("done", "infeasible"):
            return None
        return cls(status, value.get("answer"))


@dataclass(frozen=True)
class Check:
    """One named thing a grader looked at, and whether it was so."""

    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a grader reads: the state at the reset, the state at the end, what changed
    between them, and the agent's answer (None if it gave none)."""

    before: World
    after: World
    changes: list[Change]
    answer: Answer | None


@dataclass(frozen=True)
class Template:
    """A kind of task. ``sample`` draws an instance's parameters from the state (None:
    this state has nothing to make it from); ``solve`` is the oracle, through the JSON
    API as the persona ``params["as"]``; ``check`` names what must be so at the end;
    ``allows`` says which changes are part of the task (any other is collateral damage;
    ``collateral=False`` turns that check off). Every template has instances on every
    preset but those of ``not_on``, which says why not."""

    id: str
    tier: Tier
    intent: str  # str.format() with the parameters
    sample: Callable[[World, Any], Params | None]  # (world, random.Random)
    solve: Callable[[TasklaneClient, Params], Answer]
    check: Callable[[Outcome, Params], list[Check]]
    allows: Callable[[Change, Params], bool] = field(default=lambda change, params: False)
    interfaces: frozenset[Interface] = EVERY_INTERFACE
    version: int = 1
    collateral: bool = True
    not_on: Mapping[str, str] = field(default_factory=dict)  # preset -> why it has no instance

    def split(self, seed: int) -> Split:
        """Train or test, stable by template and seed."""
        digest = hashlib.sha256(f"{self.id}:{seed}".encode()).digest()
        return "test" if digest[0] < 256 * TEST_SHARE else "train"


@dataclass(frozen=True)
class Instance:
    """A template made concrete on one seeded state."""

    template: str
    version: int
    seed: int
    preset: str
    tier: Tier
    split: Split
    interfaces: frozenset[Interface]
    persona: str  # the email of the person the agent acts as
    intent: str
    params: Params

    def public(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "template": self.template,
            "version": self.version,
            "seed": self.seed,
            "preset": self.preset,
            "tier": self.tier,
            "split": self.split,
            "interfaces": sorted(self.interfaces),
            "persona": self.persona,
            "intent": self.intent,
            "params": self.params,
        }


@dataclass(frozen=True)
class Grade:
    """A reward in [0, 1] and the checks behind it."""

    reward: float
    checks: list[Check]

    @property
    def passed(self) -> list[str]:
        return [c.name for c in self.checks if c.passed]

    @property
    def failed(self) -> list[str]:
        return [c.name for c in self.checks if not c.passed]

    def public(self) -> dict[str, Any]:
        return {
            "reward": self.reward,
            "checks": [
                {"name": c.name, "passed": c.passed, **({"detail": c.detail} if c.detail else {})}
                for c in self.checks
            ],
        }
