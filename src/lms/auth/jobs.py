"""Housekeeping of credentials: expired or used single-use tokens and expired refresh tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from lms.auth.models import OneTimeToken, RefreshToken
from lms.core.db import utcnow
from lms.core.runtime import Runtime
from lms.core.scheduler import Scheduler


async def cleanup_tokens(rt: Runtime) -> None:
    now = utcnow()
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(
            delete(OneTimeToken).where(
                or_(OneTimeToken.expires_at < now, OneTimeToken.used_at < now - timedelta(days=1))
            )
        )
        # Expired refresh tokens cannot be used; a day's grace keeps reuse detection meaningful.
        await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now - timedelta(days=1)))


def register(scheduler: Scheduler) -> None:
    scheduler.job("auth.cleanup_tokens", every_seconds=3600)(cleanup_tokens)
