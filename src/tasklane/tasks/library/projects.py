"""Projects themselves, as their owner: rename, describe, recolour, archive (the pages
do the last three from the project's settings); and new projects, with the sections and
the people asked for.
"""

from __future__ import annotations

import random

from tasklane.client import TasklaneClient
from tasklane.tasks.changes import Change
from tasklane.tasks.library.helpers import acting, added, pick
from tasklane.tasks.model import Answer, Check, Outcome, Params, Template
from tasklane.tasks.world import Row, World

DONE = Answer("done")
DESCRIPTIONS = (
    "Everything we promised for the spring release.",
    "Owned by the platform team; ask in the channel first.",
    "Paused until the budget review.",
)
COLORS = {
    "#4f6bed": "blue",
    "#e8384f": "red",
    "#fd9a00": "orange",
    "#eec300": "yellow",
    "#62d26f": "green",
    "#37c5ab": "teal",
    "#aa62e3": "purple",
    "#ea4e9d": "pink",
}
SECTIONS = ("Inbox", "Next up", "Blocked", "Waiting on others", "Finished", "Parked")
TOPICS = ("Vendor review", "Office move", "Hiring plan", "Partner launch", "Security audit")


def _owned(world: World, rng: random.Random) -> Params | None:
    """An owner and their project."""
    owners = [
        (world.user(m["userId"]), world.project(m["projectId"]))
        for m in world.rows("members")
        if m["role"] == "owner" and world.get("projects", m["projectId"])
    ]
    pair = pick(rng, sorted(owners, key=lambda pair: (pair[1]["id"], pair[0]["id"])))
    return None if pair is None else acting(*pair)


def _project_changed(change: Change, p: Params, field: str) -> bool:
    return (
        change.collection == "projects"
        and change.kind == "changed"
        and change.row_id == p["project_id"]
        and change.fields <= {field, "modifiedAt", "lastSeq"}
    )


def _project_field(o: Outcome, p: Params, field: str, wanted: object, name: str) -> Check:
    project = o.after.get("projects", p["project_id"])
    found = None if project is None else project[field]
    if isinstance(found, str):
        found = found.strip()
    return Check(name, found == wanted, f"{field} is {found!r}")


# -- rename ---------------------------------------------------------------------------


def _rename_sample(world: World, rng: random.Random) -> Params | None:
    found = _owned(world, rng)
    if found is None:
        return None
    new = f"{found['project']} ({rng.choice(['2026', 'phase two', 'archive candidate'])})"
    taken = {p["name"] for p in world.projects}
    return None if new in taken else {**found, "new": new}


def _rename_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_project(p["project_id"], name=p["new"])
    return DONE


RENAME = Template(
    id="project.rename",
    tier="easy",
    intent='Rename the project "{project}" to "{new}".',
    sample=_rename_sample,
    solve=_rename_solve,
    check=lambda o, p: [_project_field(o, p, "name", p["new"], "project_renamed")],
    allows=lambda c, p: _project_changed(c, p, "name"),
)


# -- describe -------------------------------------------------------------------------


def _describe_sample(world: World, rng: random.Random) -> Params | None:
    found = _owned(world, rng)
    if found is None:
        return None
    now = world.project(found["project_id"])["description"]
    text = pick(rng, [d for d in DESCRIPTIONS if d != now])
    return None if text is None else {**found, "text": text}


def _describe_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_project(p["project_id"], description=p["text"])
    return DONE


DESCRIBE = Template(
    id="project.describe",
    tier="easy",
    intent='Change the description of the project "{project}" to: "{text}"',
    sample=_describe_sample,
    solve=_describe_solve,
    check=lambda o, p: [_project_field(o, p, "description", p["text"], "description_set")],
    allows=lambda c, p: _project_changed(c, p, "description"),
)


# -- recolour -------------------------------------------------------------------------


def _recolor_sample(world: World, rng: random.Random) -> Params | None:
    found = _owned(world, rng)
    if found is None:
        return None
    now = world.project(found["project_id"])["color"].lower()
    color = pick(rng, [c for c in COLORS if c != now])
    if color is None:
        return None
    return {**found, "color": color, "color_name": COLORS[color]}


def _recolor_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_project(p["project_id"], color=p["color"])
    return DONE


def _recolored(o: Outcome, p: Params) -> list[Check]:
    project = o.after.get("projects", p["project_id"])
    color = None if project is None else project["color"].lower()
    return [Check("color_set", color == p["color"], f"color {color}")]


RECOLOR = Template(
    id="project.recolor",
    tier="easy",
    intent='Change the colour of the project "{project}" to {color_name} ({color}).',
    sample=_recolor_sample,
    solve=_recolor_solve,
    check=_recolored,
    allows=lambda c, p: _project_changed(c, p, "color"),
)


# -- archive --------------------------------------------------------------------------


def _archive_solve(api: TasklaneClient, p: Params) -> Answer:
    api.update_project(p["project_id"], archived=True)
    return DONE


def _archived(o: Outcome, p: Params) -> Check:
    project = o.after.get("projects", p["project_id"]) or {}
    archived = project.get("archived") is True and not project.get("deletedAt")
    return Check("archived_not_deleted", archived, f"archived {project.get('archived')!r}")


