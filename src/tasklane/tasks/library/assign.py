"""Who does what: hand someone's work in a section over, unassign someone, swap two
tasks' assignees, hand a leaver's work over before removing them, give a task to the
least busy editor.

An assignee must be a member of the project, and a member's removal unassigns them
from every task of it (done ones too): a leaver's open work is handed over first.
"""

from __future__ import annotations

import random
from collections import Counter

from tasklane.client import TasklaneClient
from tasklane.tasks.library.bulk_more import (
    MOST,
    Candidate,
    enough,
    for_an_editor,
    ids,
)
from tasklane.tasks.library.helpers import (
    acting,
    field_is,
    listed_tasks,
    named_once,
    pick,
    task_changed,
    tasks_changed,
)
from tasklane.tasks.model import Answer, Check, Params, Template
from tasklane.tasks.world import EDITORS, Row, World

DONE = Answer("done")


def _open_by_person(tasks: list[Row]) -> dict[str, list[Row]]:
    """The open tasks among ``tasks``, by assignee (the unassigned left out)."""
    found: dict[str, list[Row]] = {}
    for task in tasks:
        if task["status"] != "done" and task["assigneeId"]:
            found.setdefault(task["assigneeId"], []).append(task)
    return dict(sorted(found.items()))


# -- hand someone's open tasks in a section to another --------------------------------


def _section_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        tasks = world.tasks(project["id"], top=True)
        for section in world.sections(project["id"]):
            inside = [t for t in tasks if t["sectionId"] == section["id"]]
            for whose, targets in _open_by_person(inside).items():
                if enough(targets):
                    params = {"section": section["name"], "section_id": section["id"]}
                    found.append((project, {**params, "whose_id": whose, "task_ids": ids(targets)}))
    chosen = for_an_editor(world, rng, found)
    if chosen is None:
        return None
    members = sorted(m["userId"] for m in world.members(chosen["project_id"]))
    other = pick(rng, [u for u in members if u != chosen["whose_id"]])
    if other is None:
        return None
    return {
        **chosen,
        "whose": world.name(chosen["whose_id"]),
        "other": world.name(other),
        "other_id": other,
    }


def _section_solve(api: TasklaneClient, p: Params) -> Answer:
    for task in listed_tasks(api, p["project_id"], section=p["section_id"]):
        mine = task.assignee_id == p["whose_id"] and task.status != "done"
        if task.parent_id is None and mine:
            api.update_task(task.id, assignee_id=p["other_id"])
    return DONE


HAND_OVER_SECTION = Template(
    id="assign.hand_over_section",
    tier="medium",
    intent='In the section "{section}" of the project "{project}", give every task of {whose} '
    "that is not done to {other} (top-level tasks only; their subtasks stay as they are).",
    sample=_section_sample,
    solve=_section_solve,
    check=lambda o, p: [
        field_is(o, task_id, "assigneeId", p["other_id"], f"reassigned:{task_id}")
        for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"assigneeId"}),
)


# -- unassign someone's open tasks ----------------------------------------------------


def _unassign_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        for whose, targets in _open_by_person(world.tasks(project["id"])).items():
            if enough(targets):
                found.append((project, {"whose_id": whose, "task_ids": ids(targets)}))
    chosen = for_an_editor(world, rng, found)
    return None if chosen is None else {**chosen, "whose": world.name(chosen["whose_id"])}


def _unassign_solve(api: TasklaneClient, p: Params) -> Answer:
    for task in listed_tasks(api, p["project_id"], assignee=p["whose_id"]):
        if task.assignee_id == p["whose_id"] and task.status != "done":
            api.update_task(task.id, assignee_id=None)
    return DONE


UNASSIGN_PERSON = Template(
    id="assign.unassign_person",
    tier="medium",
    intent='In the project "{project}", unassign every task of {whose} that is not done '
    "(subtasks included): leave it with no assignee.",
    sample=_unassign_sample,
    solve=_unassign_solve,
    check=lambda o, p: [
        field_is(o, task_id, "assigneeId", None, f"unassigned:{task_id}")
        for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"assigneeId"}),
)


# -- swap two tasks' assignees --------------------------------------------------------


def _swap_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    tasks = [
        t
        for t in named_once(world.tasks(project["id"]))
        if t["parentId"] is None and t["status"] != "done" and t["assigneeId"]
    ]
    pairs = [
        (a, b)
        for a in tasks
        for b in tasks
        if a["id"] < b["id"] and a["assigneeId"] != b["assigneeId"]
    ]
    found = pick(rng, pairs)
    if found is None:
        return None
    task, other = found
    return {
        **acting(person, project, task),
        "other": other["name"],
        "other_id": other["id"],
        "task_assignee_id": other["assigneeId"],  # what each is to have at the end
        "other_assignee_id": task["assigneeId"],
    }


def _swap_solve(api: TasklaneClient, p: Params) -> Answer:
    first, second = api.get_task(p["task_id"]), api.get_task(p["other_id"])
    api.update_task(first.id, assignee_id=second.assignee_id)
    api.update_task(second.id, assignee_id=first.assignee_id)
    return DONE


