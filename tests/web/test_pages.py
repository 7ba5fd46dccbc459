"""The server-rendered pages over real sockets: signing in and out, what a page carries
for its script, who sees a project, and the forms that work without any script.

Over 400 lines: every page and every form of the app, on one served stack that the
module shares."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import unescape
from typing import Any

import httpx
import pytest

from tests.conftest import Person, unique_email
from tests.live import LiveStack

Signup = Callable[[str], Person]
Json = dict[str, Any]
PASSWORD = "correct horse"
HOSTILE = "</script><script>alert(1)</script>"
PAGE_DATA = re.compile(r'<script type="application/json" id="page-data">(.*?)</script>', re.S)


@pytest.fixture
def own_origin(live: LiveStack) -> str:
    """An origin the app trusts for cookie-authenticated forms."""
    return live.stack.settings.app_origins()[0]


@contextmanager
def browser(base_url: str, person: Person | None = None, **headers: str) -> Iterator[httpx.Client]:
    """A client that carries cookies like a browser, signed in as ``person`` if given."""
    with httpx.Client(base_url=base_url, timeout=30, headers=headers) as http:
        if person is not None:
            http.cookies.set("tasklane_session", person.token)
        yield http


def page_data(response: httpx.Response) -> Json:
    found = PAGE_DATA.findall(response.text)
    assert len(found) == 1, "exactly one page-data element"
    data: Json = json.loads(found[0])
    return data


def new_project(person: Person, name: str = "Launch") -> Json:
    response = person.http.post("/api/projects", json={"name": name})
    assert response.status_code == 201, response.text
    project: Json = response.json()
    return project


def sections_of(person: Person, project_id: str) -> list[Json]:
    sections: list[Json] = person.http.get(f"/api/projects/{project_id}/sections").json()
    return sections


def tasks_of(person: Person, project_id: str) -> list[Json]:
    tasks: list[Json] = person.http.get(f"/api/projects/{project_id}/tasks").json()["items"]
    return tasks


def field_error(html: str) -> list[str]:
    """The texts of the inline errors beside fields, tags removed."""
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split())
        for text in re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', html, re.S)
    ]


# -- signing in and out -------------------------------------------------------------


def test_a_signed_out_visitor_is_sent_to_sign_in(base_url: str) -> None:
    with browser(base_url) as http:
        home = http.get("/")
        assert home.status_code == 303
        assert home.headers["location"] == "/login?next=/"
        board = http.get("/projects/proj_x/board?view=1")
        assert board.headers["location"] == "/login?next=/projects/proj_x/board%3Fview%3D1"
        login = http.get("/login")
        assert login.status_code == 200
        assert "<title>Sign in · Tasklane</title>" in login.text
        assert http.get("/docs").status_code == 200
        assert http.get("/healthz").json() == {"status": "ok"}
        assert http.get("/static/css/app.css").status_code == 200
        assert http.get("/static/favicon.svg").headers["content-type"].startswith("image/svg")


def test_the_pages_realtime_client_is_served_and_nothing_beside_it(base_url: str) -> None:
    with browser(base_url) as http:
        client = http.get("/static/js/realtime/index.js")
        assert client.status_code == 200
        assert "export { TasklaneRealtime }" in client.text
        assert "javascript" in client.headers["content-type"]
        for escape in ("%2e%2e/package.json", "%2e%2e/%2e%2e/%2e%2e/%2e%2e/settings.py"):
            assert http.get(f"/static/js/realtime/{escape}").status_code == 404, escape


def test_the_sign_in_form_sets_the_session_cookie_and_goes_where_asked(
    base_url: str, signup: Signup
) -> None:
    ana = signup("ana")
    with browser(base_url) as http:
        response = http.post(
            "/login", data={"email": ana.email, "password": PASSWORD, "next": "/my-tasks"}
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/my-tasks"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("tasklane_session=")
        assert "HttpOnly" in cookie
        assert "samesite=lax" in cookie.lower()
        # The cookie is the API's too, and the pages know who it is.
        assert http.get("/api/auth/me").json()["email"] == ana.email
        home = http.get("/")
        assert home.status_code == 200
        me = {"id": ana.id, "name": ana.name, "email": ana.email, "avatarColor": None}
        assert page_data(home)["me"] == me
        # Signed in, the sign-in page passes the visitor on.
        assert http.get("/login?next=/my-tasks").headers["location"] == "/my-tasks"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil", ""])
def test_sign_in_never_sends_anyone_to_another_site(
    base_url: str, signup: Signup, target: str
) -> None:
    ana = signup("ana")
    with browser(base_url) as http:
        response = http.post(
            "/login", data={"email": ana.email, "password": PASSWORD, "next": target}
        )
    assert response.headers["location"] == "/"


def test_a_wrong_password_is_said_beside_the_field(base_url: str, signup: Signup) -> None:
    ana = signup("ana")
    with browser(base_url) as http:
        response = http.post("/login", data={"email": ana.email, "password": "not it"})
        assert response.status_code == 401
        assert "set-cookie" not in response.headers
        assert field_error(response.text) == [
            "That email and password don't match. Check both and try again."
        ]
        assert f'value="{ana.email}"' in response.text  # what they typed stays
        malformed = http.post("/login", data={"email": "ana-at-example", "password": "x"})
        assert malformed.status_code == 422
        assert field_error(malformed.text) == ["Enter an email address like name@example.com."]


def test_sign_up_signs_in_and_explains_what_is_wrong(base_url: str, signup: Signup) -> None:
    taken = signup("ben")
    with browser(base_url) as http:
        short = http.post(
            "/signup", data={"name": "Cleo", "email": unique_email("cleo"), "password": "short"}
        )
        assert short.status_code == 422
        assert field_error(short.text) == ["Use at least 8 characters for a password."]
        again = http.post(
            "/signup", data={"name": "Ben", "email": taken.email, "password": PASSWORD}
        )
        assert again.status_code == 409
        assert field_error(again.text) == [
            "There's already an account with this email. Sign in instead? Sign in"
        ]
        nameless = http.post("/signup", data={"email": unique_email("x"), "password": PASSWORD})
        assert field_error(nameless.text) == ["Enter your name."]
        email = unique_email("cleo")
        created = http.post("/signup", data={"name": "Cleo", "email": email, "password": PASSWORD})
        assert created.status_code == 303
        assert created.headers["location"] == "/"
        assert page_data(http.get("/"))["me"]["email"] == email


def test_sign_out_ends_the_session(base_url: str, signup: Signup, own_origin: str) -> None:
    ana = signup("ana")
    with browser(base_url, Origin=own_origin) as http:
        http.post("/login", data={"email": ana.email, "password": PASSWORD})
        assert http.get("/").status_code == 200
        secret = http.cookies["tasklane_session"]
        out = http.post("/logout")
        assert out.status_code == 303
        assert out.headers["location"] == "/login"
        assert 'tasklane_session=""' in out.headers["set-cookie"]
    with browser(base_url) as http:
        http.cookies.set("tasklane_session", secret)
        assert http.get("/").status_code == 303  # the session itself is gone


# -- what the pages carry -------------------------------------------------------------


def test_a_project_page_renders_its_data_and_carries_it_for_the_script(
    base_url: str, signup: Signup
) -> None:
    ana = signup("ana")
    project = new_project(ana, "Website relaunch")
    todo = sections_of(ana, project["id"])[0]
    task = ana.http.post(
        f"/api/projects/{project['id']}/tasks", json={"name": "Ship v1", "assigneeId": ana.id}
    ).json()
    with browser(base_url, ana) as http:
        page = http.get(f"/projects/{project['id']}")
        assert page.status_code == 200
        assert "<title>Website relaunch · Tasklane</title>" in page.text
        data = page_data(page)
        assert set(data) == {
            "me",
            "gateway",
            "personSeq",
            "current",
            "project",
            "sections",
            "tasks",
            "members",
            "view",
            "openTaskId",
            "dueGroups",
            "upcomingDays",
        }
        assert data["project"] == ana.http.get(f"/api/projects/{project['id']}").json()
        assert data["tasks"] == [task]
        assert data["sections"] == sections_of(ana, project["id"])
        assert [m["userId"] for m in data["members"]] == [ana.id]
        assert data["view"] == "list"
        assert data["openTaskId"] is None
        assert data["gateway"]["ws"].startswith("ws://127.0.0.1:")
        # Rendered for a reader without scripts too, with the markup the scripts use.
        html = page.text
        assert f'data-section-id="{todo["id"]}"' in html
        assert f'data-testid="task-row" data-task-id="{task["id"]}"' in html
        for template in ("task-row", "card", "comment", "subtask", "task-pane"):
            assert f'<template id="{template}-template">' in html
        for testid in ("sidebar", "project-header", "status-indicator", "notices", "presence"):
            assert f'data-testid="{testid}"' in html
        assert '<script type="module" src="/static/js/project.js"></script>' in html

        board = http.get(f"/projects/{project['id']}/board")
        assert page_data(board)["view"] == "board"
        assert f'data-testid="task-card" data-task-id="{task["id"]}"' in board.text
        pane = http.get(f"/projects/{project['id']}/tasks/{task['id']}?view=board")
        assert page_data(pane)["openTaskId"] == task["id"]
        assert page_data(pane)["view"] == "board"
        assert 'data-testid="task-pane"' in pane.text
        assert "<title>Ship v1 · Website relaunch (Board) · Tasklane</title>" in pane.text
        assert "created this task" in pane.text


def test_text_anyone_typed_stays_text(base_url: str, signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana, HOSTILE)
    task = ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": HOSTILE}).json()
    ana.http.post(f"/api/tasks/{task['id']}/comments", json={"text": HOSTILE})
    with browser(base_url, ana) as http:
        for path in (
            f"/projects/{project['id']}",
            f"/projects/{project['id']}/board",
            f"/projects/{project['id']}/tasks/{task['id']}",
            f"/projects/{project['id']}/members",
            "/",
            "/search?q=" + httpx.QueryParams({"q": "alert"})["q"],
        ):
            page = http.get(path)
            assert page.status_code == 200, path
            # Only the page's own scripts: its data, and files of the app's static folder.
            scripts = re.findall(r"<script[^>]*>", page.text)
            assert scripts.count('<script type="application/json" id="page-data">') == 1, path
            assert all(
                re.fullmatch(r'<script (type="module" )?src="/static/js/[a-z0-9/-]+\.js">', s)
                for s in scripts
                if "page-data" not in s
            ), (path, scripts)
            raw = PAGE_DATA.findall(page.text)[0]
            assert "<" not in raw, path
            assert ">" not in raw, path
            assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path
        data = page_data(http.get(f"/projects/{project['id']}"))
        assert data["project"]["name"] == HOSTILE
        assert data["tasks"][0]["name"] == HOSTILE


def test_my_tasks_and_search_show_tasks_across_projects(base_url: str, signup: Signup) -> None:
    ana = signup("ana")
    first, second = new_project(ana, "Alpha"), new_project(ana, "Beta")
    for project in (first, second):
        ana.http.post(
            f"/api/projects/{project['id']}/tasks",
            json={"name": f"Zebra crossing in {project['name']}", "assigneeId": ana.id},
        )
    with browser(base_url, ana) as http:
        mine = http.get("/my-tasks")
        assert mine.status_code == 200
        assert len(page_data(mine)["tasks"]) == 2
        assert 'data-group="no_date"' in mine.text
        found = http.get("/search?q=zebra")
        data = page_data(found)
        assert data["q"] == "zebra"
        assert {t["projectId"] for t in data["tasks"]} == {first["id"], second["id"]}
        assert "2 tasks matching “zebra”" in found.text
        nothing = http.get("/search?q=unicorn")
        assert "No tasks match “unicorn”" in nothing.text


def test_a_project_someone_cannot_see_is_not_found(base_url: str, signup: Signup) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = new_project(ana)
    task = ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Secret"}).json()
    with browser(base_url, ben) as http:
        for path in (
            f"/projects/{project['id']}",
            f"/projects/{project['id']}/board",
            f"/projects/{project['id']}/members",
            f"/projects/{project['id']}/tasks/{task['id']}",
            "/projects/proj_doesnotexist",
        ):
            page = http.get(path)
            assert page.status_code == 404, path
            assert "<title>Page not found · Tasklane</title>" in page.text
            assert "Secret" not in page.text
            assert page_data(page)["me"]["id"] == ben.id
    other = new_project(ben)
    with browser(base_url, ana) as http:
        # A task of one project cannot be opened under another one's address.
        assert http.get(f"/projects/{other['id']}/tasks/{task['id']}").status_code == 404


# -- forms that work without scripts ----------------------------------------------------


def test_the_new_project_form_creates_and_opens_the_project(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana = signup("ana")
    with browser(base_url, ana, Origin=own_origin) as http:
        response = http.post("/projects", data={"name": "Spring campaign"})
        assert response.status_code == 303
        project_id = response.headers["location"].removeprefix("/projects/")
        got = ana.http.get(f"/api/projects/{project_id}").json()
        assert got["name"] == "Spring campaign"
        assert got["role"] == "owner"
        empty = http.post("/projects", data={"name": "  "})
        assert empty.status_code == 422
        assert field_error(empty.text) == ["Enter a name for the project."]


def test_the_add_task_form_adds_to_its_section_and_goes_back(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    doing = sections_of(ana, project["id"])[1]
    path = f"/projects/{project['id']}/sections/{doing['id']}/tasks"
    with browser(base_url, ana, Referer=f"{own_origin}/projects/{project['id']}") as http:
        listed = http.post(path, data={"name": "Write the launch post"})
        assert listed.status_code == 303
        assert listed.headers["location"] == f"/projects/{project['id']}"
        boarded = http.post(path, data={"name": "Book the venue", "view": "board"})
        assert boarded.headers["location"] == f"/projects/{project['id']}/board"
        blank = http.post(path, data={"name": ""})
        assert blank.status_code == 422
        assert field_error(blank.text) == ["Enter a name for the task."]
    tasks = tasks_of(ana, project["id"])
    assert [(t["name"], t["sectionId"]) for t in tasks] == [
        ("Write the launch post", doing["id"]),
        ("Book the venue", doing["id"]),
    ]


def test_a_viewer_is_told_they_cannot_add_tasks(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana, vic = signup("ana"), signup("vic")
    project = new_project(ana)
    ana.http.post(
        f"/api/projects/{project['id']}/members", json={"userId": vic.id, "role": "viewer"}
    )
    section = sections_of(ana, project["id"])[0]
    with browser(base_url, vic, Origin=own_origin) as http:
        page = http.get(f"/projects/{project['id']}")
        # The forms are there (a promotion to editor reveals them live), but hidden.
        shown = page.text.split("<template")[0]
        forms = re.findall(r'<(?:form|section) class="(?:add-task|add-section)[^>]*>', shown)
        assert len(forms) == 4, forms  # one per section, and "+ Add section"
        assert all(re.search(r"\shidden>$", tag) for tag in forms), forms
        refused = http.post(
            f"/projects/{project['id']}/sections/{section['id']}/tasks", data={"name": "Sneaky"}
        )
        assert refused.status_code == 403
        assert "As a viewer here, you can't edit this project's tasks and sections." in unescape(
            refused.text
        )
    assert tasks_of(ana, project["id"]) == []


def test_the_pane_forms_save_the_task_add_a_subtask_and_a_comment(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = ana.http.post(f"/api/projects/{project['id']}/tasks", json={"name": "Draft"}).json()
    base = f"/projects/{project['id']}/tasks/{task['id']}"
    with browser(base_url, ana, Origin=own_origin) as http:
        saved = http.post(
            base,
            data={
                "name": "Final",
                "status": "in_progress",
                "assignee_id": ana.id,
                "due_on": "2030-01-31",
                "notes": "Two pages",
            },
        )
        assert saved.status_code == 303
        assert saved.headers["location"] == base
        bad_date = http.post(base, data={"name": "Final", "due_on": "31/01/2030"})
        assert bad_date.status_code == 422
        assert field_error(bad_date.text) == ["Enter a date like 2026-03-31, or leave it empty."]
        assert http.post(f"{base}/subtasks", data={"name": "Outline"}).status_code == 303
        commented = http.post(f"{base}/comments", data={"text": "Looks good"})
        assert commented.headers["location"] == f"{base}#comments"
        pane = http.get(base)
    got = ana.http.get(f"/api/tasks/{task['id']}").json()
    assert (got["name"], got["status"], got["assigneeId"], got["dueOn"], got["notes"]) == (
        "Final",
        "in_progress",
        ana.id,
        "2030-01-31",
        "Two pages",
    )
    assert (got["subtaskCount"], got["commentCount"]) == (1, 1)
    assert 'data-testid="subtask"' in pane.text
    assert "Looks good" in pane.text
    assert "changed the status to In progress" in pane.text


def test_owners_invite_by_email_and_change_roles(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = new_project(ana)
    members = f"/projects/{project['id']}/members"
    with browser(base_url, ana, Origin=own_origin) as http:
        invited = http.post(members, data={"email": ben.email, "role": "commenter"})
        assert invited.status_code == 303
        assert invited.headers["location"] == members
        stranger = http.post(members, data={"email": unique_email("nobody"), "role": "editor"})
        assert stranger.status_code == 404
        assert field_error(stranger.text) == [
            "Nobody has a Tasklane account with that email yet. "
            "Invite them to Tasklane: they get a link to sign up and join."
        ]
        twice = http.post(members, data={"email": ben.email, "role": "editor"})
        assert twice.status_code == 409
        assert "They're already a member of this project." in unescape(twice.text)
        assert http.post(f"{members}/{ben.id}", data={"role": "editor"}).status_code == 303
        last_owner = http.post(f"{members}/{ana.id}", data={"role": "viewer"})
        assert last_owner.status_code == 409
        assert field_error(last_owner.text) == [
            "A project needs at least one owner. Make someone else an owner first."
        ]
    listed = ana.http.get(f"/api/projects/{project['id']}/members").json()
    roles = {member["userId"]: member["role"] for member in listed}
    assert roles == {ana.id: "owner", ben.id: "editor"}


def test_the_add_section_form_adds_a_last_section(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    path = f"/projects/{project['id']}/sections"
    with browser(base_url, ana, Origin=own_origin) as http:
        page = http.get(f"/projects/{project['id']}")
        assert f'action="{path}" data-testid="add-section-form"' in page.text
        added = http.post(path, data={"name": "Review", "view": "board"})
        assert added.status_code == 303
        assert added.headers["location"] == f"/projects/{project['id']}/board"
        blank = http.post(path, data={"name": ""})
        assert blank.status_code == 422
        assert field_error(blank.text) == ["Enter a name for the section."]
    assert [s["name"] for s in sections_of(ana, project["id"])][-1] == "Review"


def test_owners_remove_people_and_anyone_may_leave(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana, ben, cleo = signup("ana"), signup("ben"), signup("cleo")
    project = new_project(ana)
    members = f"/projects/{project['id']}/members"
    for person, role in ((ben, "editor"), (cleo, "viewer")):
        ana.http.post(f"/api{members}", json={"userId": person.id, "role": role})
    with browser(base_url, ana, Origin=own_origin) as http:
        page = http.get(members)
        rows, template = page.text.split('<template id="member-row-template">')
        assert rows.count('data-testid="member-remove"') == 3  # her Leave and two Removes
        assert 'data-testid="member-remove"' in template
        removed = http.post(f"{members}/{ben.id}/remove")
        assert removed.status_code == 303
        assert removed.headers["location"] == members
        last_owner = http.post(f"{members}/{ana.id}/remove")
        assert last_owner.status_code == 409
        assert field_error(last_owner.text) == [
            "A project needs at least one owner. Make someone else an owner first."
        ]
    with browser(base_url, cleo, Origin=own_origin) as http:
        page = http.get(members)
        assert page.text.count('data-testid="member-remove"') == 1  # her own: Leave
        assert "member-row-template" not in page.text
        left = http.post(f"{members}/{cleo.id}/remove")
        assert left.status_code == 303
        assert left.headers["location"] == "/"
        assert http.get(members).status_code == 404
    listed = ana.http.get(f"/api/projects/{project['id']}/members").json()
    assert [member["userId"] for member in listed] == [ana.id]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
    ],
)
def test_forms_sent_from_another_site_change_nothing(
    base_url: str, signup: Signup, headers: dict[str, str]
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    section = sections_of(ana, project["id"])[0]
    with browser(base_url, ana, **headers) as http:
        created = http.post("/projects", data={"name": "Forged"})
        assert created.status_code == 403
        assert "sent from another website" in unescape(created.text)
        added = http.post(
            f"/projects/{project['id']}/sections/{section['id']}/tasks", data={"name": "Forged"}
        )
        assert added.status_code == 403
        assert http.post("/logout").status_code == 403
        signed = http.post("/login", data={"email": ana.email, "password": PASSWORD})
        assert signed.status_code == 403
    assert tasks_of(ana, project["id"]) == []
    assert "Forged" not in {p["name"] for p in ana.http.get("/api/projects").json()}


def test_a_form_without_origin_or_referer_passes_as_in_the_api(
    base_url: str, signup: Signup
) -> None:
    """Browsers send an Origin with every form POST; a client that sends neither is not
    a browser acting for someone else (the SameSite cookie stays home cross-site)."""
    ana = signup("ana")
    with browser(base_url, ana) as http:
        assert http.post("/projects", data={"name": "Scripted"}).status_code == 303
