"""SQLAlchemy models, one module per aggregate."""

from tasklane.models.base import Base
from tasklane.models.comment import Comment
from tasklane.models.event import Event
from tasklane.models.invitation import Invitation
from tasklane.models.person_log import PersonEvent, PersonLog
from tasklane.models.project import Project, ProjectMember, Section
from tasklane.models.task import Task
from tasklane.models.trash import DeletedTask
from tasklane.models.user import Ticket, Token, User, Workspace

__all__ = [
    "Base",
    "Comment",
    "DeletedTask",
    "Event",
    "Invitation",
    "PersonEvent",
    "PersonLog",
    "Project",
    "ProjectMember",
    "Section",
    "Task",
    "Ticket",
    "Token",
    "User",
    "Workspace",
]
