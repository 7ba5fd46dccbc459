"""Sections, and the order of things in a project: create, rename, reorder, merge;
move tasks between sections by a condition, and within one."""

from __future__ import annotations

import random

from tasklane.client import TasklaneClient
from tasklane.tasks.changes import Change
from tasklane.tasks.library.helpers import (
    COMPLETION,
    added,
    named_once,
    pick,
    tasks_changed,
)
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import Row, World

DONE = Answer("done")
NEW_NAMES = ("Blocked", "Waiting on others", "Next up", "Parked", "Needs input", "QA")
MOVED = {"sectionId", "rank", "status"} | COMPLETION  # sections often stand for a status
MERGED_MOST = 30  # tasks in a section merged into another, moved one by one


def _in_section(world: World, section_id: str) -> list[Row]:
    """The tasks of a section, in their order (subtasks belong to their parent)."""
    return world.in_board_order(section_id)


def _order(world: World, project_id: str) -> list[str]:
    return [s["id"] for s in world.sections(project_id)]


def _open_sections(world: World, project_id: str) -> list[Row]:
    """Sections with tasks, none of them done (the seed's "To do", "Doing", …)."""
    return [
        s
        for s in world.sections(project_id)
        if (tasks := _in_section(world, s["id"])) and all(t["status"] != "done" for t in tasks)
    ]


def _sections_reranked(change: Change, project_id: str) -> bool:
    """A section of the project given a new sort key only: what placing another section
    may do to its neighbours."""
    return (
        change.collection == "sections"
        and change.kind == "changed"
        and change.value("projectId") == project_id
        and change.fields <= {"rank"}
    )


def _section_added(change: Change, p: Params) -> bool:
    return (
        change.collection == "sections"
        and change.kind == "added"
        and change.value("projectId") == p["project_id"]
        and str(change.value("name")).strip() == p["name"]
    )


def _new_section(o: Outcome, p: Params) -> tuple[Row | None, Check]:
    """The section the agent was to add, if it added exactly one, and the check of it."""
    found = added(
        o,
        "sections",
        lambda s: s["projectId"] == p["project_id"] and s["name"].strip() == p["name"],
    )
    check = Check("section_created", len(found) == 1, f"{len(found)} sections named so")
    return (found[0] if len(found) == 1 else None), check


def _base(person: Row, project: Row) -> Params:
    return {"as": person["email"], "project": project["name"], "project_id": project["id"]}


# -- create ---------------------------------------------------------------------------


def _create_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    taken = {s["name"] for s in world.sections(project["id"])}
    name = pick(rng, [n for n in NEW_NAMES if n not in taken])
    if name is None:
        return None
    return {**_base(person, project), "name": name}


def _create_solve(api: TasklaneClient, p: Params) -> Answer:
    api.create_section(p["project_id"], p["name"])
    return DONE


CREATE = Template(
    id="section.create",
    tier="easy",
    intent='Add a section named "{name}" to the project "{project}".',
    sample=_create_sample,
    solve=_create_solve,
    check=lambda o, p: [_new_section(o, p)[1]],
    allows=lambda c, p: _section_added(c, p) or _sections_reranked(c, p["project_id"]),
)


# -- create at a place ----------------------------------------------------------------


def _create_after_sample(world: World, rng: random.Random) -> Params | None:
    found = _create_sample(world, rng)
    if found is None:
        return None
    sections = world.sections(found["project_id"])
    after = pick(rng, sections[:-1])  # not the last: after it is where a new one goes anyway
    if after is None:
        return None
    return {
        **found,
        "after": after["name"],
        "after_id": after["id"],
        "position": sections.index(after) + 1,
    }


def _create_after_solve(api: TasklaneClient, p: Params) -> Answer:
    api.create_section(p["project_id"], p["name"], position=p["position"])
    return DONE


def _created_after(o: Outcome, p: Params) -> list[Check]:
    section, created = _new_section(o, p)
    order = _order(o.after, p["project_id"])
    placed = (
        section is not None
        and p["after_id"] in order
        and order.index(section["id"]) == order.index(p["after_id"]) + 1
    )
    return [created, Check("right_after", placed, f"order {order}")]


