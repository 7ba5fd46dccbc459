"""The React example (examples/react-board) the way a browser meets it: built once with
Vite into a folder and served by a small static HTTP server on an origin of its own, in
front of a gateway reached through the gatekeeper proxy (tests/client/gatekeeper.py),
which runs on an event loop of its own so that a synchronous Playwright test can refuse
transports and cut connections under the page."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from tests.client.gatekeeper import Gatekeeper, gatekeeper
from tests.static_files import folder, serving

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "react-board"
VITE = ROOT / "node_modules" / ".bin" / "vite"  # npm workspaces install at the root

T = TypeVar("T")


def build_example(out_dir: Path) -> None:
    """``vite build`` of the example into ``out_dir`` (no type check: that is
    ``npm run build``'s job, and needs the packages' generated declarations), with the
    JavaScript dependencies installed first if they are not."""
    subprocess.run([str(ROOT / "scripts" / "install-js.sh")], check=True, timeout=500)
    command = [str(VITE), "build", "--outDir", str(out_dir), "--emptyOutDir", "--logLevel=warn"]
    built = subprocess.run(
        command, cwd=EXAMPLE, capture_output=True, text=True, timeout=300, check=False
    )
    assert built.returncode == 0, f"vite build failed:\n{built.stdout}\n{built.stderr}"
    assert (out_dir / "index.html").is_file(), f"vite build left no index.html in {out_dir}"


class GatekeeperThread:
    """The gatekeeper on its own event loop in a background thread. Its state belongs to
    that loop, so every change to it is made there, and waited for."""

    def __init__(self, loop: asyncio.AbstractEventLoop, keeper: Gatekeeper) -> None:
        self._loop = loop
        self._keeper = keeper

    @property
    def url(self) -> str:
        return self._keeper.url

    def refuse(self, *paths: str) -> None:
        """Refuse exactly ``paths`` (of ``/ws``, ``/sse``) from now on; none: let all pass."""
        self._in_loop(lambda: setattr(self._keeper, "refuse", set(paths)))

    def cut(self) -> None:
        """Drop every connection passing through, as a network failure would."""
        self._in_loop(self._keeper.cut)

    def refused(self) -> list[str]:
        """The paths refused so far, in order."""
        return self._in_loop(lambda: list(self._keeper.refused))

    def _in_loop(self, action: Callable[[], T]) -> T:
        async def run() -> T:
            return action()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=10)


@contextmanager
def gatekeeper_thread(gateway_http: str) -> Iterator[GatekeeperThread]:
    """A gatekeeper in front of ``gateway_http`` (http://127.0.0.1:PORT), refusing nothing
    until told to; the gateway need not be up yet."""
    ready: Future[tuple[asyncio.AbstractEventLoop, Gatekeeper, asyncio.Event]] = Future()

    async def serve() -> None:
        stop = asyncio.Event()
        try:
            async with gatekeeper(gateway_http, set()) as keeper:
                ready.set_result((asyncio.get_running_loop(), keeper, stop))
                await stop.wait()
        except OSError as error:  # it could not listen: say so in the test's thread
            if ready.done():
                raise
            ready.set_exception(error)

    thread = threading.Thread(target=asyncio.run, args=(serve(),), name="gatekeeper")
    thread.start()
    try:
        loop, keeper, stop = ready.result(timeout=10)
    except BaseException:
        thread.join(timeout=10)
        raise
    try:
        yield GatekeeperThread(loop, keeper)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        assert not thread.is_alive(), "the gatekeeper's thread did not stop"


@contextmanager
def static_site(path: Path) -> Iterator[str]:
    """The built example served on an origin of its own; yields the origin."""
    with serving(folder(path)) as origin:
        yield origin
