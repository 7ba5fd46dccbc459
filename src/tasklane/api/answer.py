"""``POST /api/answer``: an agent ends its task with a structured answer, as the person
it is signed in as (no admin token: the agent is not the gym's admin). Mounted only in
gym mode; the harness reads it with ``GET /api/gym/answer``."""

from __future__ import annotations

from fastapi import APIRouter, Request

from tasklane.api.errors import error_responses
from tasklane.edge.deps import CurrentUser
from tasklane.edge.episodes import episode_of
from tasklane.protocol.gym import AnswerIn, AnswerOut

router = APIRouter(prefix="/api", tags=["gym"])


@router.post("/answer", responses=error_responses(401, description="Sign in first."))
async def submit_answer(body: AnswerIn, request: Request, user: CurrentUser) -> AnswerOut:
    """End the task: ``done`` (with the ``answer`` a question asks for) or
    ``infeasible``. A later answer replaces an earlier one; a reset forgets it."""
    kept = await episode_of(request).gym.submit_answer(user.id, body.status, body.answer)
    return AnswerOut.model_validate(kept)
