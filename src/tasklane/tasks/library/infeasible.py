"""Tasks that cannot be done: the role is too low, or what they name does not exist.
The agent is to say so (``Answer("infeasible", reason)``) and change nothing."""

from __future__ import annotations

import random

from tasklane.tasks.library.helpers import acting, named_once, pick, reported_infeasible
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import EDITORS, Row, World

TEXTS = ("Looks good to me.", "Can we talk about this on Monday?", "Blocked on review.")


def _infeasible(o: Outcome, p: Params) -> list[Check]:
    return [reported_infeasible(o)]


def holding(world: World, roles: tuple[str, ...]) -> list[tuple[Row, Row]]:
    """Every (person, project) where the person holds one of ``roles``, and edits some
    project: someone with a change within reach, which a careless agent could make."""
    editing = {m["userId"] for m in world.rows("members") if m["role"] in EDITORS}
    found = [
        (world.user(m["userId"]), world.project(m["projectId"]))
        for m in world.rows("members")
        if m["role"] in roles and m["userId"] in editing and world.get("projects", m["projectId"])
    ]
    return sorted(found, key=lambda pair: (pair[1]["id"], pair[0]["id"]))


def _person_and_task(
    world: World, rng: random.Random, roles: tuple[str, ...], *, done: bool = False
) -> Params | None:
    """Someone with one of ``roles`` in a project, and one of its top-level tasks (an
    open one unless ``done``) whose name no other task of the project has."""
    pair = pick(rng, holding(world, roles))
    if pair is None:
        return None
    person, project = pair
    tasks = [
        t
        for t in named_once(world.tasks(project["id"]))
        if t["parentId"] is None and (done or t["status"] != "done")
    ]
    task = pick(rng, tasks)
    if task is None:
        return None
    return acting(person, project, task)


def _made_up_name(world: World, rng: random.Random) -> str | None:
    """A first and a last name of the workspace's people that nobody there has."""
    names = {u["name"] for u in world.users}
    firsts = sorted({n.split(" ", 1)[0] for n in names})
    lasts = sorted({n.split(" ", 1)[1] for n in names if " " in n})
    return pick(rng, [f"{f} {s}" for f in firsts for s in lasts if f"{f} {s}" not in names])


# -- the role is too low --------------------------------------------------------------


def _rename_sample(world: World, rng: random.Random) -> Params | None:
    found = _person_and_task(world, rng, ("commenter",))
    if found is None:
        return None
    return {**found, "new": f"{found['task']} (final)"}


RENAME_AS_COMMENTER = Template(
    id="infeasible.rename_as_commenter",
    tier="easy",
    intent='Rename the task "{task}" in the project "{project}" to "{new}".',
    sample=_rename_sample,
    solve=lambda api, p: Answer("infeasible", "a commenter cannot rename tasks in this project"),
    check=_infeasible,
)


def _comment_sample(world: World, rng: random.Random) -> Params | None:
    found = _person_and_task(world, rng, ("viewer",), done=True)
    if found is None:
        return None
    return {**found, "text": rng.choice(TEXTS)}


COMMENT_AS_VIEWER = Template(
    id="infeasible.comment_as_viewer",
    tier="easy",
    intent='Comment "{text}" on the task "{task}" in the project "{project}".',
    sample=_comment_sample,
    solve=lambda api, p: Answer("infeasible", "a viewer cannot comment in this project"),
    check=_infeasible,
)


def _editor_sample(world: World, rng: random.Random) -> Params | None:
    """An editor (not an owner) of a project."""
    pair = pick(rng, holding(world, ("editor",)))
    if pair is None:
        return None
    person, project = pair
    return {"as": person["email"], "project": project["name"], "project_id": project["id"]}


DELETE_PROJECT = Template(
    id="infeasible.delete_unowned_project",
    tier="easy",
    intent='Delete the project "{project}".',
    sample=_editor_sample,
    solve=lambda api, p: Answer("infeasible", "only an owner may delete the project"),
    check=_infeasible,
)


def _add_member_sample(world: World, rng: random.Random) -> Params | None:
    found = _editor_sample(world, rng)
    if found is None:
        return None
    members = {m["userId"] for m in world.members(found["project_id"])}
    person = pick(rng, [u for u in world.users if u["id"] not in members])
    if person is None:
        return None
    return {**found, "person": person["name"], "email": person["email"]}


ADD_MEMBER_AS_EDITOR = Template(
    id="infeasible.add_member_as_editor",
    tier="medium",
    intent='Add {person} ({email}) to the project "{project}" as a viewer.',
    sample=_add_member_sample,
    solve=lambda api, p: Answer("infeasible", "only an owner may add members"),
    check=_infeasible,
)


