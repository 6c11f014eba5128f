"""Page loads measured in the browser (issue 7: "a page load on localhost under 1 s").

Starts a real `lms serve` on a fresh SQLite database with the demo catalog, then loads each main page
in Debian's Chromium (headless, via Playwright) in a fresh browser context every time, so nothing is
cached: a first visit. Two figures per load, both read from the page's own clock:
- "load": the navigation's loadEventEnd (HTML, JS, CSS fetched and run);
- "ready": when the page's main heading is on screen with its data (the figure a user feels).
The baseline is the same measurement of `/healthz` (one small JSON document) in the same run.

    .venv/bin/python bench/page_load.py [--loads 30] [--write]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from harness import Stats, append_results, report, server  # bench/ is on sys.path when run as a script

CHROMIUM = os.environ.get("LMS_TEST_CHROMIUM", "/usr/bin/chromium")
README = Path(__file__).with_name("README.md")


def prepare(env: dict[str, str]) -> None:
    full = {**os.environ, **env}
    for args in (["migrate"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "lms.cli", *args], env=full, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=30, help="loads per page (each in a fresh context)")
    parser.add_argument("--write", action="store_true", help="append the table to bench/README.md")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as data:
        env = {"LMS_DATA_DIR": data, "LMS_DATABASE_URL": f"sqlite:///{data}/lms.db"}
        started = time.perf_counter()
        prepare(env)
        print(f"migrated and seeded the demo in {time.perf_counter() - started:.1f} s")
        with server(env) as url:
            slug = httpx.get(f"{url}/api/v1/courses", params={"page_size": 1}).json()["items"][0]["slug"]
            pages = [
                ("baseline: /healthz", "/healthz", None),
                ("home /", "/", "main h1, main h2"),
                ("catalog /courses", "/courses", "main h1"),
                (f"course page /courses/{slug[:24]}…", f"/courses/{slug}", "main h1"),
                ("certificate check /verify/…", "/verify/JNTUGV-NOT-A-CODE", "main h1"),
            ]
            rows: list[Stats] = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
                for name, path, selector in pages:
                    load_ms: list[float] = []
                    ready_ms: list[float] = []
                    errors = 0
                    t0 = time.perf_counter()
                    for _ in range(args.loads):
                        context = browser.new_context(base_url=url, service_workers="block")
                        page = context.new_page()
                        try:
                            page.goto(path, wait_until="load")
                            if selector:
                                page.locator(selector).first.wait_for()
                            ready = page.evaluate("performance.now()")
                            nav = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
                            load_ms.append(float(nav))
                            ready_ms.append(float(ready))
                        except Exception as exc:  # a failed load is counted, not fatal
                            errors += 1
                            print(f"{name}: {exc}")
                        finally:
                            context.close()
                    seconds = time.perf_counter() - t0
                    rows.append(Stats(f"{name} (load)", args.loads, errors, seconds, load_ms))
                    if selector:
                        rows.append(Stats(f"{name} (ready)", args.loads, errors, seconds, ready_ms))
                browser.close()
    notes = (
        f"{args.loads} first-visit loads per page (fresh browser context, no cache, no service worker), "
        "headless Chromium and one `lms serve` process on SQLite with the demo catalog, same machine; "
        "`load` = loadEventEnd, `ready` = main heading with its data on screen; req/s = loads per second "
        "of the whole loop (browser start-up per context included)."
    )
    section = report(f"Page loads in the browser ({time.strftime('%Y-%m-%d')})", rows, notes)
    if args.write:
        append_results(README, section)


if __name__ == "__main__":
    main()
