"""Scheduled email work: retry failed messages, send any queued one a crash left behind, and send the
scheduled kinds (quiz due-date reminders, daily digests)."""

from __future__ import annotations

from lms.core.runtime import Runtime
from lms.core.scheduler import Scheduler
from lms.emails import scheduled, service


async def retry_emails(rt: Runtime) -> None:
    await service.deliver_due(rt)


async def due_reminders(rt: Runtime) -> None:
    await scheduled.send_due_reminders(rt)


async def digests(rt: Runtime) -> None:
    await scheduled.send_digests(rt)


def register(scheduler: Scheduler) -> None:
    scheduler.job("emails.retry", every_seconds=30, lease_seconds=900)(retry_emails)
    scheduler.job("emails.due_reminders", every_seconds=15 * 60, lease_seconds=900)(due_reminders)
    scheduler.job("emails.digests", every_seconds=3600, lease_seconds=1800)(digests)
