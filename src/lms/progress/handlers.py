"""Reactions to enrollment events: a new (or renewed) enrollment starts with its progress counted."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.events import Event, EventBus
from lms.core.runtime import Runtime
from lms.progress import service as progress_service


async def initialize_progress(rt: Runtime, session: AsyncSession, event: Event) -> None:
    # Recomputing (rather than zeroing) keeps what a returning student had already completed.
    await progress_service.recompute_completion(
        session, user_id=event.data["user_id"], course_id=event.data["course_id"]
    )


def register(bus: EventBus) -> None:
    bus.subscribe("enrollment.created", "progress.initialize")(initialize_progress)
