"""Reactions to enrollment events: a new (or renewed) enrollment starts with its progress counted."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.events import Event, EventBus, MalformedEvent
from lms.core.runtime import Runtime
from lms.enrollments import service as enrollments_service
from lms.progress import service as progress_service


async def initialize_progress(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user_id, course_id = event.data.get("user_id"), event.data.get("course_id")
    if not isinstance(user_id, str) or not isinstance(course_id, str):
        raise MalformedEvent("enrollment.created needs user_id and course_id")
    if await enrollments_service.get_active(session, user_id=user_id, course_id=course_id) is None:
        return  # dropped again (or never existed) before we got here: nothing to count
    # Recomputing (rather than zeroing) keeps what a returning student had already completed.
    await progress_service.recompute_completion(
        session, user_id=event.data["user_id"], course_id=event.data["course_id"]
    )


def register(bus: EventBus) -> None:
    bus.subscribe("enrollment.created", "progress.initialize")(initialize_progress)
