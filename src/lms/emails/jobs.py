"""Scheduled email work: retry failed messages and send any queued one a crash left behind."""

from __future__ import annotations

from lms.core.runtime import Runtime
from lms.core.scheduler import Scheduler
from lms.emails import service


async def retry_emails(rt: Runtime) -> None:
    await service.deliver_due(rt)


def register(scheduler: Scheduler) -> None:
    scheduler.job("emails.retry", every_seconds=30, lease_seconds=900)(retry_emails)
