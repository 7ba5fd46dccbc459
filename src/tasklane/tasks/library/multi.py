"""Tasks of several steps, some across projects: make a task and its subtask, hand
work over, find a task by name, archive a section, follow a task up elsewhere, take a
task, reschedule one's overdue work."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tasklane.client import TasklaneClient
from tasklane.tasks.changes import Change
from tasklane.tasks.library.bulk_more import Candidate, enough, for_an_editor, ids
from tasklane.tasks.library.helpers import (
    STATUS_CHANGE,
    added,
    field_is,
    listed_tasks,
    named_once,
    pick,
    task_changed,
    tasks_changed,
)
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import EDITORS, Row, World

DONE = Answer("done")
COMMENTED = 8  # targets at most where each is to get a comment too
IN_DAYS = {1: "tomorrow", 2: "the day after tomorrow", 7: "a week from today"}


def _commented(o: Outcome, task_id: str, author: str, text: str) -> Check:
    """Exactly one new comment of ``author`` on the task says ``text`` (a final full
    stop aside)."""
    found = added(
        o,
        "comments",
        lambda c: (
            c["taskId"] == task_id
            and c["authorId"] == author
            and c["text"].strip().rstrip(".") == text.rstrip(".")
        ),
    )
    return Check(f"commented:{task_id}", len(found) == 1, f"{len(found)} such comments")


def _comment_on(c: Change, task_ids: list[str]) -> bool:
    """Whether a change adds a comment on one of ``task_ids``."""
    return c.collection == "comments" and c.kind == "added" and c.value("taskId") in task_ids


def _editable_by_person(world: World) -> dict[str, list[Row]]:
    """The projects each person may edit, for those who may edit two or more."""
    by_person: dict[str, list[Row]] = {}
    for person, project in world.editors():
        by_person.setdefault(person["id"], []).append(project)
    return {who: projects for who, projects in sorted(by_person.items()) if len(projects) >= 2}


# -- a task and a subtask under it ----------------------------------------------------


def _pair_sample(world: World, rng: random.Random) -> Params | None:
    chosen = for_an_editor(world, rng, [(project, {}) for project in world.projects])
    if chosen is None:
        return None
    assignee = pick(rng, [m["userId"] for m in world.members(chosen["project_id"])])
    if assignee is None:
        return None
    days = rng.choice(sorted(IN_DAYS))
    topic = rng.choice(["pricing", "onboarding", "security", "roadmap"])
    number = rng.randint(100, 999)
    return {
        **chosen,
        "name": f"Plan the {topic} review {number}",
        "subtask": f"Collect input for the {topic} review {number}",
        "assignee": world.name(assignee),
        "assignee_id": assignee,
        "when": IN_DAYS[days],
        "due": (world.today + timedelta(days=days)).isoformat(),
    }


def _pair_solve(api: TasklaneClient, p: Params) -> Answer:
    task = api.create_task(p["project_id"], p["name"])
    due = date.fromisoformat(p["due"])
    api.create_subtask(task.id, p["subtask"], assignee_id=p["assignee_id"], due_on=due)
    return DONE


def _pair_checks(o: Outcome, p: Params) -> list[Check]:
    tasks = added(
        o,
        "tasks",
        lambda t: t["name"] == p["name"] and t["projectId"] == p["project_id"],
    )
    top = [t for t in tasks if t["parentId"] is None]
    parent = top[0]["id"] if len(top) == 1 else None
    under = added(o, "tasks", lambda t: t["name"] == p["subtask"] and t["parentId"] == parent)
    subtask = under[0] if len(under) == 1 else {}
    return [
        Check("task_created", parent is not None, f"{len(top)} top-level tasks named so"),
        Check("subtask_created", bool(subtask), f"{len(under)} such subtasks under it"),
        Check("subtask_assigned", subtask.get("assigneeId") == p["assignee_id"]),
        Check("subtask_due", subtask.get("dueOn") == p["due"], f"due {subtask.get('dueOn')}"),
    ]


TASK_WITH_SUBTASK = Template(
    id="multi.task_with_subtask",
    tier="medium",
    intent='In the project "{project}", create a task "{name}", and under it a subtask '
    '"{subtask}" assigned to {assignee} and due {when}.',
    sample=_pair_sample,
    solve=_pair_solve,
    check=_pair_checks,
    allows=lambda c, p: (
        c.collection == "tasks"
        and c.kind == "added"
        and c.value("projectId") == p["project_id"]
        and c.value("name") in (p["name"], p["subtask"])
    ),
)


# -- hand a person's open tasks over to another, with a comment on each ---------------


def _hand_over_sample(world: World, rng: random.Random) -> Params | None:
    found: list[Candidate] = []
    for project in world.projects:
        mine: dict[str, list[Row]] = {}
        for task in world.tasks(project["id"]):
            if task["status"] != "done" and task["assigneeId"]:
                mine.setdefault(task["assigneeId"], []).append(task)
        for whose, targets in sorted(mine.items()):
            if enough(targets) and len(targets) <= COMMENTED:
                params = {"whose": world.name(whose), "whose_id": whose, "task_ids": ids(targets)}
                found.append((project, params))
    chosen = for_an_editor(world, rng, found)
    if chosen is None:
        return None
    others = [m["userId"] for m in world.members(chosen["project_id"], EDITORS)]
    other = pick(rng, [u for u in others if u != chosen["whose_id"]])
    if other is None:
        return None
    name = world.name(other)
    return {**chosen, "other": name, "other_id": other, "text": f"Handing over to {name}"}


def _hand_over_solve(api: TasklaneClient, p: Params) -> Answer:
    for task in listed_tasks(api, p["project_id"], assignee=p["whose_id"]):
        if task.status != "done" and task.assignee_id == p["whose_id"]:
            api.update_task(task.id, assignee_id=p["other_id"])
            api.create_comment(task.id, p["text"])
    return DONE


def _handed_over(o: Outcome, p: Params) -> list[Check]:
    checks = []
    for task_id in p["task_ids"]:
        checks.append(field_is(o, task_id, "assigneeId", p["other_id"], f"reassigned:{task_id}"))
        checks.append(_commented(o, task_id, p["me"], p["text"]))
    return checks


HAND_OVER = Template(
    id="multi.hand_over",
    tier="hard",
    intent='In the project "{project}", reassign every task of {whose} that is not done '
    '(subtasks included) to {other}, and comment "{text}" on each of them.',
    sample=_hand_over_sample,
    solve=_hand_over_solve,
    check=_handed_over,
    allows=lambda c, p: (
        tasks_changed(c, p["task_ids"], {"assigneeId"}) or _comment_on(c, p["task_ids"])
    ),
)


# -- find a task by its name among one's projects, and complete it --------------------


def _find_sample(world: World, rng: random.Random) -> Params | None:
    by_person = _editable_by_person(world)
    me = pick(rng, sorted(by_person))
    if me is None:
        return None
    visible = world.projects_of(me, ["owner", "editor", "commenter", "viewer"])
    everything = [t for project in visible for t in world.tasks(project["id"])]
    editable = {project["id"] for project in by_person[me]}
    task = pick(
        rng,
        [
            t
            for t in named_once(everything)
            if t["projectId"] in editable and t["parentId"] is None and t["status"] != "done"
        ],
    )
    if task is None:
        return None
    return {"as": world.email(me), "task": task["name"], "task_id": task["id"]}


def _find_solve(api: TasklaneClient, p: Params) -> Answer:
    for project in api.list_projects():
        if project.role in EDITORS:
            for task in listed_tasks(api, project.id, q=p["task"]):
                if task.name == p["task"]:
                    api.update_task(task.id, status="done")
    return DONE


FIND_AND_COMPLETE = Template(
    id="multi.find_and_complete",
    version=2,
    tier="medium",
    intent='One of the projects you can edit has a task named "{task}". Find it and mark it '
    "as complete.",
    sample=_find_sample,
    solve=_find_solve,
    check=lambda o, p: [field_is(o, p["task_id"], "status", "done", "task_done")],
    allows=lambda c, p: task_changed(c, p["task_id"], STATUS_CHANGE),
)


# -- archive a section's tasks into a new section -------------------------------------

ARCHIVE = "Archive"


def _archive_sample(world: World, rng: random.Random) -> Params | None:
    """A section of done tasks: all of them, or (when there are too many) those of one
    person."""
    found: list[Candidate] = []
    for project in world.projects:
        sections = world.sections(project["id"])
        if any(s["name"] == ARCHIVE for s in sections):
            continue
        tasks = world.tasks(project["id"], top=True)
        for section in sections:
            done = [t for t in tasks if t["sectionId"] == section["id"]]
            if not done or any(t["status"] != "done" for t in done):
                continue
            which = f'every task of the section "{section["name"]}"'
            if enough(done):
                found.append((project, {"which": which, "task_ids": ids(done)}))
                continue
            for whose in sorted({t["assigneeId"] for t in done if t["assigneeId"]}):
                targets = [t for t in done if t["assigneeId"] == whose]
                if enough(targets):
                    mine = f"{which} that is assigned to {world.name(whose)}"
                    found.append((project, {"which": mine, "task_ids": ids(targets)}))
    chosen = for_an_editor(world, rng, found)
    return None if chosen is None else {**chosen, "archive": ARCHIVE}


def _archive_solve(api: TasklaneClient, p: Params) -> Answer:
    archive = api.create_section(p["project_id"], p["archive"])
    for task_id in p["task_ids"]:
        api.move_task(task_id, section_id=archive.id)
    return DONE


def _archived(o: Outcome, p: Params) -> list[Check]:
    made = added(
        o, "sections", lambda s: s["projectId"] == p["project_id"] and s["name"] == p["archive"]
    )
    archive = made[0]["id"] if len(made) == 1 else None
    checks = [Check("section_created", archive is not None, f"{len(made)} sections named so")]
    for task_id in p["task_ids"]:
        task = o.after.task(task_id)
        moved = archive is not None and task is not None and task["sectionId"] == archive
        checks.append(Check(f"archived:{task_id}", moved))
    return checks


ARCHIVE_SECTION = Template(
    id="multi.archive_section",
    tier="hard",
    intent='In the project "{project}", add a section named "{archive}", and move {which} into it.',
    sample=_archive_sample,
    solve=_archive_solve,
    check=_archived,
    allows=lambda c, p: (
        tasks_changed(c, p["task_ids"], {"sectionId", "rank"})
        or (
            c.collection == "sections"
            and c.kind == "added"
            and c.value("projectId") == p["project_id"]
            and c.value("name") == p["archive"]
        )
    ),
)


# -- a follow-up in another project, like the original --------------------------------


def _follow_up_sample(world: World, rng: random.Random) -> Params | None:
    by_person = _editable_by_person(world)
    me = pick(rng, sorted(by_person))
    if me is None:
        return None
    found = []
    for source in by_person[me]:
        for task in named_once(world.tasks(source["id"])):
            if task["parentId"] or task["status"] == "done" or not task["assigneeId"]:
                continue
            if not task["dueOn"]:
                continue
            for target in by_person[me]:
                if target["id"] != source["id"] and world.role(target["id"], task["assigneeId"]):
                    found.append((source, target, task))
    chosen = pick(rng, found)
    if chosen is None:
        return None
    source, target, task = chosen
    return {
        "as": world.email(me),
        "source": source["name"],
        "target": target["name"],
        "target_id": target["id"],
        "task": task["name"],
        "task_id": task["id"],
        "name": f"Follow up: {task['name']}",
        "assignee_id": task["assigneeId"],
        "due": task["dueOn"],
    }


def _follow_up_solve(api: TasklaneClient, p: Params) -> Answer:
    original = api.get_task(p["task_id"])
    api.create_task(
        p["target_id"], p["name"], assignee_id=original.assignee_id, due_on=original.due_on
    )
    return DONE


def _followed_up(o: Outcome, p: Params) -> list[Check]:
    made = added(
        o,
        "tasks",
        lambda t: t["projectId"] == p["target_id"] and t["name"] == p["name"],
    )
    task = made[0] if len(made) == 1 else {}
    return [
        Check("follow_up_created", bool(task), f"{len(made)} tasks named so"),
        Check("same_assignee", task.get("assigneeId") == p["assignee_id"]),
        Check("same_due_date", task.get("dueOn") == p["due"], f"due {task.get('dueOn')}"),
    ]


FOLLOW_UP = Template(
    id="multi.follow_up_elsewhere",
    tier="hard",
    intent='Create a task named "{name}" in the project "{target}", assigned to the same '
    'person as the task "{task}" in the project "{source}", and due on the same day.',
    sample=_follow_up_sample,
    solve=_follow_up_solve,
    check=_followed_up,
    allows=lambda c, p: (
        c.collection == "tasks"
        and c.kind == "added"
        and c.value("projectId") == p["target_id"]
        and c.value("name") == p["name"]
    ),
)


# -- take a task and date it ----------------------------------------------------------


def _take_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())
    if pair is None:
        return None
    person, project = pair
    days = rng.choice(sorted(IN_DAYS))
    due = (world.today + timedelta(days=days)).isoformat()
    task = pick(
        rng,
        [
            t
            for t in named_once(world.tasks(project["id"]))
            if t["parentId"] is None
            and t["status"] != "done"
            and t["assigneeId"] != person["id"]
            and t["dueOn"] != due
        ],
    )
    if task is None:
        return None
    return {
        "as": person["email"],
        "me": person["id"],
        "project": project["name"],
        "task": task["name"],
        "task_id": task["id"],
        "when": IN_DAYS[days],
        "due": due,
    }


def _take_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_task(p["task_id"], assignee_id=p["me"], due_on=date.fromisoformat(p["due"]))
    return DONE


TAKE_AND_DATE = Template(
    id="multi.take_and_date",
    tier="easy",
    intent='Assign the task "{task}" in the project "{project}" to yourself, and make it due '
    "{when}.",
    sample=_take_sample,
    solve=_take_solve,
    check=lambda o, p: [
        field_is(o, p["task_id"], "assigneeId", p["me"], "assigned_to_me"),
        field_is(o, p["task_id"], "dueOn", p["due"], "due_date_set"),
    ],
    allows=lambda c, p: task_changed(c, p["task_id"], {"assigneeId", "dueOn"}),
)


# -- reschedule one's overdue tasks everywhere, with a comment on each ----------------


def _reschedule_sample(world: World, rng: random.Random) -> Params | None:
    late: dict[str, list[Row]] = {}
    for task in world.rows("tasks"):
        if task["assigneeId"] and world.overdue(task):
            late.setdefault(task["assigneeId"], []).append(task)
    people = [
        who
        for who, tasks in sorted(late.items())
        if enough(tasks)
        and len(tasks) <= COMMENTED
        and all(world.role(t["projectId"], who) in EDITORS for t in tasks)
    ]
    me = pick(rng, people)
    if me is None:
        return None
    due = (world.today + timedelta(days=7)).isoformat()
    return {
        "as": world.email(me),
        "me": me,
        "task_ids": ids(late[me]),
        "today": world.today.isoformat(),
        "due": due,
        "text": f"Rescheduled to {due}",
    }


def _reschedule_solve(api: TasklaneClient, p: Params) -> Answer:
    mine, offset = [], 0
    while page := api.my_tasks(limit=100, offset=offset):
        mine.extend(page)
        offset += len(page)
    today, due = date.fromisoformat(p["today"]), date.fromisoformat(p["due"])
    for task in mine:
        if task.status != "done" and task.due_on is not None and task.due_on < today:
            api.update_task(task.id, due_on=due)
            api.create_comment(task.id, p["text"])
    return DONE


def _rescheduled(o: Outcome, p: Params) -> list[Check]:
    checks = []
    for task_id in p["task_ids"]:
        checks.append(field_is(o, task_id, "dueOn", p["due"], f"rescheduled:{task_id}"))
        checks.append(_commented(o, task_id, p["me"], p["text"]))
    return checks


RESCHEDULE_MY_OVERDUE = Template(
    id="multi.reschedule_my_overdue",
    tier="hard",
    intent="Every overdue task assigned to you, in any project (subtasks included): make it "
    'due a week from today ({due}), and comment "{text}" on it.',
    sample=_reschedule_sample,
    solve=_reschedule_solve,
    check=_rescheduled,
    allows=lambda c, p: tasks_changed(c, p["task_ids"], {"dueOn"}) or _comment_on(c, p["task_ids"]),
)

TEMPLATES = (
    TASK_WITH_SUBTASK,
    HAND_OVER,
    FIND_AND_COMPLETE,
    ARCHIVE_SECTION,
    FOLLOW_UP,
    TAKE_AND_DATE,
    RESCHEDULE_MY_OVERDUE,
)
