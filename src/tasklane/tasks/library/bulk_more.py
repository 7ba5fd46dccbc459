"""More changes to many tasks at once, chosen by a condition: every target row is
graded, and only the targets' fields that the task names may change."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from tasklane.client import TasklaneClient
from tasklane.tasks.library.helpers import COMPLETION, named_once, pick, tasks_changed
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import EDITORS, Row, World

DONE = Answer("done")
MOST = 15  # targets at most, so that an oracle (and an agent) stays quick
Candidate = tuple[Row, Params]  # a project, and what a task about it needs


def for_an_editor(
    world: World, rng: random.Random, candidates: Sequence[Candidate]
) -> Params | None:
    """One of ``candidates``, for a person who may edit its project: its parameters,
    with the persona (``as``, ``me``) and the project."""
    found = pick(rng, candidates)
    if found is None:
        return None
    project, params = found
    editor = pick(rng, [m["userId"] for m in world.members(project["id"], EDITORS)])
    if editor is None:
        return None
    return {
        "as": world.email(editor),
        "me": editor,
        "project": project["name"],
        "project_id": project["id"],
        **params,
    }


def enough(targets: Sequence[Row]) -> bool:
    """Whether a bulk task over ``targets`` is worth asking for, and quick to do."""
    return 2 <= len(targets) <= MOST


def ids(tasks: Sequence[Row]) -> list[str]:
    return sorted(t["id"] for t in tasks)


def every_target(o: Outcome, p: Params, name: str, field: str, wanted: object) -> list[Check]:
    """One check per target of ``p["task_ids"]``: its ``field`` is ``wanted``."""
    checks = []
    for task_id in p["task_ids"]:
        task = o.after.task(task_id)
        found = None if task is None else task.get(field)
        checks.append(Check(f"{name}:{task_id}", found == wanted, f"{field} is {found!r}"))
    return checks


# -- reassign a person's open tasks due before a date ---------------------------------

WHEN = {0: "today", 7: "a week from today", 14: "two weeks from today"}


def _reassign_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        dated: dict[str, list[Row]] = {}
        for task in world.tasks(project["id"]):
            if task["status"] != "done" and task["assigneeId"] and task["dueOn"]:
                dated.setdefault(task["assigneeId"], []).append(task)
        for whose, tasks in sorted(dated.items()):
            seen: set[tuple[str, ...]] = set()
            for days, when in WHEN.items():
                before = (world.today + timedelta(days=days)).isoformat()
                targets = [t for t in tasks if t["dueOn"] < before]
                if enough(targets) and tuple(ids(targets)) not in seen:
                    seen.add(tuple(ids(targets)))
                    params = {"whose": world.name(whose), "whose_id": whose, "when": when}
                    found.append((project, {**params, "before": before, "task_ids": ids(targets)}))
    chosen = for_an_editor(world, rng, found)
    if chosen is None:
        return None
    others = [m["userId"] for m in world.members(chosen["project_id"], EDITORS)]
    other = pick(rng, [u for u in others if u != chosen["whose_id"]])
    if other is None:
        return None
    return {**chosen, "other": world.name(other), "other_id": other}


def _reassign_solve(api: TasklaneClient, p: Params) -> Answer:
    for task_id in p["task_ids"]:
        api.update_task(task_id, assignee_id=p["other_id"])
    return DONE


REASSIGN_DUE_BEFORE = Template(
    id="bulk.reassign_due_before",
    tier="hard",
    intent='In the project "{project}", every task assigned to {whose} that is not done and '
    "is due before {when} ({before}), subtasks included: assign it to {other}.",
    sample=_reassign_sample,
    solve=_reassign_solve,
    check=lambda o, p: every_target(o, p, "reassigned", "assigneeId", p["other_id"]),
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"assigneeId"}),
)


# -- complete every subtask of a task -------------------------------------------------


def _subtasks_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        tasks = world.tasks(project["id"])
        children: dict[str, list[Row]] = {}
        for task in tasks:
            if task["parentId"]:
                children.setdefault(task["parentId"], []).append(task)
        for task in named_once(tasks):
            subtasks = children.get(task["id"], [])
            targets = [t for t in subtasks if t["status"] != "done"]
            if task["parentId"] is None and enough(targets) and len(subtasks) <= MOST:
                params = {"task": task["name"], "task_id": task["id"], "task_ids": ids(targets)}
                found.append((project, params))
    return for_an_editor(world, rng, found)


def _subtasks_solve(api: TasklaneClient, p: Params) -> Answer:
    for subtask in api.list_subtasks(p["task_id"]):
        if subtask.status != "done":
            api.update_task(subtask.id, status="done")
    return DONE


COMPLETE_SUBTASKS = Template(
    id="bulk.complete_subtasks",
    tier="easy",
    intent='Mark every subtask of the task "{task}" in the project "{project}" as complete '
    "(the task itself stays as it is).",
    sample=_subtasks_sample,
    solve=_subtasks_solve,
    check=lambda o, p: every_target(o, p, "subtask_done", "status", "done"),
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"status"} | COMPLETION),
)


# -- claim a section's unassigned open tasks ------------------------------------------


def _sections_with(world: World, project: Row) -> list[tuple[Row, list[Row]]]:
    """Each section of the project, with its top-level tasks."""
    tasks = world.tasks(project["id"], top=True)
    return [
        (section, [t for t in tasks if t["sectionId"] == section["id"]])
        for section in world.sections(project["id"])
    ]


def _claim_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        for section, tasks in _sections_with(world, project):
            targets = [t for t in tasks if t["status"] != "done" and not t["assigneeId"]]
            if enough(targets):
                params = {"section": section["name"], "task_ids": ids(targets)}
                found.append((project, params))
    return for_an_editor(world, rng, found)


def _claim_solve(api: TasklaneClient, p: Params) -> Answer:
    for task_id in p["task_ids"]:
        api.update_task(task_id, assignee_id=p["me"])
    return DONE


CLAIM_UNASSIGNED = Template(
    id="bulk.claim_unassigned",
    tier="medium",
    intent='In the section "{section}" of the project "{project}", assign every task that is '
    "not done and has no assignee to yourself.",
    sample=_claim_sample,
    solve=_claim_solve,
    check=lambda o, p: every_target(o, p, "mine", "assigneeId", p["me"]),
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"assigneeId"}),
)


# -- move a person's tasks of one section to another ----------------------------------


def _move_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        for section, tasks in _sections_with(world, project):
            by_person: dict[str, list[Row]] = {}
            for task in tasks:
                if task["assigneeId"]:
                    by_person.setdefault(task["assigneeId"], []).append(task)
            for whose, targets in sorted(by_person.items()):
                if enough(targets):
                    params = {"source": section["name"], "whose": world.name(whose)}
                    found.append((project, {**params, "task_ids": ids(targets)}))
    chosen = for_an_editor(world, rng, found)
    if chosen is None:
        return None
    others = [s for s in world.sections(chosen["project_id"]) if s["name"] != chosen["source"]]
    target = pick(rng, others)
    if target is None:
        return None
    return {**chosen, "target": target["name"], "section_id": target["id"]}


def _move_solve(api: TasklaneClient, p: Params) -> Answer:
    for task_id in p["task_ids"]:
        api.move_task(task_id, section_id=p["section_id"])
    return DONE


MOVE_ASSIGNED = Template(
    id="bulk.move_assigned_in_section",
    tier="medium",
    intent='In the project "{project}", move every task of the section "{source}" that is '
    'assigned to {whose} to the section "{target}".',
    sample=_move_sample,
    solve=_move_solve,
    check=lambda o, p: every_target(o, p, "moved", "sectionId", p["section_id"]),
    # As for one task: a move may also set the status where sections stand for one.
    allows=lambda c, p: tasks_changed(
        c, p["task_ids"], {"sectionId", "rank", "status"} | COMPLETION
    ),
)


# -- clear the due dates of a section's done tasks ------------------------------------


def _clear_sample(world: World, rng: random.Random) -> Params | None:
    dated_done_subtasks = {
        t["parentId"]
        for t in world.rows("tasks")
        if t["parentId"] and t["status"] == "done" and t["dueOn"]
    }
    found = []
    for project in world.projects:
        for section, tasks in _sections_with(world, project):
            targets = [t for t in tasks if t["status"] == "done" and t["dueOn"]]
            # Whether a subtask counts as in its parent's section would be moot.
            moot = any(t["id"] in dated_done_subtasks for t in tasks)
            if enough(targets) and not moot:
                params = {"section": section["name"], "task_ids": ids(targets)}
                found.append((project, params))
    return for_an_editor(world, rng, found)


def _clear_solve(api: TasklaneClient, p: Params) -> Answer:
    for task_id in p["task_ids"]:
        api.update_task(task_id, due_on=None)
    return DONE


CLEAR_DONE_DUE = Template(
    id="bulk.clear_due_of_done",
    tier="medium",
    intent='In the section "{section}" of the project "{project}", clear the due date of '
    "every task that is done.",
    sample=_clear_sample,
    solve=_clear_solve,
    check=lambda o, p: every_target(o, p, "no_due_date", "dueOn", None),
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"dueOn"}),
    not_on={"large": f"every section there holds more than {MOST} done tasks with a due date"},
)


# -- postpone what is due soon by a week ----------------------------------------------


def _postpone_sample(world: World, rng: random.Random) -> Params | None:
    today = world.today
    sunday = today + timedelta(days=6 - today.weekday())
    ends = {"the end of this week": sunday, "the end of next week": sunday + timedelta(days=7)}
    found = []
    for project in world.projects:
        tasks = [t for t in world.tasks(project["id"]) if t["status"] != "done" and t["dueOn"]]
        seen: set[tuple[str, ...]] = set()
        for words, end in ends.items():
            targets = [t for t in tasks if today.isoformat() <= t["dueOn"] <= end.isoformat()]
            if enough(targets) and tuple(ids(targets)) not in seen:
                seen.add(tuple(ids(targets)))
                due = {
                    t["id"]: (date.fromisoformat(t["dueOn"]) + timedelta(days=7)).isoformat()
                    for t in targets
                }
                params = {"until": words, "today": today.isoformat(), "end": end.isoformat()}
                found.append((project, {**params, "task_ids": ids(targets), "due": due}))
    return for_an_editor(world, rng, found)


def _postpone_solve(api: TasklaneClient, p: Params) -> Answer:
    for task_id in p["task_ids"]:
        task = api.get_task(task_id)
        assert task.due_on is not None
        api.update_task(task_id, due_on=task.due_on + timedelta(days=7))
    return DONE


def _postponed(o: Outcome, p: Params) -> list[Check]:
    checks = []
    for task_id, wanted in sorted(p["due"].items()):
        task = o.after.task(task_id)
        due = None if task is None else task["dueOn"]
        checks.append(Check(f"postponed:{task_id}", due == wanted, f"due {due}, wanted {wanted}"))
    return checks


POSTPONE_DUE_SOON = Template(
    id="bulk.postpone_due_soon",
    tier="hard",
    intent='In the project "{project}", push back by one week the due date of every task that '
    "is not done and is due between today ({today}) and {until} ({end}), subtasks included.",
    sample=_postpone_sample,
    solve=_postpone_solve,
    check=_postponed,
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"dueOn"}),
)

TEMPLATES = (
    REASSIGN_DUE_BEFORE,
    COMPLETE_SUBTASKS,
    CLAIM_UNASSIGNED,
    MOVE_ASSIGNED,
    CLEAR_DONE_DUE,
    POSTPONE_DUE_SOON,
)
