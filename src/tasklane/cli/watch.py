"""``tasklane watch PROJECT``: a project's changes as they happen, one line each.

Readable lines through Rich by default; with ``--json``, JSON Lines on stdout: each
durable event exactly as the log holds it (the envelope of docs/protocol.md), and
``{"type": "status" | "resync_required" | "left" | "user_connected" | …}`` lines in
between, so that a program can tell what arrived over which connection.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from tasklane.client.errors import RealtimeRefused, TasklaneError
from tasklane.client.frames import Left, PresenceEvent, ResyncRequired
from tasklane.client.realtime import RealtimeClient, Status
from tasklane.client.rest import DEFAULT_URL, AsyncTasklaneClient
from tasklane.protocol.events import EventEnvelope

STATUS_LINES = {
    "connecting": "[dim]… connecting ({transport})[/dim]",
    "connected": "[green]●[/green] Live",
    "sse": "[yellow]●[/yellow] Live (fallback: SSE)",
    "polling": "[yellow]●[/yellow] Live (polling)",
    "reconnecting": "[yellow]◌[/yellow] Reconnecting in {retry_in:.1f} s… [dim]({reason})[/dim]",
    "offline": "[dim]○[/dim] Offline: {reason}",
}
TRANSPORT_NAMES = {"ws": "WebSocket", "sse": "Server-Sent Events", "poll": "long polling"}


class Names:
    """What ids stand for, learnt from the project and kept current from its events."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}

    def __call__(self, some_id: str | None, fallback: str = "") -> str:
        if some_id is None:
            return fallback or "system"
        return self.known.get(some_id, fallback or some_id)

    def learn(self, event: EventEnvelope) -> None:
        data = event.data
        for key in ("task", "section", "project"):
            item = data.get(key)
            if isinstance(item, dict) and "id" in item and "name" in item:
                self.known[item["id"]] = item["name"]
        member = data.get("member")
        if isinstance(member, dict):
            self.known[member["userId"]] = member["user"]["name"]


def describe(event: EventEnvelope, names: Names) -> str:
    """What happened, in words (Rich markup; user text escaped)."""
    data: dict[str, Any] = event.data

    def quoted(key: str) -> str:
        item = data.get(key) or {}
        return f"“{escape(str(item.get('name', '')))}”"

    def listed(key: str = "changes") -> str:
        return ", ".join(data.get(key) or ())

    kind = event.type
    if kind == "task_created":
        where = names(data["task"].get("sectionId"), "")
        parent = data["task"].get("parentId")
        if parent:
            return f"added the subtask {quoted('task')} to “{escape(names(parent))}”"
        return f"created {quoted('task')}" + (f" in {escape(where)}" if where else "")
    if kind == "task_status_changed":
        return f"moved {quoted('task')} from {data['previousStatus']} to {data['newStatus']}"
    if kind == "task_updated":
        if set(data["changes"]) <= {"sectionId", "rank"}:
            section = data["task"].get("sectionId")
            if section is None or "sectionId" not in data["changes"]:
                return f"reordered {quoted('task')}"
            return f"moved {quoted('task')} to {escape(names(section))}"
        return f"changed {listed()} of {quoted('task')}"
    if kind == "task_deleted":
        subtasks = len(data.get("deletedSubtaskIds") or ())
        extra = f" and {subtasks} subtask(s)" if subtasks else ""
        return f"deleted “{escape(names(data['taskId']))}”{extra}"
    if kind in ("comment_created", "comment_updated"):
        verb = "commented on" if kind == "comment_created" else "edited a comment on"
        text = escape(str(data["comment"]["text"]))
        return f"{verb} “{escape(names(data['taskId']))}”: {text}"
    if kind == "comment_deleted":
        return f"deleted a comment on “{escape(names(data['taskId']))}”"
    if kind in ("section_created", "section_updated", "section_deleted"):
        verb = kind.removeprefix("section_")
        name = quoted("section") if "section" in data else escape(names(data["sectionId"]))
        return f"{verb} the section {name}"
    if kind in ("member_added", "member_updated", "member_removed"):
        who = escape(names(data["userId"]))
        if kind == "member_added":
            return f"added {who} as {data['member']['role']}"
        if kind == "member_updated" and "role" in data["changes"]:
            return f"made {who} {data['member']['role']} (was {data['previousRole']})"
        if kind == "member_updated":
            return f"changed the {listed()} of {who}"
        return f"removed {who}"
    if kind == "project_created":
        return f"created the project {quoted('project')}"
    if kind == "project_updated":
        return f"changed {listed()} of the project {quoted('project')}"
    if kind == "project_deleted":
        return "deleted the project"
    return escape(kind)


