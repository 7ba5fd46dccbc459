"""Moving a top-level task into (a section of) another project, with its subtasks and
comments: ``POST /api/tasks/{id}/move`` with ``projectId``. Each project's log stays one
that existing clients follow: the source's gets the ``task_deleted`` a deletion gives,
the destination's a ``task_created`` for the task and then each subtask, as creating
them gives; all in one transaction. The mover edits both projects; assignees who are not
members of the destination are unassigned. On SQLite and PostgreSQL, over HTTP, and
live through the SDK's realtime client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tasklane.client import RealtimeClient
from tests.api.calls import (
    add_member,
    events_after,
    get_task,
    head_seq,
    new_project,
    new_subtask,
    new_task,
    ok,
)
from tests.client.story import Seen, people
from tests.conftest import Person
from tests.live import LiveStack

Signup = Callable[[str], Person]
Json = dict[str, Any]


def ok_list(response: httpx.Response) -> list[Json]:
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()
    return items


def sections(person: Person, project_id: str) -> list[str]:
    return [s["id"] for s in ok_list(person.http.get(f"/api/projects/{project_id}/sections"))]


def every_task(person: Person, project_id: str) -> list[Json]:
    url = f"/api/projects/{project_id}/tasks"
    items: list[Json] = ok(person.http.get(url, params={"subtasks": "true"}))["items"]
    return items


def board(person: Person, project_id: str) -> tuple[list[str], set[str]]:
    """The names of the project's top-level tasks in order, and of its subtasks."""
    tasks = every_task(person, project_id)
    top = [t["name"] for t in tasks if t["parentId"] is None]
    return top, {t["name"] for t in tasks if t["parentId"] is not None}


def move(person: Person, task_id: str, **body: Any) -> httpx.Response:
    return person.http.post(f"/api/tasks/{task_id}/move", json=body)


@dataclass
class Two:
    """Ana owns Source and Target; Bo is an editor of Source only. In Source, "Plan"
    (assigned to Bo, one comment) has the subtask "Draft" (assigned to Ana, one
    comment), which has the subtask "Outline" (assigned to Bo). Target holds "Already
    there" in its first section."""

    ana: Person
    bo: Person
    source: str
    target: str
    target_sections: list[str]
    plan: Json
    draft: Json
    outline: Json
    already: Json


@pytest.fixture
def two(signup: Signup) -> Two:
    ana, bo = signup("ana"), signup("bo")
    source = new_project(ana, "Source")["id"]
    target = new_project(ana, "Target")["id"]
    add_member(ana, source, bo)
    plan = new_task(ana, source, "Plan", assigneeId=bo.id)
    draft = new_subtask(ana, plan["id"], "Draft", assigneeId=ana.id)
    outline = new_subtask(ana, draft["id"], "Outline", assigneeId=bo.id)
    for task_id, text in ((plan["id"], "On it"), (draft["id"], "Half done")):
        ok(ana.http.post(f"/api/tasks/{task_id}/comments", json={"text": text}), 201)
    target_sections = sections(ana, target)
    already = new_task(ana, target, "Already there")
    return Two(
        ana,
        bo,
        source,
        target,
        target_sections,
        get_task(ana, plan["id"]),
        get_task(ana, draft["id"]),
        outline,
        already,
    )


def test_a_task_moves_to_another_project_with_its_subtasks_and_comments(two: Two) -> None:
    ana = two.ana
    section = two.target_sections[0]
    seqs = head_seq(ana, two.source), head_seq(ana, two.target)

    answer = move(ana, two.plan["id"], projectId=two.target, sectionId=section, position=0)

    moved = ok(answer)
    assert (moved["projectId"], moved["sectionId"], moved["parentId"]) == (
        two.target,
        section,
        None,
    )
    assert moved["assigneeId"] is None  # Bo is no member of Target
    assert (moved["subtaskCount"], moved["commentCount"]) == (1, 1)
    kept = ("name", "notes", "status", "createdBy", "createdAt", "dueOn")
    assert {k: moved[k] for k in kept} == {k: two.plan[k] for k in kept}
    assert moved == get_task(ana, two.plan["id"])
    # The source no longer holds any of it; the target holds all of it, in order.
    assert every_task(ana, two.source) == []
    assert board(ana, two.target) == (["Plan", "Already there"], {"Draft", "Outline"})
    draft, outline = get_task(ana, two.draft["id"]), get_task(ana, two.outline["id"])
    assert (draft["projectId"], draft["assigneeId"], draft["parentId"]) == (
        two.target,
        ana.id,  # a member of Target: kept
        two.plan["id"],
    )
    assert (outline["projectId"], outline["assigneeId"]) == (two.target, None)
    comments = ok_list(ana.http.get(f"/api/tasks/{two.plan['id']}/comments"))
    assert [(c["text"], c["projectId"]) for c in comments] == [("On it", two.target)]
    # Bo, who could see it in Source, no longer can: it is in a project of Ana's alone.
    assert two.bo.http.get(f"/api/tasks/{two.plan['id']}").status_code == 404
    assert answer.headers["Tasklane-Project"] == two.target
    assert int(answer.headers["Tasklane-Seq"]) == seqs[1] + 3


