"""Projects, sections and members used as intended: what each change does, and that a
change which changes nothing leaves the event log alone.

Over 400 lines: one module per resource of the API, as in ``api/``; its helpers serve
every test here."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Person

Signup = Callable[[str], Person]
Json = dict[str, Any]


def new_project(person: Person, **body: Any) -> Json:
    response = person.http.post("/api/projects", json={"name": "Launch", **body})
    assert response.status_code == 201, response.text
    project: Json = response.json()
    return project


def get_project(person: Person, project_id: str) -> Json:
    response = person.http.get(f"/api/projects/{project_id}")
    assert response.status_code == 200, response.text
    project: Json = response.json()
    return project


def sections(person: Person, project_id: str) -> list[Json]:
    response = person.http.get(f"/api/projects/{project_id}/sections")
    assert response.status_code == 200, response.text
    found: list[Json] = response.json()
    return found


def section_names(person: Person, project_id: str) -> list[str]:
    return [section["name"] for section in sections(person, project_id)]


def add_section(person: Person, project_id: str, name: str, **body: Any) -> Json:
    response = person.http.post(f"/api/projects/{project_id}/sections", json={"name": name, **body})
    assert response.status_code == 201, response.text
    section: Json = response.json()
    return section


def events_after(person: Person, project_id: str, after: int) -> list[Json]:
    response = person.http.get(f"/api/projects/{project_id}/events", params={"after": after})
    assert response.status_code == 200, response.text
    found: list[Json] = response.json()["events"]
    return found


def add_member(owner: Person, project_id: str, person: Person, role: str = "editor") -> Json:
    response = owner.http.post(
        f"/api/projects/{project_id}/members", json={"userId": person.id, "role": role}
    )
    assert response.status_code == 201, response.text
    member: Json = response.json()
    return member


def later() -> None:
    """Let the millisecond clock tick, so that a change of timestamp is visible."""
    time.sleep(0.003)


# -- projects ----------------------------------------------------------------------


def test_a_new_project_gets_to_do_in_progress_and_done_sections(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana, description="The spring launch", color="#62d26f")
    assert project["name"] == "Launch"
    assert project["description"] == "The spring launch"
    assert project["color"] == "#62d26f"
    assert project["archived"] is False
    assert project["createdBy"] == ana.id
    assert project["createdAt"] == project["modifiedAt"]
    assert section_names(ana, project["id"]) == ["To do", "In progress", "Done"]


def test_a_project_created_with_sections_gets_exactly_those_in_order(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana, sections=["Backlog", "Doing", "Review", "Shipped"])
    found = sections(ana, project["id"])
    assert [s["name"] for s in found] == ["Backlog", "Doing", "Review", "Shipped"]
    assert all(s["projectId"] == project["id"] for s in found)


def test_a_project_without_a_colour_gets_one_from_the_palette(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    assert project["color"].startswith("#")
    assert len(project["color"]) == 7


def test_the_project_list_shows_my_role_and_each_projects_seq(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    mine = new_project(ana, name="Mine")
    theirs = new_project(bo, name="Theirs")
    add_member(bo, theirs["id"], ana, role="commenter")
    ana.http.post(f"/api/projects/{mine['id']}/tasks", json={"name": "First"})

    listed = {p["id"]: p for p in ana.http.get("/api/projects").json()}

    assert set(listed) == {mine["id"], theirs["id"]}
    assert (listed[mine["id"]]["role"], listed[mine["id"]]["seq"]) == ("owner", 2)
    assert (listed[theirs["id"]]["role"], listed[theirs["id"]]["seq"]) == ("commenter", 2)
    assert listed[mine["id"]] == get_project(ana, mine["id"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Relaunch"),
        ("description", "Now with a plan"),
        ("color", "#aa62e3"),
        ("archived", True),
    ],
)
def test_patching_a_project_changes_exactly_that_field_and_bumps_modified_at(
    signup: Signup, field: str, value: Any
) -> None:
    ana = signup("ana")
    before = new_project(ana, description="Old words", color="#4f6bed")
    later()

    response = ana.http.patch(f"/api/projects/{before['id']}", json={field: value})

    assert response.status_code == 200, response.text
    after = response.json()
    assert after[field] == value
    assert after["modifiedAt"] > before["modifiedAt"]
    unchanged = {k: v for k, v in before.items() if k not in (field, "modifiedAt", "seq")}
    assert {k: after[k] for k in unchanged} == unchanged
    assert after["seq"] == before["seq"] + 1
    assert get_project(ana, before["id"]) == after


def test_patching_several_project_fields_at_once_changes_them_together(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana, color="#4f6bed")
    body = {"name": "Q3", "description": "Quarter three", "color": "#eec300", "archived": True}

    after = ana.http.patch(f"/api/projects/{project['id']}", json=body).json()

    assert {k: after[k] for k in body} == body
    [event] = events_after(ana, project["id"], project["seq"])
    assert event["type"] == "project_updated"
    assert sorted(event["data"]["changes"]) == ["archived", "color", "description", "name"]


def test_an_archived_project_can_be_unarchived(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    ana.http.patch(f"/api/projects/{project['id']}", json={"archived": True})
    after = ana.http.patch(f"/api/projects/{project['id']}", json={"archived": False}).json()
    assert after["archived"] is False
    assert after["seq"] == project["seq"] + 2


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "Launch"},
        {"archived": False},
        {"name": "Launch", "color": "#4f6bed", "description": ""},
    ],
)
def test_a_project_patch_that_changes_nothing_appends_no_event(signup: Signup, body: Json) -> None:
    ana = signup("ana")
    before = new_project(ana, color="#4f6bed")
    later()

    response = ana.http.patch(f"/api/projects/{before['id']}", json=body)

    assert response.status_code == 200, response.text
    assert response.json() == before
    assert get_project(ana, before["id"]) == before
    assert events_after(ana, before["id"], before["seq"]) == []


def test_a_deleted_project_leaves_the_owners_list(signup: Signup) -> None:
    ana = signup("ana")
    kept, gone = new_project(ana, name="Kept"), new_project(ana, name="Gone")
    assert ana.http.delete(f"/api/projects/{gone['id']}").status_code == 204
    assert [p["id"] for p in ana.http.get("/api/projects").json()] == [kept["id"]]
    assert ana.http.get(f"/api/projects/{gone['id']}").status_code == 404


# -- sections ----------------------------------------------------------------------


def test_a_new_section_goes_at_the_end(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    section = add_section(ana, project["id"], "Blocked")
    assert section["name"] == "Blocked"
    assert section["projectId"] == project["id"]
    assert section_names(ana, project["id"]) == ["To do", "In progress", "Done", "Blocked"]


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (0, ["Blocked", "To do", "In progress", "Done"]),
        (1, ["To do", "Blocked", "In progress", "Done"]),
        (3, ["To do", "In progress", "Done", "Blocked"]),
        (40, ["To do", "In progress", "Done", "Blocked"]),
    ],
)
def test_a_new_section_at_a_position_is_inserted_there(
    signup: Signup, position: int, expected: list[str]
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    add_section(ana, project["id"], "Blocked", position=position)
    assert section_names(ana, project["id"]) == expected


def test_renaming_a_section_keeps_its_place(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    middle = sections(ana, project["id"])[1]

    response = ana.http.patch(f"/api/sections/{middle['id']}", json={"name": "Doing"})

    assert response.status_code == 200, response.text
    assert response.json() == {**middle, "name": "Doing"}
    assert section_names(ana, project["id"]) == ["To do", "Doing", "Done"]


@pytest.mark.parametrize(
    ("moved", "position", "expected"),
    [
        ("Done", 0, ["Done", "To do", "In progress"]),
        ("To do", 2, ["In progress", "Done", "To do"]),
        ("To do", 1, ["In progress", "To do", "Done"]),
        ("Done", 1, ["To do", "Done", "In progress"]),
        ("In progress", 9, ["To do", "Done", "In progress"]),
    ],
)
def test_reordering_a_section_by_position_changes_the_listed_order(
    signup: Signup, moved: str, position: int, expected: list[str]
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    section = next(s for s in sections(ana, project["id"]) if s["name"] == moved)

    response = ana.http.patch(f"/api/sections/{section['id']}", json={"position": position})

    assert response.status_code == 200, response.text
    assert section_names(ana, project["id"]) == expected


def test_renaming_and_moving_a_section_in_one_patch_is_one_event(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    first = sections(ana, project["id"])[0]

    ana.http.patch(f"/api/sections/{first['id']}", json={"name": "Later", "position": 2})

    assert section_names(ana, project["id"]) == ["In progress", "Done", "Later"]
    [event] = events_after(ana, project["id"], project["seq"])
    assert event["type"] == "section_updated"
    assert event["data"]["changes"] == ["name", "rank"]


def test_moving_a_section_to_where_it_is_appends_no_event(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    middle = sections(ana, project["id"])[1]

    response = ana.http.patch(
        f"/api/sections/{middle['id']}", json={"position": 1, "name": "In progress"}
    )

    assert response.json() == middle
    assert events_after(ana, project["id"], project["seq"]) == []


def test_an_empty_section_can_be_deleted(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    middle = sections(ana, project["id"])[1]

    assert ana.http.delete(f"/api/sections/{middle['id']}").status_code == 204

    assert section_names(ana, project["id"]) == ["To do", "Done"]
    [event] = events_after(ana, project["id"], project["seq"])
    assert event["type"] == "section_deleted"
    assert event["data"] == {"projectId": project["id"], "sectionId": middle["id"]}


def test_a_section_emptied_of_its_tasks_can_be_deleted(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    first, second, _ = sections(ana, project["id"])
    task = ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Move me"}).json()
    ana.http.post(f"/api/tasks/{task['id']}/move", json={"sectionId": second["id"]})

    assert ana.http.delete(f"/api/sections/{first['id']}").status_code == 204
    assert section_names(ana, project["id"]) == ["In progress", "Done"]


def test_deleting_a_section_that_holds_tasks_is_refused_and_changes_nothing(
    signup: Signup,
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    first = sections(ana, project["id"])[0]
    task = ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Stay"}).json()
    head = get_project(ana, project["id"])["seq"]

    response = ana.http.delete(f"/api/sections/{first['id']}")

    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "section_not_empty"
    assert section_names(ana, project["id"]) == ["To do", "In progress", "Done"]
    assert ana.http.get(f"/api/tasks/{task['id']}").json() == task
    assert events_after(ana, project["id"], head) == []


# -- members -----------------------------------------------------------------------


def test_the_creator_is_the_only_member_and_owner_of_a_new_project(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    [member] = ana.http.get(f"/api/projects/{project['id']}/members").json()
    assert (member["userId"], member["role"], member["projectId"]) == (
        ana.id,
        "owner",
        project["id"],
    )
    assert member["user"]["email"] == ana.email


def test_an_owner_adds_members_by_id_and_by_email(signup: Signup) -> None:
    ana, bo, cy = signup("ana"), signup("bo"), signup("cy")
    project = new_project(ana)

    by_id = add_member(ana, project["id"], bo, role="viewer")
    response = ana.http.post(
        f"/api/projects/{project['id']}/members", json={"email": cy.email.upper()}
    )

    assert response.status_code == 201, response.text
    by_email = response.json()
    assert (by_id["userId"], by_id["role"]) == (bo.id, "viewer")
    assert (by_email["userId"], by_email["role"]) == (cy.id, "editor")
    assert by_email["user"] == {
        "id": cy.id,
        "email": cy.email,
        "name": cy.name,
        "avatarColor": None,
        "createdAt": by_email["user"]["createdAt"],
    }
    listed = ana.http.get(f"/api/projects/{project['id']}/members").json()
    assert [(m["userId"], m["role"]) for m in listed] == [
        (ana.id, "owner"),
        (bo.id, "viewer"),
        (cy.id, "editor"),
    ]
    assert get_project(bo, project["id"])["role"] == "viewer"


def test_an_owner_changes_a_members_role(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    add_member(ana, project["id"], bo, role="viewer")

    response = ana.http.patch(
        f"/api/projects/{project['id']}/members/{bo.id}", json={"role": "editor"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "editor"
    assert get_project(bo, project["id"])["role"] == "editor"


def test_a_second_owner_can_be_made_and_the_first_can_then_step_down(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    add_member(ana, project["id"], bo, role="owner")

    response = ana.http.patch(
        f"/api/projects/{project['id']}/members/{ana.id}", json={"role": "editor"}
    )

    assert response.status_code == 200, response.text
    roles = {
        m["userId"]: m["role"] for m in bo.http.get(f"/api/projects/{project['id']}/members").json()
    }
    assert roles == {ana.id: "editor", bo.id: "owner"}


def test_an_owner_removes_a_member_and_the_project_leaves_their_list(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    add_member(ana, project["id"], bo)

    assert ana.http.delete(f"/api/projects/{project['id']}/members/{bo.id}").status_code == 204

    assert bo.http.get("/api/projects").json() == []
    members = ana.http.get(f"/api/projects/{project['id']}/members").json()
    assert [m["userId"] for m in members] == [ana.id]


def test_a_member_can_leave_a_project(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    add_member(ana, project["id"], bo, role="viewer")

    assert bo.http.delete(f"/api/projects/{project['id']}/members/{bo.id}").status_code == 204

    assert bo.http.get("/api/projects").json() == []
    assert bo.http.get(f"/api/projects/{project['id']}").status_code == 404
