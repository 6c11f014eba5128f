"""Where the time of one catalog/detail/search/suggest request goes (by hand, not in CI).

Runs the app in this process (no HTTP server) on a loaded database, then for each request prints the
wall time, the SQL statements it ran with their time, and with --pyinstrument a profile of the slowest
scenario. Example:

    .venv/bin/python bench/profile_catalog.py --database-url mysql://root@127.0.0.1:3306/lms_bench_cat
    .venv/bin/python bench/profile_catalog.py --database-url ... --only search --pyinstrument
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalog_search import CATALOG, SEARCHES, SUGGESTS


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("LMS_DATABASE_URL", ""))
    parser.add_argument("--only", default="catalog,detail,search,suggest")
    parser.add_argument("--repeat", type=int, default=3, help="times each request runs (the last is shown)")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print each statement's text")
    parser.add_argument("--cache", action="store_true", help="keep the answer cache on (profile the hits)")
    args = parser.parse_args()
    os.environ.update(
        LMS_DATABASE_URL=args.database_url,
        LMS_LOG_LEVEL="WARNING",
        LMS_RATE_LIMIT_ENABLED="false",
        LMS_RUN_RELAY_IN_PROCESS="false",
        LMS_CATALOG_CACHE_SECONDS="600" if args.cache else "0",
    )
    from lms.config import Settings
    from lms.main import create_app

    app = create_app(Settings(), configure_logs=True)
    engine = app.state.runtime.engine.sync_engine
    statements: list[tuple[float, str]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        statements.append(((time.perf_counter() - conn.info["t0"]) * 1000, statement))

    only = set(args.only.split(","))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            first = (await client.get("/api/v1/courses", params={"page_size": 5})).json()["items"]
            requests: list[tuple[str, str, dict[str, Any]]] = []
            if "catalog" in only:
                requests += [("catalog", "/api/v1/courses", p) for p in CATALOG]
            if "detail" in only:
                requests += [("detail", f"/api/v1/courses/{c['slug']}", {}) for c in first[:3]]
            if "search" in only:
                requests += [("search", "/api/v1/search/courses", p) for p in SEARCHES]
            if "suggest" in only:
                requests += [("suggest", "/api/v1/search/suggest", {"q": q}) for q in SUGGESTS]
            slowest: tuple[float, str, dict[str, Any]] = (0.0, "", {})
            for _kind, path, params in requests:
                for _ in range(args.repeat):
                    statements.clear()
                    t0 = time.perf_counter()
                    resp = await client.get(path, params=params)
                    ms = (time.perf_counter() - t0) * 1000
                assert resp.status_code == 200, resp.text
                sql_ms = sum(t for t, _ in statements)
                print(f"{ms:7.2f} ms  sql {sql_ms:6.2f} ms in {len(statements)} stmts  {path} {params}")
                for t, s in statements:
                    print(f"          {t:6.2f} ms  {' '.join(s.split())[: 2000 if args.sql else 110]}")
                slowest = max(slowest, (ms, path, params), key=lambda x: x[0])
            if args.pyinstrument:
                from pyinstrument import Profiler

                profiler = Profiler(async_mode="enabled", interval=0.0002)
                with profiler:
                    for _ in range(20):
                        await client.get(slowest[1], params=slowest[2])
                print(profiler.output_text(unicode=True, color=False, show_all=bool(os.environ.get("PROFILE_ALL"))))


if __name__ == "__main__":
    asyncio.run(main())
