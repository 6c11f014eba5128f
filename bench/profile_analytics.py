"""The analytics dashboards' calls one at a time, in process, on the database bench/analytics_dashboard.py filled:
SQL statements (and their EXPLAIN), time and CPU per call, optionally a pyinstrument profile. By hand:

    LMS_BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306/test .venv/bin/python bench/profile_analytics.py \\
        [--requests 50] [--explain] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from analytics_dashboard import DB_NAME, END, ROOT, admin_token, server_url  # bench/ is on sys.path
from sqlalchemy import event

from lms.config import Settings
from lms.core.runtime import build_runtime
from lms.main import create_app


def scenarios() -> list[tuple[str, str]]:
    last90 = f"from={END - timedelta(days=89)}&to={END}"
    year = f"from={END - timedelta(days=365)}&to={END}"
    course = "/api/v1/analytics/instructor/courses/course-0042"
    return [
        ("admin summary, 90 days by day", f"/api/v1/analytics/admin/summary?{last90}"),
        ("admin summary, 366 days by day", f"/api/v1/analytics/admin/summary?{year}"),
        ("admin summary, 366 days by week", f"/api/v1/analytics/admin/summary?{year}&granularity=week"),
        ("course report, 90 days by day", f"{course}?{last90}"),
        ("course report, 366 days by month", f"{course}?{year}&granularity=month"),
        ("admin CSV export, 90 days", f"/api/v1/analytics/admin/export.csv?{last90}"),
    ]


async def run(settings: Settings, requests: int, explain: bool, profile: bool, no_freeze: bool) -> None:
    token = await admin_token(settings)
    rt = build_runtime(settings)
    statements: list[tuple[str, Any]] = []

    @event.listens_for(rt.engine.sync_engine, "before_cursor_execute")
    def _record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    app = create_app(settings, runtime=rt)
    gc_ms = [0.0, 0.0]

    def _gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_ms[1] = time.perf_counter()
        else:
            gc_ms[0] += (time.perf_counter() - gc_ms[1]) * 1000

    gc.callbacks.append(_gc)
    if not no_freeze:  # as lms.asgi does in a server process
        gc.collect()
        gc.freeze()
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for name, path in scenarios():
            (await client.get(path, headers=headers)).raise_for_status()  # warm-up
            wall, cpu = [], []
            gc_ms[0] = 0.0
            profiler = None
            if profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005, async_mode="disabled")
            for _ in range(requests):
                statements.clear()
                if profiler is not None:
                    profiler.start()
                t0, c0 = time.perf_counter(), time.process_time()
                (await client.get(path, headers=headers)).raise_for_status()
                wall.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                if profiler is not None:
                    profiler.stop()
            rows.append(
                (name, len(statements), statistics.median(wall), min(wall), statistics.median(cpu), gc_ms[0] / requests)
            )
            if profiler is not None:
                print(f"=== {name}")
                print(profiler.output_text(unicode=True))
            if explain:
                print(f"=== {name}: {len(statements)} statements")
                async with rt.engine.connect() as conn:
                    for statement, params in list(statements):
                        print("   ", " ".join(statement.split())[:300])
                        if statement.lstrip().upper().startswith("SELECT") and "analytics" in statement:
                            plan = await conn.exec_driver_sql("EXPLAIN " + statement, params)
                            for line in plan:
                                print("      ", tuple(line))
    await rt.close()
    print("| call | SQL statements | median ms | min ms | median CPU ms | GC ms per call |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, med, low, c, g in rows:
        print(f"| {name} | {n} | {med:.1f} | {low:.1f} | {c:.1f} | {g:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-freeze", action="store_true", help="skip gc.freeze() (lms.asgi freezes)")
    args = parser.parse_args()
    url = server_url(os.environ.get("LMS_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"), DB_NAME)
    data_dir = ROOT / "var" / "bench"
    settings = Settings(
        database_url=url,
        data_dir=Path(data_dir),
        environment="production",
        log_level="WARNING",
        rate_limit_enabled=False,
        run_relay_in_process=False,
        analytics_cache_seconds=0,
    )
    asyncio.run(run(settings, args.requests, args.explain, args.profile, args.no_freeze))


if __name__ == "__main__":
    main()
