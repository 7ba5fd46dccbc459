"""A task's details other than who and when: its notes, and its status short of done."""

from __future__ import annotations

import random

from tasklane.client import TasklaneClient
from tasklane.tasks.library.helpers import (
    STATUS_CHANGE,
    acting,
    field_is,
    named_once,
    pick,
    task_changed,
)
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import Row, World

DONE = Answer("done")
NOTES = (
    "Waiting on the numbers from finance.",
    "Scope agreed with the team on Monday.",
    "Keep this small: one page at most.",
)


def _task_where(world: World, rng: random.Random, status: str) -> Params | None:
    """An editor of a project, and a top-level task of it with ``status``, named once
    there."""
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    tasks = named_once(world.tasks(project["id"]))
    task = pick(rng, [t for t in tasks if t["parentId"] is None and t["status"] == status])
    return None if task is None else acting(person, project, task)


# -- notes ----------------------------------------------------------------------------


def _notes_sample(world: World, rng: random.Random) -> Params | None:
    found = _task_where(world, rng, "todo")
    if found is None:
        return None
    task: Row | None = world.task(found["task_id"])
    assert task is not None
    text = pick(rng, [n for n in NOTES if n != task["notes"]])
    return None if text is None else {**found, "notes": text}


def _notes_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], notes=p["notes"])
    return DONE


def _notes_set(o: Outcome, p: Params) -> list[Check]:
    task = o.after.task(p["task_id"])
    notes = None if task is None else task["notes"].strip()
    return [Check("notes_set", notes == p["notes"], f"notes {notes!r}")]


WRITE_NOTES = Template(
    id="task.write_notes",
    tier="easy",
    intent='Replace the notes (description) of the task "{task}" in the project "{project}" '
    'with: "{notes}"',
    sample=_notes_sample,
    solve=_notes_solve,
    check=_notes_set,
    allows=lambda c, p: task_changed(c, p["task_id"], {"notes"}),
)


# -- start ----------------------------------------------------------------------------


def _start_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], status="in_progress")
    return DONE


START = Template(
    id="task.start",
    version=2,
    tier="easy",
    intent='Mark the task "{task}" in the project "{project}" as in progress.',
    sample=lambda world, rng: _task_where(world, rng, "todo"),
    solve=_start_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "status", "in_progress", "in_progress")],
    allows=lambda c, p: task_changed(c, p["task_id"], STATUS_CHANGE),
)

TEMPLATES = (WRITE_NOTES, START)
