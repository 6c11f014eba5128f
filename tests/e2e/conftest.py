"""Browser journeys: a real server (`lms run` on a fresh SQLite database with demo data) serving the built
web app, driven by Playwright through Debian's Chromium. Skipped when Chromium or the web build is missing,
unless LMS_TEST_REQUIRE_BROWSER=1 (as in CI), which makes that a failure."""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = ROOT / "web" / "dist"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
REQUIRE = os.environ.get("LMS_TEST_REQUIRE_BROWSER") == "1"
CHROMIUM = os.environ.get("LMS_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"{reason} (LMS_TEST_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, url: str, data_dir: Path) -> None:
        self.url = url
        self.data_dir = data_dir

    def mails_to(self, address: str) -> list[str]:
        """Plain-text bodies of the messages the dev mail sink wrote for this address."""
        directory = self.data_dir / "mail"
        bodies = []
        for path in sorted(directory.glob("*.eml")):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(msg["To"]):
                part = msg.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
                bodies.append(str(part.get_content()) if part else "")
        return bodies

    def link_from_mail(self, address: str, path: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for text in reversed(self.mails_to(address)):
                match = re.search(rf"{re.escape(path)}\?token=([A-Za-z0-9_\-]+)", text)
                if match:
                    return f"{self.url}{path}?token={match.group(1)}"
            time.sleep(0.2)
        raise AssertionError(f"no {path} link mailed to {address}")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not (WEB_DIST / "index.html").exists():
        _unavailable("web/dist is not built (make web)")
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    env = {
        **os.environ,
        "LMS_DATA_DIR": str(data_dir),
        "LMS_PORT": str(port),
        "LMS_HOST": "127.0.0.1",
        "LMS_DATABASE_URL": f"sqlite:///{data_dir}/lms.db",
        "LMS_BCRYPT_ROUNDS": "4",
        "LMS_RATE_LIMIT_AUTH": "10000/900",
        "LMS_RATE_LIMIT_DEFAULT": "100000/900",
        "LMS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LMS_RELAY_POLL_SECONDS": "0.2",
        "LMS_WEB_DIST_DIR": str(WEB_DIST),
    }
    for key in ("LMS_REDIS_URL", "LMS_EVENT_BROKER"):
        env.pop(key, None)
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "lms.cli", "run"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("server did not start:\n" + (data_dir / "server.log").read_text()[-3000:])
        time.sleep(0.3)
    yield LiveServer(url, data_dir)
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: object, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context; console errors fail the test; a screenshot is saved at the end."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    # 401 on the silent session refresh of an anonymous visitor and 4xx shown to the user are expected.
    real = [e for e in errors if "Failed to load resource" not in e]
    assert real == [], f"console errors: {real}"


def screenshot(pg: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


AXE_JS = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(pg: object) -> list[dict[str, object]]:
    """Serious and critical axe-core violations on the current page."""
    if not AXE_JS.exists():
        _unavailable("web/node_modules/axe-core is missing (npm ci in web/)")
    pg.add_script_tag(path=str(AXE_JS))  # type: ignore[attr-defined]
    result = pg.evaluate("async () => (await axe.run(document)).violations")  # type: ignore[attr-defined]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
