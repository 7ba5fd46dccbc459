"""The only code that writes rows and emits events; access control lives here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher

from tasklane.services.account import AccountService
from tasklane.services.auth import AuthService
from tasklane.services.broadcasts import BroadcastService
from tasklane.services.comments import CommentService
from tasklane.services.event_log import EventLog
from tasklane.services.invitations import InvitationService
from tasklane.services.members import MemberService
from tasklane.services.people import PeopleService
from tasklane.services.projects import ProjectService
from tasklane.services.runtime import Runtime
from tasklane.services.sections import SectionService
from tasklane.services.tasks import TaskService
from tasklane.services.trash import TrashService


@dataclass(frozen=True)
class Services:
    runtime: Runtime
    auth: AuthService
    account: AccountService
    projects: ProjectService
    members: MemberService
    invitations: InvitationService
    people: PeopleService
    sections: SectionService
    tasks: TaskService
    trash: TrashService
    comments: CommentService
    events: EventLog
    broadcasts: BroadcastService

    @classmethod
    def build(cls, runtime: Runtime, hasher: PasswordHasher, session_ttl: timedelta) -> Services:
        auth = AuthService(runtime, hasher, session_ttl)
        members = MemberService(runtime)
        return cls(
            runtime=runtime,
            auth=auth,
            account=AccountService(runtime, auth),
            projects=ProjectService(runtime),
            members=members,
            invitations=InvitationService(runtime, members),
            people=PeopleService(runtime),
            sections=SectionService(runtime),
            tasks=TaskService(runtime),
            trash=TrashService(runtime),
            comments=CommentService(runtime),
            events=EventLog(runtime),
            broadcasts=BroadcastService(runtime),
        )