CREATE_AFTER = Template(
    id="section.create_after",
    tier="medium",
    intent='Add a section named "{name}" to the project "{project}", right after the section '
    '"{after}".',
    sample=_create_after_sample,
    solve=_create_after_solve,
    check=_created_after,
    allows=lambda c, p: _section_added(c, p) or _sections_reranked(c, p["project_id"]),
)


# -- rename ---------------------------------------------------------------------------


def _rename_sample(world: World, rng: random.Random) -> Params | None:
    found = _create_sample(world, rng)
    if found is None:
        return None
    section = pick(rng, world.sections(found["project_id"]))
    if section is None:
        return None
    return {**found, "section": section["name"], "section_id": section["id"]}


def _rename_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_section(p["section_id"], name=p["name"])
    return DONE


def _renamed(o: Outcome, p: Params) -> list[Check]:
    section = o.after.get("sections", p["section_id"])
    name = None if section is None else section["name"].strip()
    return [Check("section_renamed", name == p["name"], f"named {name!r}")]


RENAME = Template(
    id="section.rename",
    tier="easy",
    intent='In the project "{project}", rename the section "{section}" to "{name}".',
    sample=_rename_sample,
    solve=_rename_solve,
    check=_renamed,
    allows=lambda c, p: (
        c.collection == "sections"
        and c.kind == "changed"
        and c.row_id == p["section_id"]
        and c.fields <= {"name"}
    ),
)


# -- reorder sections -----------------------------------------------------------------


def _reorder_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    sections = world.sections(project["id"])
    choices = [(s, "first") for s in sections[1:]] + [(s, "last") for s in sections[:-1]]
    found = pick(rng, choices)
    if found is None:
        return None
    section, where = found
    return {
        **_base(person, project),
        "section": section["name"],
        "section_id": section["id"],
        "where": where,
        "position": 0 if where == "first" else len(sections) - 1,
    }


def _reorder_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_section(p["section_id"], position=p["position"])
    return DONE


def _reordered(o: Outcome, p: Params) -> list[Check]:
    order = _order(o.after, p["project_id"])
    at = 0 if p["where"] == "first" else len(order) - 1
    placed = bool(order) and order[at] == p["section_id"]
    return [Check(f"section_{p['where']}", placed, f"order {order}")]


REORDER = Template(
    id="section.reorder",
    tier="medium",
    intent='In the project "{project}", move the section "{section}" so that it comes {where}.',
    sample=_reorder_sample,
    solve=_reorder_solve,
    check=_reordered,
    allows=lambda c, p: _sections_reranked(c, p["project_id"]),
)


# -- a task to the top of its section -------------------------------------------------


def _to_top_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    nameable = {t["id"] for t in named_once(world.tasks(project["id"]))}
    choices = []
    for section in world.sections(project["id"]):
        tasks = _in_section(world, section["id"])
        choices += [(section, t, tasks) for t in tasks[1:] if t["id"] in nameable]
    found = pick(rng, choices)
    if found is None:
        return None
    section, task, tasks = found
    return {
        **_base(person, project),
        "section": section["name"],
        "section_id": section["id"],
        "task": task["name"],
        "task_id": task["id"],
        "sibling_ids": [t["id"] for t in tasks if t["id"] != task["id"]],
    }


def _to_top_solve(api: TasklaneClient, p: Params) -> Answer:
    api.move_task(p["task_id"], position=0)
    return DONE


def _on_top(o: Outcome, p: Params) -> list[Check]:
    tasks = _in_section(o.after, p["section_id"])
    first = tasks[0]["name"] if tasks else None
    return [
        Check("at_the_top", bool(tasks) and tasks[0]["id"] == p["task_id"], f"first: {first!r}")
    ]


TO_TOP = Template(
    id="section.move_task_to_top",
    tier="medium",
    intent='In the project "{project}", move the task "{task}" to the top of its section '
    '"{section}".',
    sample=_to_top_sample,
    solve=_to_top_solve,
    check=_on_top,
    # Any path to the top: moving the others down changes their sort keys only.
    allows=lambda c, p: tasks_changed(c, [p["task_id"], *p["sibling_ids"]], {"rank"}),
)


