"""A scripted BrowserGym agent on one Tasklane task, run in the BrowserGym environment by
tests/agents/test_browsergym.py (BrowserGym cannot be imported in the test run's own).

    python browsergym_driver.py TEMPLATE SEED PLAN

with the gym server in TASKLANE_URL and GYM_ADMIN_TOKEN, and the Chromium in
TASKLANE_CHROMIUM. PLAN is ``solve`` (``task.complete``: through the pages, by the
accessibility tree's roles and names, as an agent reading the observation would),
``infeasible`` (report it so), ``answer:TEXT`` (send TEXT to the user) or ``cheat``
(the task's oracle, then one idle step). Prints the
outcome as one JSON line: the goal, the actions taken, their errors, and the last
step's reward, termination and task info.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import gymnasium as gym

import tasklane.agents.browsergym  # registers browsergym/tasklane.*

Observation = dict[str, Any]


def bid(obs: Observation, role: str, name: str) -> str:
    """The BrowserGym id of the first element of the accessibility tree with ``role``
    and exactly ``name``."""
    for node in obs["axtree_object"]["nodes"]:
        if (
            node.get("role", {}).get("value") == role
            and node.get("name", {}).get("value") == name
            and node.get("browsergym_id")
        ):
            return str(node["browsergym_id"])
    raise LookupError(f"no {role} {name!r} on {obs['url']}")


def complete(params: dict[str, Any]) -> list[Callable[[Observation], str]]:
    """Open the project, open the task, set its status to Done in its details."""
    return [
        lambda obs: f"click({bid(obs, 'link', params['project'])!r})",
        lambda obs: f"click({bid(obs, 'link', params['task'])!r})",
        lambda obs: f"select_option({bid(obs, 'combobox', 'Status')!r}, 'Done')",
        lambda obs: "send_msg_to_user('Done: the task is complete.')",
    ]


def plan_of(plan: str, params: dict[str, Any]) -> list[Callable[[Observation], str]]:
    if plan == "solve":
        return complete(params)
    if plan == "infeasible":
        return [lambda obs: "report_infeasible('This cannot be done here.')"]
    if plan == "cheat":  # the task's oracle has answered through the API: nothing to say
        return [lambda obs: "noop(0)"]
    if plan.startswith("answer:"):
        text = plan.removeprefix("answer:")
        return [lambda obs: f"send_msg_to_user({text!r})"]
    raise ValueError(plan)


def main(template: str, seed: int, plan: str) -> dict[str, Any]:
    env = gym.make(f"browsergym/{tasklane.agents.browsergym.NAMESPACE}.{template}")
    try:
        obs, info = env.reset(seed=seed)
        params = info["task_info"]["instance"]["params"]
        if plan == "cheat":
            task = env.unwrapped.task  # type: ignore[attr-defined]
            task.cheat(env.unwrapped.page, env.unwrapped.chat.messages)  # type: ignore[attr-defined]
        done, reward, task_info, actions, errors = False, 0.0, {}, [], []
        for step in plan_of(plan, params):
            for tried in range(3):  # an action that fails is tried again, as an agent would
                try:
                    action = step(obs)
                except LookupError:
                    if tried:
                        break  # what failed went through after all: the page moved on
                    raise
                obs, step_reward, done, _truncated, step_info = env.step(action)
                reward = float(step_reward)
                actions.append(action)
                errors.append(obs["last_action_error"])
                task_info = step_info["task_info"]
                if done or not obs["last_action_error"]:
                    break
            if done:
                break
        return {
            "goal": obs["goal"],
            "url": obs["url"],
            "actions": actions,
            "errors": errors,
            "reward": reward,
            "done": done,
            "task_info": task_info,
        }
    finally:
        env.close()


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), sys.argv[3])))
