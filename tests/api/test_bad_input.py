"""Malformed input, proved over HTTP: a 4xx in the one error shape, never a 500, and
nothing changed.

Every endpoint that takes a body is fed broken JSON, JSON that is not an object, unknown
fields and values its schema refuses; each case checks the status, the code and the
shape, then that the project's event log and the resource the endpoint would change are
as they were. Query parameters get the same treatment, Hypothesis throws arbitrary JSON
at the task endpoints, and servers built for the purpose prove the body cap and the rate
limits. Over 400 lines: one table of every endpoint's bad inputs, checked by one set of
helpers.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tasklane.app import create_app
from tasklane.edge.deps import Limits
from tests.conftest import Person, make_settings, unique_email
from tests.live import live_server

Signup = Callable[[str], Person]
Json = dict[str, Any]
PASSWORD = "correct horse"
# A connection per request: after a 500 uvicorn closes the connection, and a kept-alive
# one would turn the test's next request into a confusing reset.
ONE_SHOT = httpx.Limits(max_keepalive_connections=0)


def assert_below_500(response: httpx.Response) -> None:
    if response.status_code >= 500:
        # The server thread logs the traceback just after answering. CPython 3.11 counts
        # AST recursion per process, not per thread, so pytest formatting our failure at
        # that moment can crash the whole run with "AST constructor recursion depth
        # mismatch" (python/cpython#106905). Let the server finish first.
        time.sleep(0.2)
    assert response.status_code < 500, response.text


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> Json:
    """``response`` is ``status`` with the documented error shape (and ``code``)."""
    assert_below_500(response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert list(body) == ["error"], body
    error: Json = body["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", "details"}, error
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    if error["code"] == "validation_error":  # documented: with a list of problems
        assert isinstance(error["details"], list), error
        for problem in error["details"]:
            assert set(problem) == {"location", "message", "type"}, problem
    return error


def assert_client_error(response: httpx.Response) -> None:
    """Any 4xx, in the error shape."""
    assert_below_500(response)
    assert response.status_code >= 400, response.text
    assert_error(response, response.status_code)


def client(base_url: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base_url, timeout=30, headers=headers, limits=ONE_SHOT)


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


# -- a project with one of everything -----------------------------------------------

PROJECT = "/api/projects/{project}"
MEMBERS = "/api/projects/{project}/members"
SECTIONS = "/api/projects/{project}/sections"
TASKS = "/api/projects/{project}/tasks"
EVENTS = "/api/projects/{project}/events"
TASK = "/api/tasks/{task}"
COMMENTS = "/api/tasks/{task}/comments"


@dataclass(frozen=True)
class World:
    """A project with a section, a task and a comment, owned by ``owner``.
    ``newcomer`` is an email no one has registered."""

    owner: Person
    http: httpx.Client  # the owner's
    anonymous: httpx.Client
    project: str
    section: str
    task: str
    comment: str
    newcomer: str = field(default_factory=lambda: unique_email("newcomer"))

    def path(self, template: str) -> str:
        return template.format(
            project=self.project,
            section=self.section,
            task=self.task,
            comment=self.comment,
            owner=self.owner.id,
        )

    def head_seq(self) -> int:
        seq: int = ok(self.http.get(self.path(EVENTS), params={"limit": 1}))["headSeq"]
        return seq

    def snapshot(self, paths: tuple[str, ...]) -> Json:
        """The project's whole event log and what the owner reads at ``paths``."""
        return {path: ok(self.http.get(self.path(path))) for path in (EVENTS, *paths)}


@pytest.fixture
def world(signup: Signup, base_url: str) -> Iterator[World]:
    owner = signup("owner")
    with client(base_url, owner.token) as http, client(base_url) as anonymous:
        project = ok(http.post("/api/projects", json={"name": "Launch"}))["id"]
        section = ok(http.get(f"/api/projects/{project}/sections"))[0]["id"]
        task = ok(http.post(f"/api/projects/{project}/tasks", json={"name": "Plan"}))["id"]
        comment = ok(http.post(f"/api/tasks/{task}/comments", json={"text": "Soon"}))["id"]
        yield World(owner, http, anonymous, project, section, task, comment)


# -- every body endpoint ------------------------------------------------------------

MISSING: Any = object()  # as an override: leave the field out of the body

