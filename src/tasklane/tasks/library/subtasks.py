"""Subtasks: add several under a task, complete, reassign, rename or delete one, and
give a task's subtasks its due date, or its open ones to someone.

A subtask is named by its name and its parent's: subtask names repeat across a
project ("Write tests", "Get a review"), so the parent's name is to be unique in the
project, and the subtask's among its siblings.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tasklane.client import TasklaneClient
from tasklane.tasks.library.bulk_more import Candidate, enough, for_an_editor, ids
from tasklane.tasks.library.helpers import (
    COMPLETION,
    acting,
    added,
    field_is,
    named_once,
    pick,
    task_changed,
    tasks_changed,
)
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import Row, World

DONE = Answer("done")
NEW_SUBTASKS = (
    "Book the room",
    "Send the agenda",
    "Collect sign-offs",
    "Share the slides",
    "Write the summary",
    "Update the tracker",
)


def parents(world: World, project: Row) -> list[tuple[Row, list[Row]]]:
    """The top-level tasks of a project that an intent may name, each with its
    subtasks."""
    tasks = world.tasks(project["id"])
    children: dict[str, list[Row]] = {}
    for task in tasks:
        if task["parentId"]:
            children.setdefault(task["parentId"], []).append(task)
    return [
        (task, children.get(task["id"], []))
        for task in named_once(tasks)
        if task["parentId"] is None
    ]


def _one_subtask(
    world: World, rng: random.Random, match: Callable[[Row], bool] = lambda t: True
) -> Params | None:
    """An editor of a project, a task of it, and one of the task's subtasks that
    ``match``es and that no sibling shares a name with."""
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    choices = [
        (task, subtask)
        for task, subtasks in parents(world, project)
        for subtask in named_once(subtasks)
        if match(subtask)
    ]
    found = pick(rng, choices)
    if found is None:
        return None
    task, subtask = found
    return {
        **acting(person, project, task),
        "subtask": subtask["name"],
        "subtask_id": subtask["id"],
        "sibling_names": sorted(s["name"] for s in world.subtasks(task["id"])),
    }


# -- several subtasks at once ---------------------------------------------------------


def _several_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    task = pick(rng, [t for t, _ in parents(world, project) if t["status"] != "done"])
    if task is None:
        return None
    names = rng.sample(NEW_SUBTASKS, 3)
    return {
        **acting(person, project, task),
        "first": names[0],
        "second": names[1],
        "third": names[2],
    }


def _several_solve(api: TasklaneClient, p: Params) -> Answer:
    for name in (p["first"], p["second"], p["third"]):
        api.create_subtask(p["task_id"], name)
    return DONE


def _several_checks(o: Outcome, p: Params) -> list[Check]:
    made = [t["name"].strip() for t in added(o, "tasks", lambda t: t["parentId"] == p["task_id"])]
    return [
        Check(f"subtask_created:{name}", made.count(name) == 1, f"{made.count(name)} named so")
        for name in (p["first"], p["second"], p["third"])
    ]


CREATE_SEVERAL = Template(
    id="subtask.create_several",
    tier="medium",
    intent='Under the task "{task}" in the project "{project}", add three subtasks: "{first}", '
    '"{second}" and "{third}".',
    sample=_several_sample,
    solve=_several_solve,
    check=_several_checks,
    allows=lambda c, p: (
        c.collection == "tasks" and c.kind == "added" and c.value("parentId") == p["task_id"]
    ),
)


# -- complete one ---------------------------------------------------------------------


def _complete_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["subtask_id"], status="done")
    return DONE


COMPLETE_ONE = Template(
    id="subtask.complete",
    tier="easy",
    intent='In the project "{project}", mark the subtask "{subtask}" of the task "{task}" as '
    "complete.",
    sample=lambda world, rng: _one_subtask(world, rng, lambda t: t["status"] != "done"),
    solve=_complete_solve,
    check=lambda o, p: [field_is(o, p["subtask_id"], "status", "done", "subtask_done")],
    allows=lambda c, p: task_changed(c, p["subtask_id"], {"status"} | COMPLETION),
)


# -- reassign one ---------------------------------------------------------------------


def _reassign_sample(world: World, rng: random.Random) -> Params | None:
    found = _one_subtask(world, rng, lambda t: t["status"] != "done" and bool(t["assigneeId"]))
    if found is None:
        return None
    subtask = world.task(found["subtask_id"])
    assert subtask is not None
    others = [m["userId"] for m in world.members(found["project_id"])]
    assignee = pick(rng, sorted(u for u in others if u != subtask["assigneeId"]))
    if assignee is None:
        return None
    return {**found, "assignee": world.name(assignee), "assignee_id": assignee}


def _reassign_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["subtask_id"], assignee_id=p["assignee_id"])
    return DONE


REASSIGN = Template(
    id="subtask.reassign",
    tier="easy",
    intent='In the project "{project}", assign the subtask "{subtask}" of the task "{task}" to '
    "{assignee}.",
    sample=_reassign_sample,
    solve=_reassign_solve,
    check=lambda o, p: [field_is(o, p["subtask_id"], "assigneeId", p["assignee_id"], "reassigned")],
    allows=lambda c, p: task_changed(c, p["subtask_id"], {"assigneeId"}),
)


# -- rename one -----------------------------------------------------------------------


def _rename_sample(world: World, rng: random.Random) -> Params | None:
    found = _one_subtask(world, rng)
    if found is None:
        return None
    new = f"{found['subtask']} ({rng.choice(['round two', 'final pass', 'by Friday'])})"
    return None if new in found["sibling_names"] else {**found, "new": new}


def _rename_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["subtask_id"], name=p["new"])
    return DONE


RENAME = Template(
    id="subtask.rename",
    tier="easy",
    intent='In the project "{project}", rename the subtask "{subtask}" of the task "{task}" to '
    '"{new}".',
    sample=_rename_sample,
    solve=_rename_solve,
    check=lambda o, p: [field_is(o, p["subtask_id"], "name", p["new"], "subtask_renamed")],
    allows=lambda c, p: task_changed(c, p["subtask_id"], {"name"}),
)


# -- delete one -----------------------------------------------------------------------


def _delete_solve(api: TasklaneClient, p: Params) -> Answer:
    api.delete_task(p["subtask_id"])
    return DONE


DELETE = Template(
    id="subtask.delete",
    tier="easy",
    intent='In the project "{project}", delete the subtask "{subtask}" of the task "{task}".',
    sample=_one_subtask,
    solve=_delete_solve,
    check=lambda o, p: [Check("subtask_deleted", o.after.task(p["subtask_id"]) is None)],
    # Its own subtasks and comments go with it.
    allows=lambda c, p: (
        c.kind == "deleted"
        and (
            (c.collection == "tasks" and c.row_id == p["subtask_id"])
            or c.value("taskId") == p["subtask_id"]
            or c.value("parentId") == p["subtask_id"]
        )
    ),
)


# -- every subtask due with its parent ------------------------------------------------


def _due_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        for task, subtasks in parents(world, project):
            targets = [s for s in subtasks if s["dueOn"] != task["dueOn"]]
            if task["dueOn"] and enough(targets):
                params = {"task": task["name"], "task_id": task["id"], "due": task["dueOn"]}
                found.append((project, {**params, "task_ids": ids(targets)}))
    return for_an_editor(world, rng, found)


def _due_solve(api: TasklaneClient, p: Params) -> Answer:
    due = api.get_task(p["task_id"]).due_on
    for subtask in api.list_subtasks(p["task_id"]):
        if subtask.due_on != due:
            api.update_task(subtask.id, due_on=due)
    return DONE


DUE_WITH_PARENT = Template(
    id="subtask.due_with_parent",
    tier="medium",
    intent='In the project "{project}", make every subtask of the task "{task}" due on the same '
    "day as the task itself.",
    sample=_due_sample,
    solve=_due_solve,
    check=lambda o, p: [
        field_is(o, task_id, "dueOn", p["due"], f"due_with_parent:{task_id}")
        for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"dueOn"}),
)


# -- every open subtask to someone ---------------------------------------------------


def _open_to_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        members = sorted(m["userId"] for m in world.members(project["id"]))
        for task, subtasks in parents(world, project):
            for assignee in members:
                targets = [
                    s for s in subtasks if s["status"] != "done" and s["assigneeId"] != assignee
                ]
                if enough(targets):
                    params = {"task": task["name"], "task_id": task["id"], "task_ids": ids(targets)}
                    found.append((project, {**params, "assignee_id": assignee}))
    chosen = for_an_editor(world, rng, found)
    if chosen is None:
        return None
    return {**chosen, "assignee": world.name(chosen["assignee_id"])}


def _open_to_solve(api: TasklaneClient, p: Params) -> Answer:
    for subtask in api.list_subtasks(p["task_id"]):
        if subtask.status != "done" and subtask.assignee_id != p["assignee_id"]:
            api.update_task(subtask.id, assignee_id=p["assignee_id"])
    return DONE


ASSIGN_OPEN = Template(
    id="subtask.assign_open",
    tier="medium",
    intent='In the project "{project}", assign every subtask of the task "{task}" that is not '
    "done to {assignee} (the task itself keeps its assignee).",
    sample=_open_to_sample,
    solve=_open_to_solve,
    check=lambda o, p: [
        field_is(o, task_id, "assigneeId", p["assignee_id"], f"assigned:{task_id}")
        for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"assigneeId"}),
)

TEMPLATES = (
    CREATE_SEVERAL,
    COMPLETE_ONE,
    REASSIGN,
    RENAME,
    DELETE,
    DUE_WITH_PARENT,
    ASSIGN_OPEN,
)
