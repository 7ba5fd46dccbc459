"""The sizes a gym workspace comes in, and the moment every seeded workspace is set at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

PresetName = Literal["small", "medium", "large"]

# Seeded workspaces are built around this moment, not the real date, and a reset sets
# the app's clock to it: "today", due dates and overdue tasks mean the same in every
# episode, whatever day it runs.
ANCHOR = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning

# Every seeded person signs in with this password.
PASSWORD = "tasklane-gym"

# Bump when the generator changes what a seed produces: prepared templates made by an
# older generator are then rebuilt instead of restored.
GENERATOR_VERSION = 3


@dataclass(frozen=True)
class Preset:
    name: PresetName
    teams: int
    people: int
    projects_per_team: int
    tasks_per_project: int


PRESETS: dict[str, Preset] = {
    "small": Preset("small", teams=2, people=8, projects_per_team=2, tasks_per_project=30),
    "medium": Preset("medium", teams=5, people=40, projects_per_team=4, tasks_per_project=150),
    "large": Preset("large", teams=10, people=200, projects_per_team=8, tasks_per_project=375),
}
