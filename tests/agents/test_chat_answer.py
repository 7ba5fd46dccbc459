"""How a BrowserGym chat ends, as the structured answer: the last message decides."""

from __future__ import annotations

from typing import Any

import pytest

from tasklane.agents.chat_answer import answer_from_chat
from tasklane.tasks.model import Answer

GREETING = {"role": "assistant", "message": "Hi! I am your UI assistant, …"}
GOAL = {"role": "user", "message": 'In the project "Launch", rename …'}


def said(role: str, message: str) -> list[dict[str, Any]]:
    return [GREETING, GOAL, {"role": role, "message": message}]


def test_no_answer_until_the_agent_speaks_after_the_goal() -> None:
    assert answer_from_chat([]) is None
    assert answer_from_chat([GREETING, GOAL]) is None
    assert answer_from_chat([*said("assistant", "3"), {"role": "user", "message": "go on"}]) is None


def test_reporting_infeasible_is_the_infeasible_answer() -> None:
    assert answer_from_chat(said("infeasible", "No such section.")) == Answer("infeasible")
    changed_its_mind = [*said("assistant", "Working on it."), {"role": "infeasible", "message": ""}]
    assert answer_from_chat(changed_its_mind) == Answer("infeasible")


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("3", 3),
        (" 2.5 ", 2.5),
        (
            '["ana@acme.example.com", "li@acme.example.com"]',
            ["ana@acme.example.com", "li@acme.example.com"],
        ),
        ('"Backlog"', "Backlog"),
        ("Backlog", "Backlog"),
        ("  Done: renamed.  ", "Done: renamed."),
        ("NaN", "NaN"),
        ("", ""),
    ],
)
def test_a_message_to_the_user_is_done_with_it_as_json_where_it_is_json(
    message: str, answer: Any
) -> None:
    assert answer_from_chat(said("assistant", message)) == Answer("done", answer)
