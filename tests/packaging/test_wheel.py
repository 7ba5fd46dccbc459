"""The distributions as built: what each wheel holds and what a package index shows of
it; then the server and the SDK installed from their wheels into a fresh virtual
environment, run from there, and every page loaded in Chromium with nothing missing
and the project page live."""

from __future__ import annotations

import subprocess
import tarfile
import zipfile
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, expect, sync_playwright

from tests.packaging.environments import (
    REPO,
    SDK_SOURCE,
    VERSION,
    Distributions,
    Served,
    fresh_environment,
    install,
    plain_environ,
    serving,
)
from tests.web.browsers import CHROMIUM, FLAGS

# Building and installing take a while on a cold package cache; the pages do not.
pytestmark = pytest.mark.timeout(600)

SERVER = REPO / "src" / "tasklane"
SDK = SDK_SOURCE / "src" / "tasklane"
SDK_PACKAGES = ("tasklane/client/", "tasklane/protocol/")
LIVE_WITHIN = 15_000  # ms


def entries(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def tree(package: Path, below: str = "") -> set[str]:
    """Every file of the source tree under ``package/below``, named as in a wheel."""
    return {
        f"tasklane/{path.relative_to(package).as_posix()}"
        for path in (package / below).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def metadata(wheel: Path) -> Message:
    name = wheel.name.split("-")[0]
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read(f"{name}-{VERSION}.dist-info/METADATA")
    return BytesParser().parsebytes(raw)


# -- what the wheels hold ---------------------------------------------------------------


def test_the_server_wheel_holds_every_template_script_style_and_migration(
    distributions: Distributions,
) -> None:
    held = entries(distributions.server_wheel)
    data = tree(SERVER, "web/templates") | tree(SERVER, "web/static") | tree(SERVER, "migrations")
    # What the project page imports lives a folder down; a flat glob once missed it.
    assert {name for name in data if name.startswith("tasklane/web/static/js/project/")}
    assert {
        "tasklane/migrations/env.py",
        "tasklane/migrations/script.py.mako",
        "tasklane/web/templates/base.html",
        "tasklane/web/static/css/app.css",
    } <= data
    assert any(name.startswith("tasklane/migrations/versions/0001_") for name in data)
    modules = {name for name in tree(SERVER) if name.endswith(".py")}
    assert sorted((data | modules) - held) == []
    # The SDK's packages come from the SDK's distribution only, and ``tasklane`` stays
    # a namespace package that both fill.
    assert sorted(name for name in held if name.startswith(SDK_PACKAGES)) == []
    assert "tasklane/__init__.py" not in held


def test_the_sdk_wheel_holds_its_types_and_nothing_of_the_server(
    distributions: Distributions,
) -> None:
    held = entries(distributions.sdk_wheel)
    assert {"tasklane/client/py.typed", "tasklane/protocol/py.typed"} <= held
    assert sorted(tree(SDK) - held) == []
    package_files = {name for name in held if not name.startswith("tasklane_sdk-")}
    assert sorted(name for name in package_files if not name.startswith(SDK_PACKAGES)) == []


@pytest.mark.parametrize("which", ["server", "sdk"])
def test_a_package_index_has_what_it_needs_to_show_each_distribution(
    distributions: Distributions, which: str
) -> None:
    wheel, sdist = (
        (distributions.server_wheel, distributions.server_sdist)
        if which == "server"
        else (distributions.sdk_wheel, distributions.sdk_sdist)
    )
    fields = metadata(wheel)
    assert fields["Name"] == f"tasklane-{which}"
    assert fields["Version"] == VERSION
    assert fields["Summary"]
    assert fields["License-Expression"] == "Apache-2.0"
    assert fields["License-File"] == "LICENSE"
    assert f"tasklane_{which}-{VERSION}.dist-info/licenses/LICENSE" in entries(wheel)
    assert fields["Requires-Python"] == ">=3.11"
    assert fields["Keywords"]
    assert "Programming Language :: Python :: 3.11" in fields.get_all("Classifier", [])
    assert fields["Description-Content-Type"] == "text/markdown"
    description = fields.get_payload()
    assert isinstance(description, str)
    assert description.startswith("# Tasklane" if which == "server" else "# tasklane-sdk")
    # A distribution installed beside others states ranges; only the SDK, built from
    # this repository with the server, is pinned.
    required = [r for r in fields.get_all("Requires-Dist", []) if "extra ==" not in r]
    pinned = [r for r in required if "==" in r]
    assert pinned == (["tasklane-sdk==0.1.0"] if which == "server" else [])
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
    root = f"tasklane_{which}-{VERSION}"
    assert {f"{root}/{name}" for name in ("LICENSE", "README.md", "pyproject.toml")} <= names


# -- installed in a fresh environment ---------------------------------------------------


@pytest.fixture(scope="module")
def installed(distributions: Distributions, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding both wheels; ``tasklane-sdk==0.1.0`` comes
    from the folder they were built into, everything else from the package index."""
    venv = tmp_path_factory.mktemp("installed") / "venv"
    fresh_environment(
        venv,
        distributions.server_wheel,
        distributions.sdk_wheel,
        find_links=distributions.folder,
    )
    return venv


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(installed / "bin" / "tasklane", tmp_path_factory.mktemp("served")) as running:
        yield running


@pytest.mark.parametrize("command", [["tasklane"], ["python", "-m", "tasklane"]])
def test_the_installed_command_tells_its_version(installed: Path, command: list[str]) -> None:
    executable = installed / "bin" / command[0]
    done = subprocess.run(
        [str(executable), *command[1:], "--version"],
        capture_output=True,
        text=True,
        check=False,
        env=plain_environ(installed),
        cwd=installed,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"tasklane {VERSION}"


def test_every_page_of_the_installed_server_loads_and_the_project_goes_live(
    served: Served,
) -> None:
    failed: list[str] = []  # answers of the app that said something was wrong
    fetched: list[str] = []  # every path the app answered
    errors: list[str] = []  # the console's errors and the pages' uncaught exceptions

    def on_response(response: Response) -> None:
        if response.url.startswith((served.api_url, served.gateway_url)):
            fetched.append(response.url.split("?")[0])
            if response.status >= 400:
                failed.append(f"{response.status} {response.request.method} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url')})")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = browser.new_context(
                base_url=served.api_url, viewport={"width": 1400, "height": 900}
            )
            context.on("response", on_response)
            page = context.new_page()
            page.on("console", on_console)
            page.on("pageerror", lambda error: errors.append(str(error)))
            try:
                walk_every_page(page, served.api_url)
            except AssertionError as error:  # say what the app answered, not only what showed
                raise AssertionError(f"{error}\nfailed: {failed}\nerrors: {errors}") from error
            context.close()
        finally:
            browser.close()
    assert failed == []
    assert errors == []
    # The project page's scripts came from the package, a folder down included.
    assert f"{served.api_url}/static/js/project.js" in fetched
    assert f"{served.api_url}/static/js/project/live.js" in fetched
    assert f"{served.api_url}/static/css/app.css" in fetched


def walk_every_page(page: Page, base_url: str) -> None:
    """Sign in as the demo's Ana and go where a person would, by the app's own links:
    Home, My Tasks, a search, a project as a List and as a Board, a task's pane and the
    project's members."""
    page.goto("/login")
    page.get_by_test_id("login-email").fill("ana@example.com")
    page.get_by_test_id("login-password").fill("tasklane-demo")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base_url}/")
    expect(page.get_by_test_id("project-card")).to_have_count(3)

    page.get_by_role("link", name="My Tasks").first.click()
    page.wait_for_url("**/my-tasks")
    expect(page.get_by_test_id("my-tasks")).to_contain_text("Build the new navigation")

    page.get_by_test_id("search-input").fill("navigation")
    page.get_by_test_id("search-input").press("Enter")
    page.wait_for_url("**/search?q=navigation")
    expect(page.get_by_test_id("search-results")).to_contain_text("Build the new navigation")

    page.get_by_role("link", name="Home").click()
    page.get_by_test_id("project-card").filter(has_text="Website relaunch").get_by_role(
        "link"
    ).click()
    page.wait_for_url("**/projects/proj_*")
    expect(page.get_by_test_id("list-view")).to_contain_text("Build the new navigation")
    expect(page.get_by_test_id("status-indicator")).to_have_text("Live", timeout=LIVE_WITHIN)

    page.get_by_test_id("view-board").click()
    page.wait_for_url("**/board")
    expect(page.get_by_test_id("board-column")).to_have_count(3)
    expect(page.get_by_test_id("status-indicator")).to_have_text("Live", timeout=LIVE_WITHIN)

    page.get_by_test_id("task-card").filter(has_text="Build the new navigation").get_by_test_id(
        "task-name"
    ).click()
    pane = page.get_by_test_id("task-pane")
    expect(pane.get_by_test_id("pane-name")).to_have_value("Build the new navigation")
    expect(pane.get_by_test_id("comment")).to_have_count(2)
    expect(pane.get_by_test_id("subtask")).to_have_count(3)

    page.get_by_test_id("share").click()
    page.wait_for_url("**/members")
    expect(page.get_by_test_id("member-row")).to_have_count(3)


# -- the agent interfaces: extras ----------------------------------------------------


def test_the_agent_interfaces_are_extras_of_the_server(distributions: Distributions) -> None:
    fields = metadata(distributions.server_wheel)
    assert {"mcp", "gymnasium", "browsergym"} <= set(fields.get_all("Provides-Extra", []))
    wanted = {"mcp": "mcp", "gymnasium": "gymnasium", "browsergym": "browsergym-core"}
    extras = [r for r in fields.get_all("Requires-Dist", []) if "extra ==" in r]
    for extra, package in wanted.items():
        assert any(r.startswith(package) and f'extra == "{extra}"' in r for r in extras), extra


def test_the_installed_mcp_command_names_its_extra_until_it_is_installed(
    installed: Path, distributions: Distributions
) -> None:
    """Last in this file: it installs the extras into the environment the others use."""

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(installed / "bin" / command[0]), *command[1:]],
            capture_output=True,
            text=True,
            check=False,
            env=plain_environ(installed),
            cwd=installed,
            timeout=300,
        )

    unreachable = ["tasklane", "mcp", "--url", "http://127.0.0.1:9", "--token", "tl_none"]
    before = run(*unreachable)
    assert before.returncode == 2
    assert "pip install 'tasklane-server[mcp]'" in before.stderr
    extras = install(
        installed,
        *("-c", str(REPO / "requirements" / "lock.txt")),
        *("--find-links", str(distributions.folder)),
        f"tasklane-server[mcp,gymnasium]=={VERSION}",
    )
    assert extras.returncode == 0, extras.stderr
    after = run(*unreachable)
    assert after.returncode == 1
    assert "Could not sign in at http://127.0.0.1:9" in after.stderr
    imported = run(
        "python",
        "-c",
        "import gymnasium, tasklane.agents.gym_env as e; print(gymnasium.spec(e.ENV_ID).id)",
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "tasklane/Tools-v0"
