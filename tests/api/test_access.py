"""Who may do what in a project, proved over HTTP.

Roles rank viewer < commenter < editor < owner. A member below the role an action needs
gets 403 ``forbidden`` and nothing changes; a non-member gets the 404 that a made-up id
gets, byte for byte, so that a private project cannot be told from one that never was.

One cast of people (``team``) serves the module; projects are never shared between tests
that change them. A test that changes a project builds its own (``board``); tests that
expect to change nothing share one that each first checks is still as built
(``untouched``), so no test depends on another having run, or not run, before it.
Over 400 lines because of that shared cast: split, each part would build its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Barrier
from typing import Any

import httpx
import pytest

from tests.conftest import Person, unique_email

ROLES = ("owner", "editor", "commenter", "viewer")
RANK = {"viewer": 0, "commenter": 1, "editor": 2, "owner": 3}


@dataclass(frozen=True)
class Team:
    """One person per role, plus people to act on: ``bystander`` (a second viewer) is
    changed and removed, ``newcomer`` is added, ``outsider`` is never a member."""

    owner: Person
    editor: Person
    commenter: Person
    viewer: Person
    bystander: Person
    outsider: Person
    newcomer: Person

    def get(self, name: str) -> Person:
        person: Person = getattr(self, name)
        return person


@dataclass(frozen=True)
class Board:
    """A fresh project with one member of each role, and one of each thing in it."""

    project: str
    todo: str  # holds the task
    doing: str
    done: str  # empty
    task: str
    subtask: str
    comment: str  # written by the commenter

    def ids(self, team: Team, me: Person) -> dict[str, str]:
        """What a ``Call`` template may name."""
        return {
            "project": self.project,
            "todo": self.todo,
            "doing": self.doing,
            "done": self.done,
            "task": self.task,
            "subtask": self.subtask,
            "comment": self.comment,
            "bystander": team.bystander.id,
            "owner": team.owner.id,
            "me": me.id,
            "newcomer_email": team.newcomer.email,
        }


def made_up(kind: str) -> str:
    """An id of ``kind`` that was never handed out, as long as a real one."""
    return f"{kind}_{'doesnotexist':0<16}"


# Each private thing's ids, swapped for made-up ids of the same kind.
MADE_UP = {
    "project": made_up("proj"),
    "todo": made_up("sec"),
    "doing": made_up("sec"),
    "done": made_up("sec"),
    "task": made_up("task"),
    "subtask": made_up("task"),
    "comment": made_up("cmt"),
}


@dataclass(frozen=True)
class Call:
    """One request, its path and string body values templated by ``Board.ids``."""

    method: str
    path: str
    body: dict[str, Any] | None = None

    def send(
        self, person: Person, ids: Mapping[str, str], body_ids: Mapping[str, str] | None = None
    ) -> httpx.Response:
        fill = body_ids if body_ids is not None else ids
        body = None
        if self.body is not None:
            body = {
                key: value.format_map(fill) if isinstance(value, str) else value
                for key, value in self.body.items()
            }
        return person.http.request(self.method, self.path.format_map(ids), json=body)

    @property
    def mutates(self) -> bool:
        return self.method != "GET"


# The role matrix: each action and the lowest role allowed to do it.
ACTIONS: dict[str, tuple[str, Call]] = {
    "read_project": ("viewer", Call("GET", "/api/projects/{project}")),
    "list_members": ("viewer", Call("GET", "/api/projects/{project}/members")),
    "list_sections": ("viewer", Call("GET", "/api/projects/{project}/sections")),
    "list_tasks": ("viewer", Call("GET", "/api/projects/{project}/tasks")),
    "read_task": ("viewer", Call("GET", "/api/tasks/{task}")),
    "read_subtask": ("viewer", Call("GET", "/api/tasks/{subtask}")),
    "list_subtasks": ("viewer", Call("GET", "/api/tasks/{task}/subtasks")),
    "list_comments": ("viewer", Call("GET", "/api/tasks/{task}/comments")),
    "list_events": ("viewer", Call("GET", "/api/projects/{project}/events")),
    "add_comment": ("commenter", Call("POST", "/api/tasks/{task}/comments", {"text": "+1"})),
    "create_task": ("editor", Call("POST", "/api/projects/{project}/tasks", {"name": "Ship"})),
    "edit_task": ("editor", Call("PATCH", "/api/tasks/{task}", {"name": "Renamed"})),
    "complete_task": ("editor", Call("PATCH", "/api/tasks/{task}", {"status": "done"})),
    "move_task": ("editor", Call("POST", "/api/tasks/{task}/move", {"sectionId": "{doing}"})),
    "delete_task": ("editor", Call("DELETE", "/api/tasks/{task}")),
    "add_subtask": ("editor", Call("POST", "/api/tasks/{task}/subtasks", {"name": "Step"})),
    "edit_subtask": ("editor", Call("PATCH", "/api/tasks/{subtask}", {"name": "Step 1"})),
    "delete_subtask": ("editor", Call("DELETE", "/api/tasks/{subtask}")),
    "create_section": (
        "editor",
        Call("POST", "/api/projects/{project}/sections", {"name": "Later"}),
    ),
    "rename_section": ("editor", Call("PATCH", "/api/sections/{doing}", {"name": "Doing"})),
    "move_section": ("editor", Call("PATCH", "/api/sections/{done}", {"position": 0})),
    "delete_section": ("editor", Call("DELETE", "/api/sections/{done}")),
    "edit_project": ("owner", Call("PATCH", "/api/projects/{project}", {"name": "Relaunch"})),
    "archive_project": ("owner", Call("PATCH", "/api/projects/{project}", {"archived": True})),
    "delete_project": ("owner", Call("DELETE", "/api/projects/{project}")),
    "add_member": (
        "owner",
        Call("POST", "/api/projects/{project}/members", {"email": "{newcomer_email}"}),
    ),
    "change_role": (
        "owner",
        Call("PATCH", "/api/projects/{project}/members/{bystander}", {"role": "editor"}),
    ),
    "remove_member": ("owner", Call("DELETE", "/api/projects/{project}/members/{bystander}")),
}

# Requests that take a private id but are not a role's privilege (authors, leaving).
OTHER_CALLS: dict[str, Call] = {
    "edit_comment": Call("PATCH", "/api/comments/{comment}", {"text": "Edited"}),
    "delete_comment": Call("DELETE", "/api/comments/{comment}"),
    "leave_project": Call("DELETE", "/api/projects/{project}/members/{me}"),
    "step_down": Call("PATCH", "/api/projects/{project}/members/{me}", {"role": "viewer"}),
    "demote_owner": Call("PATCH", "/api/projects/{project}/members/{owner}", {"role": "viewer"}),
    "remove_owner": Call("DELETE", "/api/projects/{project}/members/{owner}"),
}

# Every request that names a project, section, task or comment.
PROBES = {name: call for name, (_, call) in ACTIONS.items()} | OTHER_CALLS


def cells(*, allowed: bool, mutates: bool | None = None) -> list[Any]:
    """The matrix cells (action, role) where the role is, or is not, enough."""
    return [
        pytest.param(action, role, id=f"{action}-by-{role}")
        for action, (needs, call) in ACTIONS.items()
        for role in ROLES
        if (RANK[role] >= RANK[needs]) == allowed and mutates in (None, call.mutates)
    ]


# -- fixtures ------------------------------------------------------------------------


def register(base_url: str, label: str) -> Person:
    email = unique_email(label)
    with httpx.Client(base_url=base_url, timeout=30) as anonymous:
        response = anonymous.post(
            "/api/auth/register",
            json={"email": email, "name": label.title(), "password": "correct horse"},
        )
    assert response.status_code == 201, response.text
    body = response.json()
    http = httpx.Client(
        base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {body['token']}"}
    )
    return Person(body["user"]["id"], email, label.title(), body["token"], http)


@pytest.fixture(scope="module")
def team(base_url: str) -> Iterator[Team]:
    """The same people for every test of the module (per backend): only projects differ."""
    labels = ("owner", "editor", "commenter", "viewer", "bystander", "outsider", "newcomer")
    people = {label: register(base_url, label) for label in labels}
    yield Team(**people)
    for person in people.values():
        person.http.close()


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def build_board(team: Team) -> Board:
    owner = team.owner.http
    project = ok(owner.post("/api/projects", json={"name": "Launch"}), 201)["id"]
    members = [("editor", team.editor), ("commenter", team.commenter), ("viewer", team.viewer)]
    for role, person in [*members, ("viewer", team.bystander)]:
        body = {"userId": person.id, "role": role}
        ok(owner.post(f"/api/projects/{project}/members", json=body), 201)
    todo, doing, done = (s["id"] for s in ok(owner.get(f"/api/projects/{project}/sections")))
    task = ok(owner.post(f"/api/projects/{project}/tasks", json={"name": "Plan"}), 201)["id"]
    subtask = ok(owner.post(f"/api/tasks/{task}/subtasks", json={"name": "Draft"}), 201)["id"]
    comment = ok(team.commenter.http.post(f"/api/tasks/{task}/comments", json={"text": "Hi"}), 201)
    return Board(project, todo, doing, done, task, subtask, comment["id"])


def snapshot(team: Team, board: Board) -> dict[str, Any]:
    """Everything the owner can read of the board: the event head, and every list too,
    so that a change that forgot its event would show as well."""
    owner = team.owner.http
    state: dict[str, Any] = {
        "headSeq": owner.get(f"/api/projects/{board.project}/events").json().get("headSeq")
    }
    for path in (
        f"/api/projects/{board.project}",
        f"/api/projects/{board.project}/members",
        f"/api/projects/{board.project}/sections",
        f"/api/projects/{board.project}/tasks",
        f"/api/tasks/{board.task}/subtasks",
        f"/api/tasks/{board.task}/comments",
    ):
        response = owner.get(path)
        state[path] = (response.status_code, response.json())
    return state


@pytest.fixture
def board(team: Team) -> Board:
    """A board of the test's own, to change at will."""
    return build_board(team)


