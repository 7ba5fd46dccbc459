"""Questions answered from the data, through the structured answer; nothing changes."""

from __future__ import annotations

import random
from collections import Counter

from tasklane.client import TasklaneClient
from tasklane.tasks.library.helpers import answered, every_task, pick
from tasklane.tasks.model import Answer, Params, Template
from tasklane.tasks.world import Row, World


def _member_and_project(world: World, rng: random.Random) -> tuple[Row, Row] | None:
    pairs = sorted(
        (
            (world.user(m["userId"]), world.project(m["projectId"]))
            for m in world.rows("members")
            if world.get("projects", m["projectId"])
        ),
        key=lambda x: (x[1]["id"], x[0]["id"]),
    )
    return pick(rng, pairs)


def _open_sample(world: World, rng: random.Random) -> Params | None:
    found = _member_and_project(world, rng)
    if found is None:
        return None
    person, project = found
    count = sum(1 for t in world.tasks(project["id"]) if t["status"] != "done")
    return {
        "as": person["email"],
        "project": project["name"],
        "project_id": project["id"],
        "count": count,
    }


def _open_solve(api: TasklaneClient, p: Params) -> Answer:
    return Answer("done", sum(t.status != "done" for t in every_task(api, p["project_id"])))


COUNT_OPEN = Template(
    id="question.count_open",
    tier="easy",
    intent='How many tasks of the project "{project}", subtasks included, are not done? '
    "Answer with a number.",
    sample=_open_sample,
    solve=_open_solve,
    check=lambda o, p: [answered(o, p["count"])],
)


def _most_overdue_sample(world: World, rng: random.Random) -> Params | None:
    found = _member_and_project(world, rng)
    if found is None:
        return None
    person, project = found
    late = Counter(
        t["assigneeId"] for t in world.tasks(project["id"]) if world.overdue(t) and t["assigneeId"]
    )
    ranked = late.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None  # nobody, or a tie: no single right answer
    return {
        "as": person["email"],
        "project": project["name"],
        "project_id": project["id"],
        "who": world.email(ranked[0][0]),
        "today": world.today.isoformat(),
    }


def _most_overdue_solve(api: TasklaneClient, p: Params) -> Answer:
    late: Counter[str] = Counter(
        t.assignee_id
        for t in every_task(api, p["project_id"])
        if t.assignee_id and t.status != "done" and t.due_on and t.due_on.isoformat() < p["today"]
    )
    who = late.most_common(1)[0][0]
    email = next(m.user.email for m in api.list_members(p["project_id"]) if m.user_id == who)
    return Answer("done", email)


MOST_OVERDUE = Template(
    id="question.most_overdue",
    tier="medium",
    intent='Who in the project "{project}" has the most overdue tasks there (subtasks '
    "included)? Answer with their email.",
    sample=_most_overdue_sample,
    solve=_most_overdue_solve,
    check=lambda o, p: [answered(o, p["who"])],
)

TEMPLATES = (COUNT_OPEN, MOST_OVERDUE)
