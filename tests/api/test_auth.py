"""Sign-up, sign-in, sessions, personal API tokens and the cross-site origin check, proved
over HTTP; and what is stored for them, read straight from the database."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.cookies import Morsel, SimpleCookie
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from sqlalchemy import select

from tasklane.app import create_app
from tasklane.clock import FrozenClock
from tasklane.models import Token, User
from tasklane.services import Services
from tasklane.settings import Settings
from tests.conftest import Person, make_settings, unique_email
from tests.live import live_server

Signup = Callable[[str], Person]
Json = dict[str, Any]
PASSWORD = "correct horse"
COOKIE = "tasklane_session"
FOREIGN_ORIGINS = (
    "https://evil.example",
    "null",
    "http://127.0.0.1:3001.evil.example",
    "http://localhost",
    "https://localhost:3001",
)


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    """``response`` is ``status`` with ``{"error": {"code": code, "message": …}}``."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str)
    assert set(response.json()) == {"error"}


def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def session_cookie(response: httpx.Response) -> Morsel[str]:
    cookies: SimpleCookie = SimpleCookie(response.headers["set-cookie"])
    return cookies[COOKIE]


@contextmanager
def cookie_client(base_url: str, secret: str, **headers: str) -> Iterator[httpx.Client]:
    """A browser-like client: signed in by the session cookie alone."""
    headers["Cookie"] = f"{COOKIE}={secret}"
    with httpx.Client(base_url=base_url, timeout=30, headers=headers) as http:
        yield http


def register(http: httpx.Client, email: str, name: str = "Ana") -> httpx.Response:
    return http.post(
        "/api/auth/register", json={"email": email, "name": name, "password": PASSWORD}
    )


def login(http: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return http.post("/api/auth/login", json={"email": email, "password": password})


def new_token(person: Person, name: str = "CI") -> Json:
    token: Json = ok(person.http.post("/api/tokens", json={"name": name}))
    return token


def me(base_url: str, secret: str) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        return http.get("/api/auth/me", headers={"Authorization": f"Bearer {secret}"})


def parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


# -- signing up and in ----------------------------------------------------------------


def test_registering_signs_in_with_a_token_and_an_httponly_lax_cookie(
    base_url: str, settings: Settings
) -> None:
    email = unique_email("ana")
    with httpx.Client(base_url=base_url, timeout=30) as http:
        response = register(http, email.upper())
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"user", "token", "expiresAt"}
    assert set(body["user"]) == {"id", "email", "name", "avatarColor", "createdAt"}
    assert body["user"]["email"] == email
    assert body["user"]["name"] == "Ana"
    ttl = timedelta(hours=settings.session_ttl_hours)
    lifetime = parse(body["expiresAt"]) - parse(body["user"]["createdAt"])
    assert abs(lifetime - ttl) < timedelta(seconds=5)  # the session starts just after
    cookie = session_cookie(response)
    assert cookie.value == body["token"]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "lax"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == settings.session_ttl_hours * 3600
    assert PASSWORD not in response.text


def test_an_email_is_taken_whatever_its_case(anonymous: httpx.Client) -> None:
    email = unique_email("taken")
    ok(register(anonymous, email))
    for again in (email, email.upper(), email.capitalize()):
        assert_error(register(anonymous, again, name="Other"), 409, "email_taken")


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(
    signup: Signup, anonymous: httpx.Client
) -> None:
    ana = signup("ana")
    wrong_password = login(anonymous, ana.email, "not the password")
    unknown_email = login(anonymous, unique_email("nobody"))
    assert_error(wrong_password, 401, "invalid_credentials")
    assert_error(unknown_email, 401, "invalid_credentials")
    assert wrong_password.content == unknown_email.content
    assert "set-cookie" not in wrong_password.headers
    assert "set-cookie" not in unknown_email.headers


def test_signing_in_opens_a_new_session_whatever_the_case_of_the_email(
    signup: Signup, anonymous: httpx.Client, base_url: str
) -> None:
    ana = signup("ana")
    response = login(anonymous, ana.email.upper())
    body = ok(response)
    assert body["user"]["id"] == ana.id
    assert session_cookie(response).value == body["token"] != ana.token
    assert ok(me(base_url, body["token"]))["id"] == ana.id
    assert ok(me(base_url, ana.token))["id"] == ana.id  # the first session goes on


# -- who is asking ------------------------------------------------------------------


