"""The protocol scenarios in ``descriptions/``, each run against the Python SDK and against
``@tasklane/realtime`` in Chromium, over every transport the scenario allows: one
description, two clients, the same expectations (README.md describes the steps)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import sync_playwright

from tasklane.client.backoff import TransportName
from tests.backends import throwaway_database
from tests.scenarios.browser_driver import BrowserDriver
from tests.scenarios.description import Description, descriptions
from tests.scenarios.driver import Driver
from tests.scenarios.runner import run_scenario
from tests.scenarios.sdk_driver import SdkDriver
from tests.scenarios.servers import ScenarioServer, scenario_server
from tests.web.browsers import CHROMIUM, FLAGS

DRIVERS = ("sdk", "browser")
CASES = [
    pytest.param(description, driver, transport, id=f"{description.scenario}-{driver}-{transport}")
    for description in descriptions()
    for driver in DRIVERS
    for transport in description.transports
]


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite only: what is under test is the clients' side of the protocol, the same on
    any database (the gateway's and the API's own suites run on both)."""
    with throwaway_database("sqlite", tmp_path_factory.mktemp("scenarios-db")) as url:
        yield url


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScenarioServer]:
    """One Tasklane for the module; each run makes its own people and projects."""
    with scenario_server(database_url, tmp_path_factory.mktemp("scenarios")) as running:
        yield running


@pytest.fixture(scope="module")
def sdk() -> Iterator[SdkDriver]:
    with SdkDriver() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(server: ScenarioServer) -> Iterator[BrowserDriver]:
    """One Chromium per module and backend. It closes before the server does, and before
    the next backend's database is made: sync Playwright runs an event loop in this
    thread, and making a database calls ``asyncio.run()``."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            with BrowserDriver(launched, server.harness_url) as driver:
                yield driver
        finally:
            launched.close()


@pytest.mark.parametrize(("description", "driver", "transport"), CASES)
def test_scenario(
    description: Description,
    driver: str,
    transport: TransportName,
    server: ScenarioServer,
    request: pytest.FixtureRequest,
) -> None:
    chosen: Driver = request.getfixturevalue(driver)
    run_scenario(description, chosen, transport, server)
