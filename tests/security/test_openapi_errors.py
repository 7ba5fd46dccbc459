"""The OpenAPI schema tells the truth about errors: every operation under /api lists the
error answers it can give, each with the one error body (a named component, not
FastAPI's ``HTTPValidationError``), ``Retry-After`` where it comes with one; and real
error answers of a real server, made by every path that makes one, match that component.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest

from tasklane.app import create_app
from tasklane.protocol.errors import ErrorEnvelope
from tests.conftest import Person, make_settings
from tests.live import LiveStack, live_server, live_stack

Signup = Callable[[str], Person]
Json = dict[str, Any]
ENVELOPE = "#/components/schemas/ErrorEnvelope"
SAFE = {"get", "head", "options"}


@pytest.fixture(scope="module")
def openapi(live: LiveStack) -> Json:
    response = httpx.get(f"{live.api_url}/openapi.json", timeout=30)
    assert response.status_code == 200
    schema: Json = response.json()
    return schema


def api_operations(openapi: Json) -> Iterator[tuple[str, str, Json]]:
    for path, operations in openapi["paths"].items():
        if path.startswith("/api/"):
            for method, operation in operations.items():
                yield method, path, operation


def refers_to_envelope(response: Json) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema == {"$ref": ENVELOPE})


def retry_after_is_promised(response: Json) -> bool:
    header = response.get("headers", {}).get("Retry-After", {})
    return bool(header.get("required")) and header.get("schema", {}).get("type") == "integer"


def assert_matches_served_envelope(openapi: Json, response: httpx.Response) -> None:
    """``response``'s body is valid for the served component and for the model."""
    body = response.json()
    served = jsonschema_rs.Draft202012Validator(
        {"$ref": ENVELOPE, "components": openapi["components"]}
    )
    served.validate(body)  # raises, saying where, if the body strays from the schema
    ErrorEnvelope.model_validate(body)


