"""The library on the large preset (tens of thousands of tasks): every template has
instances there but those that say why not (``Template.not_on``), and what they say
stays true; drawing them all takes seconds, not minutes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasklane.client.gym import GymClient
from tasklane.tasks.grading import instantiate, world_of
from tasklane.tasks.library import TEMPLATES
from tasklane.tasks.world import World
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import live_stack

PRESET = "large"


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder: Path = tmp_path_factory.mktemp("large")
    with (
        throwaway_database("sqlite", folder) as url,
        live_stack(gym_settings(url, folder)) as up,
        GymClient(up.api_url, admin_token=ADMIN) as gym,
    ):
        created = gym.create_episode(seed=7, preset=PRESET)
        with gym.episode(created) as episode:
            state = json.loads(episode.state_bytes())
            today = episode.clock()["today"]
        gym.delete_episode(created.id)
    return world_of(state, today)


def test_every_template_has_instances_on_the_large_preset_or_says_why_not(large: World) -> None:
    assert len(large.tasks()) > 10_000
    has = {
        t.id for t in TEMPLATES.values() if any(instantiate(t, large, s, PRESET) for s in range(5))
    }
    said = {t.id for t in TEMPLATES.values() if PRESET in t.not_on}
    assert sorted(set(TEMPLATES) - has - said) == [], "no instance, and no word on why"
    assert sorted(has & said) == [], "says it has no instance, but has"