def test_me_answers_to_the_bearer_token_and_to_the_session_cookie(base_url: str) -> None:
    email = unique_email("ana")
    with httpx.Client(base_url=base_url, timeout=30) as browser:
        user = ok(register(browser, email))["user"]
        assert ok(browser.get("/api/auth/me")) == user  # the cookie it was given
        token = browser.cookies[COOKIE]
    assert ok(me(base_url, token)) == user
    with cookie_client(base_url, token) as http:
        assert ok(http.get("/api/auth/me")) == user


def test_no_or_bad_credentials_get_401_unauthorized(signup: Signup, base_url: str) -> None:
    ana = signup("ana")
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for headers in (
            {},
            {"Authorization": "Bearer nonsense"},
            {"Authorization": f"Bearer {ana.token}x"},
            {"Authorization": f"Bearer {ana.token[:-1]}"},
            {"Authorization": f"Basic {ana.token}"},
            {"Authorization": "Bearer"},
            {"Cookie": f"{COOKIE}=nonsense"},
        ):
            assert_error(http.get("/api/auth/me", headers=headers), 401, "unauthorized")
            # a change is refused as unauthorized before its body is even looked at
            bad_body = http.post("/api/projects", json={"name": ""}, headers=headers)
            assert_error(bad_body, 401, "unauthorized")


def test_logging_out_ends_that_session_only_and_personal_tokens_survive(
    signup: Signup, anonymous: httpx.Client, base_url: str
) -> None:
    ana = signup("ana")
    other_session = ok(login(anonymous, ana.email))["token"]
    personal = new_token(ana)["token"]
    response = ana.http.post("/api/auth/logout")
    assert response.status_code == 204, response.text
    cleared = session_cookie(response)
    assert cleared.value == ""
    assert cleared["max-age"] == "0"
    assert_error(me(base_url, ana.token), 401, "unauthorized")
    assert ok(me(base_url, other_session))["id"] == ana.id
    assert ok(me(base_url, personal))["id"] == ana.id
    with httpx.Client(base_url=base_url, timeout=30) as http:
        bearer = {"Authorization": f"Bearer {personal}"}
        assert http.post("/api/auth/logout", headers=bearer).status_code == 204
    assert ok(me(base_url, personal))["id"] == ana.id  # revoke it by deleting it


def test_logging_out_by_cookie_ends_the_cookies_session(signup: Signup, base_url: str) -> None:
    ana = signup("ana")
    with cookie_client(base_url, ana.token) as browser:
        assert browser.post("/api/auth/logout").status_code == 204
        assert_error(browser.get("/api/auth/me"), 401, "unauthorized")
    assert_error(me(base_url, ana.token), 401, "unauthorized")


# -- personal API tokens --------------------------------------------------------------


def test_a_personal_token_is_shown_once_and_works_until_deleted(
    signup: Signup, base_url: str
) -> None:
    ana = signup("ana")
    created = new_token(ana, "Deploy bot")
    assert set(created) == {"id", "name", "createdAt", "expiresAt", "token"}
    assert created["name"] == "Deploy bot"
    assert created["expiresAt"] is None
    listed = ana.http.get("/api/tokens")
    assert listed.json() == [{k: v for k, v in created.items() if k != "token"}]
    assert created["token"] not in listed.text
    assert ana.token not in listed.text  # sign-in sessions are not personal tokens
    assert ok(me(base_url, created["token"]))["id"] == ana.id
    assert ana.http.delete(f"/api/tokens/{created['id']}").status_code == 204
    assert_error(me(base_url, created["token"]), 401, "unauthorized")
    assert ok(ana.http.get("/api/tokens")) == []
    assert_error(ana.http.delete(f"/api/tokens/{created['id']}"), 404, "not_found")


def test_nobody_else_can_see_or_delete_your_token(signup: Signup, base_url: str) -> None:
    ana, bob = signup("ana"), signup("bob")
    token = new_token(ana)
    assert ok(bob.http.get("/api/tokens")) == []
    assert_error(bob.http.delete(f"/api/tokens/{token['id']}"), 404, "not_found")
    assert ok(me(base_url, token["token"]))["id"] == ana.id
    assert [t["id"] for t in ok(ana.http.get("/api/tokens"))] == [token["id"]]


# -- the origin of cookie-authenticated changes ---------------------------------------


def test_a_cookie_change_from_a_foreign_origin_is_refused(signup: Signup, base_url: str) -> None:
    ana = signup("ana")
    for origin in FOREIGN_ORIGINS:
        with cookie_client(base_url, ana.token, Origin=origin) as browser:
            refused = browser.post("/api/projects", json={"name": "Forged"})
            assert_error(refused, 403, "origin_refused")
            assert_error(browser.post("/api/auth/logout"), 403, "origin_refused")
            assert browser.get("/api/auth/me").status_code == 200  # reading is no change
    assert ok(ana.http.get("/api/projects")) == []
    assert ok(me(base_url, ana.token))["id"] == ana.id  # still signed in


