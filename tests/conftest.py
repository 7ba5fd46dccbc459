"""Fixtures shared by every test: a migrated database per backend, the services on it,
and the whole app served over real sockets."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tasklane.app import build_services
from tasklane.services import Services
from tasklane.settings import Settings
from tests.backends import BACKENDS, throwaway_database
from tests.live import LiveStack, live_stack
from tests.reliability import Figures
from tests.tls import share_the_default_context

share_the_default_context()
_emails = itertools.count(1)


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    """Settings for tests: cheap password hashing, limits out of the way unless a test
    sets them."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": "test-secret",
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
        "mutation_rate": 10_000.0,
        "mutation_burst": 10_000,
        "auth_rate": 10_000.0,
        "auth_burst": 10_000,
        "host": "127.0.0.1",
        "log_level": "warning",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One migrated database per backend, shared by the run; tests keep apart by
    creating their own users and projects."""
    with throwaway_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(database_url, tmp_path_factory.mktemp("data"))


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """The service layer on the test database, in the test's own event loop."""
    built = build_services(settings)
    try:
        yield built
    finally:
        await built.runtime.db.dispose()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[Figures]:
    """The figures of a fault or soak run, saved for ``make reliability``'s report."""
    record = Figures(test=request.node.nodeid)
    yield record
    record.save()


@pytest.fixture(scope="session")
def live(settings: Settings) -> Iterator[LiveStack]:
    """The app and the realtime gateway, served by real uvicorns over real sockets, as
    ``tasklane serve`` runs them: one process, one event loop, one in-memory broker."""
    with live_stack(settings) as running:
        yield running


@pytest.fixture(scope="session")
def base_url(live: LiveStack) -> str:
    return live.api_url


@dataclass
class Person:
    """A registered user and an HTTP client signed in as them (Bearer token)."""

    id: str
    email: str
    name: str
    token: str
    http: httpx.Client


def unique_email(label: str = "user") -> str:
    return f"{label}{next(_emails)}@example.com"


@pytest.fixture
def signup(base_url: str) -> Iterator[Any]:
    """``signup("ana")`` registers a new user and returns a signed-in ``Person``."""
    clients: list[httpx.Client] = []

    def register(label: str = "user") -> Person:
        email = unique_email(label)
        anonymous = httpx.Client(base_url=base_url, timeout=30)
        response = anonymous.post(
            "/api/auth/register",
            json={"email": email, "name": label.title(), "password": "correct horse"},
        )
        anonymous.close()
        assert response.status_code == 201, response.text
        body = response.json()
        http = httpx.Client(
            base_url=base_url,
            timeout=30,
            headers={"Authorization": f"Bearer {body['token']}"},
        )
        clients.append(http)
        return Person(body["user"]["id"], email, label.title(), body["token"], http)

    yield register
    for client in clients:
        client.close()


@pytest.fixture
def anonymous(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client
