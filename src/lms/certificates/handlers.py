"""Reactions to learning events: a completed course earns its certificate (once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from lms.certificates import service as certificates_service
from lms.core.events import Event, EventBus
from lms.core.runtime import Runtime


async def issue_certificate(rt: Runtime, session: AsyncSession, event: Event) -> None:
    raw = event.data.get("completed_at")
    completed_at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    await certificates_service.issue_for_completion(
        session,
        settings=rt.settings,
        user_id=event.data["user_id"],
        course_id=event.data["course_id"],
        completed_at=completed_at,
    )


def register(bus: EventBus) -> None:
    bus.subscribe("course.completed", "certificates.issue")(issue_certificate)
