"""Analytics dashboards on 1,000,000 events (by hand, not in CI).

Fills a fresh MariaDB/MySQL database with 1,000,000 analytics events over a year (bulk insert), builds
the daily rollups and daily active users from them with set-based SQL (the same figures the consumers
keep one event at a time), starts a real server on it and measures the dashboards' calls next to the
same run's empty endpoint (/healthz).

    LMS_BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306/test .venv/bin/python bench/analytics_dashboard.py

Options: --events N, --requests N (per endpoint), --concurrency N, --keep (reuse the filled database).
Target: p95 < 50 ms for every dashboard call.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from lms import migrate
from lms.config import Settings, to_async_url
from lms.core.passwords import hash_password_sync
from lms.core.runtime import build_runtime
from lms.users import service as users_service
from lms.users.models import Role

ROOT = Path(__file__).resolve().parents[1]
DB_NAME = "lms_bench_analytics"
END = date(2026, 11, 24)
DAYS = 365
COURSES = 500
USERS = 100_000
# (type, share of events)
MIX = [
    ("lesson.completed", 0.45),
    ("quiz.submitted", 0.2),
    ("user.active", 0.12),
    ("enrollment.created", 0.1),
    ("payment.success", 0.05),
    ("user.registered", 0.04),
    ("course.completed", 0.02),
    ("certificate.issued", 0.02),
]


def server_url(base: str, name: str) -> str:
    head, _, _ = base.rpartition("/")
    return f"{head}/{name}"


async def fill(url: str, events: int) -> float:
    engine = create_async_engine(to_async_url(url))
    rng = random.Random(42)
    types = [t for t, _ in MIX]
    weights = [w for _, w in MIX]
    start = datetime(END.year, END.month, END.day, tzinfo=UTC) - timedelta(days=DAYS - 1)
    sql = (
        "INSERT INTO analytics_events (id, type, occurred_at, user_id, course_id, amount, currency, data) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    )
    began = time.perf_counter()
    batch_size = 10_000

    def event_id(when: datetime) -> str:
        # The app's ids are UUIDv7-like (lms.core.ids.new_id): time-ordered, so the event store's primary key
        # grows at its end. Random UUID4s would scatter 1M inserts over the whole index (and make the fill
        # ~10x slower once the table outgrows the buffer pool).
        ms = int(when.timestamp() * 1000)
        rand = rng.getrandbits(74)
        value = (ms << 80) | (0x7 << 76) | ((rand >> 62) & 0xFFF) << 64 | (0b10 << 62) | (rand & ((1 << 62) - 1))
        return str(uuid.UUID(int=value))

    def day_events() -> Iterator[tuple[str, str, datetime, str, str | None, int | None, str | None, str]]:
        """The events in time order, day by day (as the consumers would have recorded them)."""
        per_day, extra = divmod(events, DAYS)
        for d in range(DAYS):
            day_start = start + timedelta(days=d)
            seconds = sorted(rng.randrange(86400) for _ in range(per_day + (1 if d < extra else 0)))
            for second in seconds:
                when = day_start + timedelta(seconds=second, microseconds=rng.randrange(1_000_000))
                etype = rng.choices(types, weights)[0]
                user = f"user-{rng.randrange(USERS):06d}"
                course = None if etype in ("user.registered", "user.active") else f"course-{rng.randrange(COURSES):04d}"
                amount = currency = None
                data: dict[str, object] = {"user_id": user}
                if course:
                    data["course_id"] = course
                if etype == "payment.success":
                    currency = "INR" if rng.random() < 0.8 else "USD"
                    amount = rng.choice([49900, 99900, 149900]) if currency == "INR" else rng.choice([1999, 4999])
                    data.update(amount=amount, currency=currency)
                elif etype == "quiz.submitted":
                    score = rng.randrange(0, 101)
                    data.update(score_percent=score, passed=score >= 60)
                yield (
                    event_id(when), etype, when.replace(tzinfo=None), user, course, amount, currency, json.dumps(data)
                )  # fmt: skip

    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        done = 0
        source = day_events()
        while done < events:
            rows = list(itertools.islice(source, batch_size))
            async with driver.cursor() as cur:
                await cur.executemany(sql, rows)
            await driver.commit()
            done += len(rows)
            print(f"  {done:,} events", end="\r", flush=True)
        print()
        # Rollups and DAU from the store, set-based (what the consumers do per event).
        rollups = [
            ("registrations", "user.registered", "''", "1"),
            ("enrollments", "enrollment.created", "''", "1"),
            ("completions", "course.completed", "''", "1"),
            ("lesson_completions", "lesson.completed", "''", "1"),
            ("certificates", "certificate.issued", "''", "1"),
            ("quiz_submissions", "quiz.submitted", "''", "1"),
            ("payments", "payment.success", "currency", "1"),
            ("revenue", "payment.success", "currency", "amount"),
        ]
        statements = []
        for metric, etype, cur_expr, value in rollups:
            for course_expr, where in (("''", ""), ("course_id", " AND course_id IS NOT NULL")):
                statements.append(
                    f"INSERT INTO analytics_daily (course_id, day, metric, currency, value) "
                    f"SELECT {course_expr}, DATE(occurred_at), '{metric}', {cur_expr}, SUM({value}) "
                    f"FROM analytics_events WHERE type = '{etype}'{where} "
                    f"GROUP BY {course_expr}, DATE(occurred_at), {cur_expr}"
                )
        for course_expr, where in (("''", ""), ("course_id", " AND course_id IS NOT NULL")):
            statements.append(
                f"INSERT INTO analytics_daily (course_id, day, metric, currency, value) "
                f"SELECT {course_expr}, DATE(occurred_at), 'quiz_passes', '', COUNT(*) FROM analytics_events "
                f"WHERE type = 'quiz.submitted' AND JSON_EXTRACT(data, '$.passed') = true{where} "
                f"GROUP BY {course_expr}, DATE(occurred_at)"
            )
            statements.append(
                f"INSERT INTO analytics_daily (course_id, day, metric, currency, value) "
                f"SELECT {course_expr}, DATE(occurred_at), 'quiz_score_sum', '', "
                f"SUM(JSON_EXTRACT(data, '$.score_percent') * 100) FROM analytics_events "
                f"WHERE type = 'quiz.submitted'{where} GROUP BY {course_expr}, DATE(occurred_at)"
            )
        statements.append(
            "INSERT IGNORE INTO analytics_active_users (day, user_id) "
            "SELECT DISTINCT DATE(occurred_at), user_id FROM analytics_events "
            "WHERE type IN ('user.active', 'lesson.completed', 'quiz.submitted', 'enrollment.created', "
            "'user.registered')"
        )
        statements.append(
            "INSERT INTO analytics_daily (course_id, day, metric, currency, value) "
            "SELECT '', day, 'active_users', '', COUNT(*) FROM analytics_active_users GROUP BY day"
        )
        for stmt in statements:
            await conn.execute(text(stmt))
        await conn.commit()
        counts = {}
        for table in ("analytics_events", "analytics_daily", "analytics_active_users"):
            counts[table] = (await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
        print("  rows:", counts)
    await engine.dispose()
    return time.perf_counter() - began


async def admin_token(settings: Settings) -> str:
    rt = build_runtime(settings)
    try:
        async with rt.sessionmaker() as session, session.begin():
            user = await users_service.get_by_email(session, "bench-admin@example.edu")
            if user is None:
                user = await users_service.create(
                    session,
                    email="bench-admin@example.edu",
                    full_name="Bench Admin",
                    role=Role.ADMIN,
                    password_hash=hash_password_sync("Bench-Admin-123", 4),
                    verified=True,
                )
        return rt.signer.issue(user_id=user.id, email=user.email, role=user.role, session_id=None)[0]
    finally:
        await rt.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def measure(base: str, path: str, headers: dict[str, str], requests: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for _ in range(min(20, requests)):  # warm-up
            (await client.get(path)).raise_for_status()

        async def worker() -> None:
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t = time.perf_counter()
                resp = await client.get(path)
                latencies.append((time.perf_counter() - t) * 1000)
                resp.raise_for_status()

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return {
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "p99": pct(latencies, 99),
        "mean": statistics.fmean(latencies),
        "rps": requests / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="reuse an already filled database")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cache-seconds", type=int, default=0, help="dashboard cache TTL (0: every call queries)")
    parser.add_argument("--report", type=Path, default=ROOT / "var" / "bench" / "results_analytics.json")
    args = parser.parse_args()

    base_url = os.environ.get("LMS_BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
    url = server_url(base_url, DB_NAME)
    data_dir = ROOT / "var" / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    if not args.keep:

        async def recreate() -> None:
            engine = create_async_engine(to_async_url(base_url), isolation_level="AUTOCOMMIT")
            async with engine.connect() as conn:
                await conn.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME}"))
                await conn.execute(text(f"CREATE DATABASE {DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
            await engine.dispose()

        asyncio.run(recreate())
        migrate.upgrade(url)
        print(f"Filling {args.events:,} events into {DB_NAME} ...")
        fill_seconds = asyncio.run(fill(url, args.events))
        print(f"  filled in {fill_seconds:.1f}s ({args.events / fill_seconds:,.0f} events/s)")
    settings = Settings(database_url=url, data_dir=data_dir, environment="production")
    token = asyncio.run(admin_token(settings))

    env = {
        **os.environ,
        "LMS_DATABASE_URL": url,
        "LMS_DATA_DIR": str(data_dir),
        "LMS_RUN_RELAY_IN_PROCESS": "false",
        "LMS_RATE_LIMIT_ENABLED": "false",
        "LMS_LOG_LEVEL": "WARNING",
        "LMS_ANALYTICS_CACHE_SECONDS": str(args.cache_seconds),
    }
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "lms.asgi:app", "--port", str(args.port), "--log-level", "warning"),
            *("--no-access-log", "--loop", "uvloop", "--http", "httptools"),
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {token}"}
        last90 = f"from={END - timedelta(days=89)}&to={END}"
        year = f"from={END - timedelta(days=365)}&to={END}"
        scenarios = [
            ("GET /healthz (baseline)", "/healthz", {}),
            ("admin summary, 90 days by day", f"/api/v1/analytics/admin/summary?{last90}", auth),
            ("admin summary, 366 days by day", f"/api/v1/analytics/admin/summary?{year}", auth),
            ("admin summary, 366 days by week", f"/api/v1/analytics/admin/summary?{year}&granularity=week", auth),
            ("course report, 90 days by day", f"/api/v1/analytics/instructor/courses/course-0042?{last90}", auth),
            (
                "course report, 366 days by month",
                f"/api/v1/analytics/instructor/courses/course-0042?{year}&granularity=month",
                auth,
            ),
            ("admin CSV export, 90 days", f"/api/v1/analytics/admin/export.csv?{last90}", auth),
        ]
        results = {}
        for name, path, headers in scenarios:
            results[name] = asyncio.run(measure(base, path, headers, args.requests, args.concurrency))
            r = results[name]
            print(
                f"{name:36s} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  p99 {r['p99']:6.1f} ms  "
                f"{r['rps']:7.0f} req/s"
            )
        args.report.write_text(
            json.dumps(
                {
                    "events": args.events,
                    "concurrency": args.concurrency,
                    "cache_seconds": args.cache_seconds,
                    "results": results,
                },
                indent=2,
            )
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
