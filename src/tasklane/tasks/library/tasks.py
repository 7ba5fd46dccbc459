"""Tasks themselves: create, rename, complete, assign, date, move, subtasks."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tasklane.client import TasklaneClient
from tasklane.tasks.library.helpers import (
    COMPLETION,
    STATUS_CHANGE,
    acting,
    added,
    field_is,
    named_once,
    pick,
    reported_infeasible,
    task_changed,
)
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import World

DONE = Answer("done")


def _editor_and_task(world: World, rng: random.Random, *, top: bool = True) -> Params | None:
    """A person who may edit a project, and an open task of it."""
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    named = named_once(world.tasks(project["id"]))  # an intent names it: one of the name
    open_tasks = [t for t in named if t["status"] != "done" and (t["parentId"] is None) == top]
    task = pick(rng, open_tasks)
    if task is None:
        return None
    return acting(person, project, task)


# -- rename ---------------------------------------------------------------------------


def _rename_sample(world: World, rng: random.Random) -> Params | None:
    found = _editor_and_task(world, rng)
    if found is None:
        return None
    return {**found, "new": f"{found['task']} (revised)"}


def _rename_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], name=p["new"])
    return DONE


RENAME = Template(
    id="task.rename",
    tier="easy",
    intent='In the project "{project}", rename the task "{task}" to "{new}".',
    sample=_rename_sample,
    solve=_rename_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "name", p["new"], "task_renamed")],
    allows=lambda c, p: task_changed(c, p["task_id"], {"name"}),
)


# -- complete -------------------------------------------------------------------------


def _complete_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], status="done")
    return DONE


COMPLETE = Template(
    id="task.complete",
    version=2,
    tier="easy",
    intent='Mark the task "{task}" in the project "{project}" as complete.',
    sample=_editor_and_task,
    solve=_complete_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "status", "done", "task_done")],
    allows=lambda c, p: task_changed(c, p["task_id"], STATUS_CHANGE),
)


# -- create ---------------------------------------------------------------------------


def _create_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    section = pick(rng, world.sections(project["id"]))
    if section is None:
        return None
    name = f"Follow up with {rng.choice(['legal', 'design', 'sales', 'support'])} " + str(
        rng.randint(100, 999)
    )
    return {
        "as": person["email"],
        "project": project["name"],
        "project_id": project["id"],
        "section": section["name"],
        "section_id": section["id"],
        "name": name,
    }


def _create_solve(api: TasklaneClient, p: Params) -> Answer:
    api.create_task(p["project_id"], p["name"], section_id=p["section_id"])
    return DONE


def _created(o: Outcome, p: Params) -> list[Check]:
    found = added(o, "tasks", lambda t: t["name"] == p["name"])
    where = [t for t in found if t["projectId"] == p["project_id"] and t["parentId"] is None]
    return [
        Check("task_created", len(found) == 1, f"{len(found)} tasks named so"),
        Check(
            "in_the_section",
            bool(where) and where[0]["sectionId"] == p["section_id"],
            "" if where else "not in the project",
        ),
    ]


CREATE = Template(
    id="task.create",
    tier="easy",
    intent='Add a task named "{name}" to the section "{section}" of the project "{project}".',
    sample=_create_sample,
    solve=_create_solve,
    check=_created,
    allows=lambda c, p: (
        c.collection == "tasks" and c.kind == "added" and c.value("name") == p["name"]
    ),
)


# -- assign ---------------------------------------------------------------------------


def _assign_sample(world: World, rng: random.Random) -> Params | None:
    found = _editor_and_task(world, rng)
    if found is None:
        return None
    task = world.task(found["task_id"])
    assert task is not None
    others = [
        m["userId"] for m in world.members(found["project_id"]) if m["userId"] != task["assigneeId"]
    ]
    assignee = pick(rng, sorted(others))
    if assignee is None:
        return None
    return {**found, "assignee": world.name(assignee), "assignee_id": assignee}


def _assign_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], assignee_id=p["assignee_id"])
    return DONE


ASSIGN = Template(
    id="task.assign",
    tier="easy",
    intent='Assign the task "{task}" in the project "{project}" to {assignee}.',
    sample=_assign_sample,
    solve=_assign_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "assigneeId", p["assignee_id"], "assigned")],
    allows=lambda c, p: task_changed(c, p["task_id"], {"assigneeId"}),
)


# -- due date relative to today -------------------------------------------------------


def _due_sample(world: World, rng: random.Random) -> Params | None:
    found = _editor_and_task(world, rng)
    if found is None:
        return None
    days = rng.choice([1, 2, 3, 7, 14])
    due = world.today + timedelta(days=days)
    words = {1: "tomorrow", 7: "a week from today", 14: "two weeks from today"}
    return {**found, "when": words.get(days, f"{days} days from today"), "due": due.isoformat()}


def _due_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], due_on=date.fromisoformat(p["due"]))
    return DONE


DUE = Template(
    id="task.due_relative",
    tier="medium",
    intent='Make the task "{task}" in the project "{project}" due {when}.',
    sample=_due_sample,
    solve=_due_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "dueOn", p["due"], "due_date_set")],
    allows=lambda c, p: task_changed(c, p["task_id"], {"dueOn"}),
)


# -- move to another section ----------------------------------------------------------


def _move_sample(world: World, rng: random.Random) -> Params | None:
    found = _editor_and_task(world, rng)
    if found is None:
        return None
    task = world.task(found["task_id"])
    assert task is not None
    others = [s for s in world.sections(found["project_id"]) if s["id"] != task["sectionId"]]
    section = pick(rng, others)
    if section is None:
        return None
    return {**found, "section": section["name"], "section_id": section["id"]}


def _move_solve(api: TasklaneClient, p: Params) -> Answer:
    api.move_task(p["task_id"], section_id=p["section_id"])
    return DONE


MOVE = Template(
    id="task.move_section",
    tier="medium",
    intent='Move the task "{task}" in the project "{project}" to the section "{section}".',
    sample=_move_sample,
    solve=_move_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "sectionId", p["section_id"], "moved")],
    # Moving into another section may also change its status where sections stand for one.
    allows=lambda c, p: task_changed(c, p["task_id"], {"sectionId", "rank", "status"} | COMPLETION),
)


# -- a subtask, assigned to oneself ---------------------------------------------------


def _subtask_sample(world: World, rng: random.Random) -> Params | None:
    found = _editor_and_task(world, rng)
    if found is None:
        return None
    return {**found, "name": f"Check the numbers for {found['task']}"}


def _subtask_solve(api: TasklaneClient, p: Params) -> Answer:
    api.create_subtask(p["task_id"], p["name"], assignee_id=p["me"])
    return DONE


def _subtask_checks(o: Outcome, p: Params) -> list[Check]:
    found = added(o, "tasks", lambda t: t["name"] == p["name"])
    under = [t for t in found if t["parentId"] == p["task_id"]]
    return [
        Check("subtask_created", len(under) == 1, f"{len(under)} under the task"),
        Check(
            "assigned_to_me",
            bool(under) and under[0]["assigneeId"] == p["me"],
            "" if under else "no subtask",
        ),
    ]


SUBTASK = Template(
    id="subtask.create_mine",
    tier="medium",
    intent='Add a subtask "{name}" to the task "{task}" in the project "{project}", and '
    "assign it to yourself.",
    sample=_subtask_sample,
    solve=_subtask_solve,
    check=_subtask_checks,
    allows=lambda c, p: (
        c.collection == "tasks" and c.kind == "added" and c.value("parentId") == p["task_id"]
    ),
)


# -- infeasible: assign someone outside the project -----------------------------------


def _outsider_sample(world: World, rng: random.Random) -> Params | None:
    """An editor (not the owner: only an owner adds members) and someone who is not a
    member of the project at all."""
    editors = [
        (person, project)
        for person, project in world.editors()
        if world.role(project["id"], person["id"]) == "editor"
    ]
    pair = pick(rng, editors)
    if pair is None:
        return None
    person, project = pair
    members = {m["userId"] for m in world.members(project["id"])}
    outsider = pick(rng, [u for u in world.users if u["id"] not in members])
    named = named_once(world.tasks(project["id"]))
    task = pick(rng, [t for t in named if t["parentId"] is None and t["status"] != "done"])
    if outsider is None or task is None:
        return None
    return {
        "as": person["email"],
        "project": project["name"],
        "project_id": project["id"],
        "task": task["name"],
        "task_id": task["id"],
        "outsider": outsider["name"],
    }


def _outsider_checks(o: Outcome, p: Params) -> list[Check]:
    return [reported_infeasible(o)]


OUTSIDER = Template(
    id="infeasible.assign_outsider",
    tier="medium",
    intent='Assign the task "{task}" in the project "{project}" to {outsider}.',
    sample=_outsider_sample,
    solve=lambda api, p: Answer("infeasible", f"{p['outsider']} is not a member of the project"),
    check=_outsider_checks,
)

TEMPLATES = (RENAME, COMPLETE, CREATE, ASSIGN, DUE, MOVE, SUBTASK, OUTSIDER)