ARCHIVE = Template(
    id="project.archive",
    tier="easy",
    intent='Archive the project "{project}" (archive it; do not delete it).',
    sample=lambda world, rng: _owned(world, rng),
    solve=_archive_solve,
    check=lambda o, p: [_archived(o, p)],
    allows=lambda c, p: _project_changed(c, p, "archived"),
)


# -- a new project with its sections and people ---------------------------------------


def new_project(world: World, rng: random.Random, person: Row) -> Params | None:
    """The persona, the name of a project nobody has, and the ids of the projects there
    are."""
    name = f"{rng.choice(TOPICS)} {rng.randint(100, 999)}"
    if name in {p["name"] for p in world.rows("projects")}:
        return None
    return {
        "as": person["email"],
        "me": person["id"],
        "name": name,
        "existing": sorted(p["id"] for p in world.rows("projects")),
    }


def created_project(o: Outcome, p: Params) -> tuple[Row | None, Check]:
    found = added(o, "projects", lambda row: row["name"].strip() == p["name"])
    check = Check("project_created", len(found) == 1, f"{len(found)} projects named so")
    return (found[0] if len(found) == 1 else None), check


def in_new_project(change: Change, p: Params) -> bool:
    """A project added under the name asked for, or a change to a project that was not
    there at the start (its sections and members)."""
    if change.collection == "projects":
        return change.kind == "added" and change.value("name") == p["name"]
    project_id = change.value("projectId")
    return project_id is not None and project_id not in p["existing"]


def sections_are(o: Outcome, project: Row | None, wanted: list[str]) -> Check:
    names = [] if project is None else [s["name"].strip() for s in o.after.sections(project["id"])]
    return Check("sections_as_asked", names == wanted, f"sections {names}")


def role_in(o: Outcome, project: Row | None, user_id: str, role: str, name: str) -> Check:
    found = None if project is None else o.after.role(project["id"], user_id)
    return Check(name, found == role, f"role {found!r}")


def _create_sample(world: World, rng: random.Random) -> Params | None:
    pair = pick(rng, world.editors())  # someone with a stray change within reach
    found = None if pair is None else new_project(world, rng, pair[0])
    if found is None:
        return None
    person = pick(rng, [u for u in world.users if u["id"] != found["me"]])
    if person is None:
        return None
    sections = rng.sample(SECTIONS, 3)
    return {
        **found,
        "sections": sections,
        "listed": ", ".join(f'"{s}"' for s in sections),
        "person": person["name"],
        "email": person["email"],
        "user_id": person["id"],
    }


def _create_solve(api: TasklaneClient, p: Params) -> Answer:
    project = api.create_project(p["name"], sections=p["sections"])
    api.add_member(project.id, email=p["email"], role="editor")
    return DONE


def _create_checks(o: Outcome, p: Params) -> list[Check]:
    project, created = created_project(o, p)
    return [
        created,
        sections_are(o, project, p["sections"]),
        role_in(o, project, p["user_id"], "editor", "member_added"),
    ]


CREATE_WITH_SECTIONS = Template(
    id="project.create_with_sections",
    tier="medium",
    intent='Create a project named "{name}" whose sections are {listed}, in that order and no '
    "others, and add {person} ({email}) to it as an editor.",
    sample=_create_sample,
    solve=_create_solve,
    check=_create_checks,
    allows=in_new_project,
)


# -- a new project laid out like another ----------------------------------------------


def _like_sample(world: World, rng: random.Random) -> Params | None:
    owned = _owned(world, rng)
    found = None if owned is None else new_project(world, rng, world.user(owned["me"]))
    if owned is None or found is None:
        return None
    editors = sorted(m["userId"] for m in world.members(owned["project_id"], ["editor"]))
    if not editors:
        return None
    sections = [s["name"] for s in world.sections(owned["project_id"])]
    return {**owned, **found, "sections": sections, "editor_ids": editors}


def _like_solve(api: TasklaneClient, p: Params) -> Answer:
    sections = [s.name for s in api.list_sections(p["project_id"])]
    project = api.create_project(p["name"], sections=sections)
    for member in api.list_members(p["project_id"]):
        if member.role == "editor":
            api.add_member(project.id, user_id=member.user_id, role="editor")
    return DONE


def _like_checks(o: Outcome, p: Params) -> list[Check]:
    project, created = created_project(o, p)
    return [
        created,
        sections_are(o, project, p["sections"]),
        *(role_in(o, project, u, "editor", f"editor:{u}") for u in p["editor_ids"]),
    ]


LIKE_ANOTHER = Template(
    id="project.create_like_another",
    tier="hard",
    intent='Create a project named "{name}" with the same sections as the project "{project}", '
    'in the same order, and add every editor of "{project}" (role editor) to it as an editor.',
    sample=_like_sample,
    solve=_like_solve,
    check=_like_checks,
    allows=in_new_project,
)

TEMPLATES = (RENAME, DESCRIBE, RECOLOR, ARCHIVE, CREATE_WITH_SECTIONS, LIKE_ANOTHER)