Bad = tuple[str, Json]  # the expected code, and what replaces the valid body's fields


def bad(code: str = "validation_error", /, **fields: Any) -> Bad:
    return code, fields


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    shows: tuple[str, ...]  # where the owner would see a change
    valid: Callable[[World], Json]  # a body that would be accepted
    bad: tuple[Bad, ...]  # each wrong in one way only
    anonymous: bool = False

    def send(self, world: World, **kwargs: Any) -> httpx.Response:
        http = world.anonymous if self.anonymous else world.http
        return http.request(self.method, world.path(self.path), **kwargs)

    def body(self, world: World, overrides: Json) -> Json:
        """The valid body with ``overrides``; "{placeholders}" are filled from the world."""
        body = {**self.valid(world), **overrides}
        return {
            key: world.path(value) if isinstance(value, str) and "{" in value else value
            for key, value in body.items()
            if value is not MISSING
        }


LONG = "x" * 201  # one over the 200 of every short name
DATES = ("2024-02-30", "2024-13-01", "tomorrow", "31/12/2024", "2024-1-1", 0, 1735689600)

ENDPOINTS = {
    "register": Endpoint(
        "POST",
        "/api/auth/register",
        ("/api/auth/me",),
        lambda w: {"email": w.newcomer, "name": "Newcomer", "password": PASSWORD},
        (
            bad(email="not-an-email"),
            bad(email=42),
            bad(email=MISSING),
            bad(name=""),
            bad(name="   "),
            bad(name=LONG),
            bad(name=None),
            bad(password="short"),
            bad(password="p" * 201),
            bad(password=12345678),
            bad(password=MISSING),
        ),
        anonymous=True,
    ),
    "login": Endpoint(
        "POST",
        "/api/auth/login",
        ("/api/auth/me",),
        lambda w: {"email": w.owner.email, "password": PASSWORD},
        (
            bad(email="owner"),
            bad(email=["owner@example.com"]),
            bad(password=""),
            bad(password="p" * 201),
            bad(password=None),
            bad(password=MISSING),
        ),
        anonymous=True,
    ),
    "token-create": Endpoint(
        "POST",
        "/api/tokens",
        ("/api/tokens",),
        lambda w: {"name": "CI"},
        (bad(name=""), bad(name="  "), bad(name=LONG), bad(name=7), bad(name=None)),
    ),
    "project-create": Endpoint(
        "POST",
        "/api/projects",
        ("/api/projects",),
        lambda w: {"name": "Another"},
        (
            bad(name=""),
            bad(name=LONG),
            bad(name=5),
            bad(name=None),
            bad(name=MISSING),
            bad(description="d" * 20_001),
            bad(color="red"),
            bad(color="#12345"),
            bad(color="#gggggg"),
            bad(color="4f6bed"),
            bad(sections="To do"),
            bad(sections=[""]),
            bad(sections=["Column"] * 51),
            bad(workspaceId=""),
        ),
    ),
    "project-update": Endpoint(
        "PATCH",
        "/api/projects/{project}",
        (PROJECT,),
        lambda w: {"name": "Renamed"},
        (
            bad(name=""),
            bad(name=LONG),
            bad(name=["Renamed"]),
            bad(description="d" * 20_001),
            bad(color="blue"),
            bad(color="#0000000"),
            bad(archived="maybe"),
            bad(archived=2),
        ),
    ),
    "member-add": Endpoint(
        "POST",
        "/api/projects/{project}/members",
        (MEMBERS,),
        lambda w: {"email": w.newcomer, "role": "viewer"},
        (
            bad(role="admin"),
            bad(role="Owner"),
            bad(role=None),
            bad(email="newcomer"),
            bad(email=MISSING),  # neither userId nor email
            bad(userId="user_x"),  # both
            bad(email=MISSING, userId=""),
            bad(email=MISSING, userId="u" * 41),
        ),
    ),
    "member-update": Endpoint(
        "PATCH",
        "/api/projects/{project}/members/{owner}",
        (MEMBERS,),
        lambda w: {"role": "viewer"},
        (bad(role="admin"), bad(role="VIEWER"), bad(role=None), bad(role=3), bad(role=MISSING)),
    ),
    "section-create": Endpoint(
        "POST",
        "/api/projects/{project}/sections",
        (SECTIONS,),
        lambda w: {"name": "Later"},
        (
            bad(name=""),
            bad(name=" "),
            bad(name=LONG),
            bad(name=None),
            bad(position=-1),
            bad(position="first"),
            bad(position=1.5),
        ),
    ),
    "section-update": Endpoint(
        "PATCH",
        "/api/sections/{section}",
        (SECTIONS,),
        lambda w: {"name": "Renamed"},
        (bad(name=""), bad(name=LONG), bad(name=["a"]), bad(position=-1), bad(position="end")),
    ),
    "task-create": Endpoint(
        "POST",
        "/api/projects/{project}/tasks",
        (TASKS,),
        lambda w: {"name": "Ship"},
        (
            bad(name=""),
            bad(name="   "),
            bad(name="n" * 501),
            bad(name=12),
            bad(name=None),
            bad(name=MISSING),
            bad(notes="n" * 20_001),
            bad(notes=None),
            bad(status="finished"),
            bad(status="DONE"),
            bad(status=None),
            *(bad(dueOn=date) for date in DATES),
            bad(assigneeId=5),
            bad(assigneeId=""),
            bad(sectionId="s" * 41),
            bad(position=-1),
            bad(position=1_000_001),
            bad(position="top"),
            bad("assignee_not_member", assigneeId="user_nobody"),
            bad("unknown_section", sectionId="sec_nowhere"),
        ),
    ),
    "task-update": Endpoint(
        "PATCH",
        "/api/tasks/{task}",
        (TASK,),
        lambda w: {"status": "done"},
        (
            bad(name=""),
            bad(name="n" * 501),
            bad(name=None),
            bad(notes="n" * 20_001),
            bad(notes=None),
            bad(notes=5),
            bad(status="archived"),
            bad(status=None),
            *(bad(dueOn=date) for date in DATES),
            bad(assigneeId=""),
            bad(assigneeId=["user_x"]),
            bad("assignee_not_member", assigneeId="user_nobody"),
        ),
    ),
    "task-move": Endpoint(
        "POST",
        "/api/tasks/{task}/move",
        (TASK, TASKS),
        lambda w: {"position": 0},
        (
            bad(position=-1),
            bad(position=1_000_001),
            bad(position="first"),
            bad(position=1.5),
            bad(sectionId=""),
            bad(sectionId=5),
            bad("unknown_section", sectionId="sec_nowhere"),
        ),
    ),
    "subtask-create": Endpoint(
        "POST",
        "/api/tasks/{task}/subtasks",
        ("/api/tasks/{task}/subtasks",),
        lambda w: {"name": "Step"},
        (
            bad(name=""),
            bad(name="n" * 501),
            bad(name=None),
            bad(status="nope"),
            bad(dueOn="2024-00-10"),
            bad(position=-2),
            bad("subtask_section", sectionId="{section}"),
        ),
    ),
    "comment-create": Endpoint(
        "POST",
        "/api/tasks/{task}/comments",
        (COMMENTS,),
        lambda w: {"text": "Looks good"},
        (
            bad(text=""),
            bad(text="   "),
            bad(text="t" * 10_001),
            bad(text=None),
            bad(text=5),
            bad(text=MISSING),
        ),
    ),
    "comment-update": Endpoint(
        "PATCH",
        "/api/comments/{comment}",
        (COMMENTS,),
        lambda w: {"text": "Edited"},
        (bad(text=""), bad(text="t" * 10_001), bad(text=None), bad(text={"a": 1})),
    ),
}


