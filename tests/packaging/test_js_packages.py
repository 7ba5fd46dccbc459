"""The JavaScript packages as a developer gets them: ``npm pack`` makes clean tarballs
(the sources, the declarations, the README and the licence; no tests), and a project
that installs only the tarballs imports them and type-checks code written against them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = {"@tasklane/realtime": "clients/js/realtime", "@tasklane/react": "clients/js/react"}

pytestmark = pytest.mark.timeout(600)  # installing takes a while on a cold npm cache

CONSUMER = Path(__file__).parent / "js-consumer"  # consumer.ts and its tsconfig.json

IMPORT = """
const realtime = await import("@tasklane/realtime");
const react = await import("@tasklane/react");
const names = (module) => Object.keys(module).sort();
console.log(JSON.stringify({ realtime: names(realtime), react: names(react) }));
"""


def npm(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["npm", *args], cwd=cwd, capture_output=True, text=True, timeout=500, check=False
    )
    assert done.returncode == 0, f"npm {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if shutil.which("npm") is None:
        pytest.fail("npm is needed (Node.js 20.19 or newer): install nodejs and npm")
    subprocess.run([str(ROOT / "scripts" / "install-js.sh")], check=True, timeout=500)
    folder = tmp_path_factory.mktemp("packs")
    workspaces = [arg for name in PACKAGES for arg in ("--workspace", name)]
    out = npm("pack", *workspaces, "--pack-destination", str(folder), "--json", cwd=ROOT)
    return {
        entry["name"]: {**entry, "tarball": folder / entry["filename"]} for entry in json.loads(out)
    }


@pytest.mark.parametrize("name", PACKAGES)
def test_a_tarball_holds_the_sources_the_declarations_and_the_docs(
    packed: dict[str, Any], name: str
) -> None:
    entry = packed[name]
    files = {item["path"] for item in entry["files"]}
    assert {"package.json", "README.md", "LICENSE", "src/index.js", "types/index.d.ts"} <= files
    assert all(path.split("/")[0] in {"src", "types"} or "/" not in path for path in files)
    assert not any(path.startswith(("test/", "node_modules/")) for path in files)
    manifest = json.loads((ROOT / PACKAGES[name] / "package.json").read_text())
    assert entry["version"] == manifest["version"]
    assert not manifest.get("dependencies"), "no runtime dependencies"
    for declared in {path for path in files if path.startswith("src/")}:
        assert declared.replace("src/", "types/").replace(".js", ".d.ts") in files, declared


def test_a_project_that_installs_the_tarballs_imports_and_type_checks_them(
    packed: dict[str, Any], tmp_path: Path
) -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    pinned = {name: lock[f"node_modules/{name}"]["version"] for name in ("react", "@types/react")}
    project = {
        "name": "consumer",
        "private": True,
        "type": "module",
        "dependencies": {
            **{name: f"file:{entry['tarball']}" for name, entry in packed.items()},
            **pinned,
        },
    }
    (tmp_path / "package.json").write_text(json.dumps(project, indent=2))
    for name in ("consumer.ts", "tsconfig.json"):
        shutil.copy(CONSUMER / name, tmp_path / name)
    npm("install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", cwd=tmp_path)
    installed = tmp_path / "node_modules" / "@tasklane"
    assert not (installed / "realtime").is_symlink(), "installed from the tarball, not linked"

    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    checked = subprocess.run(
        [str(tsc), "--project", "tsconfig.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    env = {**os.environ, "NODE_PATH": ""}
    imported = subprocess.run(
        ["node", "--input-type=module", "-e", IMPORT],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert imported.returncode == 0, imported.stderr
    exports = json.loads(imported.stdout)
    assert {"TasklaneRealtime", "TasklaneError", "PROTOCOL_VERSION"} <= set(exports["realtime"])
    assert {
        "WebSocketProvider",
        "useWebSocket",
        "useRealtimeUpdates",
        "useTaskRealtimeUpdates",
        "useCommentRealtimeUpdates",
        "ProjectWebSocketConnector",
        "RealtimeStatus",
        "useProject",
        "useTasks",
        "usePresence",
    } <= set(exports["react"])
