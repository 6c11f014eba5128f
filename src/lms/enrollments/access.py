"""The read face of enrollments that lower domains (courses, reviews) may use: who is enrolled where.

It imports nothing from courses, so courses can ask "is this user enrolled?" without an import cycle
(enrollments.service depends on courses.service, never the other way round).
"""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import utcnow
from lms.enrollments.models import Enrollment, EnrollmentStatus

_HELD = "enrollments.by_user_course"


async def get_for(session: AsyncSession, *, user_id: str, course_id: str, fresh: bool = False) -> Enrollment | None:
    """The user's enrollment row for the course, whatever its status. ``fresh`` re-reads the row even if
    this session already holds it (after taking a lock, to see what concurrent requests committed)."""
    held: dict[tuple[str, str], Enrollment] = session.info.setdefault(_HELD, {})
    if not fresh:
        # A request asks several times (quiz -> lesson -> course progress). Querying again would hand back the
        # same identity-mapped object with the same attribute values, so answer from the session instead.
        known = held.get((user_id, course_id))
        if known is not None:
            state = inspect(known)
            if state.persistent and not state.expired_attributes:
                return known
    stmt = select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.course_id == course_id)
    if fresh:
        stmt = stmt.execution_options(populate_existing=True)
    row = await session.scalar(stmt)
    if row is not None:
        held[(user_id, course_id)] = row
    return row


async def get_active(session: AsyncSession, *, user_id: str, course_id: str) -> Enrollment | None:
    row = await get_for(session, user_id=user_id, course_id=course_id)
    return row if row is not None and row.status == EnrollmentStatus.ACTIVE.value else None


async def is_enrolled(session: AsyncSession, *, user_id: str, course_id: str) -> bool:
    return await get_active(session, user_id=user_id, course_id=course_id) is not None


async def touch_last_lesson(session: AsyncSession, enrollment: Enrollment, lesson_id: str) -> None:
    """Remember the lesson a student opened last ("continue where you left off")."""
    enrollment.last_lesson_id = lesson_id
    enrollment.last_accessed_at = utcnow()
    await session.flush()
