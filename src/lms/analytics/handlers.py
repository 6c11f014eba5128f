"""The analytics consumer: every tracked event goes to the event store and its daily rollups."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from lms.analytics import service
from lms.core.events import Event, EventBus
from lms.core.runtime import Runtime

CONSUMER = "analytics.record"


async def record_event(rt: Runtime, session: AsyncSession, event: Event) -> None:
    await service.record(session, event)


def register(bus: EventBus) -> None:
    for event_type in service.TRACKED_TYPES:
        bus.subscribe(event_type, CONSUMER)(record_event)
