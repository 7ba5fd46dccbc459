"""Past the per-address sign-in limit, the sign-in and sign-up pages answer as the JSON
API does: 429 with ``Retry-After`` (whole seconds, at least 1), and they tell the person
when to try again, in the same number."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tasklane.services.errors import RateLimited
from tasklane.web.auth_pages import refusal
from tests.conftest import Person, make_settings, unique_email
from tests.live import LiveStack, live_stack

Signup = Callable[[str], Person]
PASSWORD = "correct horse"


@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[LiveStack]:
    """Two sign-ins or sign-ups per address, then one every ten seconds."""
    settings = make_settings(database_url, tmp_path, auth_rate=0.1, auth_burst=2)
    with live_stack(settings) as running:
        yield running


def wait_in_words(seconds: int) -> str:
    return f"Try again in {seconds} second{'' if seconds == 1 else 's'}."


def test_past_the_limit_the_forms_answer_429_with_retry_after_and_say_when(
    limited: LiveStack, signup: Signup
) -> None:
    ana = signup("ana")  # registered through the other stack: nothing spent here
    origin = limited.stack.settings.app_origins()[0]
    guess = {"email": ana.email, "password": "a wrong guess"}
    with httpx.Client(base_url=limited.api_url, timeout=30, headers={"Origin": origin}) as http:
        for _ in range(2):
            assert http.post("/login", data=guess).status_code == 401
        sign_in = http.post("/login", data={**guess, "password": PASSWORD})
        sign_up = http.post(
            "/signup", data={"name": "Eve", "email": unique_email("eve"), "password": PASSWORD}
        )
        api = http.post("/api/auth/login", json={**guess, "password": PASSWORD})
    assert api.status_code == 429, api.text
    for page in (sign_in, sign_up):
        assert page.status_code == 429, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "tasklane_session" not in page.headers.get("set-cookie", "")
        seconds = int(page.headers["Retry-After"])
        assert 1 <= seconds <= 11  # one sign-in every ten seconds
        assert abs(seconds - int(api.headers["Retry-After"])) <= 1  # as the API says
        assert wait_in_words(seconds) in page.text


@pytest.mark.parametrize(
    ("wait", "words"),
    [
        (0.01, "1 second"),
        (9.3, "10 seconds"),
        (89.2, "90 seconds"),
        (95.0, "2 minutes"),
        (3333.2, "56 minutes"),
        (3 * 3600.0, "3 hours"),
    ],
)
def test_the_wait_reads_well_and_never_too_short(wait: float, words: str) -> None:
    sentence = refusal(RateLimited("too many requests", retry_after=wait))
    assert sentence == f"That was a lot of tries in a short time. Try again in {words}."
