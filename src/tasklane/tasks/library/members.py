"""Members and roles, as a project's owner: add, change a role, remove, hand over."""

from __future__ import annotations

import random

from tasklane.client import TasklaneClient
from tasklane.tasks.changes import Change
from tasklane.tasks.library.helpers import (
    field_is,
    named_once,
    pick,
    task_changed,
    unassigned_by_removal,
)
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import Row, World

DONE = Answer("done")
ROLES = ("editor", "commenter", "viewer")  # what an owner gives; ownership is handed over
WITH_ARTICLE = {"editor": "an editor", "commenter": "a commenter", "viewer": "a viewer"}


def _owned(world: World) -> list[tuple[Row, Row]]:
    """Every (owner, project), in a stable order."""
    found = [
        (world.user(m["userId"]), world.project(m["projectId"]))
        for m in world.rows("members")
        if m["role"] == "owner" and world.get("projects", m["projectId"])
    ]
    return sorted(found, key=lambda pair: (pair[1]["id"], pair[0]["id"]))


def _base(owner: Row, project: Row) -> Params:
    return {
        "as": owner["email"],
        "me": owner["id"],
        "project": project["name"],
        "project_id": project["id"],
    }


def _outsiders(world: World, project_id: str) -> list[Row]:
    members = {m["userId"] for m in world.members(project_id)}
    return sorted((u for u in world.users if u["id"] not in members), key=lambda u: u["id"])


def _role_is(o: Outcome, p: Params, user_id: str, wanted: str | None, name: str) -> Check:
    found = o.after.role(p["project_id"], user_id)
    return Check(name, found == wanted, f"role is {found!r}, wanted {wanted!r}")


def _member_added(change: Change, p: Params, user_ids: list[str]) -> bool:
    return (
        change.collection == "members"
        and change.kind == "added"
        and change.value("projectId") == p["project_id"]
        and change.value("userId") in user_ids
    )


def _role_changed(change: Change, member_ids: list[str]) -> bool:
    return (
        change.collection == "members"
        and change.kind == "changed"
        and change.row_id in member_ids
        and change.fields <= {"role", "createdSeq"}
    )


def _member_of(world: World, project_id: str, user_id: str) -> Row:
    return next(m for m in world.members(project_id) if m["userId"] == user_id)


# -- add ------------------------------------------------------------------------------


def _add_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, _owned(world))
    if pair is None:
        return None
    owner, project = pair
    person = pick(rng, _outsiders(world, project["id"]))
    if person is None:
        return None
    role = rng.choice(ROLES)
    return {
        **_base(owner, project),
        "person": person["name"],
        "email": person["email"],
        "user_id": person["id"],
        "role": role,
        "as_role": WITH_ARTICLE[role],
    }


def _add_solve(api: TasklaneClient, p: Params) -> Answer:
    api.add_member(p["project_id"], email=p["email"], role=p["role"])
    return DONE


ADD = Template(
    id="member.add",
    tier="easy",
    intent='Add {person} ({email}) to the project "{project}" as {as_role}.',
    sample=_add_sample,
    solve=_add_solve,
    check=lambda o, p: [
        Check("member_added", o.after.role(p["project_id"], p["user_id"]) is not None),
        _role_is(o, p, p["user_id"], p["role"], "right_role"),
    ],
    allows=lambda c, p: _member_added(c, p, [p["user_id"]]),
)


# -- change a role --------------------------------------------------------------------


def _member_sample(world: World, rng: random.Random) -> Params | None:
    """An owner, and a member of their project who is not an owner."""
    pair = pick(rng, _owned(world))
    if pair is None:
        return None
    owner, project = pair
    member = pick(rng, [m for m in world.members(project["id"]) if m["role"] != "owner"])
    if member is None:
        return None
    return {
        **_base(owner, project),
        "person": world.name(member["userId"]),
        "user_id": member["userId"],
        "member_id": member["id"],
        "was": member["role"],
    }


def _role_sample(world: World, rng: random.Random) -> Params | None:
    found = _member_sample(world, rng)
    if found is None:
        return None
    return {**found, "role": rng.choice([r for r in ROLES if r != found["was"]])}


def _role_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_member(p["project_id"], p["user_id"], role=p["role"])
    return DONE


CHANGE_ROLE = Template(
    id="member.change_role",
    tier="easy",
    intent='In the project "{project}", change the role of {person} to {role}.',
    sample=_role_sample,
    solve=_role_solve,
    check=lambda o, p: [_role_is(o, p, p["user_id"], p["role"], "role_changed")],
    allows=lambda c, p: _role_changed(c, [p["member_id"]]),
)


# -- remove ---------------------------------------------------------------------------


