"""More questions answered from the data: counts, lists, who and which, dates.

Each has exactly one right answer on the sampled state (``sample`` gives up on ties and
on names that would not say which task is meant); nothing is to change.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from tasklane.client import TasklaneClient
from tasklane.tasks.library.helpers import (
    answered,
    listed_tasks,
    member_email,
    named_once,
    pick,
)
from tasklane.tasks.model import Answer, Params, Template
from tasklane.tasks.world import Row, World

Candidate = tuple[Row, Params]  # a project, and what the question about it needs


def _ask(world: World, rng: random.Random, candidates: list[Candidate]) -> Params | None:
    """One of the candidates, asked by a member of its project (any role may read; the
    asker edits some project, so that an episode can tell a stray change from none)."""
    found = pick(rng, candidates)
    if found is None:
        return None
    project, params = found
    editing = {person["id"] for person, _ in world.editors()}
    asker = pick(rng, [m["userId"] for m in world.members(project["id"]) if m["userId"] in editing])
    if asker is None:
        return None
    return {
        "as": world.email(asker),
        "project": project["name"],
        "project_id": project["id"],
        **params,
    }


def _named_tasks(world: World, match: Callable[[Row], bool]) -> list[tuple[Row, Row]]:
    """Every (project, top-level task) that ``match``es and that an intent may name by
    its name alone."""
    return [
        (project, task)
        for project in world.projects
        for task in named_once(world.tasks(project["id"]))
        if task["parentId"] is None and match(task)
    ]


def _about(task: Row, **params: object) -> Params:
    return {"task": task["name"], "task_id": task["id"], **params}


def _sunday(today: date) -> date:
    return today + timedelta(days=6 - today.weekday())


# -- how many open tasks are due this week --------------------------------------------


def _due_this_week_sample(world: World, rng: random.Random) -> Params | None:
    today, sunday = world.today.isoformat(), _sunday(world.today).isoformat()
    found = []
    for project in world.projects:
        count = sum(
            1
            for t in world.tasks(project["id"])
            if t["status"] != "done" and t["dueOn"] and today <= t["dueOn"] <= sunday
        )
        if count:
            found.append((project, {"count": count, "today": today, "sunday": sunday}))
    return _ask(world, rng, found)


def _due_this_week_solve(api: TasklaneClient, p: Params) -> Answer:
    first, last = date.fromisoformat(p["today"]), date.fromisoformat(p["sunday"])
    due = [
        t
        for t in listed_tasks(api, p["project_id"])
        if t.status != "done" and t.due_on is not None and first <= t.due_on <= last
    ]
    return Answer("done", len(due))


DUE_THIS_WEEK = Template(
    id="question.count_due_this_week",
    tier="easy",
    intent='How many tasks of the project "{project}" that are not done, subtasks included, '
    "are due this week, from today ({today}) through Sunday {sunday}? Answer with a number.",
    sample=_due_this_week_sample,
    solve=_due_this_week_solve,
    check=lambda o, p: [answered(o, p["count"])],
)


# -- how many tasks of a person are done ----------------------------------------------


def _done_of_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        done = Counter(
            t["assigneeId"]
            for t in world.tasks(project["id"])
            if t["status"] == "done" and t["assigneeId"]
        )
        for who, count in sorted(done.items()):
            params = {"who": world.name(who), "who_id": who, "count": count}
            found.append((project, params))
    return _ask(world, rng, found)


def _done_of_solve(api: TasklaneClient, p: Params) -> Answer:
    tasks = listed_tasks(api, p["project_id"], status="done", assignee=p["who_id"])
    return Answer("done", sum(t.assignee_id == p["who_id"] and t.status == "done" for t in tasks))


DONE_OF = Template(
    id="question.count_done_of_person",
    tier="easy",
    intent='How many tasks assigned to {who} in the project "{project}" are done (subtasks '
    "included)? Answer with a number.",
    sample=_done_of_sample,
    solve=_done_of_solve,
    check=lambda o, p: [answered(o, p["count"])],
)


# -- how many comments a task has -----------------------------------------------------


def _comments_sample(world: World, rng: random.Random) -> Params | None:
    counts = Counter(c["taskId"] for c in world.rows("comments"))
    found = [
        (project, _about(task, count=counts[task["id"]]))
        for project, task in _named_tasks(world, lambda t: counts[t["id"]] > 0)
    ]
    return _ask(world, rng, found)


COUNT_COMMENTS = Template(
    id="question.count_comments",
    tier="easy",
    intent='How many comments does the task "{task}" in the project "{project}" have? '
    "Answer with a number.",
    sample=_comments_sample,
    solve=lambda api, p: Answer("done", len(api.list_comments(p["task_id"]))),
    check=lambda o, p: [answered(o, p["count"])],
)


# -- how many members have a role -----------------------------------------------------


def _role_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        roles = Counter(m["role"] for m in world.members(project["id"]))
        for role in ("editor", "commenter", "viewer"):
            if roles[role]:
                found.append((project, {"role": role, "count": roles[role]}))
    return _ask(world, rng, found)


def _role_solve(api: TasklaneClient, p: Params) -> Answer:
    return Answer("done", sum(m.role == p["role"] for m in api.list_members(p["project_id"])))


COUNT_ROLE = Template(
    id="question.count_role",
    tier="easy",
    intent='How many people are members of the project "{project}" with the role {role}? '
    "Answer with a number.",
    sample=_role_sample,
    solve=_role_solve,
    check=lambda o, p: [answered(o, p["count"])],
)


# -- the names of a section's overdue tasks -------------------------------------------


def _overdue_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        tasks = world.tasks(project["id"])
        clear = {t["id"] for t in named_once(tasks)}
        for section in world.sections(project["id"]):
            late = [t for t in tasks if t["sectionId"] == section["id"] and world.overdue(t)]
            if late and len(late) <= 10 and all(t["id"] in clear for t in late):
                names = sorted(t["name"] for t in late)
                params = {"section": section["name"], "section_id": section["id"], "names": names}
                found.append((project, {**params, "today": world.today.isoformat()}))
    return _ask(world, rng, found)


def _overdue_solve(api: TasklaneClient, p: Params) -> Answer:
    today = date.fromisoformat(p["today"])
    tasks = listed_tasks(api, p["project_id"], section=p["section_id"])
    late = [
        t.name
        for t in tasks
        if t.parent_id is None and t.status != "done" and t.due_on and t.due_on < today
    ]
    return Answer("done", late)


OVERDUE_IN_SECTION = Template(
    id="question.list_overdue_in_section",
    tier="medium",
    intent='Which tasks in the section "{section}" of the project "{project}" are overdue '
    "(not done, and due before today)? Consider top-level tasks only, and answer with the list "
    "of their names.",
    sample=_overdue_sample,
    solve=_overdue_solve,
    check=lambda o, p: [answered(o, p["names"])],
)


# -- the emails of a project's editors ------------------------------------------------


def _editors_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        emails = sorted(world.email(m["userId"]) for m in world.members(project["id"], ["editor"]))
        if emails:
            found.append((project, {"emails": emails}))
    return _ask(world, rng, found)


def _editors_solve(api: TasklaneClient, p: Params) -> Answer:
    members = api.list_members(p["project_id"])
    return Answer("done", [m.user.email for m in members if m.role == "editor"])


EDITOR_EMAILS = Template(
    id="question.list_editor_emails",
    tier="medium",
    intent='Who has the role editor in the project "{project}" (the owner not counted)? '
    "Answer with the list of their emails.",
    sample=_editors_sample,
    solve=_editors_solve,
    check=lambda o, p: [answered(o, p["emails"])],
)


# -- which of my projects has the most open tasks -------------------------------------


def _busiest_sample(world: World, rng: random.Random) -> Params | None:
    open_tasks = Counter(t["projectId"] for t in world.rows("tasks") if t["status"] != "done")
    found = []
    for person, _ in world.editors():
        mine = world.projects_of(person["id"], ["owner", "editor", "commenter", "viewer"])
        ranked = sorted((open_tasks[p["id"]] for p in mine), reverse=True)
        if len(ranked) >= 2 and ranked[0] > ranked[1]:
            busiest = max(mine, key=lambda p: open_tasks[p["id"]])
            found.append((person, busiest))
    found = sorted({p["id"]: (p, b) for p, b in found}.values(), key=lambda x: x[0]["id"])
    chosen = pick(rng, found)
    if chosen is None:
        return None
    person, busiest = chosen
    return {"as": person["email"], "answer": busiest["name"], "project_id": busiest["id"]}


def _busiest_solve(api: TasklaneClient, p: Params) -> Answer:
    counts = {
        project.name: sum(t.status != "done" for t in listed_tasks(api, project.id))
        for project in api.list_projects()
    }
    return Answer("done", max(counts, key=lambda name: counts[name]))


BUSIEST_PROJECT = Template(
    id="question.busiest_project",
    tier="hard",
    intent="Of the projects you are a member of, which one has the most tasks that are not "
    "done (subtasks included)? Answer with the project's name.",
    sample=_busiest_sample,
    solve=_busiest_solve,
    check=lambda o, p: [answered(o, p["answer"])],
)


# -- who completed a task -------------------------------------------------------------


def _completed_sample(world: World, rng: random.Random) -> Params | None:
    def completed_by_member(task: Row) -> bool:
        completer = task["completedBy"] if task["status"] == "done" else None
        return completer is not None and world.role(task["projectId"], completer) is not None

    found = [
        (project, _about(task, who=world.email(task["completedBy"])))
        for project, task in _named_tasks(world, completed_by_member)
    ]
    return _ask(world, rng, found)


def _completed_solve(api: TasklaneClient, p: Params) -> Answer:
    task = api.get_task(p["task_id"])
    assert task.completed_by is not None
    return Answer("done", member_email(api, p["project_id"], task.completed_by))


WHO_COMPLETED = Template(
    id="question.who_completed",
    tier="medium",
    intent='Who completed the task "{task}" in the project "{project}"? Answer with their email.',
    sample=_completed_sample,
    solve=_completed_solve,
    check=lambda o, p: [answered(o, p["who"])],
)


# -- which section holds a task -------------------------------------------------------


def _section_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project, task in _named_tasks(world, lambda t: t["sectionId"] is not None):
        section = world.get("sections", task["sectionId"])
        if section is not None:
            found.append((project, _about(task, section=section["name"])))
    return _ask(world, rng, found)


def _section_solve(api: TasklaneClient, p: Params) -> Answer:
    task = api.get_task(p["task_id"])
    sections = api.list_sections(p["project_id"])
    return Answer("done", next(s.name for s in sections if s.id == task.section_id))


SECTION_OF_TASK = Template(
    id="question.section_of_task",
    tier="easy",
    intent='In which section of the project "{project}" is the task "{task}"? Answer with the '
    "section's name.",
    sample=_section_sample,
    solve=_section_solve,
    check=lambda o, p: [answered(o, p["section"])],
)


# -- who commented last on a task -----------------------------------------------------


def _last_comment_sample(world: World, rng: random.Random) -> Params | None:
    by_task: dict[str, list[Row]] = {}
    for comment in world.rows("comments"):
        by_task.setdefault(comment["taskId"], []).append(comment)
    found = []
    for project, task in _named_tasks(world, lambda t: len(by_task.get(t["id"], [])) >= 2):
        comments = sorted(by_task[task["id"]], key=lambda c: c["createdAt"])
        last = comments[-1]
        if (
            last["createdAt"] != comments[-2]["createdAt"]
            and world.role(project["id"], last["authorId"]) is not None
        ):
            found.append((project, _about(task, who=world.email(last["authorId"]))))
    return _ask(world, rng, found)


def _last_comment_solve(api: TasklaneClient, p: Params) -> Answer:
    last = api.list_comments(p["task_id"])[-1]
    return Answer("done", member_email(api, p["project_id"], last.author_id))


LAST_COMMENTER = Template(
    id="question.last_commenter",
    tier="medium",
    intent='Who wrote the most recent comment on the task "{task}" in the project "{project}"? '
    "Answer with their email.",
    sample=_last_comment_sample,
    solve=_last_comment_solve,
    check=lambda o, p: [answered(o, p["who"])],
)


# -- when a task is due ---------------------------------------------------------------


def _due_sample(world: World, rng: random.Random) -> Params | None:
    found = [
        (project, _about(task, due=task["dueOn"]))
        for project, task in _named_tasks(world, lambda t: t["dueOn"] is not None)
    ]
    return _ask(world, rng, found)


def _due_solve(api: TasklaneClient, p: Params) -> Answer:
    due = api.get_task(p["task_id"]).due_on
    assert due is not None
    return Answer("done", due.isoformat())


DUE_DATE = Template(
    id="question.due_date",
    tier="easy",
    intent='When is the task "{task}" in the project "{project}" due? Answer with the date as '
    "YYYY-MM-DD.",
    sample=_due_sample,
    solve=_due_solve,
    check=lambda o, p: [answered(o, p["due"])],
)

TEMPLATES = (
    DUE_THIS_WEEK,
    DONE_OF,
    COUNT_COMMENTS,
    COUNT_ROLE,
    OVERDUE_IN_SECTION,
    EDITOR_EMAILS,
    BUSIEST_PROJECT,
    WHO_COMPLETED,
    SECTION_OF_TASK,
    LAST_COMMENTER,
    DUE_DATE,
)
