"""More tasks that cannot be done, to be reported as infeasible with nothing changed:
a role too low for what is asked, or a section, task or person that is not there."""

from __future__ import annotations

import random

from tasklane.tasks.library.helpers import acting, named_once, pick, reported_infeasible
from tasklane.tasks.library.infeasible import holding, names_from_elsewhere
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import EDITORS, World


def _infeasible(o: Outcome, p: Params) -> list[Check]:
    return [reported_infeasible(o)]


def _open_task(world: World, rng: random.Random, roles: tuple[str, ...]) -> Params | None:
    """Someone with one of ``roles`` in a project, and an open top-level task of it
    named once there."""
    pair = pick(rng, holding(world, roles))
    if pair is None:
        return None
    person, project = pair
    tasks = named_once(world.tasks(project["id"]))
    task = pick(rng, [t for t in tasks if t["parentId"] is None and t["status"] != "done"])
    return None if task is None else acting(person, project, task)


# -- the role is too low --------------------------------------------------------------


def _project_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, holding(world, ("editor",)))
    if pair is None:
        return None
    found = acting(*pair)
    return {**found, "new": f"{found['project']} (2026)"}


RENAME_PROJECT_AS_EDITOR = Template(
    id="infeasible.rename_project_as_editor",
    tier="easy",
    intent='Rename the project "{project}" to "{new}".',
    sample=_project_sample,
    solve=lambda api, p: Answer("infeasible", "only the project's owner may rename it"),
    check=_infeasible,
)


COMPLETE_AS_VIEWER = Template(
    id="infeasible.complete_as_viewer",
    tier="easy",
    intent='Mark the task "{task}" in the project "{project}" as complete.',
    sample=lambda world, rng: _open_task(world, rng, ("viewer",)),
    solve=lambda api, p: Answer("infeasible", "a viewer cannot change tasks in this project"),
    check=_infeasible,
)


# -- what they name is not there ------------------------------------------------------


def _missing_section_sample(world: World, rng: random.Random) -> Params | None:
    """An editor of a project, and the name of a section of another of their projects
    that this one has not."""
    pair = pick(rng, holding(world, EDITORS))
    if pair is None:
        return None
    person, project = pair
    here = {s["name"] for s in world.sections(project["id"])}
    elsewhere = {
        s["name"]
        for other in world.projects_of(person["id"], ("owner", "editor", "commenter", "viewer"))
        if other["id"] != project["id"]
        for s in world.sections(other["id"])
    }
    name = pick(rng, sorted(elsewhere - here))
    if name is None:
        return None
    return {**acting(person, project), "section": name, "new": f"{name} (old)"}


RENAME_MISSING_SECTION = Template(
    id="infeasible.rename_missing_section",
    tier="medium",
    intent='In the project "{project}", rename the section "{section}" to "{new}".',
    sample=_missing_section_sample,
    solve=lambda api, p: Answer("infeasible", f"the project has no section {p['section']!r}"),
    check=_infeasible,
)


def _missing_parent_sample(world: World, rng: random.Random) -> Params | None:
    """An editor of a project, and the name of a top-level task of another project
    that no task of this one has."""
    pair = pick(rng, holding(world, EDITORS))
    if pair is None:
        return None
    person, project = pair
    name = pick(rng, names_from_elsewhere(world, project))
    if name is None:
        return None
    return {**acting(person, project), "task": name, "subtask": "Collect sign-offs"}


SUBTASK_OF_MISSING_TASK = Template(
    id="infeasible.subtask_of_missing_task",
    tier="medium",
    intent='Add a subtask "{subtask}" to the task "{task}" in the project "{project}".',
    sample=_missing_parent_sample,
    solve=lambda api, p: Answer("infeasible", f"the project has no task named {p['task']!r}"),
    check=_infeasible,
)


def _unknown_sample(world: World, rng: random.Random) -> Params | None:
    """An editor of a project, a name nobody in the workspace has (made of names that
    are there), and a member to hand work to."""
    pair = pick(rng, holding(world, EDITORS))
    if pair is None:
        return None
    person, project = pair
    names = {u["name"] for u in world.users}
    firsts = sorted({n.split(" ", 1)[0] for n in names})
    lasts = sorted({n.split(" ", 1)[1] for n in names if " " in n})
    made_up = pick(rng, [f"{f} {s}" for f in firsts for s in lasts if f"{f} {s}" not in names])
    other = pick(rng, sorted(m["userId"] for m in world.members(project["id"])))
    if made_up is None or other is None:
        return None
    return {**acting(person, project), "whose": made_up, "other": world.name(other)}


HAND_OVER_UNKNOWN = Template(
    id="infeasible.hand_over_unknown_person",
    tier="medium",
    intent='In the project "{project}", give every task of {whose} that is not done to {other}.',
    sample=_unknown_sample,
    solve=lambda api, p: Answer("infeasible", f"nobody in the workspace is named {p['whose']}"),
    check=_infeasible,
)


def _outsider_sample(world: World, rng: random.Random) -> Params | None:
    """An editor (not the owner: only an owner adds members), one of the project's
    sections with open tasks, and someone of the workspace who is not a member."""
    pair = pick(rng, holding(world, ("editor",)))
    if pair is None:
        return None
    person, project = pair
    tasks = world.tasks(project["id"], top=True)
    sections = [
        s
        for s in world.sections(project["id"])
        if any(t["sectionId"] == s["id"] and t["status"] != "done" for t in tasks)
    ]
    section = pick(rng, sections)
    members = {m["userId"] for m in world.members(project["id"])}
    outsider = pick(rng, [u for u in world.users if u["id"] not in members])
    if section is None or outsider is None:
        return None
    return {**acting(person, project), "section": section["name"], "outsider": outsider["name"]}


SECTION_TO_OUTSIDER = Template(
    id="infeasible.section_to_outsider",
    tier="hard",
    intent='In the project "{project}", assign every task of the section "{section}" that is '
    "not done to {outsider}.",
    sample=_outsider_sample,
    solve=lambda api, p: Answer(
        "infeasible",
        f"{p['outsider']} is not a member of the project, and only its owner may add them",
    ),
    check=_infeasible,
)

TEMPLATES = (
    RENAME_PROJECT_AS_EDITOR,
    COMPLETE_AS_VIEWER,
    RENAME_MISSING_SECTION,
    SUBTASK_OF_MISSING_TASK,
    HAND_OVER_UNKNOWN,
    SECTION_TO_OUTSIDER,
)
