"""Thin JSON routes: authenticate, call a service, return a schema."""

from fastapi import APIRouter

from tasklane.api import (
    account,
    answer,
    auth,
    comments,
    episodes,
    events,
    gym,
    health,
    invitations,
    markdown,
    projects,
    realtime,
    sections,
    tasks,
    workspace,
)

routers: list[APIRouter] = [
    health.router,
    auth.router,
    account.router,
    projects.router,
    invitations.router,
    sections.router,
    tasks.router,
    comments.router,
    events.router,
    realtime.router,
    workspace.router,
    markdown.router,
]
# gym.router, episodes.router and answer.router are mounted by create_app only with GYM_MODE.
__all__ = ["answer", "episodes", "gym", "routers"]