# -- move someone's tasks to another section ------------------------------------------


def _assigned_sample(world: World, rng: random.Random) -> Params | None:
    """A section with two or more tasks of one person, and another section."""
    choices = []
    for person, project in world.editors():
        sections = world.sections(project["id"])
        for source in _open_sections(world, project["id"]):
            tasks = _in_section(world, source["id"])
            whose: dict[str, list[str]] = {}
            for task in tasks:
                if task["assigneeId"]:
                    whose.setdefault(task["assigneeId"], []).append(task["id"])
            for assignee, ids in sorted(whose.items()):
                if len(ids) < 2:
                    continue
                for target in sections:
                    if target["id"] != source["id"]:
                        choices.append((person, project, source, target, assignee, ids))
    found = pick(rng, choices)
    if found is None:
        return None
    person, project, source, target, assignee, ids = found
    return {
        **_base(person, project),
        "source": source["name"],
        "target": target["name"],
        "target_id": target["id"],
        "target_task_ids": [t["id"] for t in _in_section(world, target["id"])],
        "person": world.name(assignee),
        "task_ids": ids,
    }


def _moved_solve(api: TasklaneClient, p: Params) -> Answer:
    for task_id in p["task_ids"]:
        api.move_task(task_id, section_id=p["target_id"])
    return DONE


def _moved(o: Outcome, p: Params) -> list[Check]:
    checks = []
    for task_id in p["task_ids"]:
        task = o.after.task(task_id)
        where = None if task is None else task["sectionId"]
        checks.append(Check(f"moved:{task_id}", where == p["target_id"], f"in {where}"))
    return checks


def _moves_allowed(c: Change, p: Params) -> bool:
    """The tasks named moved (their status may follow the section), and the target
    section's tasks given new sort keys to make room."""
    return tasks_changed(c, p["task_ids"], MOVED) or tasks_changed(
        c, p["target_task_ids"], {"rank"}
    )


MOVE_ASSIGNED = Template(
    id="section.move_assigned_tasks",
    tier="medium",
    intent='In the project "{project}", move every task of the section "{source}" that is '
    'assigned to {person} into the section "{target}".',
    sample=_assigned_sample,
    solve=_moved_solve,
    check=_moved,
    allows=_moves_allowed,
)


# -- merge one section into another ---------------------------------------------------


def _merge_sample(world: World, rng: random.Random) -> Params | None:
    """Two sections of open work; the one to go holds no more tasks than an agent may
    move one by one (a handful on the small preset, a few dozen on the medium one)."""
    choices = []
    for person, project in world.editors():
        sections = _open_sections(world, project["id"])
        for source in sections:
            if len(_in_section(world, source["id"])) > MERGED_MOST:
                continue
            choices += [(person, project, source, t) for t in sections if t["id"] != source["id"]]
    found = pick(rng, choices)
    if found is None:
        return None
    person, project, source, target = found
    return {
        **_base(person, project),
        "source": source["name"],
        "source_id": source["id"],
        "target": target["name"],
        "target_id": target["id"],
        "target_task_ids": [t["id"] for t in _in_section(world, target["id"])],
        "task_ids": [t["id"] for t in _in_section(world, source["id"])],
    }


def _merge_solve(api: TasklaneClient, p: Params) -> Answer:
    _moved_solve(api, p)
    api.delete_section(p["source_id"])
    return DONE


def _merged(o: Outcome, p: Params) -> list[Check]:
    gone = o.after.get("sections", p["source_id"]) is None
    return [*_moved(o, p), Check("section_deleted", gone)]


MERGE = Template(
    id="section.merge_into",
    tier="hard",
    intent='In the project "{project}", merge the section "{source}" into "{target}": move '
    'all of its tasks there, then delete "{source}".',
    sample=_merge_sample,
    solve=_merge_solve,
    check=_merged,
    allows=lambda c, p: (
        _moves_allowed(c, p)
        or (c.collection == "sections" and c.kind == "deleted" and c.row_id == p["source_id"])
    ),
    not_on={"large": f"every section there holds more than {MERGED_MOST} tasks to move"},
)


