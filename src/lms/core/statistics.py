"""Keeping the query planner's statistics fresh.

The catalog and search statements rely on the planner knowing its tables. Without statistics, the
planners chose full scans: on PostgreSQL with autovacuum off (as on the development machine),
instructor, outline and search statements took 11-43 ms at 10,000 courses instead of 0.3-8 ms. SQLite
never gathers statistics by itself. MariaDB's InnoDB recalculates its persistent statistics on its own,
so it is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from lms.core.scheduler import Scheduler

if TYPE_CHECKING:
    from lms.core.runtime import Runtime

# SQLite: ANALYZE reads at most this many rows of each index (approximate, and fast on large files).
SQLITE_ANALYSIS_LIMIT = 2000


async def analyze(engine: AsyncEngine, *, mysql_too: bool = False) -> None:
    """ANALYZE on SQLite and PostgreSQL; on MariaDB/MySQL only with ``mysql_too`` (after a bulk load)."""
    async with engine.connect() as conn:
        dialect = conn.dialect.name
        if dialect == "sqlite":
            await conn.exec_driver_sql(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            await conn.exec_driver_sql("ANALYZE")
        elif dialect == "postgresql":
            await conn.exec_driver_sql("ANALYZE")
        elif mysql_too:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
            await conn.exec_driver_sql("ANALYZE TABLE " + ", ".join(f"`{t}`" for t in tables))
        await conn.commit()


async def refresh(rt: Runtime) -> None:
    """The scheduled job."""
    await analyze(rt.engine)


def register(scheduler: Scheduler) -> None:
    scheduler.job("database.statistics", every_seconds=6 * 3600)(refresh)