INVALID_JSON = (
    b'{"name": ',
    b"{'name': 'x'}",
    b'{"name": "x",}',
    b'{name: "x"}',
    b'{"name": "x"} trailing',
    b'{"name": "x"}}',
)
NOT_OBJECTS: tuple[Any, ...] = ([], [{"name": "x"}], "name", 42, 3.5, True, None)
UNKNOWN = (bad(bogus=1), bad(id="x"), bad(createdAt="2024-01-01T00:00:00.000Z"))


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_malformed_body_is_refused_in_the_error_shape_and_changes_nothing(
    world: World, name: str
) -> None:
    endpoint = ENDPOINTS[name]
    as_json = {"content-type": "application/json"}
    before = world.snapshot(endpoint.shows)
    for text in INVALID_JSON:
        response = endpoint.send(world, content=text, headers=as_json)
        assert_error(response, 400, "invalid_json")
    for value in NOT_OBJECTS:
        response = endpoint.send(world, content=json.dumps(value).encode(), headers=as_json)
        assert_error(response, 422, "validation_error")
    assert_error(endpoint.send(world, content=b"", headers=as_json), 422, "validation_error")
    for code, overrides in (*UNKNOWN, *endpoint.bad):
        body = endpoint.body(world, overrides)
        error = assert_error(endpoint.send(world, json=body), 422, code)
        if code == "validation_error" and len(overrides) == 1:
            # The problem names the field, or the body as a whole (a rule across fields).
            (key,) = overrides
            locations = [problem["location"] for problem in error["details"]]
            assert any(key in at or at == ["body"] for at in locations), (body, error)
    assert world.snapshot(endpoint.shows) == before
    if endpoint.path == "/api/auth/register":  # and no account was made on the way
        assert endpoint.send(world, json=endpoint.valid(world)).status_code == 201