@pytest.fixture(scope="module")
def read_only_board(team: Team) -> Board:
    """A board that tests only send GET requests to, so one serves them all."""
    return build_board(team)


@dataclass(frozen=True)
class Untouched:
    board: Board
    state: dict[str, Any]  # its snapshot when built


@pytest.fixture(scope="module")
def last_untouched() -> list[Untouched]:
    return []


@pytest.fixture
def untouched(team: Team, last_untouched: list[Untouched]) -> Untouched:
    """A board exactly as built, for tests that expect to change nothing. They share one
    (building one costs nine writes); should a test change it after all, which that test
    reports, the next test gets a new one."""
    if last_untouched and snapshot(team, last_untouched[0].board) == last_untouched[0].state:
        return last_untouched[0]
    board = build_board(team)
    last_untouched[:] = [Untouched(board, snapshot(team, board))]
    return last_untouched[0]


def error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def project_ids(person: Person) -> list[str]:
    return [p["id"] for p in ok(person.http.get("/api/projects"))]


# -- 1. the role matrix ----------------------------------------------------------------


@pytest.mark.parametrize(("action", "role"), cells(allowed=True, mutates=False))
def test_every_member_may_read_the_whole_project(
    team: Team, read_only_board: Board, action: str, role: str
) -> None:
    actor = team.get(role)
    response = ACTIONS[action][1].send(actor, read_only_board.ids(team, actor))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("action", "role"), cells(allowed=True, mutates=True))
