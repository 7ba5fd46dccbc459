"""Text anyone typed stays text on every page, and every page says so in its headers.

Hostile text (a script element, an attribute breakout with an ``onerror`` image, a
``javascript:`` URL, template syntax) is stored in a project's name, a section's name, a
task's name and notes, a comment and a person's name, then every page that shows them
is read as HTML: no element or attribute came from the text, and the text is there,
literally. Every page also carries the Content-Security-Policy, ``nosniff`` and
``Referrer-Policy``; JSON answers carry the last two and no policy. (The same pages in
Chromium, with the text arriving live too: ``test_pages_in_chromium.py``.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from tasklane.markdown import render
from tasklane.web.headers import inline_style_hashes
from tests.conftest import Person, unique_email
from tests.live import LiveStack

Signup = Callable[[str], Person]
Json = dict[str, Any]

# One string, each part an attack of its own; a field's text is "<field>: HOSTILE".
HOSTILE = (
    '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    "' onmouseover='alert(1)' javascript:alert(1) {{7*7}} {% raw %}${7*7}"
)
FIELDS = ("project", "section", "task", "notes", "comment", "person")
MARKDOWN = ("notes", "comment")  # shown rendered: there `7*7}} … ${7*` is emphasis


def hostile(where: str) -> str:
    return f"{where}: {HOSTILE}"


class Markup(HTMLParser):
    """What a browser's parser would build from a page: its elements and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []  # the text inside each <script>
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


PAGE_DATA_SCRIPT: dict[str, str | None] = {"type": "application/json", "id": "page-data"}
# The app's own scripts: files of its static folder, nothing inline.
OWN_SCRIPT = re.compile(r"^/static/js/[a-z0-9/-]+\.js$")


def page_data_of(markup: Markup) -> Any:
    """The page's data for its scripts, as they read it."""
    scripts = [attrs for tag, attrs in markup.elements if tag == "script"]
    return json.loads(markup.scripts[scripts.index(PAGE_DATA_SCRIPT)])


def parse(html: str) -> Markup:
    markup = Markup()
    markup.feed(html)
    markup.close()
    return markup