def test_a_task_patch_with_one_bad_field_changes_none_of_the_others(world: World) -> None:
    before = world.snapshot((TASK,))
    for body in (
        {"name": "Renamed", "notes": "New", "status": None},
        {"name": "Renamed", "status": "done", "dueOn": "2024-02-30"},
        {"notes": "New", "status": "done", "assigneeId": "user_nobody"},
    ):
        assert_client_error(world.http.patch(world.path(TASK), json=body))
    assert world.snapshot((TASK,)) == before


def test_a_body_that_is_not_utf8_is_refused_as_invalid_json(world: World) -> None:
    before = world.snapshot((TASKS,))
    response = world.http.post(
        world.path(TASKS),
        content=b'{"name": "caf\xe9"}',
        headers={"content-type": "application/json"},
    )
    assert_error(response, 400, "invalid_json")
    assert world.snapshot((TASKS,)) == before


# -- text the schema lets through -----------------------------------------------------

NUL = "a\x00b"
STORABLE: dict[str, tuple[str, str, Json, tuple[str, ...]]] = {
    "register-name-150": ("POST", "/api/auth/register", {"name": "n" * 150}, ("user", "name")),
    "token-name-150": ("POST", "/api/tokens", {"name": "n" * 150}, ("name",)),
    "register-name-nul": ("POST", "/api/auth/register", {"name": NUL}, ("user", "name")),
    "token-name-nul": ("POST", "/api/tokens", {"name": NUL}, ("name",)),
    "task-name-nul": ("POST", TASKS, {"name": NUL}, ("name",)),
    "task-notes-nul": ("PATCH", TASK, {"notes": NUL}, ("notes",)),
    "section-name-nul": ("POST", SECTIONS, {"name": NUL}, ("name",)),
    "comment-nul": ("POST", COMMENTS, {"text": NUL}, ("text",)),
    "project-description-nul": ("PATCH", PROJECT, {"description": NUL}, ("description",)),
}


@pytest.mark.parametrize("case", STORABLE)
def test_text_the_schema_accepts_is_stored_whole_or_refused_never_a_500(
    world: World, case: str
) -> None:
    method, path, text, echoed = STORABLE[case]
    body, http = dict(text), world.http
    if path == "/api/auth/register":
        body |= {"email": world.newcomer, "password": PASSWORD}
        http = world.anonymous
    head = world.head_seq()
    response = http.request(method, world.path(path), json=body)
    assert_below_500(response)
    if response.status_code >= 400:
        assert_error(response, response.status_code)
        assert world.head_seq() == head
        return
    stored: Any = response.json()
    for key in echoed:
        stored = stored[key]
    (sent,) = text.values()
    assert stored == sent


# -- query parameters ---------------------------------------------------------------


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_bad_task_list_parameters_are_refused_with_422(world: World) -> None:
    for params in (
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": ""},
        {"status": "finished"},
        {"status": "DONE"},
        {"dueBefore": "2024-02-30"},
        {"dueAfter": "next week"},
        {"q": "q" * 201},
        {"cursor": "c" * 2001},
    ):
        response = world.http.get(world.path(TASKS), params=params)
        assert_error(response, 422, "validation_error")


