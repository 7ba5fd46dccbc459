"""Work of many steps and several kinds of change, some across projects: triage the
overdue work, copy a section's open tasks into another project, close a section out,
take over someone's week everywhere, set a new project up."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tasklane.client import TasklaneClient
from tasklane.tasks.library.bulk_more import MOST, Candidate, enough, for_an_editor, ids
from tasklane.tasks.library.conditional import (
    COMMENTED,
    comment_on,
    commented_once,
    narrowed,
    whose_words,
)
from tasklane.tasks.library.helpers import (
    COMPLETION,
    added,
    field_is,
    listed_tasks,
    named_once,
    pick,
    tasks_changed,
)
from tasklane.tasks.library.projects import (
    created_project,
    in_new_project,
    new_project,
    role_in,
    sections_are,
)
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import EDITORS, Row, World

DONE = Answer("done")


def _sections_with(world: World, project: Row) -> list[tuple[Row, list[Row]]]:
    """Each section of the project, with its top-level tasks."""
    tasks = world.tasks(project["id"], top=True)
    return [
        (section, [t for t in tasks if t["sectionId"] == section["id"]])
        for section in world.sections(project["id"])
    ]


def _open_sections(world: World, project: Row) -> list[tuple[Row, list[Row]]]:
    """The sections of a project that are not for done work (as "Done" and "Shipped"
    are): where open tasks may be put."""
    return [
        (section, inside)
        for section, inside in _sections_with(world, project)
        if not inside or any(t["status"] != "done" for t in inside)
    ]


# -- triage the overdue tasks: a comment, and a section ------------------------------

TRIAGE = "Moved for triage: please give it a new date."


def _triage_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        late = [t for t in world.tasks(project["id"], top=True) if world.overdue(t)]
        sections = _open_sections(world, project)
        for whose, targets in narrowed(late, COMMENTED):
            for section, inside in sections:
                if all(t["sectionId"] != section["id"] for t in targets):
                    params = {"section": section["name"], "section_id": section["id"]}
                    params |= {"whose_id": whose, "task_ids": ids(targets), "ranked": ids(inside)}
                    found.append((project, params))
    chosen = for_an_editor(world, rng, found)
    if chosen is None:
        return None
    return {**whose_words(world, chosen), "text": TRIAGE, "today": world.today.isoformat()}


def _triage_solve(api: TasklaneClient, p: Params) -> Answer:
    today = date.fromisoformat(p["today"])
    for task in listed_tasks(api, p["project_id"], due_before=today):
        theirs = p["whose_id"] is None or task.assignee_id == p["whose_id"]
        late = task.status != "done" and task.due_on is not None and task.due_on < today
        if theirs and late and task.parent_id is None:
            api.create_comment(task.id, p["text"])
            api.move_task(task.id, section_id=p["section_id"])
    return DONE


def _triaged(o: Outcome, p: Params) -> list[Check]:
    checks = []
    for task_id in p["task_ids"]:
        checks.append(commented_once(o, task_id, p["me"], p["text"]))
        checks.append(field_is(o, task_id, "sectionId", p["section_id"], f"moved:{task_id}"))
    return checks


TRIAGE_OVERDUE = Template(
    id="multi.triage_overdue",
    version=2,
    tier="hard",
    intent='In the project "{project}", for each overdue task{of} (top-level tasks that are not '
    'done and were due before today): comment "{text}" on it, and move it to the section '
    '"{section}".',
    sample=_triage_sample,
    solve=_triage_solve,
    check=_triaged,
    allows=lambda c, p: (
        comment_on(c, p["task_ids"])
        or tasks_changed(c, p["task_ids"], {"sectionId", "rank", "status"} | COMPLETION)
        or tasks_changed(c, p["ranked"], {"rank"})
    ),
)


# -- copy a section's open tasks into another project ---------------------------------


def _copy_sample(world: World, rng: random.Random) -> Params | None:
    editable: dict[str, list[Row]] = {}
    for person, project in world.editors():
        editable.setdefault(person["id"], []).append(project)
    groups: dict[str, list[tuple[Row, str | None, list[Row]]]] = {}  # by project
    for project in world.projects:
        named = {t["id"] for t in named_once(world.tasks(project["id"]))}
        for section, inside in _sections_with(world, project):
            tasks = [t for t in inside if t["status"] != "done" and t["id"] in named]
            if len(tasks) < len([t for t in inside if t["status"] != "done"]):
                continue  # a copy could not say which of two tasks of a name it is
            groups[project["id"]] = groups.get(project["id"], []) + [
                (section, whose, group) for whose, group in narrowed(tasks, COMMENTED)
            ]
    choices = [
        (me, source, target, group)
        for me, projects in sorted(editable.items())
        for source in projects
        for group in groups.get(source["id"], [])
        for target in projects
        if target["id"] != source["id"]
    ]
    found = pick(rng, choices)
    if found is None:
        return None
    me, source, target, (section, whose, tasks) = found
    into = pick(rng, [section for section, _ in _open_sections(world, target)])
    if into is None:
        return None
    members = {m["userId"] for m in world.members(target["id"])}
    params = {
        "as": world.email(me),
        "source": source["name"],
        "source_id": source["id"],
        "section": section["name"],
        "section_id": section["id"],
        "whose_id": whose,
        "target": target["name"],
        "target_id": target["id"],
        "into": into["name"],
        "into_id": into["id"],
        "ranked": ids([t for t in world.tasks(target["id"]) if t["sectionId"] == into["id"]]),
        # each copy's name, and its assignee (None where the original's is not a member)
        "copies": {
            t["name"]: t["assigneeId"] if t["assigneeId"] in members else None for t in tasks
        },
    }
    return whose_words(world, params)


def _copy_solve(api: TasklaneClient, p: Params) -> Answer:
    members = {m.user_id for m in api.list_members(p["target_id"])}
    for task in listed_tasks(api, p["source_id"], section=p["section_id"]):
        theirs = p["whose_id"] is None or task.assignee_id == p["whose_id"]
        if task.parent_id is None and task.status != "done" and theirs:
            assignee = task.assignee_id if task.assignee_id in members else None
            api.create_task(
                p["target_id"], task.name, assignee_id=assignee, section_id=p["into_id"]
            )
    return DONE


def _copied(o: Outcome, p: Params) -> list[Check]:
    made: dict[str, list[Row]] = {}
    for task in added(o, "tasks", lambda t: t["projectId"] == p["target_id"]):
        if task["parentId"] is None:
            made.setdefault(task["name"].strip(), []).append(task)
    checks = []
    for name, assignee in sorted(p["copies"].items()):
        copies = made.get(name, [])
        copy = copies[0] if len(copies) == 1 else {}
        where = copy.get("sectionId")
        checks.append(
            Check(f"copied:{name}", where == p["into_id"], f"{len(copies)} copies, in {where}")
        )
        checks.append(Check(f"assignee:{name}", bool(copy) and copy.get("assigneeId") == assignee))
    return checks


COPY_SECTION = Template(
    id="multi.copy_open_section",
    tier="hard",
    intent='Copy every task of the section "{section}" in the project "{source}" that is not '
    'done{of} (top-level tasks only) into the section "{into}" of the project "{target}": a new '
    "task of the same name, assigned to the same person where that person is a member of "
    '"{target}", and unassigned otherwise.',
    sample=_copy_sample,
    solve=_copy_solve,
    check=_copied,
    allows=lambda c, p: (
        (
            c.collection == "tasks"
            and c.kind == "added"
            and c.value("projectId") == p["target_id"]
            and c.value("name") in p["copies"]
        )
        or tasks_changed(c, p["ranked"], {"rank"})
    ),
)


# -- close a section out: everything done, and into Done ------------------------------

DONE_SECTION = "Done"


def _close_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        sections = _sections_with(world, project)
        done = [(s, inside) for s, inside in sections if s["name"] == DONE_SECTION]
        if len(done) != 1:
            continue
        into, ranked = done[0]
        for section, inside in sections:
            if section["id"] == into["id"] or any(t["status"] == "done" for t in inside):
                continue
            for whose, targets in narrowed(inside, MOST):
                params = {"section": section["name"], "section_id": section["id"]}
                params |= {"into": into["name"], "into_id": into["id"], "whose_id": whose}
                found.append((project, {**params, "task_ids": ids(targets), "ranked": ids(ranked)}))
    chosen = for_an_editor(world, rng, found)
    return None if chosen is None else whose_words(world, chosen)


def _close_solve(api: TasklaneClient, p: Params) -> Answer:
    for task in listed_tasks(api, p["project_id"], section=p["section_id"]):
        theirs = p["whose_id"] is None or task.assignee_id == p["whose_id"]
        if task.parent_id is None and theirs:
            api.update_task(task.id, status="done")
            api.move_task(task.id, section_id=p["into_id"])
    return DONE


def _closed(o: Outcome, p: Params) -> list[Check]:
    checks = []
    for task_id in p["task_ids"]:
        checks.append(field_is(o, task_id, "status", "done", f"done:{task_id}"))
        checks.append(field_is(o, task_id, "sectionId", p["into_id"], f"moved:{task_id}"))
    return checks


CLOSE_OUT = Template(
    id="multi.close_out_section",
    tier="hard",
    intent='In the project "{project}", close out the work in the section "{section}": mark every '
    'task in it{of} as complete, and move each of them to the section "{into}" (their subtasks '
    "stay as they are).",
    sample=_close_sample,
    solve=_close_solve,
    check=_closed,
    allows=lambda c, p: (
        tasks_changed(c, p["task_ids"], {"status", "sectionId", "rank"} | COMPLETION)
        or tasks_changed(c, p["ranked"], {"rank"})
    ),
)


# -- take over someone's week, in every project one edits -----------------------------


def _week_sample(world: World, rng: random.Random) -> Params | None:
    today = world.today.isoformat()
    sunday = (world.today + timedelta(days=6 - world.today.weekday())).isoformat()
    due: dict[tuple[str, str], list[Row]] = {}  # by (project, assignee)
    for task in world.rows("tasks"):
        soon = task["dueOn"] is not None and today <= task["dueOn"] <= sunday
        if soon and task["status"] != "done" and task["assigneeId"]:
            due.setdefault((task["projectId"], task["assigneeId"]), []).append(task)
    editable: dict[str, list[str]] = {}
    for person, project in world.editors():
        editable.setdefault(person["id"], []).append(project["id"])
    choices = []
    for me, projects in sorted(editable.items()):
        for whose in sorted({u["id"] for u in world.users} - {me}):
            spread = [due[(p, whose)] for p in projects if (p, whose) in due]
            targets = [t for tasks in spread for t in tasks]
            if enough(targets):
                choices.append((me, whose, targets))
    found = pick(rng, choices)
    if found is None:
        return None
    me, whose, targets = found
    return {
        "as": world.email(me),
        "me": me,
        "whose": world.name(whose),
        "whose_id": whose,
        "today": today,
        "sunday": sunday,
        "task_ids": ids(targets),
    }


def _week_solve(api: TasklaneClient, p: Params) -> Answer:
    first, last = date.fromisoformat(p["today"]), date.fromisoformat(p["sunday"])
    for project in api.list_projects():
        if project.role not in EDITORS:
            continue
        for task in listed_tasks(api, project.id, assignee=p["whose_id"]):
            soon = task.due_on is not None and first <= task.due_on <= last
            if task.assignee_id == p["whose_id"] and soon and task.status != "done":
                api.update_task(task.id, assignee_id=p["me"])
    return DONE


TAKE_OVER_WEEK = Template(
    id="multi.take_over_week",
    tier="hard",
    intent="{whose} is away this week. In every project where you may edit tasks, assign to "
    "yourself each task of {whose} that is not done and is due this week, from today ({today}) "
    "through Sunday {sunday} (subtasks included).",
    sample=_week_sample,
    solve=_week_solve,
    check=lambda o, p: [
        field_is(o, task_id, "assigneeId", p["me"], f"taken:{task_id}") for task_id in p["task_ids"]
    ],
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"assigneeId"}),
)


# -- set a new project up: sections, a member, a first task ---------------------------

KICKOFF_SECTIONS = ["Backlog", "Doing", "Done"]


def _kickoff_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())
    found = None if pair is None else new_project(world, rng, pair[0])
    if found is None:
        return None
    person = pick(rng, [u for u in world.users if u["id"] != found["me"]])
    if person is None:
        return None
    return {
        **found,
        "sections": list(KICKOFF_SECTIONS),
        "person": person["name"],
        "email": person["email"],
        "user_id": person["id"],
        "task": f"Draft the plan for {found['name']}",
        "due": (world.today + timedelta(days=7)).isoformat(),
    }


def _kickoff_solve(api: TasklaneClient, p: Params) -> Answer:
    project = api.create_project(p["name"], sections=p["sections"])
    api.add_member(project.id, email=p["email"], role="editor")
    backlog = next(s for s in api.list_sections(project.id) if s.name == "Backlog")
    due = date.fromisoformat(p["due"])
    api.create_task(
        project.id, p["task"], assignee_id=p["user_id"], due_on=due, section_id=backlog.id
    )
    return DONE


def _kicked_off(o: Outcome, p: Params) -> list[Check]:
    project, created = created_project(o, p)
    sections = [] if project is None else o.after.sections(project["id"])
    backlog = [s["id"] for s in sections if s["name"].strip() == "Backlog"]
    tasks = [] if project is None else o.after.tasks(project["id"], top=True)
    named = [t for t in tasks if t["name"].strip() == p["task"]]
    task = named[0] if len(named) == 1 else {}
    return [
        created,
        sections_are(o, project, p["sections"]),
        role_in(o, project, p["user_id"], "editor", "member_added"),
        Check("task_in_backlog", bool(task) and [task["sectionId"]] == backlog, f"{len(named)}"),
        Check("task_assigned", bool(task) and task["assigneeId"] == p["user_id"]),
        Check("task_due", bool(task) and task["dueOn"] == p["due"], f"due {task.get('dueOn')}"),
    ]


KICKOFF = Template(
    id="multi.kickoff_project",
    tier="hard",
    intent='Set up a new project "{name}": its sections are to be "Backlog", "Doing" and "Done" '
    "(in that order, and no others); add {person} ({email}) to it as an editor; and create in "
    '"Backlog" a task "{task}" assigned to {person} and due a week from today.',
    sample=_kickoff_sample,
    solve=_kickoff_solve,
    check=_kicked_off,
    allows=in_new_project,
)

TEMPLATES = (TRIAGE_OVERDUE, COPY_SECTION, CLOSE_OUT, TAKE_OVER_WEEK, KICKOFF)