SWAP = Template(
    id="assign.swap_assignees",
    tier="medium",
    intent='In the project "{project}", swap the assignees of the tasks "{task}" and "{other}": '
    "each is to be assigned to the person the other one is assigned to now.",
    sample=_swap_sample,
    solve=_swap_solve,
    check=lambda o, p: [
        field_is(o, p["task_id"], "assigneeId", p["task_assignee_id"], "first_swapped"),
        field_is(o, p["other_id"], "assigneeId", p["other_assignee_id"], "second_swapped"),
    ],
    allows=lambda c, p: tasks_changed(c, [p["task_id"], p["other_id"]], {"assigneeId"}),
)


# -- hand a leaver's open tasks over, then remove them --------------------------------


def _leaving_sample(world: World, rng: random.Random) -> Params | None:
    choices = []
    for member in world.rows("members"):
        if member["role"] != "owner" or not world.get("projects", member["projectId"]):
            continue
        project = world.project(member["projectId"])
        tasks = world.tasks(project["id"])
        mine = _open_by_person(tasks)
        for leaver in world.members(project["id"]):
            targets = mine.get(leaver["userId"], [])
            if leaver["role"] != "owner" and 1 <= len(targets) <= MOST:
                done = [
                    t for t in tasks if t["assigneeId"] == leaver["userId"] and t not in targets
                ]
                choices.append((world.user(member["userId"]), project, leaver, targets, done))
    found = pick(rng, sorted(choices, key=lambda c: (c[1]["id"], c[2]["id"])))
    if found is None:
        return None
    owner, project, leaver, targets, done = found
    others = [m["userId"] for m in world.members(project["id"], EDITORS)]
    other = pick(rng, sorted(u for u in others if u != leaver["userId"]))
    if other is None:
        return None
    return {
        **acting(owner, project),
        "whose": world.name(leaver["userId"]),
        "whose_id": leaver["userId"],
        "member_id": leaver["id"],
        "other": world.name(other),
        "other_id": other,
        "task_ids": ids(targets),
        "done_ids": ids(done),
    }


def _leaving_solve(api: TasklaneClient, p: Params) -> Answer:
    for task in listed_tasks(api, p["project_id"], assignee=p["whose_id"]):
        if task.assignee_id == p["whose_id"] and task.status != "done":
            api.update_task(task.id, assignee_id=p["other_id"])
    api.remove_member(p["project_id"], p["whose_id"])
    return DONE


HAND_OVER_AND_REMOVE = Template(
    id="assign.hand_over_and_remove",
    tier="hard",
    intent='{whose} is leaving the project "{project}": give every task there that is assigned '
    "to them and not done (subtasks included) to {other}, then remove {whose} from the project.",
    sample=_leaving_sample,
    solve=_leaving_solve,
    check=lambda o, p: [
        Check("member_removed", o.after.role(p["project_id"], p["whose_id"]) is None),
        *(
            field_is(o, task_id, "assigneeId", p["other_id"], f"handed_over:{task_id}")
            for task_id in p["task_ids"]
        ),
    ],
    # A removal unassigns the member from the rest: their done tasks.
    allows=lambda c, p: (
        tasks_changed(c, p["task_ids"] + p["done_ids"], {"assigneeId"})
        or (c.collection == "members" and c.kind == "deleted" and c.row_id == p["member_id"])
    ),
)


# -- the least busy editor takes a task -----------------------------------------------


def _least_busy_sample(world: World, rng: random.Random) -> Params | None:
    choices = []
    for project in world.projects:
        tasks = world.tasks(project["id"])
        editors = sorted(m["userId"] for m in world.members(project["id"], ["editor"]))
        load = Counter(t["assigneeId"] for t in tasks if t["status"] != "done")
        ranked = sorted((load[e], e) for e in editors)
        if len(ranked) < 2 or ranked[0][0] == ranked[1][0]:
            continue  # a tie: no single right answer
        free = [
            t
            for t in named_once(tasks)
            if t["parentId"] is None and t["status"] != "done" and not t["assigneeId"]
        ]
        choices += [(project, task, ranked[0][1]) for task in free]
    found = pick(rng, choices)
    if found is None:
        return None
    project, task, least = found
    editor = pick(rng, sorted(m["userId"] for m in world.members(project["id"], EDITORS)))
    if editor is None:
        return None
    return {**acting(world.user(editor), project, task), "assignee_id": least}


def _least_busy_solve(api: TasklaneClient, p: Params) -> Answer:
    editors = [m.user_id for m in api.list_members(p["project_id"]) if m.role == "editor"]
    load = Counter(t.assignee_id for t in listed_tasks(api, p["project_id"]) if t.status != "done")
    api.update_task(p["task_id"], assignee_id=min(editors, key=lambda e: load[e]))
    return DONE


LEAST_BUSY = Template(
    id="assign.least_busy_editor",
    tier="hard",
    intent='In the project "{project}", assign the task "{task}" to whichever of the project\'s '
    "editors (role editor; the owner not counted) has the fewest tasks there that are not done, "
    "subtasks included.",
    sample=_least_busy_sample,
    solve=_least_busy_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "assigneeId", p["assignee_id"], "assigned")],
    allows=lambda c, p: task_changed(c, p["task_id"], {"assigneeId"}),
)

TEMPLATES = (HAND_OVER_SECTION, UNASSIGN_PERSON, SWAP, HAND_OVER_AND_REMOVE, LEAST_BUSY)
