"""Tasks moved to another project (``POST /api/tasks/{id}/move`` with ``projectId``):
the task keeps its id, its subtasks and their comments come along, and an assignee who
is not a member of the new project is unassigned."""

from __future__ import annotations

import random

from tasklane.client import TasklaneClient
from tasklane.tasks.changes import Change
from tasklane.tasks.library.helpers import COMPLETION, field_is, named_once, pick, tasks_changed
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import Row, World

DONE = Answer("done")
CARRIED = {"projectId", "sectionId", "rank"}  # what a move to another project changes


def _descendants(world: World, task_id: str) -> list[Row]:
    found = []
    for subtask in world.subtasks(task_id):
        found += [subtask, *_descendants(world, subtask["id"])]
    return found


def _open_sections(world: World, project_id: str) -> list[Row]:
    """The sections of a project but those of done work ("Done", "Shipped"): where an
    open task may go."""
    tasks = world.tasks(project_id, top=True)
    return [
        s
        for s in world.sections(project_id)
        if not (inside := [t for t in tasks if t["sectionId"] == s["id"]])
        or any(t["status"] != "done" for t in inside)
    ]


def _move_sample(world: World, rng: random.Random, *, newcomer: bool = False) -> Params | None:
    """Someone who edits two projects, an open top-level task of one (named once
    there), a section of the other, and what the move changes besides: the task's
    subtasks carried along, those of them whose assignee is not a member there
    unassigned, their comments carried too. With ``newcomer``, only projects the second
    of which has a member the first has not."""
    editable: dict[str, list[Row]] = {}
    for person, project in world.editors():
        editable.setdefault(person["id"], []).append(project)
    members = {p["id"]: {m["userId"] for m in world.members(p["id"])} for p in world.projects}
    found = pick(
        rng,
        [
            (me, source, target)
            for me, projects in sorted(editable.items())
            for source in projects
            for target in projects
            if target["id"] != source["id"]
            and (not newcomer or members[target["id"]] - members[source["id"]])
        ],
    )
    if found is None:
        return None
    me, source, target = found
    tasks = named_once(world.tasks(source["id"]))
    task = pick(rng, [t for t in tasks if t["parentId"] is None and t["status"] != "done"])
    section = pick(rng, _open_sections(world, target["id"]))
    if task is None or section is None:
        return None
    there = members[target["id"]]
    moved = [task, *_descendants(world, task["id"])]
    inside = [t for t in world.tasks(target["id"]) if t["sectionId"] == section["id"]]
    return {
        "as": world.email(me),
        "me": me,
        "source": source["name"],
        "source_id": source["id"],
        "target": target["name"],
        "target_id": target["id"],
        "task": task["name"],
        "task_id": task["id"],
        "section": section["name"],
        "section_id": section["id"],
        "newcomers": sorted(there - members[source["id"]]),
        "moved_ids": sorted(t["id"] for t in moved),
        "unassigned_ids": sorted(
            t["id"] for t in moved if t["assigneeId"] and t["assigneeId"] not in there
        ),
        "ranked": sorted(t["id"] for t in inside),
    }


def _moved_along(change: Change, p: Params) -> bool:
    """A change the move makes: the task and its subtasks into the project (the task
    into the section, taking the status the section stands for, if any; those whose
    assignee is not a member there unassigned), their comments carried, the section's
    tasks given new sort keys to make room."""
    if change.collection == "comments":
        return (
            change.kind == "changed"
            and change.value("taskId") in p["moved_ids"]
            and change.fields <= {"projectId"}
        )
    carried = set(CARRIED)
    if change.row_id == p["task_id"]:
        carried |= {"status"} | COMPLETION
    return (
        tasks_changed(change, p["unassigned_ids"], carried | {"assigneeId"})
        or tasks_changed(change, p["moved_ids"], carried)
        or tasks_changed(change, p["ranked"], {"rank"})
    )


def _moved(o: Outcome, p: Params) -> list[Check]:
    return [
        field_is(o, p["task_id"], "projectId", p["target_id"], "in_the_project"),
        field_is(o, p["task_id"], "sectionId", p["section_id"], "in_the_section"),
    ]


# -- move a task to another project ---------------------------------------------------


def _to_project_solve(api: TasklaneClient, p: Params) -> Answer:
    api.move_task(p["task_id"], project_id=p["target_id"], section_id=p["section_id"])
    return DONE


TO_PROJECT = Template(
    id="task.move_to_project",
    version=2,
    tier="medium",
    intent='Move the task "{task}" from the project "{source}" into the section "{section}" of '
    'the project "{target}", with its subtasks and comments.',
    sample=_move_sample,
    solve=_to_project_solve,
    check=_moved,
    allows=_moved_along,
)


# -- move a task, then give it to someone of the new project --------------------------


def _and_assign_sample(world: World, rng: random.Random) -> Params | None:
    """A move as above, and a member of the new project who is not one of the old: the
    task can be theirs only once it has moved."""
    found = _move_sample(world, rng, newcomer=True)
    newcomer = None if found is None else pick(rng, found["newcomers"])
    if found is None or newcomer is None:
        return None
    return {**found, "assignee": world.name(newcomer), "assignee_id": newcomer}


def _and_assign_solve(api: TasklaneClient, p: Params) -> Answer:
    api.move_task(p["task_id"], project_id=p["target_id"], section_id=p["section_id"])
    api.update_task(p["task_id"], assignee_id=p["assignee_id"])
    return DONE


MOVE_AND_ASSIGN = Template(
    id="multi.move_and_assign",
    version=2,
    tier="hard",
    intent='Move the task "{task}" from the project "{source}" into the section "{section}" of '
    'the project "{target}" (with its subtasks and comments), and assign it to {assignee}.',
    sample=_and_assign_sample,
    solve=_and_assign_solve,
    check=lambda o, p: [
        *_moved(o, p),
        field_is(o, p["task_id"], "assigneeId", p["assignee_id"], "assigned"),
    ],
    allows=lambda c, p: (
        _moved_along(c, p)
        or tasks_changed(c, [p["task_id"]], CARRIED | {"assigneeId", "status"} | COMPLETION)
    ),
)

TEMPLATES = (TO_PROJECT, MOVE_AND_ASSIGN)
