"""The typed tool set on a live gym episode: every tool does what it says through the
public API as the signed-in person, and returns JSON; unknown tools and arguments that
do not fit are refused with a message naming what is wrong; what the API refuses comes
back as a ``ToolError`` carrying the API's code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tasklane.agents.tools import TOOLS, ToolError, call, describe
from tasklane.client import TasklaneClient
from tasklane.client.gym import GymClient
from tasklane.gym.presets import PASSWORD
from tests.backends import throwaway_database
from tests.gym.conftest import ADMIN, gym_settings
from tests.live import LiveStack, live_stack


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    folder = tmp_path_factory.mktemp("tools")
    with throwaway_database("sqlite", folder) as url, live_stack(gym_settings(url, folder)) as up:
        yield up


class Episode:
    """A fresh episode of seed 1, its state at the start, and its gym API."""

    def __init__(self, gym: GymClient, base: str, episode: GymClient) -> None:
        self.gym = gym
        self.base = base
        self.episode = episode
        self.state: dict[str, Any] = json.loads(episode.state_bytes())

    def email(self, user_id: str) -> str:
        return str(next(u["email"] for u in self.state["users"] if u["id"] == user_id))

    def member(self, role: str) -> tuple[str, str]:
        """A (user id, project id) of someone with ``role`` in a project."""
        found = next(m for m in self.state["members"] if m["role"] == role)
        return found["userId"], found["projectId"]

    def outsider(self, project_id: str) -> dict[str, Any]:
        members = {m["userId"] for m in self.state["members"] if m["projectId"] == project_id}
        return next(u for u in self.state["users"] if u["id"] not in members)

    def signed_in(self, user_id: str) -> TasklaneClient:
        api = TasklaneClient(self.base)
        api.login(email=self.email(user_id), password=PASSWORD)
        return api


@pytest.fixture
def episode(host: LiveStack) -> Iterator[Episode]:
    with GymClient(host.api_url, admin_token=ADMIN) as gym:
        created = gym.create_episode(seed=1, preset="small")
        try:
            with gym.episode(created) as episode:
                yield Episode(gym, created.urls.base, episode)
        finally:
            gym.delete_episode(created.id)


class Calls:
    """Tool calls as an agent makes them, each result checked to be JSON, and which
    tools were called."""

    def __init__(self, api: TasklaneClient) -> None:
        self.api = api
        self.called: set[str] = set()

    def __call__(self, tool: str, /, **arguments: Any) -> Any:
        result = call(self.api, tool, arguments)
        assert json.loads(json.dumps(result)) == result
        self.called.add(tool)
        return result


def test_the_tools_describe_themselves() -> None:
    described = describe()
    assert [d["name"] for d in described] == list(TOOLS)
    for tool in described:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", tool["name"])
        assert 10 < len(tool["description"]) < 250
        schema = tool["inputSchema"]
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        assert "$defs" not in schema
        assert "title" not in schema
        for field, spec in schema["properties"].items():
            assert spec["description"], (tool["name"], field)
    read_only = {name for name, tool in TOOLS.items() if not tool.changes}
    assert {"list_tasks", "get_task", "search_tasks", "my_tasks", "today"} <= read_only
    assert not read_only & {"update_task", "delete_task", "submit_answer", "add_member"}


def test_every_tool_on_a_live_episode(episode: Episode) -> None:
    owner_id, project_id = episode.member("owner")
    outsider = episode.outsider(project_id)
    with episode.signed_in(owner_id) as api:
        tool = Calls(api)

        # Who, when, where.
        assert tool("me")["id"] == owner_id
        assert tool("today")["today"] == "2026-03-02"
        assert project_id in [p["id"] for p in tool("list_projects")]
        assert tool("get_project", project_id=project_id)["role"] == "owner"
        changed = tool("update_project", project_id=project_id, description="Run by tools")
        assert changed["description"] == "Run by tools"
        made = tool("create_project", name="Tooling", sections=["Ideas", "Doing"], color="#336699")
        assert (made["role"], made["color"]) == ("owner", "#336699")
        assert [s["name"] for s in tool("list_sections", project_id=made["id"])] == [
            "Ideas",
            "Doing",
        ]
        assert tool("delete_project", project_id=made["id"]) == {"deleted": made["id"]}
        assert made["id"] not in [p["id"] for p in tool("list_projects")]

        # People and members.
        members = tool("list_members", project_id=project_id)
        assert owner_id in [m["userId"] for m in members]
        found = tool("find_people", query=outsider["email"])
        assert [p["id"] for p in found] == [outsider["id"]]
        added = tool("add_member", project_id=project_id, email=outsider["email"], role="commenter")
        assert (added["userId"], added["role"]) == (outsider["id"], "commenter")
        role = tool(
            "change_member_role", project_id=project_id, user_id=outsider["id"], role="viewer"
        )
        assert role["role"] == "viewer"
        assert tool("remove_member", project_id=project_id, user_id=outsider["id"]) == {
            "removed": outsider["id"]
        }
        assert len(tool("list_members", project_id=project_id)) == len(members)

        # Sections.
        before = tool("list_sections", project_id=project_id)
        section = tool("create_section", project_id=project_id, name="Later", position=0)
        assert tool("rename_section", section_id=section["id"], name="Much later")["name"] == (
            "Much later"
        )
        tool("move_section", section_id=section["id"], position=1)
        order = [s["id"] for s in tool("list_sections", project_id=project_id)]
        assert order == [before[0]["id"], section["id"], *[s["id"] for s in before[1:]]]

        # Tasks: made, placed, changed, found.
        first = tool(
            "create_task",
            project_id=project_id,
            name="Write the tool docs",
            section_id=section["id"],
            assignee_id=owner_id,
            due_on="2026-03-05",
        )
        second = tool(
            "create_task", project_id=project_id, name="Proofread", section_id=section["id"]
        )

        def in_section() -> list[str]:
            page = tool("list_tasks", project_id=project_id, section_id=section["id"])
            assert page["nextCursor"] is None
            return [t["id"] for t in page["items"]]

        assert in_section() == [first["id"], second["id"]]
        tool("move_task", task_id=second["id"], before_task_id=first["id"])
        assert in_section() == [second["id"], first["id"]]
        tool("move_task", task_id=second["id"], after_task_id=first["id"])
        assert in_section() == [first["id"], second["id"]]
        moved = tool("move_task", task_id=second["id"], section_id=before[0]["id"], position=0)
        assert moved["sectionId"] == before[0]["id"]
        assert in_section() == [first["id"]]
        elsewhere = tool("create_project", name="Elsewhere", sections=["Inbox"])
        away = tool("move_task", task_id=second["id"], project_id=elsewhere["id"])
        assert (away["projectId"], away["assigneeId"]) == (elsewhere["id"], None)
        back = tool("move_task", task_id=second["id"], before_task_id=first["id"])
        assert (back["projectId"], back["sectionId"]) == (project_id, section["id"])
        assert in_section() == [second["id"], first["id"]]
        tool("move_task", task_id=second["id"], section_id=before[0]["id"], position=0)
        tool("delete_project", project_id=elsewhere["id"])

        updated = tool(
            "update_task",
            task_id=first["id"],
            status="in_progress",
            notes="Every tool",
            clear_due_on=True,
        )
        assert (updated["status"], updated["notes"], updated["dueOn"]) == (
            "in_progress",
            "Every tool",
            None,
        )
        assert tool("update_task", task_id=first["id"], clear_assignee=True)["assigneeId"] is None
        tool("update_task", task_id=first["id"], assignee_id=owner_id, due_on="2026-03-04")
        assert tool("get_task", task_id=first["id"])["dueOn"] == "2026-03-04"

        sub = tool("create_subtask", task_id=first["id"], name="Check every example")
        assert sub["parentId"] == first["id"]
        assert [s["id"] for s in tool("list_subtasks", task_id=first["id"])] == [sub["id"]]
        listed = tool(
            "list_tasks", project_id=project_id, text="every example", include_subtasks=True
        )
        assert [t["id"] for t in listed["items"]] == [sub["id"]]
        mine = tool(
            "list_tasks",
            project_id=project_id,
            assignee_id=owner_id,
            due_after="2026-03-03",
            due_before="2026-03-05",
        )
        assert first["id"] in [t["id"] for t in mine["items"]]
        assert [t["id"] for t in tool("search_tasks", text="WRITE THE TOOL")] == [first["id"]]
        assert first["id"] in [t["id"] for t in tool("my_tasks", limit=500)]

        # Comments.
        comment = tool("add_comment", task_id=first["id"], text="Started")
        tool("edit_comment", comment_id=comment["id"], text="Half done")
        assert [c["text"] for c in tool("list_comments", task_id=first["id"])] == ["Half done"]
        assert tool("delete_comment", comment_id=comment["id"]) == {"deleted": comment["id"]}

        # Deleting: a section only once it is empty.
        assert tool("delete_task", task_id=first["id"]) == {"deleted": first["id"]}
        assert tool("delete_section", section_id=section["id"]) == {"deleted": section["id"]}

        # The end: the structured answer, as the gym records it.
        tool("submit_answer", status="done", answer=["a", 2])
        assert episode.episode.answer()["answer"] == ["a", 2]  # type: ignore[index]

        assert tool.called == set(TOOLS)


def refused(api: TasklaneClient, tool: str, /, **arguments: Any) -> ToolError:
    with pytest.raises(ToolError) as caught:
        call(api, tool, arguments)
    return caught.value


def test_unknown_tools_and_bad_arguments_are_refused_with_a_reason(episode: Episode) -> None:
    owner_id, project_id = episode.member("owner")
    with episode.signed_in(owner_id) as api:
        unknown = refused(api, "get_tasks", task_id="task_x")
        assert unknown.code == "unknown_tool"
        assert "'get_tasks'" in str(unknown)
        assert "Did you mean get_task" in str(unknown)

        cases: list[tuple[str, dict[str, Any], str]] = [
            ("create_task", {"project_id": project_id}, "name: Field required"),
            ("get_task", {"task_id": "task_x", "colour": "red"}, "colour: Extra inputs"),
            ("update_task", {"task_id": "task_x", "due_on": "next week"}, "due_on: Input should"),
            ("update_task", {"task_id": "task_x"}, "nothing to change"),
            (
                "update_task",
                {"task_id": "t", "due_on": "2026-03-04", "clear_due_on": True},
                "not both",
            ),
            ("move_task", {"task_id": "t", "position": 0, "before_task_id": "u"}, "at most one"),
            ("move_task", {"task_id": "t"}, "give a project_id, section_id"),
            ("add_member", {"project_id": project_id}, "exactly one of email or user_id"),
            ("update_task", {"task_id": "t", "status": "finished"}, "status: Input should be"),
            ("submit_answer", {"status": "maybe"}, "status: Input should be 'done' or"),
            ("list_tasks", {"project_id": project_id, "limit": 0}, "limit: Input should be"),
        ]
        for name, arguments, said in cases:
            error = refused(api, name, **arguments)
            assert error.code == "invalid_arguments", (name, arguments)
            assert said in str(error), (str(error), said)
            assert str(error).startswith(f"Invalid arguments for {name}: ")

        tops = [
            t
            for t in episode.state["tasks"]
            if t["projectId"] == project_id and t["parentId"] is None
        ]
        a = tops[0]
        b = next(t for t in tops if t["sectionId"] != a["sectionId"])
        itself = refused(api, "move_task", task_id=a["id"], after_task_id=a["id"])
        assert (itself.code, str(itself)) == (
            "invalid_arguments",
            "a task cannot be placed beside itself",
        )
        apart = refused(
            api, "move_task", task_id=a["id"], section_id=a["sectionId"], before_task_id=b["id"]
        )
        assert apart.code == "invalid_arguments"
        assert str(apart).startswith(f"{b['id']} is not beside {a['id']}")
    assert episode.episode.diff()["changes"]["tasks"] == {"added": [], "changed": [], "deleted": []}


def test_what_the_api_refuses_comes_back_with_its_code(episode: Episode) -> None:
    viewer_id, project_id = episode.member("viewer")
    owner = next(
        m["userId"]
        for m in episode.state["members"]
        if m["projectId"] == project_id and m["role"] == "owner"
    )
    with episode.signed_in(viewer_id) as api:
        forbidden = refused(api, "create_task", project_id=project_id, name="Not mine to add")
        assert forbidden.code == "forbidden"
        assert str(forbidden) == "a viewer cannot edit this project's tasks and sections"
        missing = refused(api, "get_task", task_id="task_missing")
        assert (missing.code, str(missing)) == ("not_found", "task not found")
        outsider = episode.outsider(project_id)
        assert refused(api, "remove_member", project_id=project_id, user_id=owner).code == (
            "forbidden"
        )
        assert (
            refused(api, "add_member", project_id=project_id, email=outsider["email"]).code
            == "forbidden"
        )
        assert refused(api, "delete_project", project_id=project_id).code == "forbidden"
    with episode.signed_in(owner) as api:
        sections = call(api, "list_sections", {"project_id": project_id})
        full = next(
            s for s in sections if any(t["sectionId"] == s["id"] for t in episode.state["tasks"])
        )
        not_empty = refused(api, "delete_section", section_id=full["id"])
        assert not_empty.code == "section_not_empty"
    assert episode.episode.diff()["changes"]["tasks"] == {"added": [], "changed": [], "deleted": []}
