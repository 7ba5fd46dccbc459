"""Runs a scenario description against a live Tasklane: what people do goes through the
JSON API (httpx, as each person); what a client does goes to a driver."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx

from tasklane.client.backoff import TransportName
from tests.conftest import unique_email
from tests.scenarios.description import (
    SEQ_REFERENCE,
    AddMember,
    Close,
    Comment,
    CreateProject,
    CreateTask,
    CreateToken,
    DeleteToken,
    Description,
    Expect,
    Expected,
    ExpectEvent,
    ExpectResync,
    ExpectStatus,
    Join,
    LoadProject,
    NoteCursor,
    Open,
    RemoveMember,
    SeqReference,
    Step,
    UpdateTask,
)
from tests.scenarios.driver import Clients, Driver, Received
from tests.scenarios.servers import ScenarioServer

WITHIN = 10.0  # seconds a client has to show what a step expects
PASSWORD = "correct horse"


@dataclass
class Person:
    id: str
    token: str  # a session's
    http: httpx.Client


@dataclass
class Token:
    id: str
    secret: str


@dataclass
class Run:
    """The state of one run: who is who, and what the names in the description stand for."""

    description: Description
    server: ScenarioServer
    clients: Clients
    transport: TransportName
    people: dict[str, Person] = field(default_factory=dict)
    projects: dict[str, str] = field(default_factory=dict)
    tasks: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    marks: dict[str, int] = field(default_factory=dict)
    open_clients: set[str] = field(default_factory=set)

    # -- names ---------------------------------------------------------------------------

    def seq(self, reference: SeqReference) -> int:
        if isinstance(reference, int):
            return reference
        match = SEQ_REFERENCE.match(reference)
        assert match is not None, reference
        mark = match["mark"]
        assert mark in self.marks, f"no mark {mark!r} yet (marks: {sorted(self.marks)})"
        offset = int(match["offset"] or 0)
        return self.marks[mark] + (-offset if match["sign"] == "-" else offset)

    def person(self, name: str) -> Person:
        return self.people[name]  # the description's validator checked the name

    def project(self, name: str) -> str:
        assert name in self.projects, f"no project {name!r} created yet"
        return self.projects[name]

    def task(self, name: str) -> str:
        assert name in self.tasks, f"no task {name!r} created yet"
        return self.tasks[name]

    def token(self, name: str) -> Token:
        assert name in self.tokens, f"no token {name!r} created yet"
        return self.tokens[name]

    def client(self, name: str) -> str:
        assert name in self.open_clients, f"no open client {name!r}"
        return name

    def person_called(self, user_id: str | None) -> str:
        names = [name for name, person in self.people.items() if person.id == user_id]
        return names[0] if names else str(user_id)

    # -- steps ---------------------------------------------------------------------------

    def do(self, step: Step) -> None:
        match step:
            case CreateProject(actor=actor, project=project):
                body = call(self.person(actor), "POST", "/api/projects", {"name": project.title()})
                self.projects[project] = body["id"]
            case AddMember(actor=actor, project=project, person=person, role=role):
                path = f"/api/projects/{self.project(project)}/members"
                member = {"userId": self.person(person).id, "role": role}
                call(self.person(actor), "POST", path, member)
            case RemoveMember(actor=actor, project=project, person=person):
                path = f"/api/projects/{self.project(project)}/members/{self.person(person).id}"
                call(self.person(actor), "DELETE", path)
            case LoadProject(actor=actor, project=project, mark=mark):
                body = call(self.person(actor), "GET", f"/api/projects/{self.project(project)}")
                self.marks[mark] = body["seq"]
            case CreateTask(actor=actor, project=project, task=task, count=count):
                path = f"/api/projects/{self.project(project)}/tasks"
                for number in range(1, count + 1):
                    name = f"{task.replace('_', ' ').title()} {number}"
                    self.tasks[task] = call(self.person(actor), "POST", path, {"name": name})["id"]
            case UpdateTask(actor=actor, task=task, fields=fields):
                call(self.person(actor), "PATCH", f"/api/tasks/{self.task(task)}", fields)
            case Comment(actor=actor, task=task, text=text):
                path = f"/api/tasks/{self.task(task)}/comments"
                call(self.person(actor), "POST", path, {"text": text})
            case CreateToken(actor=actor, token=token):
                body = call(self.person(actor), "POST", "/api/tokens", {"name": token})
                self.tokens[token] = Token(body["id"], body["token"])
            case DeleteToken(actor=actor, token=token):
                call(self.person(actor), "DELETE", f"/api/tokens/{self.token(token).id}")
            case Open(client=client, actor=actor, token=token):
                assert client not in self.open_clients, f"client {client!r} is already open"
                secret = self.person(actor).token if actor else self.token(str(token)).secret
                self.clients.open(
                    client, api_url=self.server.api_url, token=secret, transport=self.transport
                )
                self.open_clients.add(client)
            case Join(client=client, project=project, after=after):
                seq = None if after is None else self.seq(after)
                self.clients.join(self.client(client), self.project(project), seq)
            case Expect():
                self.expect(step)
            case ExpectStatus():
                self.expect_status(step)
            case NoteCursor(client=client, project=project, mark=mark):
                self.marks[mark] = self.note_cursor(self.client(client), self.project(project))
            case Close(client=client):
                self.clients.close(self.client(client))
                self.open_clients.discard(client)

    def expected(self, item: Expected, project_id: str) -> Received:
        if isinstance(item, ExpectEvent):
            by = self.person(item.by).id
            return Received("event", project_id, item.event, self.seq(item.seq), by)
        if isinstance(item, ExpectResync):
            return Received("resync", project_id, seq=self.seq(item.seq), reason=item.resync)
        reason = item.left if isinstance(item.left, str) else item.left[self.transport]
        return Received("left", project_id, reason=reason)

    def expect(self, step: Expect) -> None:
        """The client has handed over exactly these things of the project, in this order,
        since it opened: no more, no fewer, none twice."""
        client, project_id = self.client(step.client), self.project(step.project)
        want = [self.expected(item, project_id) for item in step.received]
        arrived = self.clients.wait_received(client, project_id, len(want), WITHIN)
        got = [r for r in self.clients.received(client) if r.project_id == project_id]
        assert got == want, (
            f"{client} on {step.project}: expected {self.show(want)}, "
            f"{'got' if arrived else f'within {WITHIN} s got only'} {self.show(got)}"
        )

    def expect_status(self, step: ExpectStatus) -> None:
        client = self.client(step.client)
        reached = self.clients.wait_state(client, step.state, WITHIN)
        standing = self.clients.standing(client)
        assert reached, f"{client} not {step.state} within {WITHIN} s: {standing}"
        if step.code is not None:
            assert standing.code == step.code, f"{client}: expected code {step.code}: {standing}"
        if step.state == "live":
            assert standing.transport == self.transport, f"{client}: {standing}"

    def note_cursor(self, client: str, project_id: str) -> int:
        """The client's cursor, which must be the last seq it handed over."""
        cursor = self.clients.cursor(client, project_id)
        handed = [
            r.seq
            for r in self.clients.received(client)
            if r.project_id == project_id and r.seq is not None
        ]
        assert handed, f"{client} has handed over no seq of {project_id}: no cursor to note"
        assert cursor == handed[-1], f"{client}: cursor {cursor}, but it last handed {handed[-1]}"
        return handed[-1]

    def show(self, items: list[Received]) -> str:
        def one(item: Received) -> str:
            if item.kind == "event":
                return f"{item.type}#{item.seq} by {self.person_called(item.user_id)}"
            if item.kind == "resync":
                return f"resync_required#{item.seq} ({item.reason})"
            return f"left ({item.reason})"

        return "[" + ", ".join(one(item) for item in items) + "]"


