"""The account page's forms for a browser without its script, over real sockets: each
posts, and is answered with a redirect back, or the page again with what went wrong
beside the field."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import unescape

import httpx
import pytest

from tests.conftest import Person
from tests.live import LiveStack

Signup = Callable[[str], Person]
PASSWORD = "correct horse"
NEW_PASSWORD = "battery staple"


@pytest.fixture
def own_origin(live: LiveStack) -> str:
    return live.stack.settings.app_origins()[0]


@contextmanager
def browser(base_url: str, secret: str, origin: str) -> Iterator[httpx.Client]:
    """A client that sends a session cookie and an Origin, as a browser's form does."""
    with httpx.Client(base_url=base_url, timeout=30, headers={"Origin": origin}) as http:
        http.cookies.set("tasklane_session", secret)
        yield http


def test_the_account_page_shows_the_profile_and_the_tokens(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana = signup("ana")
    assert ana.http.post("/api/tokens", json={"name": "Deploy <bot>"}).status_code == 201
    with browser(base_url, ana.token, own_origin) as http:
        page = http.get("/account")
    assert page.status_code == 200
    assert 'data-testid="account-link"' in page.text
    assert 'aria-current="page"' in page.text
    assert "Deploy &lt;bot&gt;" in page.text
    assert ana.email in page.text


def test_the_profile_form_saves_and_explains(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana = signup("ana")
    with browser(base_url, ana.token, own_origin) as http:
        saved = http.post("/account/profile", data={"name": "Ana Alvarez", "avatar_color": "teal"})
        assert saved.status_code == 303
        assert saved.headers["location"] == "/account?saved=profile"
        page = http.get(saved.headers["location"])
        assert "Profile saved." in page.text
        assert 'class="avatar hue-3' in page.text  # teal, in the sidebar too

        refused = http.post("/account/profile", data={"name": " ", "avatar_color": "chartreuse"})
        assert refused.status_code == 422
        assert "Enter your name." in unescape(refused.text)
        assert "Choose one of the options in the list." in refused.text

        assert http.post("/account/profile", data={"name": "Ana"}).status_code == 303
    me = ana.http.get("/api/auth/me").json()
    assert (me["name"], me["avatarColor"]) == ("Ana", None)  # no colour: the ID's


def test_the_password_form_checks_then_signs_out_the_other_sessions(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana = signup("ana")
    login = {"email": ana.email, "password": PASSWORD}
    elsewhere = httpx.post(f"{base_url}/api/auth/login", json=login).json()["token"]
    mine = httpx.post(f"{base_url}/api/auth/login", json=login).json()["token"]
    with browser(base_url, mine, own_origin) as http:

        def post(current: str, new: str, confirm: str) -> httpx.Response:
            fields = {"current_password": current, "new_password": new, "confirm_password": confirm}
            return http.post("/account/password", data=fields)

        mismatch = post(PASSWORD, NEW_PASSWORD, "something else")
        assert mismatch.status_code == 422
        assert "The two new passwords don&#39;t match" in mismatch.text
        wrong = post("not it", NEW_PASSWORD, NEW_PASSWORD)
        assert wrong.status_code == 403
        assert "That isn't your current password" in unescape(wrong.text)
        short = post(PASSWORD, "short", "short")
        assert short.status_code == 422
        assert "Use at least 8 characters for a new password." in short.text
        assert NEW_PASSWORD not in short.text + wrong.text  # typed passwords are not shown again

        changed = post(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
        assert changed.status_code == 303
        assert "Password changed." in http.get(changed.headers["location"]).text
    for secret, signed_in in ((elsewhere, False), (ana.token, False), (mine, True)):
        answer = httpx.get(f"{base_url}/api/auth/me", headers={"Authorization": f"Bearer {secret}"})
        assert (answer.status_code == 200) is signed_in


def test_the_token_forms_show_a_new_token_once_and_delete_it(
    base_url: str, signup: Signup, own_origin: str
) -> None:
    ana = signup("ana")
    with browser(base_url, ana.token, own_origin) as http:
        assert "Enter a name for the token." in http.post("/account/tokens", data={"name": ""}).text
        made = http.post("/account/tokens", data={"name": "Cron"})
        assert made.status_code == 200
        listed = ana.http.get("/api/tokens").json()
        assert [token["name"] for token in listed] == ["Cron"]
        secret = made.text.split('data-testid="token-secret" readonly value="')[1].split('"')[0]
        assert (
            httpx.get(
                f"{base_url}/api/auth/me", headers={"Authorization": f"Bearer {secret}"}
            ).json()["id"]
            == ana.id
        )
        assert secret not in http.get("/account").text  # shown that once

        deleted = http.post(f"/account/tokens/{listed[0]['id']}/delete")
        assert deleted.status_code == 303
        gone = http.post(f"/account/tokens/{listed[0]['id']}/delete")
        assert gone.status_code == 404
        assert "That token no longer exists" in gone.text
    assert ana.http.get("/api/tokens").json() == []
    answer = httpx.get(f"{base_url}/api/auth/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401


def test_a_form_from_another_site_changes_nothing(base_url: str, signup: Signup) -> None:
    ana = signup("ana")
    with browser(base_url, ana.token, "https://evil.example") as http:
        refused = http.post("/account/profile", data={"name": "Mallory"})
        assert refused.status_code == 403
        fields = {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        }
        assert http.post("/account/password", data=fields).status_code == 403
    assert ana.http.get("/api/auth/me").json()["name"] == "Ana"
