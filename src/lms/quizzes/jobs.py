"""Scheduled quiz work: close and grade attempts whose deadline passed while nobody touched them."""

from __future__ import annotations

from lms.core.runtime import Runtime
from lms.core.scheduler import Scheduler
from lms.quizzes import service


async def sweep_expired_attempts(rt: Runtime) -> int:
    """Close and grade every attempt past its deadline; returns how many it closed."""
    async with rt.sessionmaker() as session, session.begin():
        return await service.close_expired_attempts(session, settings=rt.settings)


async def close_expired(rt: Runtime) -> None:
    await sweep_expired_attempts(rt)


def register(scheduler: Scheduler) -> None:
    scheduler.job("quizzes.close_expired", every_seconds=60, lease_seconds=300)(close_expired)
