"""Every change's answer says which event it produced: ``Tasklane-Project`` and
``Tasklane-Seq`` name the project whose log it went into and its ``seq`` there. A client
that follows the project live then knows its own change when the event arrives, by
``seq``, whatever the clock says (docs/protocol.md, "Your own changes")."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tasklane.edge.deps import SAFE_METHODS
from tasklane.services.runtime import receipt

SEQ_HEADER = "Tasklane-Seq"
PROJECT_HEADER = "Tasklane-Project"


class SeqHeaders:
    """ASGI middleware: the receipt of a change under ``/api/``, as response headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or not scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        with receipt() as kept:

            async def send_with_seq(message: Message) -> None:
                if message["type"] == "http.response.start" and kept.last is not None:
                    headers = MutableHeaders(scope=message)
                    headers[SEQ_HEADER] = str(kept.last.seq)
                    headers[PROJECT_HEADER] = kept.last.project_id
                await send(message)

            await self.app(scope, receive, send_with_seq)
