"""Housekeeping of event delivery: old published outbox rows and processed-event records."""

from __future__ import annotations

from lms.core.scheduler import Scheduler
from lms.events import service


def register(scheduler: Scheduler) -> None:
    scheduler.job("events.cleanup", every_seconds=3600)(service.cleanup)
