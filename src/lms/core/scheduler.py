"""Scheduled jobs with a database lease, so several workers never run one job twice at once.

Domains add jobs by appending a ``register(scheduler)`` function to ``DOMAIN_JOBS`` in ``lms.main``
(payment reconciliation, reminders, digests, ...). A job runs when its interval has passed since its
last run and its lease (``scheduled_jobs.locked_until``) is free; the lease is taken by a conditional
UPDATE, so among racing workers exactly one runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import String, Text, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, UTCDateTime, utcnow
from lms.core.events import describe_error

if TYPE_CHECKING:
    from lms.core.runtime import Runtime

log = structlog.get_logger("lms.scheduler")
JobFunc = Callable[["Runtime"], Awaitable[None]]


class ScheduledJobRow(Base):
    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    interval: timedelta
    func: JobFunc
    lease: timedelta


class Scheduler:
    def __init__(self, owner: str = "") -> None:
        self.jobs: dict[str, ScheduledJob] = {}
        self.owner = owner

    def job(self, name: str, *, every_seconds: float, lease_seconds: float = 600) -> Callable[[JobFunc], JobFunc]:
        """Register ``async def job(rt)`` to run every ``every_seconds`` on one worker at a time."""

        def register(func: JobFunc) -> JobFunc:
            self.jobs[name] = ScheduledJob(
                name, timedelta(seconds=every_seconds), func, timedelta(seconds=lease_seconds)
            )
            return func

        return register

    async def _acquire(self, rt: Runtime, job: ScheduledJob, now: datetime) -> bool:
        async with rt.sessionmaker() as session:
            try:
                async with session.begin():
                    session.add(ScheduledJobRow(name=job.name))
            except IntegrityError:
                pass  # another worker created it first
        async with rt.sessionmaker() as session, session.begin():
            result = await session.execute(
                update(ScheduledJobRow)
                .where(
                    ScheduledJobRow.name == job.name,
                    or_(ScheduledJobRow.locked_until.is_(None), ScheduledJobRow.locked_until < now),
                    or_(ScheduledJobRow.last_run_at.is_(None), ScheduledJobRow.last_run_at <= now - job.interval),
                )
                .values(locked_until=now + job.lease, locked_by=self.owner[:100] or None)
            )
            return getattr(result, "rowcount", 0) == 1

    async def _release(self, rt: Runtime, job: ScheduledJob, started: datetime, error: str | None) -> None:
        async with rt.sessionmaker() as session, session.begin():
            await session.execute(
                update(ScheduledJobRow)
                .where(ScheduledJobRow.name == job.name)
                .values(locked_until=None, locked_by=None, last_run_at=started, last_error=error)
            )

    async def run_job(self, rt: Runtime, name: str, *, now: datetime | None = None) -> bool:
        """Run one job if it is due and its lease is free. True when this call ran it."""
        job = self.jobs[name]
        started = now or utcnow()
        if not await self._acquire(rt, job, started):
            return False
        error: str | None = None
        try:
            await job.func(rt)
        except Exception as exc:
            error = describe_error(exc)[:4000]
            log.exception("scheduled_job_failed", job=name)
        await self._release(rt, job, started, error)
        return True

    async def run_due(self, rt: Runtime) -> list[str]:
        """Run every due job once; returns the names this call ran."""
        ran = []
        for name in list(self.jobs):
            try:
                if await self.run_job(rt, name):
                    ran.append(name)
            except Exception:
                log.exception("scheduler_error", job=name)
        return ran

    async def run(self, rt: Runtime, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.run_due(rt)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=rt.settings.scheduler_tick_seconds)