def _remove_solve(api: TasklaneClient, p: Params) -> Answer:
    api.remove_member(p["project_id"], p["user_id"])
    return DONE


REMOVE = Template(
    id="member.remove",
    tier="easy",
    intent='Remove {person} from the project "{project}".',
    sample=_member_sample,
    solve=_remove_solve,
    check=lambda o, p: [_role_is(o, p, p["user_id"], None, "member_removed")],
    allows=lambda c, p: (
        (c.collection == "members" and c.kind == "deleted" and c.row_id == p["member_id"])
        or unassigned_by_removal(c, p["project_id"], p["user_id"])
    ),
)


# -- every commenter an editor --------------------------------------------------------


def _promote_sample(world: World, rng: random.Random) -> Params | None:
    choices = [
        (owner, project, commenters)
        for owner, project in _owned(world)
        if len(commenters := world.members(project["id"], ["commenter"])) >= 2
    ]
    found = pick(rng, choices)
    if found is None:
        return None
    owner, project, commenters = found
    return {
        **_base(owner, project),
        "user_ids": sorted(m["userId"] for m in commenters),
        "member_ids": sorted(m["id"] for m in commenters),
    }


def _promote_solve(api: TasklaneClient, p: Params) -> Answer:
    for user_id in p["user_ids"]:
        api.update_member(p["project_id"], user_id, role="editor")
    return DONE


PROMOTE_COMMENTERS = Template(
    id="member.promote_commenters",
    tier="medium",
    intent='In the project "{project}", make every commenter an editor.',
    sample=_promote_sample,
    solve=_promote_solve,
    check=lambda o, p: [_role_is(o, p, u, "editor", f"editor:{u}") for u in p["user_ids"]],
    allows=lambda c, p: _role_changed(c, p["member_ids"]),
)


# -- hand the project over ------------------------------------------------------------


def _hand_over_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, _owned(world))
    if pair is None:
        return None
    owner, project = pair
    editor = pick(rng, world.members(project["id"], ["editor"]))
    if editor is None:
        return None
    return {
        **_base(owner, project),
        "person": world.name(editor["userId"]),
        "user_id": editor["userId"],
        "member_ids": [editor["id"], _member_of(world, project["id"], owner["id"])["id"]],
    }


def _hand_over_solve(api: TasklaneClient, p: Params) -> Answer:
    # In this order: a project keeps at least one owner.
    api.update_member(p["project_id"], p["user_id"], role="owner")
    api.update_member(p["project_id"], p["me"], role="editor")
    return DONE


HAND_OVER = Template(
    id="member.hand_over_ownership",
    tier="hard",
    intent='Hand the project "{project}" over to {person}: make them its owner, and make '
    "yourself an editor.",
    sample=_hand_over_sample,
    solve=_hand_over_solve,
    check=lambda o, p: [
        _role_is(o, p, p["user_id"], "owner", "new_owner"),
        _role_is(o, p, p["me"], "editor", "now_an_editor"),
    ],
    allows=lambda c, p: _role_changed(c, p["member_ids"]),
)


# -- add someone and give them a task -------------------------------------------------


def _add_assign_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, _owned(world))
    if pair is None:
        return None
    owner, project = pair
    person = pick(rng, _outsiders(world, project["id"]))
    nameable = named_once(world.tasks(project["id"]))
    task = pick(rng, [t for t in nameable if t["parentId"] is None and t["status"] != "done"])
    if person is None or task is None:
        return None
    return {
        **_base(owner, project),
        "person": person["name"],
        "email": person["email"],
        "user_id": person["id"],
        "task": task["name"],
        "task_id": task["id"],
    }


def _add_assign_solve(api: TasklaneClient, p: Params) -> Answer:
    api.add_member(p["project_id"], email=p["email"], role="editor")
    api.update_task(p["task_id"], assignee_id=p["user_id"])
    return DONE


ADD_AND_ASSIGN = Template(
    id="member.add_and_assign",
    tier="hard",
    intent='{person} ({email}) will take over the task "{task}" in the project "{project}": '
    "add them to the project as an editor, and assign the task to them.",
    sample=_add_assign_sample,
    solve=_add_assign_solve,
    check=lambda o, p: [
        _role_is(o, p, p["user_id"], "editor", "member_added"),
        field_is(o, p["task_id"], "assigneeId", p["user_id"], "assigned"),
    ],
    allows=lambda c, p: (
        _member_added(c, p, [p["user_id"]]) or task_changed(c, p["task_id"], {"assigneeId"})
    ),
)

TEMPLATES = (ADD, CHANGE_ROLE, REMOVE, PROMOTE_COMMENTERS, HAND_OVER, ADD_AND_ASSIGN)
