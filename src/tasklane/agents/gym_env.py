"""A gymnasium environment of tool calls: each reset is a task of the library in an
episode of its own, each step one tool call, and the reward the grader's at the end.

    import gymnasium
    import tasklane.agents.gym_env  # registers tasklane/Tools-v0

    env = gymnasium.make("tasklane/Tools-v0", url="http://127.0.0.1:3000", admin_token="…")
    intent, info = env.reset(seed=1)          # info["tools"]: what a step may call
    result, reward, done, cut, info = env.step('{"tool": "list_projects", "arguments": {}}')

Observations and actions are text. ``reset`` gives the intent (with who the agent is and
the app's date) and, in ``info``, the tool list with JSON schemas; a step is
``{"tool": name, "arguments": {…}}`` as JSON and its observation the tool's result as
JSON, or ``{"error": {"code", "message"}}``. The episode ends (terminated) with the
``submit_answer`` tool, its reward the grade; after ``max_steps`` it is cut short
(truncated) and graded as it stands.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import gymnasium
from gymnasium import spaces

from tasklane.agents.tools import ToolError, call, describe
from tasklane.client import TasklaneClient
from tasklane.client.gym import GymClient
from tasklane.tasks.attempt import Attempt, Ended
from tasklane.tasks.library import TEMPLATES
from tasklane.tasks.model import Tier
from tasklane.tasks.runner import TIERS, Selection

ENV_ID = "tasklane/Tools-v0"
MAX_TEXT = 1_000_000  # characters of one observation or action
ANSWER_TOOL = "submit_answer"
INVALID_ACTION = 'an action is JSON: {"tool": "<name>", "arguments": {…}}'
TRIES = 20  # (task, seed) drawn at most this often for one that instantiates


class AnyText(spaces.Text):
    """Text of any characters (task names and tool results are any Unicode), of at
    most ``max_length``; samples are drawn from the alphanumerics."""

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length


class TasklaneToolEnv(gymnasium.Env[str, str]):
    """Tasks of the library (``tasks``: a glob of template ids; ``tiers``) on seeds
    drawn from ``seeds``, each in an episode of its own on the gym server at ``url``
    (its admin token: ``admin_token``). ``reset(options={"task": id, "seed": n})``
    picks one. Close the environment to delete the last episode."""

    metadata = {"render_modes": ["ansi"], "render_fps": 1}  # noqa: RUF012 (gymnasium's)

    def __init__(
        self,
        url: str,
        admin_token: str,
        *,
        tasks: str = "*",
        tiers: Sequence[Tier] = TIERS,
        seeds: Sequence[int] = range(100),
        preset: str = "small",
        max_steps: int = 50,
        render_mode: str | None = None,
    ) -> None:
        self.templates = Selection(tasks, tuple(tiers)).templates()
        if not self.templates:
            raise ValueError(f"no template matches {tasks!r} in tiers {list(tiers)}")
        if not seeds:
            raise ValueError("seeds is empty")
        self.seeds = list(seeds)
        self.preset = preset
        self.max_steps = max_steps
        self.render_mode = render_mode
        self.observation_space = AnyText(MAX_TEXT)
        self.action_space = AnyText(MAX_TEXT)
        self._gym = GymClient(url, admin_token=admin_token)
        self._attempt: Attempt | None = None
        self._api: TasklaneClient | None = None
        self._steps = 0
        self._last = ""
        self._ended: Ended | None = None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        super().reset(seed=seed)
        self._let_go()
        wanted = options or {}
        for _ in range(TRIES):
            template = (
                TEMPLATES[wanted["task"]]
                if "task" in wanted
                else self.templates[int(self.np_random.integers(len(self.templates)))]
            )
            task_seed = (
                int(wanted["seed"])
                if "seed" in wanted
                else self.seeds[int(self.np_random.integers(len(self.seeds)))]
            )
            self._attempt = Attempt.start(self._gym, template, task_seed, self.preset)
            if self._attempt is not None:
                break
            if "task" in wanted and "seed" in wanted:
                raise ValueError(f"{template.id} has no instance on seed {task_seed}")
        if self._attempt is None:
            raise RuntimeError(f"no instance in {TRIES} draws of task and seed")
        self._api = TasklaneClient(self._attempt.url)
        self._api.login(email=self._attempt.email, password=self._attempt.password)
        self._steps = 0
        self._ended = None
        intent = (
            f"{self._attempt.intent}\n\nYou are {self._attempt.email}; "
            f"today is {self._attempt.today}. Call {ANSWER_TOOL} when you are done, "
            "or if the task cannot be done."
        )
        self._last = intent
        info = {
            "tools": describe(),
            "instance": self._attempt.instance.public(),
            "url": self._attempt.url,
        }
        return intent, info

    def step(self, action: str) -> tuple[str, float, bool, bool, dict[str, Any]]:
        if self._attempt is None or self._api is None or self._ended is not None:
            raise RuntimeError("call reset() first: this episode has ended")
        self._steps += 1
        name, observation, ok = self._act(self._api, action)
        terminated = ok and name == ANSWER_TOOL
        truncated = not terminated and self._steps >= self.max_steps
        info: dict[str, Any] = {"tool": name, "steps": self._steps}
        reward = 0.0
        if terminated or truncated:
            self._ended = self._attempt.finish()
            reward = self._ended.grade.reward
            info["grade"] = self._ended.grade.public()
        self._last = observation
        return observation, reward, terminated, truncated, info

    def render(self) -> str | None:
        return self._last if self.render_mode == "ansi" else None

    def close(self) -> None:
        self._let_go()
        self._gym.close()

    def _act(self, api: TasklaneClient, action: str) -> tuple[str, str, bool]:
        """The tool named, its result or error as JSON, and whether it succeeded."""
        try:
            parsed = json.loads(action)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("tool"), str):
            return "", _error("invalid_action", INVALID_ACTION), False
        name: str = parsed["tool"]
        arguments = parsed.get("arguments") or {}
        if not isinstance(arguments, dict):
            return name, _error("invalid_arguments", "arguments is a JSON object"), False
        try:
            result = call(api, name, arguments)
        except ToolError as exc:
            return name, _error(exc.code, str(exc)), False
        return name, json.dumps(result, sort_keys=True), True

    def _let_go(self) -> None:
        if self._api is not None:
            self._api.close()
            self._api = None
        if self._attempt is not None:
            self._attempt.close()
            self._attempt = None


def _error(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message}})


gymnasium.register(id=ENV_ID, entry_point="tasklane.agents.gym_env:TasklaneToolEnv")