def test_a_cursor_the_server_did_not_hand_out_is_refused_as_invalid_cursor(
    world: World,
) -> None:
    for cursor in (
        "!!!",
        "",
        "é",
        cursor_of("rank,id"),
        cursor_of("[]"),
        cursor_of('{"rank": "a0"}'),
        cursor_of('["a0", 7]'),
        cursor_of('["a0", "task_x", "more"]'),
    ):
        response = world.http.get(world.path(TASKS), params={"cursor": cursor})
        assert_error(response, 422, "invalid_cursor")


def test_bad_event_log_and_my_tasks_parameters_are_refused_with_422(world: World) -> None:
    for path, params in (
        (EVENTS, {"after": "-1"}),
        (EVENTS, {"after": "soon"}),
        (EVENTS, {"after": "1.5"}),
        (EVENTS, {"limit": "0"}),
        (EVENTS, {"limit": "-5"}),
        (EVENTS, {"limit": "many"}),
        ("/api/me/tasks", {"limit": "0"}),
        ("/api/me/tasks", {"limit": "all"}),
    ):
        response = world.http.get(world.path(path), params=params)
        assert_error(response, 422, "validation_error")


def test_a_nul_in_a_task_list_filter_is_not_a_500(world: World) -> None:
    for params in ({"q": NUL}, {"assignee": NUL}, {"section": NUL}):
        response = world.http.get(world.path(TASKS), params=params)
        assert_below_500(response)
        if response.status_code >= 400:
            assert_error(response, response.status_code)
        else:
            assert response.json()["items"] == []


def test_events_after_the_head_are_none_and_the_head_stays_the_real_one(world: World) -> None:
    head = world.head_seq()
    page = ok(world.http.get(world.path(EVENTS), params={"after": head + 1000}))
    assert page["events"] == []
    assert page["headSeq"] == head
    assert page["hasMore"] is False


@pytest.mark.parametrize("after", [2**31, 2**63, 10**30])
def test_an_after_too_large_for_the_database_is_not_a_500(world: World, after: int) -> None:
    response = world.http.get(world.path(EVENTS), params={"after": after})
    assert_below_500(response)
    if response.status_code >= 400:
        assert_error(response, response.status_code)
    else:
        assert response.json()["events"] == []


def test_a_nul_anywhere_in_the_url_is_a_bad_request(world: World) -> None:
    assert_error(world.http.get("/api/tasks/task_%00"), 400, "bad_request")
    assert_error(world.http.get("/api/projects/proj_%00/events"), 400, "bad_request")
    assert_error(world.http.patch("/api/comments/cmt_%00", json={"text": "x"}), 400, "bad_request")
    assert_error(world.http.get("/api/me/tasks?limit=1&x=%00"), 400, "bad_request")


# -- arbitrary JSON -----------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
# Bodies near the schema, so that many get past validation to the database, with text
# that is hard on databases and on hand-built SQL.
nasty_text = st.text(max_size=40) | st.sampled_from(["\x00", "a\x00b", "\ufeff", "%", "_", "\\"])
task_fields = st.fixed_dictionaries(
    {"name": nasty_text},
    optional={
        "notes": nasty_text,
        "status": st.sampled_from(["todo", "in_progress", "done", "Done"]),
        "dueOn": st.dates().map(str) | st.sampled_from(["2024-02-30", ""]),
        "assigneeId": nasty_text,
        "position": st.integers(min_value=-1),
    },
)
task_bodies = json_values | task_fields | st.dictionaries(st.text(max_size=8), json_values)


@pytest.mark.parametrize("target", ["create", "patch"])
@hypothesis_settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=task_bodies)
def test_arbitrary_json_at_the_task_endpoints_is_never_a_500(
    world: World, target: str, body: Any
) -> None:
    method, path = ("POST", TASKS) if target == "create" else ("PATCH", TASK)
    response = world.http.request(method, world.path(path), json=body)
    assert_below_500(response)
    if response.status_code >= 400:
        assert_error(response, response.status_code)


# -- limits, each on a server built for it -------------------------------------------


@contextmanager
def signed_in(base_url: str, label: str) -> Iterator[httpx.Client]:
    """A new user on the server at ``base_url``, and a client signed in as them."""
    with client(base_url) as anonymous:
        response = anonymous.post(
            "/api/auth/register",
            json={"email": unique_email(label), "name": label.title(), "password": PASSWORD},
        )
    with client(base_url, ok(response)["token"]) as http:
        yield http