def test_a_member_whose_role_suffices_may_make_the_change(
    team: Team, board: Board, action: str, role: str
) -> None:
    actor = team.get(role)
    response = ACTIONS[action][1].send(actor, board.ids(team, actor))
    assert 200 <= response.status_code < 300, response.text


@pytest.mark.parametrize(("action", "role"), cells(allowed=False))
def test_a_member_below_the_needed_role_is_forbidden_and_nothing_changes(
    team: Team, untouched: Untouched, action: str, role: str
) -> None:
    actor, board = team.get(role), untouched.board
    response = ACTIONS[action][1].send(actor, board.ids(team, actor))
    assert response.status_code == 403, response.text
    assert error_code(response) == "forbidden"
    assert snapshot(team, board) == untouched.state


@pytest.mark.parametrize("action", [pytest.param(a, id=f"{a}-by-non-member") for a in ACTIONS])
def test_a_non_member_is_told_the_project_does_not_exist_and_nothing_changes(
    team: Team, untouched: Untouched, action: str
) -> None:
    board = untouched.board
    response = ACTIONS[action][1].send(team.outsider, board.ids(team, team.outsider))
    assert response.status_code == 404, response.text
    assert error_code(response) == "not_found"
    assert snapshot(team, board) == untouched.state


@pytest.mark.parametrize("role", ROLES)
def test_each_member_sees_the_project_listed_with_their_own_role(
    team: Team, read_only_board: Board, role: str
) -> None:
    project = read_only_board.project
    listed = {p["id"]: p["role"] for p in ok(team.get(role).http.get("/api/projects"))}
    assert listed[project] == role
    assert ok(team.get(role).http.get(f"/api/projects/{project}"))["role"] == role


def test_a_non_member_does_not_see_the_project_listed(team: Team, read_only_board: Board) -> None:
    assert read_only_board.project not in project_ids(team.outsider)


# -- 2. non-members learn nothing --------------------------------------------------------


