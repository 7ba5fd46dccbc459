"""The only code that writes rows and emits events; access control lives here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher

from tasklane.services.auth import AuthService
from tasklane.services.broadcasts import BroadcastService
from tasklane.services.comments import CommentService
from tasklane.services.event_log import EventLog
from tasklane.services.members import MemberService
from tasklane.services.people import PeopleService
from tasklane.services.projects import ProjectService
from tasklane.services.runtime import Runtime
from tasklane.services.sections import SectionService
from tasklane.services.tasks import TaskService


@dataclass(frozen=True)
class Services:
    runtime: Runtime
    auth: AuthService
    projects: ProjectService
    members: MemberService
    people: PeopleService
    sections: SectionService
    tasks: TaskService
    comments: CommentService
    events: EventLog
    broadcasts: BroadcastService

    @classmethod
    def build(cls, runtime: Runtime, hasher: PasswordHasher, session_ttl: timedelta) -> Services:
        return cls(
            runtime=runtime,
            auth=AuthService(runtime, hasher, session_ttl),
            projects=ProjectService(runtime),
            members=MemberService(runtime),
            people=PeopleService(runtime),
            sections=SectionService(runtime),
            tasks=TaskService(runtime),
            comments=CommentService(runtime),
            events=EventLog(runtime),
            broadcasts=BroadcastService(runtime),
        )
