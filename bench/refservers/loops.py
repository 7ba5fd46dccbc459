"""The event loop a reference server runs on: the same as ``tasklane serve``'s."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Coroutine
from typing import Any

LOOPS = ("asyncio", "uvloop")


def tasklanes_loop() -> str:
    """The loop ``tasklane serve`` runs on: uvloop when it can be imported (it comes
    with ``uvicorn[standard]``), else asyncio's own."""
    return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"


def run_on(loop: str, main: Coroutine[Any, Any, None]) -> None:
    if loop == "uvloop":
        import uvloop

        uvloop.run(main)
    else:
        asyncio.run(main)
