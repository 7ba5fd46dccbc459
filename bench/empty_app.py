"""The ceiling for ``bench.api``: an endpoint shaped like ``PATCH /api/tasks/{task_id}``
that reads the JSON body into a small pydantic model and answers ``{"ok": true}``, with
no database, no authentication and no middleware.

It is served the way ``tasklane serve`` serves Tasklane's API (``tasklane.serving``): one
process, the same uvicorn ``Config`` options (host, log level, ``lifespan="on"``, the
graceful-shutdown timeout; HTTP implementation left at uvicorn's ``auto``) and, like
``tasklane serve``, on uvloop when it is installed (``--loop asyncio``: the standard
library's loop instead).

    python -m bench.empty_app --port 8000 [--host 127.0.0.1] [--loop uvloop|asyncio]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, Field

from bench.refservers import loops
from tasklane.serving import SHUTDOWN_GRACE_SECONDS

app = FastAPI(title="bench.empty_app")


class TaskName(BaseModel):
    """The benchmark's request body."""

    name: str = Field(min_length=1, max_length=500)


@app.patch("/api/tasks/{task_id}")
async def update_task(task_id: str, body: TaskName) -> dict[str, bool]:
    """Parse and validate the body, touch no database, answer a constant."""
    return {"ok": True}


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (the benchmark waits for this, as for Tasklane's)."""
    return {"status": "ok"}


def config(host: str, port: int, log_level: str) -> uvicorn.Config:
    """The options ``tasklane.serving.build_servers`` gives the API's server."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.empty_app", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument(
        "--loop", choices=loops.LOOPS, default=loops.tasklanes_loop(), help="the event loop"
    )
    args = parser.parse_args(argv)
    server = uvicorn.Server(config(args.host, args.port, args.log_level))
    loops.run_on(args.loop, server.serve())


if __name__ == "__main__":
    main()