def test_the_source_log_gets_a_deletion_and_the_target_log_creations(two: Two) -> None:
    ana = two.ana
    before_source, before_target = head_seq(ana, two.source), head_seq(ana, two.target)

    ok(move(ana, two.plan["id"], projectId=two.target))

    left = events_after(ana, two.source, before_source)
    assert [e["seq"] for e in left] == [before_source + 1]
    assert head_seq(ana, two.source) == before_source + 1
    assert left[0]["type"] == "task_deleted"
    assert left[0]["userId"] == ana.id
    assert left[0]["data"] == {
        "projectId": two.source,
        "taskId": two.plan["id"],
        "parentId": None,
        "deletedSubtaskIds": [two.draft["id"], two.outline["id"]],
    }

    arrived = events_after(ana, two.target, before_target)
    assert [e["seq"] for e in arrived] == [before_target + n for n in (1, 2, 3)]
    assert head_seq(ana, two.target) == before_target + 3
    assert [e["type"] for e in arrived] == ["task_created"] * 3
    ids = [two.plan["id"], two.draft["id"], two.outline["id"]]
    assert [e["data"]["taskId"] for e in arrived] == ids  # each after its parent
    for event in arrived:
        # The task as it now reads, but for the subtasks that arrive after it and count
        # then: as when a task is created and its subtasks after it.
        now = get_task(ana, event["data"]["taskId"])
        assert event["data"]["task"] == {**now, "subtaskCount": 0}
        assert event["data"]["projectId"] == two.target
        assert event["userId"] == ana.id
    # A client that counts as docs/protocol.md says ends with the counts the API reads.
    counts = {e["data"]["taskId"]: e["data"]["task"]["subtaskCount"] for e in arrived}
    for event in arrived:
        parent = event["data"]["task"]["parentId"]
        if parent is not None:
            counts[parent] += 1
    assert counts == {task_id: get_task(ana, task_id)["subtaskCount"] for task_id in ids}


def test_without_a_section_the_task_goes_last_in_the_first_section(two: Two) -> None:
    moved = ok(move(two.ana, two.plan["id"], projectId=two.target))
    assert moved["sectionId"] == two.target_sections[0]
    assert board(two.ana, two.target)[0] == ["Already there", "Plan"]


def test_an_assignee_who_is_a_member_of_both_projects_stays(two: Two) -> None:
    add_member(two.ana, two.target, two.bo, role="viewer")
    ok(move(two.ana, two.plan["id"], projectId=two.target))
    assert get_task(two.ana, two.plan["id"])["assigneeId"] == two.bo.id
    assert get_task(two.ana, two.outline["id"])["assigneeId"] == two.bo.id


def test_a_task_moved_there_and_back_keeps_both_logs_gapless(two: Two) -> None:
    ana = two.ana
    ok(move(ana, two.plan["id"], projectId=two.target))
    back = ok(move(ana, two.plan["id"], projectId=two.source))

    assert back["projectId"] == two.source
    assert board(ana, two.source) == (["Plan"], {"Draft", "Outline"})
    assert board(ana, two.target) == (["Already there"], set())
    for project_id in (two.source, two.target):
        seqs = [e["seq"] for e in events_after(ana, project_id, 0)]
        assert seqs == list(range(1, head_seq(ana, project_id) + 1))


def test_naming_its_own_project_is_an_ordinary_move(two: Two) -> None:
    ana = two.ana
    other = sections(ana, two.source)[1]
    seq = head_seq(ana, two.source)

    moved = ok(move(ana, two.plan["id"], projectId=two.source, sectionId=other))

    assert (moved["projectId"], moved["sectionId"]) == (two.source, other)
    [event] = events_after(ana, two.source, seq)
    # "In progress" stands for in_progress: the move sets the status, as any move there.
    assert (event["type"], event["data"]["changes"]) == (
        "task_status_changed",
        ["sectionId", "rank", "status"],
    )


