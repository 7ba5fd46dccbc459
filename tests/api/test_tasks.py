"""Tasks used as intended: create, read, change, filter, page, move, nest, delete, and
the My Tasks list.

Over 400 lines: tasks are the API's largest resource (eleven endpoints); one module per
resource, as in ``api/``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Person

Signup = Callable[[str], Person]
Json = dict[str, Any]


def new_project(person: Person, **body: Any) -> Json:
    response = person.http.post("/api/projects", json={"name": "Launch", **body})
    assert response.status_code == 201, response.text
    project: Json = response.json()
    return project


def section_ids(person: Person, project_id: str) -> list[str]:
    return [s["id"] for s in person.http.get(f"/api/projects/{project_id}/sections").json()]


def new_task(person: Person, project_id: str, name: str = "Task", **body: Any) -> Json:
    response = person.http.post(f"/api/projects/{project_id}/tasks", json={"name": name, **body})
    assert response.status_code == 201, response.text
    task: Json = response.json()
    return task


def new_subtask(person: Person, parent_id: str, name: str, **body: Any) -> Json:
    response = person.http.post(f"/api/tasks/{parent_id}/subtasks", json={"name": name, **body})
    assert response.status_code == 201, response.text
    task: Json = response.json()
    return task


def get_task(person: Person, task_id: str) -> Json:
    response = person.http.get(f"/api/tasks/{task_id}")
    assert response.status_code == 200, response.text
    task: Json = response.json()
    return task


def listed(person: Person, project_id: str, **params: Any) -> list[Json]:
    response = person.http.get(f"/api/projects/{project_id}/tasks", params=params)
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["items"]
    return items


def names(person: Person, project_id: str, **params: Any) -> list[str]:
    return [task["name"] for task in listed(person, project_id, **params)]


def move(person: Person, task_id: str, **body: Any) -> Json:
    response = person.http.post(f"/api/tasks/{task_id}/move", json=body)
    assert response.status_code == 200, response.text
    task: Json = response.json()
    return task


def head_seq(person: Person, project_id: str) -> int:
    seq: int = person.http.get(f"/api/projects/{project_id}").json()["seq"]
    return seq


def add_member(owner: Person, project_id: str, person: Person, role: str = "editor") -> None:
    response = owner.http.post(
        f"/api/projects/{project_id}/members", json={"userId": person.id, "role": role}
    )
    assert response.status_code == 201, response.text


def later() -> None:
    """Let the millisecond clock tick, so that a change of timestamp is visible."""
    time.sleep(0.003)


# -- create and read ---------------------------------------------------------------


def test_a_task_without_a_section_goes_into_the_first_section(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = new_task(ana, project["id"], "Draft the plan")
    assert task["sectionId"] == section_ids(ana, project["id"])[0]
    assert task["projectId"] == project["id"]
    assert task["parentId"] is None
    assert (task["status"], task["completed"], task["completedAt"]) == ("todo", False, None)
    assert (task["notes"], task["assigneeId"], task["dueOn"]) == ("", None, None)
    assert (task["subtaskCount"], task["commentCount"]) == (0, 0)
    assert task["createdBy"] == ana.id
    assert task["createdAt"] == task["modifiedAt"]


def test_once_the_first_section_is_deleted_new_tasks_go_into_the_next(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    first, second, _ = section_ids(ana, project["id"])
    assert ana.http.delete(f"/api/sections/{first}").status_code == 204
    assert new_task(ana, project["id"])["sectionId"] == second


def test_tasks_in_a_project_without_sections_have_none_and_still_keep_an_order(
    signup: Signup,
) -> None:
    ana = signup("ana")
    project = new_project(ana, sections=[])
    tasks = {name: new_task(ana, project["id"], name) for name in "ABC"}
    assert {task["sectionId"] for task in tasks.values()} == {None}
    move(ana, tasks["C"]["id"], position=0)
    assert names(ana, project["id"]) == ["C", "A", "B"]


def test_a_task_created_with_every_field_keeps_them(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    add_member(ana, project["id"], bo)
    second = section_ids(ana, project["id"])[1]

    task = new_task(
        ana,
        project["id"],
        "Book the venue",
        sectionId=second,
        assigneeId=bo.id,
        dueOn="2026-05-01",
        notes="Ask for the big room",
        status="in_progress",
    )

    assert task["sectionId"] == second
    assert task["assigneeId"] == bo.id
    assert task["dueOn"] == "2026-05-01"
    assert task["notes"] == "Ask for the big room"
    assert task["status"] == "in_progress"


def test_a_task_created_done_is_completed_by_its_creator(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = new_task(ana, project["id"], "Already done", status="done")
    assert task["completed"] is True
    assert task["completedBy"] == ana.id
    assert task["completedAt"] == task["createdAt"]


@pytest.mark.parametrize(
    ("position", "expected"),
    [(0, ["New", "A", "B", "C"]), (2, ["A", "B", "New", "C"]), (7, ["A", "B", "C", "New"])],
)
def test_a_task_created_at_a_position_is_inserted_there(
    signup: Signup, position: int, expected: list[str]
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    for name in "ABC":
        new_task(ana, project["id"], name)
    new_task(ana, project["id"], "New", position=position)
    assert names(ana, project["id"]) == expected


def test_a_task_reads_back_exactly_as_created(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = new_task(ana, project["id"], "Read me", notes="twice", dueOn="2026-01-31")
    assert get_task(ana, task["id"]) == task
    assert listed(ana, project["id"]) == [task]


# -- change ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Renamed"),
        ("notes", "New notes\nover two lines"),
        ("dueOn", "2026-12-24"),
        ("assigneeId", "<member>"),
        ("status", "in_progress"),
    ],
)
def test_patching_a_task_changes_exactly_that_field_and_bumps_modified_at(
    signup: Signup, field: str, value: str
) -> None:
    ana, bo = signup("ana"), signup("bo")
    # Sections named by the caller are free: a status change moves the task nowhere.
    project = new_project(ana, sections=["To do", "In progress", "Done"])
    add_member(ana, project["id"], bo)
    if value == "<member>":
        value = bo.id
    before = new_task(ana, project["id"], "Original", notes="Old notes")
    later()

    response = ana.http.patch(f"/api/tasks/{before['id']}", json={field: value})

    assert response.status_code == 200, response.text
    after = response.json()
    assert after[field] == value
    assert after["modifiedAt"] > before["modifiedAt"]
    assert {k: v for k, v in after.items() if k not in (field, "modifiedAt")} == {
        k: v for k, v in before.items() if k not in (field, "modifiedAt")
    }
    assert get_task(ana, before["id"]) == after


def test_patching_several_task_fields_at_once_changes_them_together(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = new_task(ana, project["id"])
    body = {"name": "Both", "notes": "changed", "dueOn": "2026-02-02", "assigneeId": ana.id}
    after = ana.http.patch(f"/api/tasks/{task['id']}", json=body).json()
    assert {k: after[k] for k in body} == body


def test_marking_a_task_done_records_who_and_when_and_reopening_clears_it(
    signup: Signup,
) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    add_member(ana, project["id"], bo)
    task = new_task(ana, project["id"], "Ship it")
    later()

    done = bo.http.patch(f"/api/tasks/{task['id']}", json={"status": "done"}).json()

    assert (done["status"], done["completed"], done["completedBy"]) == ("done", True, bo.id)
    assert done["completedAt"] == done["modifiedAt"]
    assert done["completedAt"] > task["createdAt"]
    assert get_task(ana, task["id"]) == done

    reopened = ana.http.patch(f"/api/tasks/{task['id']}", json={"status": "todo"}).json()

    assert (reopened["status"], reopened["completed"]) == ("todo", False)
    assert (reopened["completedAt"], reopened["completedBy"]) == (None, None)


def test_moving_between_open_statuses_leaves_completion_empty(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = new_task(ana, project["id"])
    after = ana.http.patch(f"/api/tasks/{task['id']}", json={"status": "in_progress"}).json()
    assert (after["completed"], after["completedAt"], after["completedBy"]) == (False, None, None)


def test_editing_a_done_task_keeps_its_completion(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = new_task(ana, project["id"])
    done = ana.http.patch(f"/api/tasks/{task['id']}", json={"status": "done"}).json()
    later()
    renamed = ana.http.patch(f"/api/tasks/{task['id']}", json={"name": "Still done"}).json()
    assert (renamed["completedAt"], renamed["completedBy"]) == (done["completedAt"], ana.id)


def test_an_assignee_must_be_a_member_of_the_project(signup: Signup) -> None:
    ana, stranger = signup("ana"), signup("stranger")
    project = new_project(ana)
    task = new_task(ana, project["id"])

    created = ana.http.post(
        f"/api/projects/{project['id']}/tasks", json={"name": "X", "assigneeId": stranger.id}
    )
    patched = ana.http.patch(f"/api/tasks/{task['id']}", json={"assigneeId": stranger.id})

    for response in (created, patched):
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "assignee_not_member"
    assert get_task(ana, task["id"]) == task
    assert names(ana, project["id"]) == ["Task"]


@pytest.mark.parametrize("field", ["assigneeId", "dueOn"])
def test_null_clears_the_assignee_or_the_due_date(signup: Signup, field: str) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = new_task(ana, project["id"], assigneeId=ana.id, dueOn="2026-03-03")

    after = ana.http.patch(f"/api/tasks/{task['id']}", json={field: None}).json()

    assert after[field] is None
    other = "dueOn" if field == "assigneeId" else "assigneeId"
    assert after[other] == task[other]


def test_a_task_patch_that_changes_nothing_appends_no_event(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    task = new_task(ana, project["id"], "Same", notes="same", dueOn="2026-04-04")
    seq = head_seq(ana, project["id"])
    later()

    for body in ({}, {"name": "Same", "notes": "same", "dueOn": "2026-04-04", "status": "todo"}):
        assert ana.http.patch(f"/api/tasks/{task['id']}", json=body).json() == task

    assert head_seq(ana, project["id"]) == seq


# -- filters and pages -------------------------------------------------------------


def test_the_task_list_filters_by_section(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    first, second, _ = section_ids(ana, project["id"])
    new_task(ana, project["id"], "A1", sectionId=first)
    new_task(ana, project["id"], "B1", sectionId=second)
    new_task(ana, project["id"], "A2", sectionId=first)
    new_task(ana, project["id"], "B2", sectionId=second)
    assert names(ana, project["id"], section=first) == ["A1", "A2"]
    assert names(ana, project["id"], section=second) == ["B1", "B2"]


def test_the_task_list_filters_by_status(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    new_task(ana, project["id"], "Open")
    new_task(ana, project["id"], "Busy", status="in_progress")
    new_task(ana, project["id"], "Finished", status="done")
    assert names(ana, project["id"], status="todo") == ["Open"]
    assert names(ana, project["id"], status="in_progress") == ["Busy"]
    assert names(ana, project["id"], status="done") == ["Finished"]


def test_the_task_list_filters_by_assignee(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    add_member(ana, project["id"], bo)
    new_task(ana, project["id"], "Ana's", assigneeId=ana.id)
    new_task(ana, project["id"], "Bo's", assigneeId=bo.id)
    new_task(ana, project["id"], "Nobody's")
    assert names(ana, project["id"], assignee=ana.id) == ["Ana's"]
    assert names(ana, project["id"], assignee=bo.id) == ["Bo's"]


def test_due_date_filters_are_exclusive_bounds(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    for day in ("01", "02", "03"):
        new_task(ana, project["id"], f"March {day}", dueOn=f"2026-03-{day}")
    new_task(ana, project["id"], "Undated")
    pid = project["id"]
    assert names(ana, pid, dueBefore="2026-03-03") == ["March 01", "March 02"]
    assert names(ana, pid, dueAfter="2026-03-01") == ["March 02", "March 03"]
    assert names(ana, pid, dueAfter="2026-03-01", dueBefore="2026-03-03") == ["March 02"]
    assert names(ana, pid, dueAfter="2026-03-02", dueBefore="2026-03-03") == []


def test_filters_combine(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    new_task(ana, project["id"], "Report draft", status="done", assigneeId=ana.id)
    new_task(ana, project["id"], "Report final", assigneeId=ana.id)
    new_task(ana, project["id"], "Slides", status="done", assigneeId=ana.id)
    assert names(ana, project["id"], q="report", status="done", assignee=ana.id) == ["Report draft"]


def test_text_search_looks_in_names_and_notes_ignoring_case(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    new_task(ana, project["id"], "Write the Quarterly Report")
    new_task(ana, project["id"], "Budget", notes="needs a REPORT from finance")
    new_task(ana, project["id"], "Unrelated", notes="nothing here")
    assert names(ana, project["id"], q="report") == ["Write the Quarterly Report", "Budget"]
    assert names(ana, project["id"], q="QUARTERLY rep") == ["Write the Quarterly Report"]
    assert names(ana, project["id"], q="absent") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("100%", ["Reach 100% coverage"]),
        ("0% c", ["Reach 100% coverage"]),
        ("snake_case", ["Rename snake_case"]),
        ("e_c", ["Rename snake_case"]),
        ("_", ["Rename snake_case"]),
        ("%", ["Reach 100% coverage"]),
        ("\\", ["Escape C:\\temp"]),
    ],
)
def test_text_search_treats_percent_and_underscore_literally(
    signup: Signup, query: str, expected: list[str]
) -> None:
    ana = signup("ana")
    project = new_project(ana)
    for name in (
        "Reach 100% coverage",
        "Reach 100 percent coverage",
        "Rename snake_case",
        "Rename snakeXcase",
        "Escape C:\\temp",
    ):
        new_task(ana, project["id"], name)
    assert names(ana, project["id"], q=query) == expected


def test_cursor_pagination_walks_every_task_exactly_once(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    first, second, third = section_ids(ana, project["id"])
    for i, section in enumerate([first, second, third, first, second, third, first]):
        new_task(ana, project["id"], f"T{i}", sectionId=section)
    everything = listed(ana, project["id"])

    seen: list[Json] = []
    sizes: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = ana.http.get(f"/api/projects/{project['id']}/tasks", params=params).json()
        seen.extend(page["items"])
        sizes.append(len(page["items"]))
        cursor = page["nextCursor"]
        if cursor is None:
            break

    assert sizes == [3, 3, 1]
    assert seen == everything
    assert len({task["id"] for task in seen}) == 7


def test_a_page_exactly_as_long_as_what_is_left_has_no_next_cursor(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    for name in "ABCD":
        new_task(ana, project["id"], name)
    url = f"/api/projects/{project['id']}/tasks"
    page = ana.http.get(url, params={"limit": 2}).json()
    last = ana.http.get(url, params={"limit": 2, "cursor": page["nextCursor"]}).json()
    assert [t["name"] for t in last["items"]] == ["C", "D"]
    assert last["nextCursor"] is None


def test_cursor_pagination_keeps_the_filter(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    for i in range(6):
        new_task(ana, project["id"], f"T{i}", status="done" if i % 2 else "todo")
    url = f"/api/projects/{project['id']}/tasks"
    page = ana.http.get(url, params={"limit": 2, "status": "done"}).json()
    rest = ana.http.get(
        url, params={"limit": 2, "status": "done", "cursor": page["nextCursor"]}
    ).json()
    assert [t["name"] for t in page["items"] + rest["items"]] == ["T1", "T3", "T5"]
    assert rest["nextCursor"] is None


# -- moves -------------------------------------------------------------------------


def four_in_a_section(person: Person) -> tuple[str, str, dict[str, Json]]:
    """A project whose first section holds A, B, C, D; its id, that section's id, and
    the tasks by name."""
    project = new_project(person)
    section = section_ids(person, project["id"])[0]
    tasks = {name: new_task(person, project["id"], name) for name in "ABCD"}
    return project["id"], section, tasks


@pytest.mark.parametrize(
    ("moved", "position", "expected"),
    [
        ("D", 0, "DABC"),
        ("A", 2, "BCAD"),
        ("D", 1, "ADBC"),
        ("B", 3, "ACDB"),
        ("B", 99, "ACDB"),
        ("A", None, "BCDA"),
    ],
)
def test_moving_a_task_within_its_section_puts_it_at_that_position(
    signup: Signup, moved: str, position: int | None, expected: str
) -> None:
    ana = signup("ana")
    project_id, section, tasks = four_in_a_section(ana)
    body = {} if position is None else {"position": position}

    after = move(ana, tasks[moved]["id"], **body)

    assert after["sectionId"] == section
    assert "".join(names(ana, project_id, section=section)) == expected


def test_moving_a_task_to_another_section_at_a_position(signup: Signup) -> None:
    ana = signup("ana")
    project_id, first, tasks = four_in_a_section(ana)
    second = section_ids(ana, project_id)[1]
    new_task(ana, project_id, "X", sectionId=second)
    new_task(ana, project_id, "Y", sectionId=second)

    after = move(ana, tasks["B"]["id"], sectionId=second, position=1)

    assert after["sectionId"] == second
    assert get_task(ana, tasks["B"]["id"]) == after
    assert names(ana, project_id, section=first) == ["A", "C", "D"]
    assert names(ana, project_id, section=second) == ["X", "B", "Y"]


def test_moving_a_task_to_another_section_without_a_position_puts_it_last(
    signup: Signup,
) -> None:
    ana = signup("ana")
    project_id, _, tasks = four_in_a_section(ana)
    second = section_ids(ana, project_id)[1]
    new_task(ana, project_id, "X", sectionId=second)

    move(ana, tasks["A"]["id"], sectionId=second)

    assert names(ana, project_id, section=second) == ["X", "A"]


def test_moving_a_task_into_an_empty_section(signup: Signup) -> None:
    ana = signup("ana")
    project_id, _, tasks = four_in_a_section(ana)
    last = section_ids(ana, project_id)[2]
    move(ana, tasks["C"]["id"], sectionId=last, position=0)
    assert names(ana, project_id, section=last) == ["C"]


def test_repeated_moves_keep_a_consistent_order(signup: Signup) -> None:
    ana = signup("ana")
    project_id, section, tasks = four_in_a_section(ana)
    for _ in range(5):
        move(ana, tasks["D"]["id"], position=1)
        move(ana, tasks["A"]["id"], position=2)
    assert names(ana, project_id, section=section) == ["B", "D", "A", "C"]


@pytest.mark.parametrize(
    ("moved", "body"),
    [
        ("B", {"position": 1}),
        ("A", {"position": 0}),
        ("D", {}),
        ("D", {"position": 50}),
        ("C", {"position": 2, "sectionId": "<same>"}),
    ],
)
def test_moving_a_task_to_where_it_already_is_appends_no_event(
    signup: Signup, moved: str, body: Json
) -> None:
    ana = signup("ana")
    project_id, section, tasks = four_in_a_section(ana)
    if body.get("sectionId") == "<same>":
        body = {**body, "sectionId": section}
    seq = head_seq(ana, project_id)
    later()

    after = move(ana, tasks[moved]["id"], **body)

    assert after == tasks[moved]
    assert head_seq(ana, project_id) == seq
    assert names(ana, project_id, section=section) == ["A", "B", "C", "D"]


def test_a_move_bumps_modified_at_and_keeps_everything_else(signup: Signup) -> None:
    ana = signup("ana")
    _, _, tasks = four_in_a_section(ana)
    before = tasks["A"]
    later()
    after = move(ana, before["id"], position=3)
    assert after["modifiedAt"] > before["modifiedAt"]
    assert after["rank"] != before["rank"]
    unchanged = {k: v for k, v in before.items() if k not in ("modifiedAt", "rank")}
    assert {k: after[k] for k in unchanged} == unchanged


def test_squeezing_many_tasks_into_one_gap_keeps_the_order_and_the_log_in_step(
    signup: Signup,
) -> None:
    """Past a few hundred inserts into one gap the keys are re-spaced; the order holds and
    a client replaying ``rank`` and ``reranked`` from the log ends with the listed ranks."""
    ana = signup("ana")
    project = new_project(ana)
    pid = project["id"]
    expected = [new_task(ana, pid, "first")["id"], new_task(ana, pid, "last")["id"]]
    for i in range(300):
        if i % 3 == 2:  # move the task at the end into the crowded gap
            move(ana, expected[-1], position=1)
            expected.insert(1, expected.pop())
        else:
            expected.insert(1, new_task(ana, pid, f"t{i}", position=1)["id"])

    tasks = listed(ana, pid, limit=500)
    assert [task["id"] for task in tasks] == expected
    assert max(len(task["rank"]) for task in tasks) <= 48
    log = ana.http.get(f"/api/projects/{pid}/events", params={"limit": 500}).json()["events"]
    replayed: dict[str, str] = {}
    for event in log[1:]:
        replayed[event["data"]["taskId"]] = event["data"]["task"]["rank"]
        replayed.update(event["data"]["reranked"] or {})
    assert any(event["data"].get("reranked") for event in log)
    assert replayed == {task["id"]: task["rank"] for task in tasks}


# -- subtasks ----------------------------------------------------------------------


def test_subtasks_are_listed_in_order_and_counted_on_the_parent(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    parent = new_task(ana, project["id"], "Parent")
    new_subtask(ana, parent["id"], "Second")
    new_subtask(ana, parent["id"], "Third")
    first = new_subtask(ana, parent["id"], "First", position=0)

    subtasks = ana.http.get(f"/api/tasks/{parent['id']}/subtasks").json()

    assert [s["name"] for s in subtasks] == ["First", "Second", "Third"]
    assert (first["parentId"], first["sectionId"], first["projectId"]) == (
        parent["id"],
        None,
        project["id"],
    )
    assert get_task(ana, parent["id"])["subtaskCount"] == 3
    assert names(ana, project["id"]) == ["Parent"]


def test_a_subtask_can_have_subtasks_of_its_own(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    parent = new_task(ana, project["id"], "Parent")
    child = new_subtask(ana, parent["id"], "Child")
    grandchild = new_subtask(ana, child["id"], "Grandchild")
    assert grandchild["parentId"] == child["id"]
    assert get_task(ana, child["id"])["subtaskCount"] == 1
    assert get_task(ana, parent["id"])["subtaskCount"] == 1


def test_subtasks_move_among_their_siblings(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    parent = new_task(ana, project["id"], "Parent")
    subtasks = {n: new_subtask(ana, parent["id"], n) for n in "XYZ"}
    move(ana, subtasks["Z"]["id"], position=0)
    listed_subtasks = ana.http.get(f"/api/tasks/{parent['id']}/subtasks").json()
    assert [s["name"] for s in listed_subtasks] == ["Z", "X", "Y"]


def test_a_subtask_with_a_section_is_refused(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    parent = new_task(ana, project["id"], "Parent")

    response = ana.http.post(
        f"/api/tasks/{parent['id']}/subtasks",
        json={"name": "Misplaced", "sectionId": parent["sectionId"]},
    )

    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "subtask_section"
    assert ana.http.get(f"/api/tasks/{parent['id']}/subtasks").json() == []


# -- delete ------------------------------------------------------------------------


def test_deleting_a_task_deletes_its_subtasks_and_comments(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    parent = new_task(ana, project["id"], "Parent")
    kept = new_task(ana, project["id"], "Kept")
    child = new_subtask(ana, parent["id"], "Child")
    grandchild = new_subtask(ana, child["id"], "Grandchild")
    comments = [
        ana.http.post(f"/api/tasks/{task_id}/comments", json={"text": "hi"}).json()
        for task_id in (parent["id"], child["id"], grandchild["id"])
    ]
    kept_comment = ana.http.post(f"/api/tasks/{kept['id']}/comments", json={"text": "stay"})

    assert ana.http.delete(f"/api/tasks/{parent['id']}").status_code == 204

    for task in (parent, child, grandchild):
        assert ana.http.get(f"/api/tasks/{task['id']}").status_code == 404
        assert ana.http.get(f"/api/tasks/{task['id']}/comments").status_code == 404
    for comment in comments:
        edit = ana.http.patch(f"/api/comments/{comment['id']}", json={"text": "gone?"})
        assert edit.status_code == 404
    assert names(ana, project["id"]) == ["Kept"]
    assert ana.http.get(f"/api/tasks/{kept['id']}/comments").json() == [kept_comment.json()]


def test_deleting_a_subtask_updates_its_parents_count(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    parent = new_task(ana, project["id"], "Parent")
    gone = new_subtask(ana, parent["id"], "Gone")
    new_subtask(ana, parent["id"], "Stays")

    assert ana.http.delete(f"/api/tasks/{gone['id']}").status_code == 204

    assert get_task(ana, parent["id"])["subtaskCount"] == 1
    remaining = ana.http.get(f"/api/tasks/{parent['id']}/subtasks").json()
    assert [s["name"] for s in remaining] == ["Stays"]


# -- My Tasks ----------------------------------------------------------------------


def my_task_names(person: Person) -> list[str]:
    response = person.http.get("/api/me/tasks")
    assert response.status_code == 200, response.text
    return [task["name"] for task in response.json()]


def test_my_tasks_are_open_first_then_soonest_due_with_undated_last(signup: Signup) -> None:
    ana = signup("ana")
    project = new_project(ana)
    for name, due, status in [
        ("open undated", None, "todo"),
        ("done Mar 2", "2026-03-02", "done"),
        ("open Mar 5", "2026-03-05", "in_progress"),
        ("done undated", None, "done"),
        ("open Mar 1", "2026-03-01", "todo"),
        ("done Feb 1", "2026-02-01", "done"),
    ]:
        new_task(ana, project["id"], name, assigneeId=ana.id, dueOn=due, status=status)

    assert my_task_names(ana) == [
        "open Mar 1",
        "open Mar 5",
        "open undated",
        "done Feb 1",
        "done Mar 2",
        "done undated",
    ]


def test_my_tasks_span_projects_and_hold_only_tasks_assigned_to_me(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    mine = new_project(ana)
    theirs = new_project(bo)
    add_member(bo, theirs["id"], ana)
    add_member(ana, mine["id"], bo)
    new_task(ana, mine["id"], "Mine, Jan", assigneeId=ana.id, dueOn="2026-01-10")
    new_task(ana, mine["id"], "Bo's", assigneeId=bo.id, dueOn="2026-01-01")
    new_task(ana, mine["id"], "Nobody's", dueOn="2026-01-01")
    new_task(bo, theirs["id"], "Theirs, for me", assigneeId=ana.id, dueOn="2026-01-05")

    assert my_task_names(ana) == ["Theirs, for me", "Mine, Jan"]
    assert my_task_names(bo) == ["Bo's"]


def test_my_tasks_follow_reassignment(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    project = new_project(ana)
    add_member(ana, project["id"], bo)
    task = new_task(ana, project["id"], "Hand over", assigneeId=ana.id)

    ana.http.patch(f"/api/tasks/{task['id']}", json={"assigneeId": bo.id})

    assert my_task_names(ana) == []
    assert my_task_names(bo) == ["Hand over"]


def test_my_tasks_leave_out_projects_i_left_or_that_were_deleted(signup: Signup) -> None:
    ana, bo = signup("ana"), signup("bo")
    kept = new_project(ana, name="Kept")
    deleted = new_project(ana, name="Deleted")
    left = new_project(bo, name="Left")
    add_member(bo, left["id"], ana)
    new_task(ana, kept["id"], "In kept", assigneeId=ana.id)
    new_task(ana, deleted["id"], "In deleted", assigneeId=ana.id)
    new_task(bo, left["id"], "In left", assigneeId=ana.id)
    doomed = new_task(ana, kept["id"], "Deleted task", assigneeId=ana.id)

    assert ana.http.delete(f"/api/projects/{deleted['id']}").status_code == 204
    assert ana.http.delete(f"/api/projects/{left['id']}/members/{ana.id}").status_code == 204
    assert ana.http.delete(f"/api/tasks/{doomed['id']}").status_code == 204

    assert my_task_names(ana) == ["In kept"]
