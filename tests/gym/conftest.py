"""Gym fixtures: a database of the module's own per backend (a reset replaces all of
it, so the gym cannot share the run's database), and the gym on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tasklane.app import build_services
from tasklane.clock import AdjustableClock
from tasklane.gym.service import GymService
from tasklane.services import Services
from tasklane.settings import Settings
from tests.backends import BACKENDS, throwaway_database
from tests.conftest import make_settings
from tests.live import LiveStack, live_stack

ADMIN = "gym-admin-token-for-tests"


@pytest.fixture(scope="module", params=BACKENDS)
def gym_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with throwaway_database(request.param, tmp_path_factory.mktemp("gym")) as url:
        yield url


def gym_settings(database_url: str, data_dir: Path) -> Settings:
    return make_settings(database_url, data_dir, gym_mode=True, gym_admin_token=ADMIN)


@pytest.fixture(scope="module")
def served(gym_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    """The app and the gateway in gym mode, served for real (as ``tasklane serve``)."""
    with live_stack(gym_settings(gym_database, tmp_path_factory.mktemp("gym-data"))) as running:
        yield running


@dataclass
class Gym:
    services: Services
    gym: GymService
    clock: AdjustableClock


@pytest.fixture
async def gym(gym_database: str, tmp_path: Path) -> AsyncIterator[Gym]:
    clock = AdjustableClock()
    services = build_services(gym_settings(gym_database, tmp_path), clock=clock)
    try:
        yield Gym(services, GymService(services.runtime, max_snapshots=3), clock)
    finally:
        await services.runtime.db.dispose()
