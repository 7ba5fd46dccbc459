"""The gym the template tests run their episodes on: one live stack per test module, so
that ``pytest -n 2 --dist loadfile`` runs the template files side by side."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tasklane.client.gym import GymClient
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, live_stack
from tests.tasks.template_checks import Starts


@pytest.fixture(scope="module")
def episodes_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    folder = tmp_path_factory.mktemp("tasks")
    with throwaway_database("sqlite", folder) as url:
        settings = gym_settings(url, folder).model_copy(update={"gym_max_episodes": 200})
        with live_stack(settings) as running:
            yield running


@pytest.fixture(scope="module")
def gym(episodes_host: LiveStack) -> Iterator[GymClient]:
    with GymClient(episodes_host.api_url, admin_token=ADMIN) as client:
        yield client


@pytest.fixture(scope="module")
def starts(gym: GymClient) -> Starts:
    return Starts(gym)
