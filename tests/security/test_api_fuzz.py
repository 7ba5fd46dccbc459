"""The JSON API under generated input: Schemathesis walks every operation of the app's
own OpenAPI schema against a real server, signed in as a user who owns a project with a
section, a task, a comment and a second member, so that paths also name things that
exist; and bodies nested deeper than Python's stack, at every endpoint that takes one.

Whatever is sent, the answer is never a 5xx, and it matches the schema where the schema
describes it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.result import Ok

from tests.conftest import make_settings, unique_email
from tests.live import LiveStack, live_stack
from tests.reliability import Figures, scaled

Json = dict[str, Any]
ONE_SHOT = httpx.Limits(max_keepalive_connections=0)  # a 500 closes the connection


@pytest.fixture(scope="module")
def served(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """The app with long polls cut short: a generated ``wait=30`` must not make the run
    wait 30 seconds."""
    settings = make_settings(
        database_url, tmp_path_factory.mktemp("schemathesis"), poll_max_wait_seconds=0.2
    )
    with live_stack(settings) as running:
        yield running


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


@dataclass
class World:
    """A signed-in owner and a project with one of everything; ``ids`` maps the API's
    path parameters to things of that project."""

    http: httpx.Client  # the owner's, by a personal token: signing out does not end it
    token: str
    ids: dict[str, str] = field(default_factory=dict)

    def build(self) -> None:
        """A new project (after a generated DELETE removed part of the last one)."""
        project = ok(self.http.post("/api/projects", json={"name": "Fuzzed"}))
        section = ok(self.http.get(f"/api/projects/{project['id']}/sections"))[0]
        tasks = f"/api/projects/{project['id']}/tasks"
        task = ok(self.http.post(tasks, json={"name": "Plan", "sectionId": section["id"]}))
        comment = ok(self.http.post(f"/api/tasks/{task['id']}/comments", json={"text": "Hi"}))
        member = ok(
            self.http.post(
                "/api/auth/register",
                json={"email": unique_email("member"), "name": "M", "password": "correct horse"},
                headers={"Authorization": ""},
            )
        )["user"]
        added = {"userId": member["id"], "role": "editor"}
        ok(self.http.post(f"/api/projects/{project['id']}/members", json=added))
        self.ids = {
            "project_id": project["id"],
            "section_id": section["id"],
            "task_id": task["id"],
            "comment_id": comment["id"],
            "user_id": member["id"],
        }


@pytest.fixture
def world(served: LiveStack) -> Iterator[World]:
    with httpx.Client(base_url=served.api_url, timeout=30, limits=ONE_SHOT) as anonymous:
        registered = anonymous.post(
            "/api/auth/register",
            json={"email": unique_email("owner"), "name": "Owner", "password": "correct horse"},
        )
        session = {"Authorization": f"Bearer {ok(registered)['token']}"}
        token = ok(anonymous.post("/api/tokens", json={"name": "fuzz"}, headers=session))["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(
        base_url=served.api_url, timeout=30, headers=headers, limits=ONE_SHOT
    ) as http:
        built = World(http, token)
        built.build()
        yield built


@pytest.fixture
def api_schema(served: LiveStack) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{served.api_url}/openapi.json")


# Schemathesis' own pytest integration (``schemathesis.pytest.from_fixture`` with
# ``@schema.parametrize()``) cannot run on pytest 9.2: it renames test nodes through
# ``Node._nodeid``, which pytest 9.2 replaced. Its Python API works: a strategy per
# operation, run by Hypothesis here.
EXAMPLES_PER_OPERATION = scaled(6, 60)


def test_every_operation_answers_generated_input_without_a_server_error(
    api_schema: schemathesis.BaseSchema, world: World, figures: Figures
) -> None:
    operations = []
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok), result  # the schema itself is sound
        operations.append(result.ok())
    assert len(operations) >= 35, [operation.label for operation in operations]
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:
        cases = st.one_of([operation.as_strategy(mode) for mode in schemathesis.GenerationMode])

        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=cases, real=st.booleans())
        def exercise(case: schemathesis.Case[Any], real: bool) -> None:
            if real:  # name the world's things instead of made-up ids
                for name in case.path_parameters or {}:
                    if name in world.ids:
                        case.path_parameters[name] = world.ids[name]
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {world.token}"},
                checks=[not_a_server_error, response_schema_conformance],
                timeout=30,
            )
            statuses.append(response.status_code)
            figures.requests += 1
            figures.server_errors += response.status_code >= 500
            if case.method.upper() == "DELETE" and response.status_code < 300:
                world.build()

        try:
            exercise()
        except Exception as failure:  # every operation runs; all failures are reported
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
    # It did reach the server, and got past validation to real work often enough.
    assert len(statuses) >= 3 * len(operations), len(statuses)
    assert sum(200 <= status < 300 for status in statuses) >= len(operations), statuses


# -- bodies deeper than the stack ------------------------------------------------------

BODY_ENDPOINTS = [
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/tokens"),
    ("POST", "/api/projects"),
    ("PATCH", "/api/projects/{project_id}"),
    ("POST", "/api/projects/{project_id}/members"),
    ("POST", "/api/projects/{project_id}/sections"),
    ("POST", "/api/projects/{project_id}/tasks"),
    ("PATCH", "/api/tasks/{task_id}"),
    ("POST", "/api/tasks/{task_id}/move"),
    ("POST", "/api/tasks/{task_id}/comments"),
    ("PATCH", "/api/comments/{comment_id}"),
]


@pytest.mark.parametrize("depth", [400, 900, 5_000])
def test_a_body_nested_deeper_than_the_stack_is_a_client_error_everywhere(
    world: World, depth: int
) -> None:
    """A few hundred levels fit in a small body and used to exhaust the NUL check's
    recursion: a 500, on sign-in too, without signing in."""
    nested = "[" * depth + "]" * depth
    bodies = [f'{{"name":"x","extra":{nested}}}', f'{{"name":{nested}}}', nested]
    for method, template in BODY_ENDPOINTS:
        path = template.format(**world.ids)
        for body in bodies:
            response = world.http.request(
                method, path, content=body, headers={"Content-Type": "application/json"}
            )
            if response.status_code >= 500:
                time.sleep(0.5)  # see tests/api/test_bad_input.py: let the server log first
            assert 400 <= response.status_code < 500, (method, path, response.text)
            assert set(response.json()) == {"error"}
