"""Takes the README's screenshot: the demo workspace's board, live, with two people
present. Run with `make screenshot` (it needs Debian's Chromium)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "images" / "board.png"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    port, ws_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "PORT": str(port), "WS_PORT": str(ws_port), "DATA_DIR": data}
        tasklane = Path(sys.executable).parent / "tasklane"
        server = subprocess.Popen(
            [str(tasklane), "serve", "--demo"], env=env, stdout=subprocess.DEVNULL
        )
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            tokens = {
                who: httpx.post(
                    f"{base}/api/auth/login",
                    json={"email": f"{who}@example.com", "password": "tasklane-demo"},
                ).json()["token"]
                for who in ("ana", "ben")
            }
            projects = httpx.get(
                f"{base}/api/projects", headers={"Authorization": f"Bearer {tokens['ana']}"}
            ).json()
            board = f"/projects/{projects[0]['id']}/board"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
                )
                pages = []
                for who in ("ben", "ana"):
                    context = browser.new_context(
                        base_url=base, viewport={"width": 1400, "height": 900}
                    )
                    context.add_cookies(
                        [{"name": "tasklane_session", "value": tokens[who], "url": base}]
                    )
                    page = context.new_page()
                    page.goto(board)
                    page.get_by_test_id("status-indicator").filter(has_text="Live").wait_for()
                    pages.append(page)
                pages[-1].wait_for_timeout(500)
                OUT.parent.mkdir(parents=True, exist_ok=True)
                pages[-1].screenshot(path=str(OUT))
                browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
