"""Scheduled work of the quizzes domain, for the worker process (``lms worker``) to run periodically."""

from __future__ import annotations

from lms.core.db import unit_of_work
from lms.core.runtime import Runtime
from lms.quizzes import service as quizzes_service


async def sweep_expired_attempts(rt: Runtime, *, batch: int = 200) -> int:
    """Close and grade every attempt whose deadline has passed; returns how many were closed."""
    total = 0
    while True:
        async with unit_of_work(rt.sessionmaker) as session:
            closed = await quizzes_service.close_expired_attempts(session, settings=rt.settings, limit=batch)
        total += closed
        if closed < batch:
            return total
