"""The SDK's side of the people lookup, the app's date, subtasks in a project's listing
and My Tasks' paging: the same calls on the sync and the async client."""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from datetime import date

from tasklane.client import AsyncTasklaneClient, TasklaneClient
from tasklane.protocol.task import TaskPublic
from tasklane.protocol.workspace import Person as Someone
from tasklane.protocol.workspace import Today
from tests.conftest import Person

Signup = Callable[[str], Person]


def word() -> str:
    return "".join(random.choices(string.ascii_lowercase, k=10))


def test_the_sync_client_finds_people_reads_today_and_pages(signup: Signup, base_url: str) -> None:
    ana, ben = signup(word()), signup(word())
    with (
        TasklaneClient(base_url, token=ana.token) as api,
        TasklaneClient(base_url, token=ben.token) as other,
    ):
        project = api.create_project("Launch")
        other.create_project("Elsewhere")
        assert api.find_people(ben.name.upper()) == [
            Someone(id=ben.id, name=ben.name, email=ben.email)
        ]
        assert len(api.find_people(limit=1)) == 1
        today = api.today()
        assert isinstance(today, Today)
        assert today.today == today.now.date()
        parent = api.create_task(project.id, "Parent", assignee_id=ana.id)
        child = api.create_subtask(parent.id, "Child", assignee_id=ana.id, due_on=date(2030, 1, 1))
        assert [t.id for t in api.list_tasks(project.id, assignee=ana.id).items] == [parent.id]
        listed = api.list_tasks(project.id, assignee=ana.id, subtasks=True).items
        assert [(t.id, t.parent_id) for t in listed] == [(parent.id, None), (child.id, parent.id)]
        first = api.my_tasks(limit=1)
        second = api.my_tasks(limit=1, offset=1)
        assert [t.id for t in first + second] == [child.id, parent.id]
        assert api.my_tasks(offset=2) == []
        assert all(isinstance(t, TaskPublic) for t in first)


async def test_the_async_client_makes_the_same_calls(signup: Signup, base_url: str) -> None:
    ana = signup(word())
    async with AsyncTasklaneClient(base_url, token=ana.token) as api:
        project = await api.create_project("Launch")
        assert [p.id for p in await api.find_people(ana.name)] == [ana.id]
        assert isinstance(await api.today(), Today)
        parent = await api.create_task(project.id, "Parent")
        child = await api.create_subtask(parent.id, "Child", status="done")
        page = await api.list_tasks(project.id, status="done", subtasks=True)
        assert [t.id for t in page.items] == [child.id]
        assert await api.my_tasks(offset=0) == []