def assert_inert(html: str, shown: tuple[str, ...], where: str) -> None:
    """No element or attribute of ``html`` came from the hostile text, and each field in
    ``shown`` is there as text (or as an attribute's value, for form fields)."""
    markup = parse(html)
    for tag, attrs in markup.elements:
        handlers = [name for name in attrs if name.startswith("on")]
        assert handlers == [], (where, tag, attrs)
        assert not (tag == "img" and attrs.get("src") == "x"), (where, attrs)
        for name in ("href", "src", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith("javascript:"), (where, tag, attrs)
    scripts = [attrs for tag, attrs in markup.elements if tag == "script"]
    # The page's data once, and otherwise only the app's own script files.
    assert scripts.count(PAGE_DATA_SCRIPT) == 1, (where, scripts)
    others = [s for s in scripts if s != PAGE_DATA_SCRIPT]
    assert all(OWN_SCRIPT.match(s.get("src") or "") for s in others), (where, scripts)
    assert all(set(s) <= {"src", "type"} and s.get("type") in (None, "module") for s in others), (
        where,
        scripts,
    )
    texts = dict(zip(map(str, scripts), markup.scripts, strict=True))
    assert all(texts[str(s)].strip() == "" for s in others), (where, scripts)
    text = "".join(markup.text)
    values = [v or "" for _tag, attrs in markup.elements for v in attrs.values()]
    for name in shown:
        expected = hostile(name)
        shown_as = as_markdown_shows(expected) if name in MARKDOWN else expected
        assert expected in text or shown_as in text or expected in values, (where, name)
    # The page's data for its script carries the text exactly as typed, as data.
    carried = [t for t in strings(page_data_of(markup)) if "alert(1)" in t]
    assert carried, where
    assert set(carried) <= {hostile(name) for name in FIELDS}, (where, carried)


def as_markdown_shows(text: str) -> str:
    """The words ``text`` reads as, rendered as notes and comments are."""
    return "".join(parse(render(text)).text).strip()


def strings(value: Any) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


@dataclass
class Board:
    owner: Person
    project: str
    section: str
    task: str
    pages: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path -> fields shown


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture
def board(live: LiveStack, signup: Signup) -> Board:
    owner = signup("owner")
    with httpx.Client(base_url=live.api_url, timeout=30) as anonymous:
        body = {
            "email": unique_email("hostile"),
            "name": hostile("person"),
            "password": "pw-123456",
        }
        person = ok(anonymous.post("/api/auth/register", json=body))["user"]
    project = ok(owner.http.post("/api/projects", json={"name": hostile("project")}))["id"]
    ok(owner.http.post(f"/api/projects/{project}/members", json={"userId": person["id"]}))
    section = ok(
        owner.http.post(f"/api/projects/{project}/sections", json={"name": hostile("section")})
    )["id"]
    task = ok(
        owner.http.post(
            f"/api/projects/{project}/tasks",
            json={
                "name": hostile("task"),
                "notes": hostile("notes"),
                "sectionId": section,
                "assigneeId": owner.id,
            },
        )
    )["id"]
    ok(owner.http.post(f"/api/tasks/{task}/comments", json={"text": hostile("comment")}))
    # The hostile person is also the assignee of a task of their own, for the pane.
    ok(owner.http.post(f"/api/projects/{project}/tasks", json={"name": "Theirs"}))
    found = httpx.QueryParams({"q": "alert"})
    return Board(
        owner,
        project,
        section,
        task,
        {
            "/": ("project",),
            f"/projects/{project}": ("project", "section", "task"),
            f"/projects/{project}/board": ("project", "section", "task"),
            f"/projects/{project}/tasks/{task}": ("project", "task", "notes", "comment"),
            f"/projects/{project}/tasks/{task}?view=board": ("task", "notes", "comment"),
            f"/projects/{project}/members": ("project", "person"),
            "/my-tasks": ("task",),
            f"/search?{found}": ("task",),
        },
    )


@contextmanager
def browser(base_url: str, person: Person) -> Iterator[httpx.Client]:
    cookies = {"tasklane_session": person.token}
    with httpx.Client(base_url=base_url, cookies=cookies, timeout=30) as http:
        yield http


def test_hostile_text_in_every_field_renders_inert_on_every_page(
    live: LiveStack, board: Board
) -> None:
    with browser(live.api_url, board.owner) as http:
        for path, shown in board.pages.items():
            page = http.get(path)
            assert page.status_code == 200, path
            assert_inert(page.text, shown, path)


def test_a_form_shown_again_with_hostile_input_keeps_it_inert(
    live: LiveStack, board: Board
) -> None:
    """A form that failed shows what was typed again: as a value, not as markup."""
    own = live.stack.settings.app_origins()[0]
    with browser(live.api_url, board.owner) as http:
        page = http.post(
            f"/projects/{board.project}/tasks/{board.task}",
            data={"name": hostile("task"), "due_on": hostile("due")},
            headers={"Origin": own},
        )
    assert page.status_code == 422, page.text
    markup = parse(page.text)
    assert [tag for tag, attrs in markup.elements if tag == "img" and attrs.get("src") == "x"] == []
    assert all(not name.startswith("on") for _tag, a in markup.elements for name in a)
    assert hostile("due") in [v for _tag, a in markup.elements for v in a.values()]


# -- the headers ---------------------------------------------------------------------------


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_every_page_carries_the_policy_and_the_policy_fits_the_page(
    live: LiveStack, board: Board
) -> None:
    paths = [
        *board.pages,
        "/projects/proj_madeup0000000000000",  # the not-found page
    ]
    with browser(live.api_url, board.owner) as http:
        answers = [http.get(path) for path in paths]
    with httpx.Client(base_url=live.api_url, timeout=30) as anonymous:
        answers += [anonymous.get("/login"), anonymous.get("/signup")]
    settings = live.stack.settings
    for page in answers:
        assert page.headers["content-type"].startswith("text/html"), page.url
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
        policy = directives(page.headers["content-security-policy"])
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        # The page's script may reach exactly the gateway its data names.
        gateway = page_data_of(parse(page.text))["gateway"]
        assert gateway == {
            "ws": f"ws://127.0.0.1:{settings.ws_port}",
            "http": f"http://127.0.0.1:{settings.ws_port}",
        }
        assert policy["connect-src"] == ["'self'", gateway["ws"], gateway["http"]]
        # Every inline <style> is allowed by its hash, and nothing else inline.
        styles = re.findall(r"<style>(.*?)</style>", page.text, re.S)
        assert styles, page.url  # the <noscript> one
        assert policy["style-src-elem"] == ["'self'", *inline_style_hashes()]
        assert "'unsafe-inline'" not in policy["style-src-elem"]
    assert len(inline_style_hashes()) == 1


def test_a_page_asked_for_by_another_host_name_lets_it_reach_that_hosts_gateway(
    live: LiveStack, board: Board
) -> None:
    """The page's gateway is on the host the browser used (so the cookie goes along);
    the policy follows it."""
    port = live.stack.settings.ws_port
    with browser(live.api_url, board.owner) as http:
        page = http.get("/", headers={"Host": f"localhost:{live.api_url.rsplit(':', 1)[1]}"})
    policy = directives(page.headers["content-security-policy"])
    assert policy["connect-src"] == ["'self'", f"ws://localhost:{port}", f"http://localhost:{port}"]


def test_json_static_files_and_the_api_docs_have_no_policy_but_nosniff(
    live: LiveStack, board: Board
) -> None:
    with browser(live.api_url, board.owner) as http:
        answers = [
            http.get("/api/projects"),
            http.get("/api/projects/proj_madeup0000000000000"),  # a JSON error
            http.get("/static/js/project.js"),
            http.get("/static/css/app.css"),
            http.get("/docs"),  # Swagger UI: its own inline scripts, from a CDN
            http.get("/redoc"),
        ]
    for response in answers:
        assert response.headers["x-content-type-options"] == "nosniff", response.url
        assert response.headers["referrer-policy"] == "same-origin", response.url
        assert "content-security-policy" not in response.headers, response.url
    assert (
        answers[2].headers["content-type"].startswith(("text/javascript", "application/javascript"))
    )
    assert answers[3].headers["content-type"].startswith("text/css")