def refused(
    two: Two, response: httpx.Response, status: int, code: str, *, heads: tuple[int, int]
) -> None:
    """The move was refused with ``status`` and ``code``, and changed nothing."""
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert (head_seq(two.ana, two.source), head_seq(two.ana, two.target)) == heads
    assert get_task(two.ana, two.plan["id"]) == two.plan
    assert get_task(two.ana, two.outline["id"]) == two.outline


def test_refused_moves_change_nothing(two: Two, signup: Signup) -> None:
    ana, bo = two.ana, two.bo
    heads = head_seq(ana, two.source), head_seq(ana, two.target)
    plan = two.plan["id"]

    # Bo edits Source but is no member of Target: to him it does not exist.
    refused(two, move(bo, plan, projectId=two.target), 404, "not_found", heads=heads)
    # Nor does a project that never was.
    missing = move(ana, plan, projectId="proj_missing00000000")
    refused(two, missing, 404, "not_found", heads=heads)
    # A subtask goes with its parent, never on its own.
    subtask = move(ana, two.draft["id"], projectId=two.target)
    refused(two, subtask, 422, "subtask_project", heads=heads)
    assert subtask.json()["error"]["details"]["field"] == "projectId"
    # The section must be one of the target's.
    source_section = two.plan["sectionId"]
    wrong = move(ana, plan, projectId=two.target, sectionId=source_section)
    refused(two, wrong, 422, "unknown_section", heads=heads)
    # A stranger to the task's own project cannot tell the task exists.
    stranger = signup("stranger")
    own = new_project(stranger, "Own")["id"]
    refused(two, move(stranger, plan, projectId=own), 404, "not_found", heads=heads)

    # Bo as a viewer of Target: he may see it, not edit it.
    add_member(ana, two.target, bo, role="viewer")
    heads = head_seq(ana, two.source), head_seq(ana, two.target)
    as_viewer = move(bo, plan, projectId=two.target)
    refused(two, as_viewer, 403, "forbidden", heads=heads)
    assert as_viewer.json()["error"]["details"]["needs"] == "edit"
    # And the other way round: an editor of Target who only views Source.
    ok(ana.http.patch(f"/api/projects/{two.source}/members/{bo.id}", json={"role": "viewer"}))
    ok(ana.http.patch(f"/api/projects/{two.target}/members/{bo.id}", json={"role": "editor"}))
    heads = head_seq(ana, two.source), head_seq(ana, two.target)
    refused(two, move(bo, plan, projectId=two.target), 403, "forbidden", heads=heads)


def test_an_editor_of_both_projects_may_move(two: Two) -> None:
    add_member(two.ana, two.target, two.bo, role="editor")
    moved = ok(move(two.bo, two.plan["id"], projectId=two.target))
    assert moved["projectId"] == two.target


async def test_a_client_following_both_projects_sees_it_leave_one_and_arrive_in_the_other(
    live: LiveStack,
) -> None:
    async with people(live.api_url, "ana") as (ana,):
        source = await ana.create_project("Source")
        target = await ana.create_project("Target")
        plan = await ana.create_task(source.id, "Plan")
        draft = await ana.create_subtask(plan.id, "Draft")
        seen = Seen(RealtimeClient(live.api_url, ana.token or "", gateway_url=live.gateway_http))
        await seen.client.start()
        heads = {}
        for project in (source, target):
            heads[project.id] = (await ana.get_project(project.id)).seq
            await seen.client.join(project.id, after=heads[project.id])
            await seen.client.joined(project.id)

        moved = await ana.move_task(plan.id, project_id=target.id)

        events = await seen.until(3)
        await seen.stop()
    assert moved.project_id == target.id
    assert [(e.project_id, e.type, e.data["taskId"]) for e in events] == [
        (source.id, "task_deleted", plan.id),
        (target.id, "task_created", plan.id),
        (target.id, "task_created", draft.id),
    ]
    assert events[0].data["deletedSubtaskIds"] == [draft.id]
    assert events[1].data["task"]["projectId"] == target.id
    assert [e.seq for e in events] == [
        heads[source.id] + 1,
        heads[target.id] + 1,
        heads[target.id] + 2,
    ]
