"""What the scenarios run against: Tasklane (the app and its gateway, real uvicorns in one
thread) and a small static server, on another origin, for the browser's harness page and
the ``@tasklane/realtime`` sources it imports."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from tasklane.settings import Settings
from tests.conftest import make_settings
from tests.live import live_stack
from tests.static_files import QuietFiles, serving

ROOT = Path(__file__).resolve().parents[2]
SERVED = {
    "/realtime/": ROOT / "clients" / "js" / "realtime" / "src",
    "/harness/": Path(__file__).resolve().parent / "harness",
}
REPLAY_MAX_EVENTS = 5  # low, so that a join a few changes behind gets resync_required


class HarnessFiles(QuietFiles):
    """Serves ``SERVED`` and nothing else."""

    def translate_path(self, path: str) -> str:
        clean = posixpath.normpath(unquote(urlsplit(path).path))
        for prefix, folder in SERVED.items():
            if clean.startswith(prefix) and ".." not in clean.split("/"):
                return str(folder / clean.removeprefix(prefix))
        return str(ROOT / "does-not-exist")


@contextmanager
def harness_server() -> Iterator[str]:
    """The harness page's server on 127.0.0.1; yields its origin."""
    with serving(HarnessFiles) as origin:
        yield origin


@dataclass(frozen=True)
class ScenarioServer:
    api_url: str
    gateway_http: str
    harness_url: str  # the harness page
    settings: Settings


@contextmanager
def scenario_server(database_url: str, data_dir: Path) -> Iterator[ScenarioServer]:
    """Tasklane, and the harness page's server on another origin, which the app lets in
    (``ALLOWED_ORIGINS``). Clients find the gateway through ``GET /api/realtime``, as a
    program given only the API's address does."""
    with harness_server() as harness_origin:
        settings = make_settings(
            database_url,
            data_dir,
            allowed_origins=[harness_origin],
            replay_max_events=REPLAY_MAX_EVENTS,
        )
        with live_stack(settings) as live:
            announced = httpx.get(f"{live.api_url}/api/realtime", timeout=10).json()["gateway"]
            assert announced == {"ws": live.ws_url, "http": live.gateway_http}, announced
            yield ScenarioServer(
                live.api_url,
                live.gateway_http,
                f"{harness_origin}/harness/index.html",
                live.stack.settings,
            )
