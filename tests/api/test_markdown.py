"""``POST /api/markdown``: notes and comments rendered as the pages render them, for
whoever is signed in; the API's one error shape for anything else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tasklane.markdown import render
from tests.conftest import Person

Signup = Callable[[str], Person]


def rendered(http: httpx.Client, body: Any) -> httpx.Response:
    return http.post("/api/markdown", json=body)


def error_code(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    code: str = response.json()["error"]["code"]
    return code


def test_a_signed_in_person_gets_the_html_the_pages_show(signup: Signup) -> None:
    ana = signup("ana")
    text = "**Ship** it: https://example.com\n<script>alert(1)</script> [x](javascript:alert(1))"
    answer = rendered(ana.http, {"text": text})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"html": render(text)}
    html = answer.json()["html"]
    assert "<strong>Ship</strong>" in html
    assert '<a href="https://example.com" target="_blank"' in html
    assert "&lt;script&gt;" in html
    assert "<script" not in html
    assert "[x](javascript:alert(1))" in html  # text, not a link
    assert "Tasklane-Seq" not in answer.headers  # it changed nothing
    assert rendered(ana.http, {"text": ""}).json() == {"html": ""}


def test_it_needs_a_signed_in_person(anonymous: httpx.Client) -> None:
    assert error_code(rendered(anonymous, {"text": "hi"}), 401) == "unauthorized"


def test_bad_input_is_a_machine_readable_error(signup: Signup) -> None:
    ana = signup("ana")
    for body in ({}, {"text": 5}, {"text": "x" * 20_001}, {"text": "hi", "other": 1}, ["hi"]):
        assert error_code(rendered(ana.http, body), 422) == "validation_error", body
    broken = ana.http.post(
        "/api/markdown", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert error_code(broken, 400) == "invalid_json"
    assert error_code(rendered(ana.http, {"text": "a\x00b"}), 422) == "validation_error"


def test_the_openapi_schema_documents_it(anonymous: httpx.Client) -> None:
    schema = anonymous.get("/openapi.json").json()
    operation = schema["paths"]["/api/markdown"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/MarkdownIn"
    }
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/MarkdownOut"}
    assert {"401", "422", "429"} <= set(operation["responses"])
    text = schema["components"]["schemas"]["MarkdownIn"]["properties"]["text"]
    assert text["maxLength"] == 20_000
