"""A person's own log over real sockets: the changes that concern someone — a task
assigned to them or taken from them, their memberships and roles, the projects they are
in — reach them on one stream, numbered per person, with the same resume as a
project's (docs/protocol.md, "A person's own log")."""

from __future__ import annotations

from typing import Any

from tests.conftest import Person
from tests.live import LiveStack
from tests.realtime.client import connect
from tests.realtime.test_delivery import add_task, shared_project


def log_of(person: Person, after: int = 0) -> dict[str, Any]:
    response = person.http.get(f"/api/projects/{person.id}/events?after={after}")
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_what_concerns_a_person_reaches_their_own_log_in_order(
    live: LiveStack, signup: Any
) -> None:
    ana, ben = signup("ana"), signup("ben")
    async with connect(live.ws_url, token=ben.token) as b:
        joined = await b.join(ben.id)
        assert (joined["seq"], joined["presence"]) == (0, [])
        project = shared_project(ana, ben)  # member_added for Ben
        task = add_task(ana, project, "Review", assigneeId=ben.id)
        add_task(ana, project, "Not Ben's")  # concerns nobody's log
        ana.http.patch(f"/api/tasks/{task['id']}", json={"status": "done"})
        ana.http.patch(f"/api/tasks/{task['id']}", json={"assigneeId": ana.id})
        ana.http.patch(f"/api/projects/{project['id']}", json={"name": "Renamed"})
        ana.http.patch(f"/api/projects/{project['id']}/members/{ben.id}", json={"role": "viewer"})
        ana.http.delete(f"/api/projects/{project['id']}/members/{ben.id}")
        ana.http.patch(f"/api/projects/{project['id']}", json={"name": "Not Ben's any more"})
        seen = await b.events(7)
        assert await b.drained() == []
    assert [e["type"] for e in seen] == [
        "member_added",
        "task_created",
        "task_status_changed",
        "task_updated",
        "project_updated",
        "member_updated",
        "member_removed",
    ]
    assert [e["seq"] for e in seen] == [1, 2, 3, 4, 5, 6, 7]
    assert {e["projectId"] for e in seen} == {ben.id}
    assert {e["data"]["projectId"] for e in seen} == {project["id"]}
    assert seen[3]["data"]["task"]["assigneeId"] == ana.id  # the task left Ben
    # The same events as the project's log holds, under Ben's numbers.
    project_log = ana.http.get(f"/api/projects/{project['id']}/events").json()["events"]
    by_data = [e["data"] for e in project_log]
    assert all(e["data"] in by_data for e in seen)
    # Polling reads the same bytes.
    assert log_of(ben)["events"] == seen
    assert log_of(ben)["headSeq"] == 7


async def test_a_person_who_missed_changes_gets_exactly_those_on_rejoin(
    live: LiveStack, signup: Any
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project = shared_project(ana, ben)
    async with connect(live.ws_url, token=ben.token) as b:
        head = (await b.join(ben.id))["seq"]
    missed = [add_task(ana, project, f"Task {n}", assigneeId=ben.id) for n in range(3)]
    ana.http.delete(f"/api/tasks/{missed[0]['id']}")
    async with connect(live.ws_url, token=ben.token) as b:
        await b.join(ben.id, last_seq=head)
        replayed = await b.events(4)
        assert await b.drained() == []
    assert [e["seq"] for e in replayed] == [head + n for n in (1, 2, 3, 4)]
    assert [e["type"] for e in replayed] == ["task_created"] * 3 + ["task_deleted"]
    assert replayed[3]["data"]["taskId"] == missed[0]["id"]


async def test_a_deleted_project_and_a_moved_task_reach_the_assignee(
    live: LiveStack, signup: Any
) -> None:
    ana, ben = signup("ana"), signup("ben")
    project, elsewhere = shared_project(ana, ben), shared_project(ana)
    task = add_task(ana, project, "Moves away", assigneeId=ben.id)
    head = log_of(ben)["headSeq"]
    # Ben is no member of the other project: the move unassigns him.
    moved = ana.http.post(f"/api/tasks/{task['id']}/move", json={"projectId": elsewhere["id"]})
    assert moved.status_code == 200, moved.text
    assert ana.http.delete(f"/api/projects/{project['id']}").status_code == 204
    events = log_of(ben, head)["events"]
    assert [e["type"] for e in events] == ["task_deleted", "project_deleted"]


async def test_nobody_else_follows_a_persons_log(live: LiveStack, signup: Any) -> None:
    ana, ben = signup("ana"), signup("ben")
    async with connect(live.ws_url, token=ana.token) as a:
        await a.send({"type": "join", "projectId": ben.id})
        refused = await a.expect("error")
        assert (refused["code"], refused["projectId"]) == ("forbidden", ben.id)
    response = ana.http.get(f"/api/projects/{ben.id}/events")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