@pytest.mark.parametrize("probe", PROBES)
def test_a_non_member_cannot_tell_a_real_id_from_a_made_up_one(
    team: Team, untouched: Untouched, probe: str
) -> None:
    call, outsider = PROBES[probe], team.outsider
    real_ids = untouched.board.ids(team, outsider)
    real = call.send(outsider, real_ids)
    fake = call.send(outsider, real_ids | MADE_UP, body_ids=real_ids)
    assert real.status_code == 404, real.text
    assert (real.status_code, real.content) == (fake.status_code, fake.content)
    assert snapshot(team, untouched.board) == untouched.state


# -- 3. membership rules -----------------------------------------------------------------


def test_the_last_owner_cannot_step_down(team: Team, untouched: Untouched) -> None:
    path = f"/api/projects/{untouched.board.project}/members/{team.owner.id}"
    response = team.owner.http.patch(path, json={"role": "editor"})
    assert response.status_code == 409, response.text
    assert error_code(response) == "last_owner"
    assert snapshot(team, untouched.board) == untouched.state


def test_the_last_owner_cannot_leave(team: Team, untouched: Untouched) -> None:
    path = f"/api/projects/{untouched.board.project}/members/{team.owner.id}"
    response = team.owner.http.delete(path)
    assert response.status_code == 409, response.text
    assert error_code(response) == "last_owner"
    assert snapshot(team, untouched.board) == untouched.state


def test_an_owner_may_step_down_or_leave_once_another_owner_exists(
    team: Team, board: Board
) -> None:
    members = f"/api/projects/{board.project}/members"
    ok(team.owner.http.patch(f"{members}/{team.editor.id}", json={"role": "owner"}))
    ok(team.owner.http.patch(f"{members}/{team.owner.id}", json={"role": "editor"}))
    ok(team.owner.http.delete(f"{members}/{team.owner.id}"), 204)
    last = team.editor.http.delete(f"{members}/{team.editor.id}")
    assert last.status_code == 409, last.text
    assert error_code(last) == "last_owner"


def all_at_once(people: list[Person], call: Call, ids: dict[str, str]) -> list[httpx.Response]:
    """Each person sends ``call`` as themselves (``{me}``), all released at one instant."""
    barrier = Barrier(len(people))

    def send(person: Person) -> httpx.Response:
        barrier.wait()
        return call.send(person, ids | {"me": person.id})

    with ThreadPoolExecutor(len(people)) as pool:
        return list(pool.map(send, people))


@pytest.mark.parametrize("how", ["step_down", "leave_project"])
def test_two_owners_stepping_down_at_once_leave_one_owner(team: Team, how: str) -> None:
    """A race, so run a few times: without the project lock both would see two owners."""
    call = OTHER_CALLS[how]
    for _ in range(5):
        project = ok(team.owner.http.post("/api/projects", json={"name": "Race"}), 201)["id"]
        members = f"/api/projects/{project}/members"
        for person, role in ((team.editor, "owner"), (team.viewer, "viewer")):
            ok(team.owner.http.post(members, json={"userId": person.id, "role": role}), 201)
        answers = all_at_once([team.owner, team.editor], call, {"project": project})
        done, refused = sorted(a.status_code for a in answers)
        assert (done in (200, 204), refused) == (True, 409), [a.text for a in answers]
        assert [m["role"] for m in ok(team.viewer.http.get(members))].count("owner") == 1


@pytest.mark.parametrize("role", ["editor", "commenter", "viewer"])
def test_any_member_may_leave_and_then_sees_nothing(team: Team, board: Board, role: str) -> None:
    member, members = team.get(role), f"/api/projects/{board.project}/members"
    ok(member.http.delete(f"{members}/{member.id}"), 204)
    response = member.http.get(f"/api/projects/{board.project}")
    assert response.status_code == 404, response.text
    assert board.project not in project_ids(member)
    assert member.id not in [m["userId"] for m in ok(team.owner.http.get(members))]


@pytest.mark.parametrize("named_by", ["userId", "email", "EMAIL"])
def test_adding_someone_who_is_already_a_member_is_a_conflict(
    team: Team, untouched: Untouched, named_by: str
) -> None:
    viewer = team.viewer
    who = {"userId": viewer.id, "email": viewer.email, "EMAIL": viewer.email.upper()}[named_by]
    key = "userId" if named_by == "userId" else "email"
    response = team.owner.http.post(
        f"/api/projects/{untouched.board.project}/members", json={key: who, "role": "owner"}
    )
    assert response.status_code == 409, response.text
    assert error_code(response) == "already_member"
    assert snapshot(team, untouched.board) == untouched.state


@pytest.mark.parametrize("key", ["email", "userId"])
def test_adding_someone_unknown_is_not_found(team: Team, untouched: Untouched, key: str) -> None:
    who = unique_email("nobody") if key == "email" else made_up("user")
    response = team.owner.http.post(
        f"/api/projects/{untouched.board.project}/members", json={key: who}
    )
    assert response.status_code == 404, response.text
    assert error_code(response) == "not_found"
    assert snapshot(team, untouched.board) == untouched.state


