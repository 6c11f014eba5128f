"""Scheduled jobs: the database lease lets exactly one of several racing workers run a job."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from lms.auth.models import OneTimeToken
from lms.core import statistics
from lms.core.db import utcnow
from lms.core.events import OutboxEvent, publish
from lms.core.runtime import Runtime
from lms.core.scheduler import ScheduledJobRow, Scheduler
from lms.main import wire_runtime
from tests.factories import create_user


async def test_racing_schedulers_run_a_job_once(rt: Runtime) -> None:
    runs: list[str] = []

    async def job(rt: Runtime) -> None:
        runs.append("ran")
        await asyncio.sleep(0.05)

    workers = [Scheduler(owner=f"worker-{i}") for i in range(4)]
    for s in workers:
        s.job("test.job", every_seconds=3600)(job)
    results = await asyncio.gather(*(s.run_job(rt, "test.job") for s in workers))
    assert sorted(results) == [False, False, False, True] and runs == ["ran"]
    assert not any(await asyncio.gather(*(s.run_job(rt, "test.job") for s in workers)))  # not due yet
    later = utcnow() + timedelta(hours=1, seconds=1)
    assert await workers[2].run_job(rt, "test.job", now=later)
    assert runs == ["ran", "ran"]


async def test_an_expired_lease_of_a_dead_worker_is_taken_over(rt: Runtime) -> None:
    runs: list[int] = []

    async def job(rt: Runtime) -> None:
        runs.append(1)

    s = Scheduler(owner="alive")
    s.job("test.lease", every_seconds=60, lease_seconds=30)(job)
    async with rt.sessionmaker() as session, session.begin():
        session.add(ScheduledJobRow(name="test.lease", locked_until=utcnow() + timedelta(seconds=30), locked_by="dead"))
    assert not await s.run_job(rt, "test.lease")
    assert await s.run_job(rt, "test.lease", now=utcnow() + timedelta(seconds=31))
    assert runs == [1]


async def test_a_failing_job_records_its_error_and_frees_the_lease(rt: Runtime) -> None:
    async def job(rt: Runtime) -> None:
        raise RuntimeError("gateway timeout")

    s = Scheduler()
    s.job("test.failing", every_seconds=0)(job)
    assert await s.run_job(rt, "test.failing")
    async with rt.sessionmaker() as session:
        row = await session.get(ScheduledJobRow, "test.failing")
    assert row is not None and row.locked_until is None and "gateway timeout" in (row.last_error or "")
    assert await s.run_job(rt, "test.failing")


async def test_cleanup_jobs(rt: Runtime) -> None:
    wire_runtime(rt)
    acct = await create_user(rt)
    old = utcnow() - timedelta(days=60)
    async with rt.sessionmaker() as session, session.begin():
        session.add(OneTimeToken(user_id=acct.user.id, purpose="verify_email", token_hash="a" * 64, expires_at=old))
        session.add(
            OneTimeToken(
                user_id=acct.user.id,
                purpose="verify_email",
                token_hash="b" * 64,
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        publish(session, "test.old", {}).published_at = old
        publish(session, "test.pending", {})
    ran = set(await rt.scheduler.run_due(rt))
    assert ran >= {"auth.cleanup_tokens", "events.cleanup", "emails.retry", "database.statistics"}
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(OneTimeToken)) == 1
        assert list(await session.scalars(select(OutboxEvent.type))) == ["test.pending"]


async def test_planner_statistics_are_refreshed(rt: Runtime) -> None:
    await create_user(rt, email="stats@example.edu")
    await statistics.refresh(rt)
    async with rt.engine.connect() as conn:
        dialect = conn.dialect.name
        if dialect == "sqlite":
            # SQLite records only tables that hold rows.
            analyzed = set((await conn.exec_driver_sql("SELECT tbl FROM sqlite_stat1")).scalars())
            assert "users" in analyzed
        elif dialect == "postgresql":
            rows = await conn.exec_driver_sql(
                "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL"
            )
            assert {"users", "courses", "enrollments"} <= set(rows.scalars())
        else:  # MariaDB keeps its own statistics; after a bulk load the generator asks for ANALYZE TABLE
            await statistics.analyze(rt.engine, mysql_too=True)
            rows = await conn.exec_driver_sql(
                "SELECT table_name FROM mysql.innodb_table_stats WHERE database_name = DATABASE()"
            )
            assert {"users", "courses", "enrollments"} <= set(rows.scalars())