class Printer:
    """Writes what the watch sees: readable lines, or JSON Lines."""

    def __init__(self, console: Console, *, as_json: bool) -> None:
        self.console = console
        self.as_json = as_json
        self.names = Names()

    def json_line(self, value: dict[str, Any]) -> None:
        self.console.file.write(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
        self.console.file.write("\n")
        self.console.file.flush()

    def say(self, markup: str) -> None:
        self.console.print(markup, highlight=False, soft_wrap=True)

    def status(self, status: Status) -> None:
        if self.as_json:
            self.json_line(
                {
                    "type": "status",
                    "state": status.state,
                    "transport": status.transport,
                    "retryIn": status.retry_in,
                    "reason": status.reason,
                    "code": status.code,
                }
            )
            return
        self.say(
            STATUS_LINES[status.state].format(
                transport=TRANSPORT_NAMES.get(status.transport or "", "?"),
                retry_in=status.retry_in or 0.0,
                reason=escape(status.reason or ""),
            )
        )

    def event(self, event: EventEnvelope) -> None:
        self.names.learn(event)
        if self.as_json:
            self.json_line(event.model_dump(mode="json", by_alias=True))
            return
        at = event.timestamp[11:19]
        actor = escape(self.names(event.user_id))
        self.say(
            f"[dim]{at}[/dim] [bold]#{event.seq}[/bold] [cyan]{event.type}[/cyan] "
            f"{actor} {describe(event, self.names)}"
        )

    def presence(self, event: PresenceEvent) -> None:
        if self.as_json:
            self.json_line(
                {"type": event.type, "projectId": event.project_id, "userId": event.data.user_id}
            )
            return
        verb = "is here" if event.type == "user_connected" else "left"
        self.say(f"[dim]{escape(event.data.name)} {verb}[/dim]")

    def resync(self, resync: ResyncRequired) -> None:
        if self.as_json:
            self.json_line(
                {
                    "type": "resync_required",
                    "projectId": resync.project_id,
                    "seq": resync.seq,
                    "reason": resync.reason,
                }
            )
            return
        self.say(
            f"[yellow]![/yellow] The log cannot be replayed from where asked "
            f"({escape(resync.reason)}); following from #{resync.seq}"
        )

    def left(self, left: Left) -> None:
        if self.as_json:
            self.json_line({"type": "left", "projectId": left.project_id, "reason": left.reason})
            return
        self.say(f"[red]✗[/red] No longer following the project: {escape(left.reason)}")

    def failed(self, message: str) -> None:
        if self.as_json:
            self.json_line({"type": "error", "message": message})
            return
        self.say(f"[red]✗[/red] {escape(message)}")


async def watch(
    project_id: str,
    *,
    url: str,
    token: str,
    gateway: str | None,
    as_json: bool,
    after: int | None,
    console: Console,
) -> int:
    """Follow one project until it is left or the server refuses; the exit status."""
    printer = Printer(console, as_json=as_json)
    try:
        async with AsyncTasklaneClient(url, token) as api:
            user = await api.me()
            project = await api.get_project(project_id)
            for member in await api.list_members(project_id):
                printer.names.known[member.user_id] = member.user.name
            for section in await api.list_sections(project_id):
                printer.names.known[section.id] = section.name
            # Where the server says its gateway is (PUBLIC_GATEWAY_URL, wss:// behind TLS).
            gateway_url = gateway or (await api.realtime_info()).gateway.http
    except TasklaneError as exc:
        printer.failed(f"{project_id}: {exc}")
        return 1
    start = project.seq if after is None else after
    if not as_json:
        printer.say(
            f"Watching [bold]{escape(project.name)}[/bold] ({project.id}) as "
            f"{escape(user.name)}, after #{start} · {escape(gateway_url)}"
        )
    live = RealtimeClient(url, token, gateway_url=gateway_url)
    live.on_status(printer.status)
    live.on_presence(printer.presence)
    updates = live.updates()
    async with live:
        await live.join(project_id, after=start)
        try:
            async for update in updates:
                if isinstance(update, EventEnvelope):
                    printer.event(update)
                elif isinstance(update, ResyncRequired):
                    printer.resync(update)
                else:
                    printer.left(update)
                    return 0 if update.reason == "project_deleted" else 1
        except RealtimeRefused as exc:
            printer.failed(f"the server refused the connection: {exc.reason}")
            return 1
    return 0


def watch_command(
    project: str = typer.Argument(..., help="The id of the project to follow (proj_…)."),
    url: str = typer.Option(DEFAULT_URL, "--url", envvar="TASKLANE_URL", help="The Tasklane API."),
    token: str = typer.Option(
        ...,
        "--token",
        envvar="TASKLANE_TOKEN",
        show_default=False,
        help="A personal API token (POST /api/tokens) or a session token.",
    ),
    gateway: str | None = typer.Option(
        None,
        "--gateway",
        envvar="TASKLANE_GATEWAY_URL",
        help="The realtime gateway; default: the address the API names (GET /api/realtime).",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="JSON Lines: each event as the log holds it, and status changes."
    ),
    after: int | None = typer.Option(
        None, "--after", min=0, help="First replay the log after this seq (0: all of it)."
    ),
) -> None:
    """Print a project's changes as they happen, and the connection's status."""
    try:
        status = asyncio.run(
            watch(
                project,
                url=url,
                token=token,
                gateway=gateway,
                as_json=as_json,
                after=after,
                console=Console(highlight=False),
            )
        )
    except KeyboardInterrupt:
        status = 0
    raise typer.Exit(status)


def install(cli: typer.Typer) -> None:
    cli.command("watch")(watch_command)