def test_removing_someone_who_is_not_a_member_is_not_found(
    team: Team, untouched: Untouched
) -> None:
    path = f"/api/projects/{untouched.board.project}/members/{team.newcomer.id}"
    response = team.owner.http.delete(path)
    assert response.status_code == 404, response.text
    assert error_code(response) == "not_found"
    assert snapshot(team, untouched.board) == untouched.state


def test_a_removed_member_gets_the_404_of_a_project_that_never_was(
    team: Team, board: Board
) -> None:
    author = team.commenter
    ok(team.owner.http.delete(f"/api/projects/{board.project}/members/{author.id}"), 204)
    assert board.project not in project_ids(author)
    ids = board.ids(team, author)
    for name in ("read_project", "list_events", "read_task", "add_comment", "edit_comment"):
        real = PROBES[name].send(author, ids)
        fake = PROBES[name].send(author, ids | MADE_UP, body_ids=ids)
        assert real.status_code == 404, f"{name}: {real.text}"
        assert real.content == fake.content, name


def test_a_removed_member_no_longer_finds_the_projects_tasks_in_my_tasks(
    team: Team, board: Board
) -> None:
    editor = team.editor
    ok(editor.http.patch(f"/api/tasks/{board.task}", json={"assigneeId": editor.id}))
    assert board.task in [t["id"] for t in ok(editor.http.get("/api/me/tasks"))]
    ok(team.owner.http.delete(f"/api/projects/{board.project}/members/{editor.id}"), 204)
    assert board.task not in [t["id"] for t in ok(editor.http.get("/api/me/tasks"))]


@pytest.mark.parametrize("other", ["owner", "editor"])
def test_only_its_author_may_edit_or_delete_a_comment(
    team: Team, untouched: Untouched, other: str
) -> None:
    someone, comment = team.get(other).http, untouched.board.comment
    edit = someone.patch(f"/api/comments/{comment}", json={"text": "Not mine"})
    delete = someone.delete(f"/api/comments/{comment}")
    for response in (edit, delete):
        assert response.status_code == 403, response.text
        assert error_code(response) == "not_author"
    assert snapshot(team, untouched.board) == untouched.state


def test_the_author_may_edit_and_then_delete_their_comment(team: Team, board: Board) -> None:
    author = team.commenter.http
    edited = ok(author.patch(f"/api/comments/{board.comment}", json={"text": "Hello"}))
    assert edited["text"] == "Hello"
    assert edited["editedAt"] is not None
    ok(author.delete(f"/api/comments/{board.comment}"), 204)
    assert ok(author.get(f"/api/tasks/{board.task}/comments")) == []


# -- 4. project deletion -----------------------------------------------------------------


def test_a_deleted_project_is_gone_for_every_former_member(team: Team, board: Board) -> None:
    ok(team.owner.http.delete(f"/api/projects/{board.project}"), 204)
    for role in ROLES:
        member = team.get(role)
        assert board.project not in project_ids(member), role
        for name in ("read_project", "list_tasks", "read_task", "list_comments"):
            call = ACTIONS[name][1]
            ids = board.ids(team, member)
            real = call.send(member, ids)
            fake = call.send(member, ids | MADE_UP)
            assert real.status_code == 404, f"{role} {name}: {real.text}"
            assert real.content == fake.content, f"{role} {name}"
        # Its log stays readable to them, ending with the deletion, as on every transport.
        log = ok(member.http.get(f"/api/projects/{board.project}/events?after=0&wait=5"))
        assert log["ended"] is True
        assert log["events"][-1]["type"] == "project_deleted"
        tail = ok(
            member.http.get(f"/api/projects/{board.project}/events?after={log['headSeq']}&wait=5")
        )
        assert (tail["events"], tail["ended"]) == ([], True)  # answered at once, not after 5 s


def test_a_deleted_project_cannot_be_changed_or_deleted_again(team: Team, board: Board) -> None:
    owner = team.owner.http
    ok(owner.delete(f"/api/projects/{board.project}"), 204)
    for response in (
        owner.delete(f"/api/projects/{board.project}"),
        owner.patch(f"/api/projects/{board.project}", json={"name": "Back"}),
        owner.post(f"/api/projects/{board.project}/tasks", json={"name": "Ghost"}),
        owner.patch(f"/api/tasks/{board.task}", json={"name": "Ghost"}),
    ):
        assert response.status_code == 404, response.text
        assert error_code(response) == "not_found"