# -- gather the overdue tasks in a new first section ----------------------------------


def _overdue_sample(world: World, rng: random.Random) -> Params | None:
    choices = []
    for person, project in world.editors():
        late = [t["id"] for t in world.tasks(project["id"], top=True) if world.overdue(t)]
        taken = {s["name"] for s in world.sections(project["id"])}
        if len(late) >= 2 and "Overdue" not in taken:
            choices.append((person, project, late))
    found = pick(rng, choices)
    if found is None:
        return None
    person, project, late = found
    return {
        **_base(person, project),
        "name": "Overdue",
        "task_ids": late,
        "today": world.today.isoformat(),
    }


def _overdue_solve(api: TasklaneClient, p: Params) -> Answer:
    section = api.create_section(p["project_id"], p["name"], position=0)
    for task_id in p["task_ids"]:
        api.move_task(task_id, section_id=section.id)
    return DONE


def _gathered(o: Outcome, p: Params) -> list[Check]:
    section, created = _new_section(o, p)
    order = _order(o.after, p["project_id"])
    first = section is not None and order[0] == section["id"]
    checks = [created, Check("section_first", first, f"order {order}")]
    for task_id in p["task_ids"]:
        task = o.after.task(task_id)
        where = None if task is None else task["sectionId"]
        inside = section is not None and where == section["id"]
        checks.append(Check(f"moved:{task_id}", inside, f"in {where}"))
    return checks


COLLECT_OVERDUE = Template(
    id="section.collect_overdue",
    tier="hard",
    intent='In the project "{project}", add a section "{name}" as the first section, and move '
    "every overdue task of the project into it (subtasks stay with their parents).",
    sample=_overdue_sample,
    solve=_overdue_solve,
    check=_gathered,
    allows=lambda c, p: (
        _section_added(c, p)
        or _sections_reranked(c, p["project_id"])
        or tasks_changed(c, p["task_ids"], {"sectionId", "rank"})
    ),
)


# -- the earliest due first -----------------------------------------------------------


def _earliest_sample(world: World, rng: random.Random) -> Params | None:
    """A section of open tasks whose three earliest due dates are clear (no tie among
    them or with the next), and which does not start with those three in that order."""
    choices = []
    for person, project in world.editors():
        for section in _open_sections(world, project["id"]):
            tasks = _in_section(world, section["id"])
            dated = sorted((t for t in tasks if t["dueOn"]), key=lambda t: t["dueOn"])
            days = [t["dueOn"] for t in dated[:4]]
            clear = len(days) >= 3 and len(set(days)) == len(days)
            earliest = [t["id"] for t in dated[:3]]
            if clear and [t["id"] for t in tasks[:3]] != earliest:
                choices.append((person, project, section, tasks, earliest))
    found = pick(rng, choices)
    if found is None:
        return None
    person, project, section, tasks, earliest = found
    return {
        **_base(person, project),
        "section": section["name"],
        "section_id": section["id"],
        "task_ids": [t["id"] for t in tasks],
        "earliest": earliest,
    }


def _earliest_solve(api: TasklaneClient, p: Params) -> Answer:
    for position, task_id in enumerate(p["earliest"]):
        api.move_task(task_id, position=position)
    return DONE


def _earliest_first(o: Outcome, p: Params) -> list[Check]:
    # One check, not one per place: a place that was right already is no progress.
    first = [t["id"] for t in _in_section(o.after, p["section_id"])[:3]]
    return [Check("earliest_due_first", first == p["earliest"], f"first three: {first}")]


EARLIEST_FIRST = Template(
    id="section.earliest_due_first",
    tier="hard",
    intent='In the project "{project}", put the three tasks of the section "{section}" with '
    "the earliest due dates at the top of the section, the earliest first.",
    sample=_earliest_sample,
    solve=_earliest_solve,
    check=_earliest_first,
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"rank"}),
)

TEMPLATES = (
    CREATE,
    CREATE_AFTER,
    RENAME,
    REORDER,
    TO_TOP,
    MOVE_ASSIGNED,
    MERGE,
    COLLECT_OVERDUE,
    EARLIEST_FIRST,
)
