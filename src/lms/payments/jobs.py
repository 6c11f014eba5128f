"""Scheduled payment work: settle orders left pending by asking their providers."""

from __future__ import annotations

from lms.core.runtime import Runtime
from lms.core.scheduler import Scheduler
from lms.payments import service


async def reconcile(rt: Runtime) -> None:
    await service.reconcile_pending(rt)


def register(scheduler: Scheduler) -> None:
    scheduler.job("payments.reconcile", every_seconds=600, lease_seconds=1800)(reconcile)