def call(person: Person, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One API request as ``person``; its JSON answer (None for 204)."""
    response = person.http.request(method, path, json=body)
    assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def run_scenario(
    description: Description, driver: Driver, transport: TransportName, server: ScenarioServer
) -> None:
    """Run every step of ``description`` with ``driver``'s clients on ``transport``;
    an AssertionError names the step that failed."""
    assert transport in description.transports, (description.scenario, transport)
    wanted = description.server.replay_max_events
    if wanted is not None:
        assert server.settings.replay_max_events == wanted, "the server's replay limit"
    with ExitStack() as stack, driver.session() as clients:
        run = Run(description, server, clients, transport)
        for label in description.people:
            run.people[label] = signed_up(server, label, stack)
        for number, step in enumerate(description.steps, start=1):
            try:
                run.do(step)
            except AssertionError as failure:
                where = f"{description.scenario} on {driver.name} over {transport}"
                raise AssertionError(f"{where}, step {number} ({step.do}): {failure}") from None


def signed_up(server: ScenarioServer, label: str, stack: ExitStack) -> Person:
    email = unique_email(f"scenario-{label}")
    answer = httpx.post(
        f"{server.api_url}/api/auth/register",
        json={"email": email, "name": label.title(), "password": PASSWORD},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    http = stack.enter_context(
        httpx.Client(
            base_url=server.api_url,
            timeout=30,
            headers={"Authorization": f"Bearer {body['token']}"},
        )
    )
    return Person(body["user"]["id"], body["token"], http)