class Stopwatch:
    """A monotonic clock for a rate limiter that moves only when told to."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def chunks(body: bytes, size: int = 512) -> Iterator[bytes]:
    """``body`` as a stream: httpx sends it chunked, with no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("sent", ["declared", "streamed"])
def test_a_body_over_the_cap_is_refused_with_413_and_nothing_is_stored(
    database_url: str, tmp_path: Path, sent: str
) -> None:
    settings = make_settings(database_url, tmp_path, max_body_bytes=2048)
    with live_server(create_app(settings)) as url, signed_in(url, "ana") as ana:
        project = ok(ana.post("/api/projects", json={"name": "Capped"}))["id"]
        tasks = f"/api/projects/{project}/tasks"
        big = json.dumps({"name": "Big", "notes": "x" * 4096}).encode()
        as_json = {"content-type": "application/json"}
        if sent == "declared":
            response = ana.post(tasks, content=big, headers=as_json)
            assert response.request.headers["content-length"] == str(len(big))
        else:
            response = ana.post(tasks, content=chunks(big), headers=as_json)
            assert "content-length" not in response.request.headers
            assert response.request.headers["transfer-encoding"] == "chunked"
        assert_error(response, 413, "too_large")
        assert ok(ana.get(tasks))["items"] == []
        assert ok(ana.get(f"/api/projects/{project}/events"))["headSeq"] == 1
        small = json.dumps({"name": "Small", "notes": "x" * 1500}).encode()
        assert ana.post(tasks, content=chunks(small), headers=as_json).status_code == 201


def test_the_mutation_after_the_burst_is_refused_for_that_user_only(
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, mutation_rate=5, mutation_burst=10))
    # The limiter's clock is a seam: frozen, every request is "quick" however slow the
    # machine, and no token comes back until the test moves time on.
    stopwatch = Stopwatch()
    limits: Limits = app.state.limits
    limits.mutations.monotonic = stopwatch
    with live_server(app) as url, signed_in(url, "ana") as ana, signed_in(url, "bob") as bob:
        project = ok(ana.post("/api/projects", json={"name": "Busy"}))["id"]
        tasks = f"/api/projects/{project}/tasks"
        for n in range(9):
            ok(ana.post(tasks, json={"name": f"Task {n}"}))
        refused = ana.post(tasks, json={"name": "One too many"})
        assert_error(refused, 429, "rate_limited")
        assert int(refused.headers["Retry-After"]) >= 1
        for _ in range(20):  # reads are not limited, and nothing was lost
            assert len(ok(ana.get(tasks))["items"]) == 9
        assert ok(ana.get(f"/api/projects/{project}/events"))["headSeq"] == 10
        ok(bob.post("/api/projects", json={"name": "Unaffected"}))
        stopwatch.seconds += 0.25  # 5 a second: one token back
        ok(ana.post(tasks, json={"name": "After a pause"}))
        assert_error(ana.post(tasks, json={"name": "And again"}), 429, "rate_limited")


def test_repeated_sign_ins_from_one_address_are_refused_with_retry_after(
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(make_settings(database_url, tmp_path, auth_rate=1.0, auth_burst=3))
    stopwatch = Stopwatch()
    limits: Limits = app.state.limits
    limits.anonymous.monotonic = stopwatch
    email = unique_email("guessed")
    with live_server(app) as url, client(url) as anonymous:
        registered = anonymous.post(
            "/api/auth/register", json={"email": email, "name": "G", "password": PASSWORD}
        )
        token = ok(registered)["token"]
        for guess in ("password1", "password2"):
            wrong = anonymous.post("/api/auth/login", json={"email": email, "password": guess})
            assert_error(wrong, 401, "invalid_credentials")
        refused = anonymous.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert_error(refused, 429, "rate_limited")
        assert int(refused.headers["Retry-After"]) >= 1
        with client(url, token) as signed:  # what a signed-in user does is no sign-in
            assert signed.get("/api/auth/me").status_code == 200
            assert signed.post("/api/projects", json={"name": "Still fine"}).status_code == 201
        stopwatch.seconds += 1.5
        ok(anonymous.post("/api/auth/login", json={"email": email, "password": PASSWORD}))
