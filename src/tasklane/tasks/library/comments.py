"""Comments, and a task across two projects."""

from __future__ import annotations

import random

from tasklane.client import TasklaneClient
from tasklane.tasks.library.helpers import added, named_once, pick
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import COMMENTERS, World

DONE = Answer("done")


def _comment_sample(world: World, rng: random.Random) -> Params | None:
    people = [
        (world.user(m["userId"]), world.project(m["projectId"]))
        for m in world.rows("members")
        if m["role"] in COMMENTERS and world.get("projects", m["projectId"])
    ]
    pair = pick(rng, sorted(people, key=lambda x: (x[1]["id"], x[0]["id"])))
    if pair is None:
        return None
    person, project = pair
    task = pick(rng, [t for t in named_once(world.tasks(project["id"])) if t["parentId"] is None])
    if task is None:
        return None
    text = rng.choice(
        ["Looks good to me.", "Can we talk about this on Monday?", "Blocked on review."]
    )
    return {
        "as": person["email"],
        "me": person["id"],
        "project": project["name"],
        "task": task["name"],
        "task_id": task["id"],
        "text": text,
    }


def _comment_solve(api: TasklaneClient, p: Params) -> Answer:
    api.create_comment(p["task_id"], p["text"])
    return DONE


def _commented(o: Outcome, p: Params) -> list[Check]:
    found = added(o, "comments", lambda c: c["taskId"] == p["task_id"])
    mine = [c for c in found if c["authorId"] == p["me"] and c["text"].strip() == p["text"]]
    return [Check("comment_added", len(mine) == 1, f"{len(found)} new comments on the task")]


COMMENT = Template(
    id="comment.add",
    tier="easy",
    intent='Comment "{text}" on the task "{task}" in the project "{project}".',
    sample=_comment_sample,
    solve=_comment_solve,
    check=_commented,
    allows=lambda c, p: (
        c.collection == "comments" and c.kind == "added" and c.value("taskId") == p["task_id"]
    ),
)


def _copy_sample(world: World, rng: random.Random) -> Params | None:
    """Someone who edits two projects: a task of one is to be copied into the other."""
    by_person: dict[str, list[dict[str, str]]] = {}
    for person, project in world.editors():
        by_person.setdefault(person["id"], []).append(project)
    people = sorted(p for p, projects in by_person.items() if len(projects) >= 2)
    me = pick(rng, people)
    if me is None:
        return None
    source, target = rng.sample(sorted(by_person[me], key=lambda p: p["id"]), 2)
    named = named_once(world.tasks(source["id"]))
    task = pick(rng, [t for t in named if t["parentId"] is None and t["status"] != "done"])
    if task is None:
        return None
    return {
        "as": world.email(me),
        "me": me,
        "source": source["name"],
        "target": target["name"],
        "target_id": target["id"],
        "task": task["name"],
        "task_id": task["id"],
        "note": f"Copied to {target['name']}",
    }


def _copy_solve(api: TasklaneClient, p: Params) -> Answer:
    api.create_task(p["target_id"], p["task"], assignee_id=p["me"])
    api.create_comment(p["task_id"], p["note"])
    return DONE


def _copied(o: Outcome, p: Params) -> list[Check]:
    copies = added(
        o, "tasks", lambda t: t["projectId"] == p["target_id"] and t["name"] == p["task"]
    )
    notes = added(
        o, "comments", lambda c: c["taskId"] == p["task_id"] and c["text"].strip() == p["note"]
    )
    return [
        Check("copy_created", len(copies) == 1, f"{len(copies)} copies"),
        Check("copy_assigned_to_me", bool(copies) and copies[0]["assigneeId"] == p["me"]),
        Check("original_commented", len(notes) == 1, f"{len(notes)} such comments"),
    ]


COPY = Template(
    id="multi.copy_across_projects",
    tier="hard",
    intent='Copy the task "{task}" from the project "{source}" into the project "{target}" '
    '(same name, assigned to you), then comment "{note}" on the original.',
    sample=_copy_sample,
    solve=_copy_solve,
    check=_copied,
    allows=lambda c, p: (
        c.kind == "added"
        and (
            (c.collection == "tasks" and c.value("projectId") == p["target_id"])
            or (c.collection == "comments" and c.value("taskId") == p["task_id"])
        )
    ),
)

TEMPLATES = (COMMENT, COPY)