def test_patch_task_documents_its_401_and_422_with_the_envelope(openapi: Json) -> None:
    responses = openapi["paths"]["/api/tasks/{task_id}"]["patch"]["responses"]
    for status in ("401", "422", "400", "403", "404", "413", "429", "500", "503"):
        assert refers_to_envelope(responses[status]), (status, responses[status])
    assert retry_after_is_promised(responses["429"])
    assert retry_after_is_promised(responses["503"])
    envelope = openapi["components"]["schemas"]["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    assert envelope["additionalProperties"] is False
    info = openapi["components"]["schemas"]["ErrorInfo"]
    assert set(info["required"]) == {"code", "message"}
    assert set(info["properties"]) == {"code", "message", "details"}


def test_every_api_operation_lists_the_errors_it_can_give(openapi: Json) -> None:
    assert "HTTPValidationError" not in str(openapi)
    assert "ValidationError" not in openapi["components"]["schemas"]
    checked = 0
    for method, path, operation in api_operations(openapi):
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        errors = {status: r for status, r in responses.items() if int(status) >= 400}
        for status, response in errors.items():
            assert refers_to_envelope(response), (where, status, response)
            if status in ("429", "503"):
                assert retry_after_is_promised(response), (where, status)
        # Anything can meet the body limit, the URL check, a fault and a database outage.
        assert {"400", "413", "500", "503"} <= errors.keys(), (where, sorted(errors))
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in errors, (where, sorted(errors))
        if operation.get("security"):  # a session cookie or a Bearer token
            assert "401" in errors, (where, sorted(errors))
            if method not in SAFE:  # origin or role; the mutation rate
                assert {"403", "429"} <= errors.keys(), (where, sorted(errors))
            if "{" in path:
                assert "404" in errors, (where, sorted(errors))
        checked += 1
    assert checked >= 35
    paths = openapi["paths"]
    # The errors that only some routes give, where they give them.
    assert "401" in paths["/api/auth/login"]["post"]["responses"]
    assert "429" in paths["/api/auth/login"]["post"]["responses"]
    assert "409" in paths["/api/auth/register"]["post"]["responses"]
    assert "409" in paths["/api/sections/{section_id}"]["delete"]["responses"]
    assert "409" in paths["/api/projects/{project_id}/members"]["post"]["responses"]
    assert "429" in paths["/api/projects/{project_id}/events"]["get"]["responses"]
    # And not where they cannot happen.
    assert "401" not in paths["/api/auth/register"]["post"]["responses"]
    assert "403" not in paths["/api/tasks/{task_id}"]["get"]["responses"]
    assert "409" not in paths["/api/tasks/{task_id}"]["patch"]["responses"]


def test_real_error_answers_match_the_documented_envelope(
    openapi: Json, live: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")
    project = ana.http.post("/api/projects", json={"name": "Errors"}).json()["id"]
    task = ana.http.post(f"/api/projects/{project}/tasks", json={"name": "Plan"}).json()["id"]
    with httpx.Client(base_url=live.api_url, timeout=30) as anonymous:
        answers = {
            # FastAPI's validation, in our shape
            422: ana.http.patch(f"/api/tasks/{task}", json={"status": "someday", "x": 1}),
            401: anonymous.patch(f"/api/tasks/{task}", json={"name": "Mine now"}),
            404: ana.http.patch("/api/tasks/task_nope", json={"name": "Nobody's"}),
            # the body limit and the URL check answer before any route
            413: ana.http.patch(
                f"/api/tasks/{task}",
                content=b'{"notes": "' + b"x" * live.stack.settings.max_body_bytes + b'"}',
                headers={"Content-Type": "application/json"},
            ),
            400: ana.http.get(f"/api/tasks/{task}/comments", params={"x": "a\x00b"}),
        }
    for status, response in answers.items():
        assert response.status_code == status, response.text
        assert str(status) in openapi["paths"]["/api/tasks/{task_id}"]["patch"]["responses"]
        assert_matches_served_envelope(openapi, response)
    problems = answers[422].json()["error"]["details"]
    assert {tuple(p["location"]) for p in problems} >= {("body", "status"), ("body", "x")}


def test_a_real_429_matches_the_envelope_and_says_when_to_retry(
    openapi: Json, database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana = signup("ana")
    project = ana.http.post("/api/projects", json={"name": "Busy"}).json()["id"]
    task = ana.http.post(f"/api/projects/{project}/tasks", json={"name": "Plan"}).json()["id"]
    settings = make_settings(database_url, tmp_path, mutation_rate=0.01, mutation_burst=1)
    headers = {"Authorization": f"Bearer {ana.token}"}
    with (
        live_stack(settings) as slow,
        httpx.Client(base_url=slow.api_url, timeout=30, headers=headers) as http,
    ):
        assert http.patch(f"/api/tasks/{task}", json={"name": "One"}).status_code == 200
        refused = http.patch(f"/api/tasks/{task}", json={"name": "Two"})
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert_matches_served_envelope(openapi, refused)
    assert refused.json()["error"]["code"] == "rate_limited"


def test_the_envelope_refuses_what_the_server_never_sends() -> None:
    """The component is strict, so that a schema check notices a body that strays."""
    with pytest.raises(ValueError, match="Extra inputs"):
        ErrorEnvelope.model_validate({"error": {"code": "x", "message": "y", "hint": "z"}})
    with pytest.raises(ValueError, match="message"):
        ErrorEnvelope.model_validate({"error": {"code": "x"}})
    with pytest.raises(ValueError, match="Extra inputs"):
        ErrorEnvelope.model_validate({"error": {"code": "x", "message": "y"}, "detail": "z"})


def test_an_unexpected_fault_answers_500_in_the_documented_envelope(
    database_url: str, tmp_path: Path
) -> None:
    """A route that fails in a way nobody foresaw still answers in the one shape, as its
    schema says, and gives nothing of the fault away."""
    app = create_app(make_settings(database_url, tmp_path))

    async def broken() -> None:
        raise RuntimeError("secret detail of the fault")

    app.add_api_route("/api/broken", broken, methods=["GET"])
    with live_server(app) as url:
        schema = httpx.get(f"{url}/openapi.json", timeout=30).json()
        answer = httpx.get(f"{url}/api/broken", timeout=30)
    documented = schema["paths"]["/api/broken"]["get"]["responses"]["500"]
    assert refers_to_envelope(documented)
    assert answer.status_code == 500
    assert_matches_served_envelope(schema, answer)
    assert answer.json()["error"]["code"] == "internal_error"
    assert "secret" not in answer.text
