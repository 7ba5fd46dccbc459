"""A signed-in person's forms spend the same budget of changes as the JSON API, and past
it they answer as the API does: 429 with ``Retry-After``, saying when to try again in
the same number, and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from tasklane.edge.session import SESSION_COOKIE
from tasklane.web.waiting import in_words
from tests.conftest import Person, make_settings
from tests.live import live_stack

Signup = Callable[[str], Person]


def test_past_the_budget_a_form_answers_429_with_retry_after_and_changes_nothing(
    database_url: str, tmp_path: Path, signup: Signup
) -> None:
    ana = signup("ana")
    project = ana.http.post("/api/projects", json={"name": "Busy"}).json()["id"]
    # One change, then one every hundred seconds.
    settings = make_settings(database_url, tmp_path, mutation_rate=0.01, mutation_burst=1)
    with live_stack(settings) as slow:
        origin = slow.stack.settings.app_origins()[0]
        with httpx.Client(
            base_url=slow.api_url,
            timeout=30,
            headers={"Origin": origin},
            cookies={SESSION_COOKIE: ana.token},
        ) as browser:
            first = browser.post(f"/projects/{project}/sections", data={"name": "Now"})
            refused = browser.post(f"/projects/{project}/sections", data={"name": "Later"})
    assert first.status_code == 303, first.text
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"].startswith("text/html")
    seconds = int(refused.headers["Retry-After"])
    assert 90 <= seconds <= 100  # a change every hundred seconds, the first one spent
    assert f"Wait {in_words(seconds)} and try again." in refused.text
    sections = [s["name"] for s in ana.http.get(f"/api/projects/{project}/sections").json()]
    assert "Now" in sections
    assert "Later" not in sections