def test_a_cookie_change_from_the_apps_own_origin_passes(
    signup: Signup, base_url: str, settings: Settings
) -> None:
    ana = signup("ana")
    own = settings.app_origins()
    assert own[:2] == [f"http://localhost:{settings.port}", f"http://127.0.0.1:{settings.port}"]
    for origin in own:
        with cookie_client(base_url, ana.token, Origin=origin) as browser:
            ok(browser.post("/api/projects", json={"name": f"From {origin}"}))
    assert len(ok(ana.http.get("/api/projects"))) == len(own)


def test_a_bearer_change_passes_whatever_the_origin(signup: Signup) -> None:
    ana = signup("ana")
    for origin in FOREIGN_ORIGINS:
        response = ana.http.post("/api/projects", json={"name": origin}, headers={"Origin": origin})
        assert response.status_code == 201, response.text


def test_an_origin_added_in_settings_is_trusted_for_cookie_changes(
    database_url: str, tmp_path: Path
) -> None:
    extra = "https://tasklane.example"
    settings = make_settings(database_url, tmp_path, allowed_origins=[extra])
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url) as anonymous:
        token = ok(register(anonymous, unique_email("ana")))["token"]
        with cookie_client(url, token, Origin=extra) as browser:
            ok(browser.post("/api/projects", json={"name": "Trusted"}))
        with cookie_client(url, token, Origin="https://evil.example") as browser:
            assert_error(browser.post("/api/projects", json={"name": "x"}), 403, "origin_refused")


# -- expiry and storage ---------------------------------------------------------------


def test_a_session_expires_after_its_ttl_on_real_time_but_a_personal_token_does_not(
    database_url: str, tmp_path: Path
) -> None:
    start = datetime(2031, 1, 1, 9, 0, tzinfo=UTC)
    real_time = FrozenClock(start)
    app_time = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))  # what data is stamped with
    settings = make_settings(database_url, tmp_path, session_ttl_hours=1)
    app = create_app(settings, clock=app_time, wall_clock=real_time)
    with live_server(app) as url, httpx.Client(base_url=url) as http:
        email = unique_email("ana")
        session = ok(register(http, email))
        assert session["expiresAt"] == "2031-01-01T10:00:00.000Z"
        assert session["user"]["createdAt"] == "2026-03-02T09:00:00.000Z"
        bearer = {"Authorization": f"Bearer {session['token']}"}
        personal = ok(http.post("/api/tokens", json={"name": "CI"}, headers=bearer))
        assert personal["createdAt"] == "2026-03-02T09:00:00.000Z"
        app_time.set(datetime(2027, 3, 2, 9, 0, tzinfo=UTC))  # the app's clock expires nothing
        assert ok(me(url, session["token"]))["email"] == email
        real_time.set(start + timedelta(minutes=59, seconds=59))
        assert ok(me(url, session["token"]))["email"] == email
        real_time.set(start + timedelta(hours=1))
        assert_error(me(url, session["token"]), 401, "unauthorized")
        with cookie_client(url, session["token"]) as browser:
            assert_error(browser.get("/api/auth/me"), 401, "unauthorized")
        assert ok(me(url, personal["token"]))["email"] == email
        renewed = ok(login(http, email))
        assert renewed["expiresAt"] == "2031-01-01T11:00:00.000Z"
        assert ok(me(url, renewed["token"]))["email"] == email


def sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def test_passwords_are_stored_as_argon2_hashes_and_tokens_as_sha256_hashes(
    signup: Signup, services: Services, settings: Settings
) -> None:
    ana = signup("ana")
    personal = new_token(ana)["token"]
    async with services.runtime.db.read() as session:
        user = (await session.execute(select(User.__table__).where(User.id == ana.id))).one()
        tokens = (
            await session.execute(select(Token.__table__).where(Token.user_id == ana.id))
        ).all()
    costs = f"m={settings.argon2_memory_kib},t={settings.argon2_time_cost}"
    assert user.password_hash.startswith(f"$argon2id$v=19${costs},p=")
    assert PasswordHasher().verify(user.password_hash, PASSWORD)
    assert not any(PASSWORD in str(value) for value in user)
    assert {t.kind: t.secret_hash for t in tokens} == {
        "session": sha256(ana.token),
        "personal": sha256(personal),
    }
    stored = [str(value) for row in tokens for value in row]
    assert not any(secret in value for secret in (ana.token, personal) for value in stored)