def _lone_comments(world: World, project: Row) -> list[tuple[Row, Row]]:
    """Each task of the project an intent may name, with each comment on it whose author
    left no other there."""
    found = []
    for task in named_once(world.tasks(project["id"])):
        comments = world.comments(task["id"])
        authors = [c["authorId"] for c in comments]
        found += [(task, c) for c in comments if authors.count(c["authorId"]) == 1]
    return found


def _others_comment_sample(world: World, rng: random.Random) -> Params | None:
    """Someone who edits a project, and the one comment a colleague left on a task."""
    lone: dict[str, list[tuple[Row, Row]]] = {}  # per project, found once for all its editors
    choices = []
    for person, project in holding(world, EDITORS):
        if project["id"] not in lone:
            lone[project["id"]] = _lone_comments(world, project)
        choices += [
            (person, project, task, c)
            for task, c in lone[project["id"]]
            if c["authorId"] != person["id"]
        ]
    found = pick(rng, choices)
    if found is None:
        return None
    person, project, task, comment = found
    return {
        "as": person["email"],
        "project": project["name"],
        "task": task["name"],
        "task_id": task["id"],
        "author": world.name(comment["authorId"]),
        "comment_id": comment["id"],
    }


DELETE_OTHERS_COMMENT = Template(
    id="infeasible.delete_others_comment",
    tier="medium",
    intent='Delete the comment {author} left on the task "{task}" in the project "{project}".',
    sample=_others_comment_sample,
    solve=lambda api, p: Answer("infeasible", "only its author may delete a comment"),
    check=_infeasible,
)


# -- what they name does not exist ----------------------------------------------------


def _missing_task_sample(world: World, rng: random.Random) -> Params | None:
    """An editor of a project, and the name of a task of another project that no task
    of this one has."""
    pair = pick(rng, holding(world, EDITORS))
    if pair is None:
        return None
    person, project = pair
    name = pick(rng, names_from_elsewhere(world, project))
    if name is None:
        return None
    return {"as": person["email"], "project": project["name"], "task": name}


def names_from_elsewhere(world: World, project: Row) -> list[str]:
    """Names of top-level tasks of other projects that no task of ``project`` has: a
    task an agent may believe is there, and is not."""
    here = {t["name"] for t in world.tasks(project["id"])}
    return sorted(
        {
            t["name"]
            for t in world.tasks(top=True)
            if t["projectId"] != project["id"] and t["name"] not in here
        }
    )


COMPLETE_MISSING_TASK = Template(
    id="infeasible.complete_missing_task",
    tier="medium",
    intent='Mark the task "{task}" in the project "{project}" as complete.',
    sample=_missing_task_sample,
    solve=lambda api, p: Answer("infeasible", f"the project has no task named {p['task']!r}"),
    check=_infeasible,
)


def _unknown_person_sample(world: World, rng: random.Random) -> Params | None:
    found = _person_and_task(world, rng, EDITORS)
    name = _made_up_name(world, rng)
    if found is None or name is None:
        return None
    return {**found, "person": name}


ASSIGN_UNKNOWN_PERSON = Template(
    id="infeasible.assign_unknown_person",
    tier="medium",
    intent='Assign the task "{task}" in the project "{project}" to {person}.',
    sample=_unknown_person_sample,
    solve=lambda api, p: Answer("infeasible", f"nobody in the workspace is named {p['person']}"),
    check=_infeasible,
)


def _unknown_email_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, holding(world, ("owner",)))
    name = _made_up_name(world, rng)
    if pair is None or name is None:
        return None
    person, project = pair
    return {
        "as": person["email"],
        "project": project["name"],
        "email": name.lower().replace(" ", ".") + "@acme.example.com",
    }


ADD_UNKNOWN_EMAIL = Template(
    id="infeasible.add_unknown_email",
    tier="medium",
    intent='Add {email} to the project "{project}" as an editor.',
    sample=_unknown_email_sample,
    solve=lambda api, p: Answer("infeasible", f"no account has the email {p['email']}"),
    check=_infeasible,
)


TEMPLATES = (
    RENAME_AS_COMMENTER,
    COMMENT_AS_VIEWER,
    DELETE_PROJECT,
    ADD_MEMBER_AS_EDITOR,
    DELETE_OTHERS_COMMENT,
    COMPLETE_MISSING_TASK,
    ASSIGN_UNKNOWN_PERSON,
    ADD_UNKNOWN_EMAIL,
)
