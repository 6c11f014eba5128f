"""One student's exam, request by request, in process: SQL round trips, time, and a pyinstrument profile of
each step (start, autosave, submit). Run by hand, never in CI:

    LMS_BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306/test .venv/bin/python bench/profile_exam.py [--students 20]
        [--echo] [--profile]

The same scratch database as bench/exam_burst.py; the server's relay does not run, so what is measured is the
request alone (the consumers of quiz.submitted run later, off the request path).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from exam_burst import _admin_sql, _replace_db, answer, prepare  # bench/ is on sys.path when run as a script
from sqlalchemy import event

from lms import migrate
from lms.config import Settings
from lms.core.runtime import build_runtime
from lms.main import create_app


async def run(settings: Settings, students: int, echo: bool, profile: bool, calls: bool) -> None:
    quiz_id, tokens = await prepare(settings, students)
    rt = build_runtime(settings)
    statements: list[str] = []

    @event.listens_for(rt.engine.sync_engine, "before_cursor_execute")
    def _count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split())[:160])

    app = create_app(settings, runtime=rt)
    timings: dict[str, list[float]] = {"healthz": [], "me": [], "start": [], "autosave": [], "submit": []}
    cpu: dict[str, list[float]] = {k: [] for k in timings}
    counts: dict[str, list[int]] = {k: [] for k in timings}
    profilers: dict[str, Any] = {}
    if profile:
        from pyinstrument import Profiler

        profilers = {k: Profiler(interval=0.0005, async_mode="disabled") for k in timings}
    cprofile = os.environ.get("PROFILE_CPROFILE")  # a step name: cProfile that step, print by cumulative time
    if cprofile or calls:
        import cProfile

        profilers = {k: cProfile.Profile() for k in timings if calls or k == cprofile}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def call(step: str, method: str, path: str, token: str, last: bool, **kw: Any) -> httpx.Response:
            if warm_up:  # the first student builds FastAPI's lazy route state and fills caches: not measured
                resp = await client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)
                assert resp.status_code < 300, resp.text
                return resp
            await asyncio.sleep(0.002)  # let the previous request's leftovers (connection check-in, ...) run first
            statements.clear()
            profiler = profilers.get(step)
            if profiler is not None:
                profiler.enable() if cprofile or calls else profiler.start()
            t0, c0 = time.perf_counter(), time.process_time()
            resp = await client.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kw)
            timings[step].append((time.perf_counter() - t0) * 1000)
            cpu[step].append((time.process_time() - c0) * 1000)
            if profiler is not None:
                profiler.disable() if cprofile or calls else profiler.stop()
            assert resp.status_code < 300, resp.text
            counts[step].append(len(statements))
            if echo and (last or (step == "submit" and len(statements) > max(counts[step][:-1], default=0))):
                print(f"--- {step}: {len(statements)} statements")
                for s in statements:
                    print("   ", s)
            return resp

        for n, token in enumerate(tokens):
            last, warm_up = n == len(tokens) - 1, n == 0
            # The floor every request pays: an empty endpoint, and one that only authenticates.
            await call("healthz", "GET", "/healthz", token, False)
            await call("me", "GET", "/api/v1/auth/me", token, False)
            attempt = (await call("start", "POST", f"/api/v1/quizzes/{quiz_id}/attempts", token, last)).json()
            qs = attempt["questions"]
            for part in (qs[:10], qs[10:]):
                body = {"answers": {q["id"]: answer(q) for q in part}}
                await call("autosave", "PUT", f"/api/v1/attempts/{attempt['id']}/answers", token, last, json=body)
            await call("submit", "POST", f"/api/v1/attempts/{attempt['id']}/submit", token, last)
    await rt.close()
    python_calls: dict[str, float] = {}
    if cprofile or calls:
        import pstats

        for step, profiler in profilers.items():
            stats = pstats.Stats(profiler)
            python_calls[step] = stats.total_calls / len(timings[step])  # type: ignore[attr-defined]
            if step == cprofile:
                stats.sort_stats("cumulative").print_stats(70)
                stats.sort_stats("tottime").print_stats(40)
        profilers = {}
    for step, profiler in profilers.items():
        print(f"=== {step}: all requests, by own time")
        print("\n".join(profiler.output_text(unicode=True, flat=True).splitlines()[:45]))
        print(f"=== {step}: all requests, call tree")
        print(profiler.output_text(unicode=True))
    print("| step | SQL statements (min-max) | Python calls | median ms | min ms | median CPU ms (client + app) |")
    print("|---|---:|---:|---:|---:|---:|")
    for step, values in timings.items():
        n = counts[step]
        print(
            f"| {step} | {min(n)}-{max(n)} | {python_calls.get(step, 0):.0f} | {statistics.median(values):.1f} "
            f"| {min(values):.1f} | {statistics.median(cpu[step]):.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--echo", action="store_true", help="print the SQL of the last student's requests")
    parser.add_argument("--profile", action="store_true", help="pyinstrument every step (flat and tree)")
    parser.add_argument("--calls", action="store_true", help="count Python function calls per request (cProfile)")
    args = parser.parse_args()
    server_url = os.environ.get("LMS_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
    name = f"lms_prof_{uuid.uuid4().hex[:8]}"
    if server_url.startswith("sqlite"):
        db_url = f"sqlite:///{tempfile.mkdtemp()}/{name}.db"
    else:
        create = f"CREATE DATABASE {name}"
        if server_url.startswith("mysql"):
            create += " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        asyncio.run(_admin_sql(server_url, [create]))
        db_url = _replace_db(server_url, name)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(
                database_url=db_url,
                data_dir=Path(data_dir),
                bcrypt_rounds=4,
                rate_limit_enabled=False,
                log_level="WARNING",
            )
            migrate.upgrade(db_url)
            asyncio.run(run(settings, args.students, args.echo, args.profile, args.calls))
    finally:
        if not server_url.startswith("sqlite"):
            asyncio.run(_admin_sql(server_url, [f"DROP DATABASE IF EXISTS {name}"]))


if __name__ == "__main__":
    main()
