"""Changes to many tasks at once, chosen by a condition."""

from __future__ import annotations

import random
from datetime import date

from tasklane.client import TasklaneClient
from tasklane.tasks.library.helpers import pick, task_changed
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import World


def _overdue_sample(world: World, rng: random.Random) -> Params | None:
    """An editor of a project where someone has two or more overdue tasks."""
    choices = []
    for person, project in world.editors():
        late: dict[str, list[str]] = {}
        for task in world.tasks(project["id"]):
            if world.overdue(task) and task["assigneeId"]:
                late.setdefault(task["assigneeId"], []).append(task["id"])
        for owner_id, ids in sorted(late.items()):
            if len(ids) >= 2:
                choices.append((person, project, owner_id, sorted(ids)))
    found = pick(rng, choices)
    if found is None:
        return None
    person, project, owner_id, ids = found
    return {
        "as": person["email"],
        "project": project["name"],
        "project_id": project["id"],
        "whose": world.name(owner_id),
        "task_ids": ids,
        "today": world.today.isoformat(),
    }


def _overdue_solve(api: TasklaneClient, p: Params) -> Answer:
    for task_id in p["task_ids"]:
        api.update_task(task_id, due_on=date.fromisoformat(p["today"]))
    return Answer("done")


def _overdue_checks(o: Outcome, p: Params) -> list[Check]:
    checks = []
    for task_id in p["task_ids"]:
        task = o.after.task(task_id)
        due = None if task is None else task["dueOn"]
        checks.append(Check(f"due_today:{task_id}", due == p["today"], f"due {due}"))
    return checks


OVERDUE_TO_TODAY = Template(
    id="bulk.overdue_due_today",
    tier="hard",
    intent='Every overdue task assigned to {whose} in the project "{project}" (subtasks '
    "included): make it due today.",
    sample=_overdue_sample,
    solve=_overdue_solve,
    check=_overdue_checks,
    allows=lambda c, p: any(task_changed(c, t, {"dueOn"}) for t in p["task_ids"]),
)

TEMPLATES = (OVERDUE_TO_TODAY,)
