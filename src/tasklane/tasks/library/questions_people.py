"""Questions about people and their work: who has a task, who is busiest, what is
on one's own plate, which projects two people share; and about a project's shape: its
biggest section, a task's open subtasks, what is due this week.

Each has exactly one right answer on the sampled state (ties are not asked); lists
are compared as sets; nothing is to change.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

from tasklane.client import TasklaneClient
from tasklane.protocol.task import TaskPublic
from tasklane.tasks.library.conditional import narrowed, whose_words
from tasklane.tasks.library.helpers import answered, listed_tasks, member_email, named_once, pick
from tasklane.tasks.model import Answer, Params, Template
from tasklane.tasks.world import Row, World

Candidate = tuple[Row, Params]  # a project, and what the question about it needs
MOST_NAMES = 12  # names at most in a list answer


def _asked(world: World, rng: random.Random, candidates: list[Candidate]) -> Params | None:
    """One of the candidates, asked by a member of its project who edits some project
    (so that an episode can tell a stray change from none)."""
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


def _top_named(world: World, project: Row) -> list[Row]:
    return [t for t in named_once(world.tasks(project["id"])) if t["parentId"] is None]


def _single_most(counts: Counter[str]) -> str | None:
    """The one key counted most, or None on a tie (or nothing counted)."""
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def _mine(api: TasklaneClient) -> list[TaskPublic]:
    """Every task assigned to the caller, through My Tasks, page by page."""
    found: list[TaskPublic] = []
    while page := api.my_tasks(limit=100, offset=len(found)):
        found.extend(page)
        if len(page) < 100:
            break
    return found


# -- who has a task -------------------------------------------------------------------


def _assignee_sample(world: World, rng: random.Random) -> Params | None:
    found = [
        (project, {"task": t["name"], "task_id": t["id"], "who": world.email(t["assigneeId"])})
        for project in world.projects
        for t in _top_named(world, project)
        if t["assigneeId"] and world.role(project["id"], t["assigneeId"])
    ]
    return _asked(world, rng, found)


def _assignee_solve(api: TasklaneClient, p: Params) -> Answer:
    task = api.get_task(p["task_id"])
    assert task.assignee_id is not None
    return Answer("done", member_email(api, p["project_id"], task.assignee_id))


ASSIGNEE_OF = Template(
    id="question.assignee_of",
    tier="easy",
    intent='Who is the task "{task}" in the project "{project}" assigned to? Answer with their '
    "email.",
    sample=_assignee_sample,
    solve=_assignee_solve,
    check=lambda o, p: [answered(o, p["who"])],
)


# -- the biggest section --------------------------------------------------------------


def _biggest_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        sizes = Counter(t["sectionId"] for t in world.tasks(project["id"], top=True))
        biggest = _single_most(sizes)
        section = world.get("sections", biggest)
        if section is not None:
            found.append((project, {"section": section["name"]}))
    return _asked(world, rng, found)


def _biggest_solve(api: TasklaneClient, p: Params) -> Answer:
    sizes = Counter(t.section_id for t in listed_tasks(api, p["project_id"]) if not t.parent_id)
    biggest = sizes.most_common(1)[0][0]
    return Answer(
        "done", next(s.name for s in api.list_sections(p["project_id"]) if s.id == biggest)
    )


BIGGEST_SECTION = Template(
    id="question.biggest_section",
    tier="easy",
    intent='Which section of the project "{project}" holds the most tasks (top-level tasks, '
    "done or not)? Answer with the section's name.",
    sample=_biggest_sample,
    solve=_biggest_solve,
    check=lambda o, p: [answered(o, p["section"])],
)


# -- a task's open subtasks -----------------------------------------------------------


def _subtasks_sample(world: World, rng: random.Random) -> Params | None:
    open_subtasks: Counter[str] = Counter()
    for task in world.rows("tasks"):
        if task["parentId"]:
            open_subtasks[task["parentId"]] += task["status"] != "done"
    found = [
        (project, {"task": t["name"], "task_id": t["id"], "count": open_subtasks[t["id"]]})
        for project in world.projects
        for t in _top_named(world, project)
        if t["id"] in open_subtasks  # it has subtasks, open or not
    ]
    return _asked(world, rng, found)


def _subtasks_solve(api: TasklaneClient, p: Params) -> Answer:
    return Answer("done", sum(s.status != "done" for s in api.list_subtasks(p["task_id"])))


OPEN_SUBTASKS = Template(
    id="question.count_open_subtasks",
    tier="easy",
    intent='How many subtasks of the task "{task}" in the project "{project}" are not done? '
    "Answer with a number.",
    sample=_subtasks_sample,
    solve=_subtasks_solve,
    check=lambda o, p: [answered(o, p["count"])],
)


# -- one's own open tasks, everywhere -------------------------------------------------


def _my_open_sample(world: World, rng: random.Random) -> Params | None:
    people = sorted({person["id"] for person, _ in world.editors()})
    me = pick(rng, people)
    if me is None:
        return None
    count = sum(
        1
        for t in world.rows("tasks")
        if t["assigneeId"] == me and t["status"] != "done" and world.role(t["projectId"], me)
    )
    return {"as": world.email(me), "count": count}


MY_OPEN = Template(
    id="question.count_my_open",
    tier="medium",
    intent="How many tasks assigned to you, across all your projects (subtasks included), are "
    "not done? Answer with a number.",
    sample=_my_open_sample,
    solve=lambda api, p: Answer("done", sum(t.status != "done" for t in _mine(api))),
    check=lambda o, p: [answered(o, p["count"])],
)


# -- what is due this week ------------------------------------------------------------


def _this_week_sample(world: World, rng: random.Random) -> Params | None:
    today = world.today.isoformat()
    sunday = (world.today + timedelta(days=6 - world.today.weekday())).isoformat()
    found = []
    for project in world.projects:
        tasks = world.tasks(project["id"], top=True)
        due = [
            t
            for t in tasks
            if t["status"] != "done" and t["dueOn"] and today <= t["dueOn"] <= sunday
        ]
        named = {t["id"] for t in _top_named(world, project)}
        for whose, group in narrowed(due, MOST_NAMES, least=1):
            if all(t["id"] in named for t in group):
                params = {"names": sorted(t["name"] for t in group), "whose_id": whose}
                found.append((project, {**params, "today": today, "sunday": sunday}))
    chosen = _asked(world, rng, found)
    return None if chosen is None else whose_words(world, chosen)


def _this_week_solve(api: TasklaneClient, p: Params) -> Answer:
    first, last = date.fromisoformat(p["today"]), date.fromisoformat(p["sunday"])
    due = [
        t.name
        for t in listed_tasks(api, p["project_id"], due_after=first - timedelta(days=1))
        if t.parent_id is None
        and t.status != "done"
        and t.due_on
        and first <= t.due_on <= last
        and (p["whose_id"] is None or t.assignee_id == p["whose_id"])
    ]
    return Answer("done", due)


DUE_THIS_WEEK = Template(
    id="question.list_due_this_week",
    tier="medium",
    intent='Which top-level tasks of the project "{project}"{of} that are not done are due '
    "this week, from today ({today}) through Sunday {sunday}? Answer with the list of their "
    "names.",
    sample=_this_week_sample,
    solve=_this_week_solve,
    check=lambda o, p: [answered(o, p["names"])],
)


# -- who has the most open tasks in a project -----------------------------------------


def _busiest_sample(world: World, rng: random.Random) -> Params | None:
    found = []
    for project in world.projects:
        load = Counter(
            t["assigneeId"]
            for t in world.tasks(project["id"])
            if t["status"] != "done" and t["assigneeId"]
        )
        who = _single_most(load)
        if who is not None and world.role(project["id"], who):
            found.append((project, {"who": world.email(who)}))
    return _asked(world, rng, found)


def _busiest_solve(api: TasklaneClient, p: Params) -> Answer:
    load = Counter(
        t.assignee_id
        for t in listed_tasks(api, p["project_id"])
        if t.status != "done" and t.assignee_id
    )
    return Answer("done", member_email(api, p["project_id"], load.most_common(1)[0][0]))


BUSIEST_PERSON = Template(
    id="question.busiest_person",
    tier="medium",
    intent='Who has the most tasks that are not done in the project "{project}" (subtasks '
    "included)? Answer with their email.",
    sample=_busiest_sample,
    solve=_busiest_solve,
    check=lambda o, p: [answered(o, p["who"])],
)


# -- the projects two people share ----------------------------------------------------


def _shared_sample(world: World, rng: random.Random) -> Params | None:
    people = sorted({person["id"] for person, _ in world.editors()})
    me = pick(rng, people)
    if me is None:
        return None
    everyone = ("owner", "editor", "commenter", "viewer")
    mine = {p["id"] for p in world.projects_of(me, everyone)}
    choices = []
    for other in world.users:
        shared = [p for p in world.projects_of(other["id"], everyone) if p["id"] in mine]
        if other["id"] != me and shared and len(shared) < len(mine):
            choices.append((other, sorted(p["name"] for p in shared)))
    found = pick(rng, sorted(choices, key=lambda c: c[0]["id"]))
    if found is None:
        return None
    other, names = found
    return {
        "as": world.email(me),
        "person": other["name"],
        "person_id": other["id"],
        "names": names,
    }


def _shared_solve(api: TasklaneClient, p: Params) -> Answer:
    names = [
        project.name
        for project in api.list_projects()
        if any(m.user_id == p["person_id"] for m in api.list_members(project.id))
    ]
    return Answer("done", names)


SHARED_PROJECTS = Template(
    id="question.shared_projects",
    tier="hard",
    intent="Which projects are both you and {person} members of (any role)? Answer with the "
    "list of the projects' names.",
    sample=_shared_sample,
    solve=_shared_solve,
    check=lambda o, p: [answered(o, p["names"])],
)

TEMPLATES = (
    ASSIGNEE_OF,
    BIGGEST_SECTION,
    OPEN_SUBTASKS,
    MY_OPEN,
    DUE_THIS_WEEK,
    BUSIEST_PERSON,
    SHARED_PROJECTS,
)
