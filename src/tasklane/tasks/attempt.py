"""One attempt at one instance: an episode of its own, the instance drawn from its seeded
state, what an agent is given, and at the end what it did and the grade.

The runner, the gymnasium environment and the BrowserGym tasks all work through this:

    attempt = Attempt.start(gym, TEMPLATES["task.rename"], seed=3)
    ...  # the agent works at attempt.url as attempt.email / attempt.password
    ended = attempt.finish()  # ended.grade.reward
    attempt.close()           # the episode is deleted
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tasklane.client.gym import GymClient
from tasklane.protocol.gym import EpisodeCreated
from tasklane.tasks.grading import grade, instantiate, world_of
from tasklane.tasks.library import TEMPLATES
from tasklane.tasks.model import Answer, Grade, Instance, Template

PASSWORD = "tasklane-gym"  # every seeded person's (docs/gym.md)


@dataclass(frozen=True)
class Ended:
    """What an attempt left: the state at the end, the trajectory (every event since
    the reset), the answer as the gym recorded it (None: none), and the grade."""

    after: dict[str, Any]
    events: list[dict[str, Any]]
    answer: dict[str, Any] | None
    grade: Grade


class Attempt:
    """An instance in an episode of its own. Use ``Attempt.start``; close it (or use
    ``with``) to delete the episode."""

    def __init__(
        self,
        gym: GymClient,
        created: EpisodeCreated,
        instance: Instance,
        before: dict[str, Any],
        today: str,
    ) -> None:
        self.gym = gym
        self.created = created
        self.instance = instance
        self.before = before
        self.today = today
        self.episode = gym.episode(created)
        self._closed = False

    @classmethod
    def start(
        cls, gym: GymClient, template: Template, seed: int, preset: str = "small"
    ) -> Attempt | None:
        """A new episode of ``seed`` and the template's instance on it; None (and no
        episode left behind) if its state has nothing to make an instance from."""
        created = gym.create_episode(seed=seed, preset=preset)
        try:
            with gym.episode(created) as episode:
                before = json.loads(episode.state_bytes())
                today = str(episode.clock()["today"])
            instance = instantiate(template, world_of(before, today), seed, preset)
        except BaseException:
            gym.delete_episode(created.id)
            raise
        if instance is None:
            gym.delete_episode(created.id)
            return None
        return cls(gym, created, instance, before, today)

    @property
    def url(self) -> str:
        """The episode's base URL: its pages, its API (``/api``) and its gateway."""
        return self.created.urls.base

    @property
    def email(self) -> str:
        """The person the agent acts as."""
        return self.instance.persona

    @property
    def password(self) -> str:
        return PASSWORD

    @property
    def intent(self) -> str:
        return self.instance.intent

    def task(self) -> dict[str, Any]:
        """What an agent is given (docs/tasks.md, "Agents")."""
        return {
            "url": self.url,
            "email": self.email,
            "password": self.password,
            "intent": self.intent,
            "instance": self.instance.public(),
        }

    def finish(self) -> Ended:
        """The state now, the trajectory, the answer, and their grade. The episode
        stays until ``close``."""
        after = json.loads(self.episode.state_bytes())
        events = trajectory(self.episode)
        answer = self.episode.answer()
        graded = grade_kept(self.instance, self.before, after, self.today, answer)
        return Ended(after, events, answer, graded)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.episode.close()
        self.gym.delete_episode(self.created.id)

    def __enter__(self) -> Attempt:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def trajectory(episode: GymClient) -> list[dict[str, Any]]:
    """Every event since the episode's last reset, oldest first."""
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = episode.events(after=cursor, limit=5_000)
        found.extend(page["events"])
        if not page["events"]:
            return found
        cursor = page["cursor"]


def grade_kept(
    instance: Instance,
    before: dict[str, Any],
    after: dict[str, Any],
    today: str,
    answer: dict[str, Any] | None,
) -> Grade:
    """The grade of an outcome kept as JSON: the states as ``GET /api/gym/state`` gave
    them, the app's day, and the answer as ``GET /api/gym/answer`` gave it."""
    template = TEMPLATES[instance.template]
    if template.version != instance.version:
        raise ValueError(
            f"{instance.template} is at version {template.version}, the run had {instance.version}"
        )
    return grade(
        template,
        instance,
        world_of(before, today),
        world_of(after, today),
        Answer.from_public(answer),
    )
