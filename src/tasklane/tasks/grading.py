"""Making instances and grading outcomes.

The reward: the share of checks that passed, counting "nothing else changed" as one
more check where the template forbids collateral damage; but 0 when none of the task's
own checks passed, so that doing nothing earns nothing. Any path to the right end state
earns the same: graders read state, never the way there or the agent's account of it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date
from typing import Any

from tasklane.tasks.changes import changes
from tasklane.tasks.model import Answer, Check, Grade, Instance, Outcome, Template
from tasklane.tasks.world import World

COLLATERAL = "nothing_else_changed"


def world_of(state: Mapping[str, Any], today: str | date) -> World:
    """A state as ``GET /api/gym/state`` gives it, on the app's day ``today``."""
    day = today if isinstance(today, date) else date.fromisoformat(today)
    return World({k: v for k, v in state.items() if isinstance(v, list)}, day)


def instantiate(template: Template, world: World, seed: int, preset: str) -> Instance | None:
    """The template's instance on this state for ``seed``; None if the state has
    nothing to make one from. The same template, state and seed give the same instance."""
    params = template.sample(world, random.Random(f"{template.id}:{template.version}:{seed}"))
    if params is None:
        return None
    return Instance(
        template=template.id,
        version=template.version,
        seed=seed,
        preset=preset,
        tier=template.tier,
        split=template.split(seed),
        interfaces=template.interfaces,
        persona=str(params["as"]),
        intent=template.intent.format(**params),
        params=params,
    )


def grade(
    template: Template, instance: Instance, before: World, after: World, answer: Answer | None
) -> Grade:
    found = changes(before, after)
    outcome = Outcome(before, after, found, answer)
    own = template.check(outcome, instance.params)
    checks = list(own)
    if template.collateral:
        extra = [c for c in found if not template.allows(c, instance.params)]
        detail = "; ".join(f"{c.collection} {c.row_id} {c.kind}" for c in extra[:5])
        checks.append(Check(COLLATERAL, not extra, detail))
    if not any(c.passed for c in own):
        return Grade(0.0, checks)
    return Grade(round(sum(c.passed for c in checks) / len(checks), 4), checks)
