"""The structured answer a BrowserGym chat ends with (docs/tasks.md, "BrowserGym").

A BrowserGym agent ends a task the way it ends any other: ``send_msg_to_user(text)``
or ``report_infeasible(reason)``, which leave a message of role ``assistant`` or
``infeasible`` last in the chat. As WebArena's tasks do, only the last message counts:
the chat opens with the assistant's greeting and then the goal (a ``user`` message), so
until the agent speaks the task is not over. Pure: no browser, no BrowserGym.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tasklane.tasks.model import Answer


def answer_from_chat(messages: Sequence[Mapping[str, Any]]) -> Answer | None:
    """``infeasible`` if the agent reported the task infeasible last; ``done`` with what
    it said if it messaged the user last (read as JSON where it is JSON, so ``3`` is a
    number and ``["a", "b"]`` a list, and kept as text otherwise); None until then."""
    if not messages:
        return None
    last = messages[-1]
    if last.get("role") == "infeasible":
        return Answer("infeasible")
    if last.get("role") == "assistant":
        return Answer("done", _value(str(last.get("message", ""))))
    return None


def _value(text: str) -> Any:
    text = text.strip()
    try:
        return json.loads(text, parse_constant=_not_json)
    except ValueError:
        return text


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # NaN and Infinity: kept as text
