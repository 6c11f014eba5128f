"""Enrollments: the rules for joining a course, seats under concurrency, and ending an enrollment.

Public API for other domains:
- ``activate_paid_enrollment(session, user_id=, course_id=, order_id=)``: payments, after a successful
  payment. A paying student always gets in (no window, capacity or prerequisite check).
- ``end_enrollment(session, enrollment_id=, reason=)``: e.g. a refund.
- ``record_progress(...)``: the progress domain keeps the enrollment's progress summary current.
- ``completed_course_ids(...)``, ``get_active`` / ``is_enrolled`` (also in ``enrollments.access``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import utcnow
from lms.core.errors import Conflict, ErrorCode, LMSError, NotFound
from lms.core.events import publish
from lms.core.pagination import PageParams
from lms.courses import service as courses_service
from lms.courses.models import Course, CourseStatus
from lms.enrollments import access
from lms.enrollments.models import Enrollment, EnrollmentSource, EnrollmentStatus
from lms.users import service as users_service
from lms.users.models import User

get_active = access.get_active
is_enrolled = access.is_enrolled


class PaymentRequired(LMSError):
    status, code, title = 402, ErrorCode.PAYMENT_REQUIRED, "Payment required"


def checkout_url(course_id: str) -> str:
    return f"/checkout/{course_id}"


async def _get(session: AsyncSession, enrollment_id: str) -> Enrollment | None:
    return await session.get(Enrollment, enrollment_id) if len(enrollment_id) <= 36 else None


async def completed_course_ids(session: AsyncSession, *, user_id: str, course_ids: list[str]) -> set[str]:
    """Which of these courses the user has completed (a completion survives dropping the course)."""
    if not course_ids:
        return set()
    return set(
        await session.scalars(
            select(Enrollment.course_id).where(
                Enrollment.user_id == user_id,
                Enrollment.course_id.in_(course_ids),
                Enrollment.completed_at.is_not(None),
            )
        )
    )


async def _activate(
    session: AsyncSession,
    *,
    user_id: str,
    course: Course,
    source: EnrollmentSource,
    enforce_capacity: bool,
    order_id: str | None = None,
    actor_id: str | None = None,
) -> tuple[Enrollment, bool]:
    """Take a seat and create (or reactivate) the enrollment. Returns (enrollment, created)."""
    if not await courses_service.try_take_seat(session, course_id=course.id, enforce_capacity=enforce_capacity):
        raise Conflict("This course is full.", code=ErrorCode.COURSE_FULL)
    now = utcnow()
    # The seat update holds the course row lock: re-read to see what a concurrent request committed.
    enrollment = await access.get_for(session, user_id=user_id, course_id=course.id, fresh=True)
    if enrollment is not None and enrollment.is_active:
        # A concurrent request of the same student won: give the seat back and return theirs.
        await courses_service.release_seat(session, course_id=course.id)
        return enrollment, False
    if enrollment is not None:
        enrollment.status = EnrollmentStatus.ACTIVE.value
        enrollment.source = source.value
        enrollment.order_id = order_id
        enrollment.enrolled_at = now
        enrollment.ended_at = None
        enrollment.end_reason = None
        await session.flush()
    else:
        enrollment = Enrollment(
            user_id=user_id,
            course_id=course.id,
            status=EnrollmentStatus.ACTIVE.value,
            source=source.value,
            order_id=order_id,
            enrolled_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(enrollment)
                await session.flush()
        except IntegrityError:
            await courses_service.release_seat(session, course_id=course.id)
            existing = await access.get_for(session, user_id=user_id, course_id=course.id)
            if existing is None or not existing.is_active:
                raise Conflict("Enrollment changed concurrently; try again.") from None
            return existing, False
    publish(
        session,
        "enrollment.created",
        {"enrollment_id": enrollment.id, "user_id": user_id, "course_id": course.id, "source": source.value},
        actor_id=actor_id or user_id,
        key=enrollment.id,
    )
    return enrollment, True


async def enroll(session: AsyncSession, *, user: User, course_id: str) -> tuple[Enrollment, bool]:
    """Enroll the user in a course. Returns (enrollment, created); an active enrollment is returned as is.

    Checks, in order: visible and published, enrollment window, prerequisites completed, a seat free,
    and payment (a paid course answers 402 with the checkout URL)."""
    course = await courses_service.get_visible_course(session, course_id, user)
    existing = await access.get_active(session, user_id=user.id, course_id=course.id)
    if existing is not None:
        return existing, False
    if course.status != CourseStatus.PUBLISHED.value:
        raise Conflict("This course is not open for enrollment.", code=ErrorCode.COURSE_NOT_OPEN)
    now = utcnow()
    if not courses_service.enrollment_window_open(course, now):
        raise Conflict(
            "Enrollment for this course is closed.",
            code=ErrorCode.ENROLLMENT_CLOSED,
            extra={"opens_at": _iso(course.enrollment_opens_at), "closes_at": _iso(course.enrollment_closes_at)},
        )
    required = await courses_service.prerequisite_ids(session, course.id)
    missing = sorted(set(required) - await completed_course_ids(session, user_id=user.id, course_ids=required))
    if missing:
        raise Conflict(
            "Complete the prerequisite courses first.",
            code=ErrorCode.PREREQUISITES_NOT_MET,
            extra={"missing_course_ids": missing},
        )
    if course.capacity is not None and course.enrollment_count >= course.capacity:
        raise Conflict("This course is full.", code=ErrorCode.COURSE_FULL)
    if not course.is_free:
        raise PaymentRequired(
            "This is a paid course: complete the payment to enroll.",
            extra={
                "checkout_url": checkout_url(course.id),
                "course_id": course.id,
                "price": {"amount": course.price_amount, "currency": course.price_currency},
            },
        )
    return await _activate(session, user_id=user.id, course=course, source=EnrollmentSource.FREE, enforce_capacity=True)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def activate_paid_enrollment(session: AsyncSession, *, user_id: str, course_id: str, order_id: str) -> Enrollment:
    """Enroll a student who has paid (called by payments). Idempotent; skips window, capacity and
    prerequisite checks so a paying student is never turned away. Emits ``enrollment.created``."""
    course = await courses_service.get_course(session, course_id)
    if course is None:
        raise NotFound("No such course.")
    existing = await access.get_active(session, user_id=user_id, course_id=course_id)
    if existing is not None:
        if existing.order_id is None:
            existing.order_id = order_id
            await session.flush()
        return existing
    enrollment, _ = await _activate(
        session,
        user_id=user_id,
        course=course,
        source=EnrollmentSource.PAYMENT,
        enforce_capacity=False,
        order_id=order_id,
    )
    return enrollment


async def end_enrollment(
    session: AsyncSession,
    *,
    enrollment_id: str,
    reason: str,
    status: EnrollmentStatus = EnrollmentStatus.ENDED,
    actor_id: str | None = None,
) -> Enrollment:
    """End an active enrollment (frees its seat, emits ``enrollment.ended``). Idempotent."""
    enrollment = await _get(session, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrollment.")
    # Course row first, then the enrollment: the same lock order as enrolling, so the two never deadlock;
    # re-read under the lock so two concurrent ends free the seat once.
    await courses_service.lock_course(session, course_id=enrollment.course_id)
    current = await access.get_for(session, user_id=enrollment.user_id, course_id=enrollment.course_id, fresh=True)
    if current is None:
        raise NotFound("No such enrollment.")
    enrollment = current
    if not enrollment.is_active:
        return enrollment
    await courses_service.release_seat(session, course_id=enrollment.course_id)
    enrollment.status = status.value
    enrollment.ended_at = utcnow()
    enrollment.end_reason = reason[:200]
    await session.flush()
    publish(
        session,
        "enrollment.ended",
        {
            "enrollment_id": enrollment.id,
            "user_id": enrollment.user_id,
            "course_id": enrollment.course_id,
            "status": status.value,
            "reason": enrollment.end_reason,
        },
        actor_id=actor_id,
        key=enrollment.id,
    )
    return enrollment


async def drop(session: AsyncSession, *, user: User, enrollment_id: str) -> Enrollment:
    """A student leaves a course. Another student's enrollment is a 404."""
    enrollment = await _get(session, enrollment_id)
    if enrollment is None or enrollment.user_id != user.id:
        raise NotFound("No such enrollment.")
    return await end_enrollment(
        session,
        enrollment_id=enrollment.id,
        reason="dropped by student",
        status=EnrollmentStatus.DROPPED,
        actor_id=user.id,
    )


async def admin_enroll(session: AsyncSession, *, admin: User, user_id: str, course_id: str) -> tuple[Enrollment, bool]:
    """An administrator enrolls a user: no window, capacity, prerequisite or payment checks."""
    user = await users_service.get_or_404(session, user_id)
    course = await courses_service.get_course(session, course_id) if len(course_id) <= 36 else None
    if course is None:
        raise NotFound("No such course.")
    if course.status == CourseStatus.DRAFT.value:
        raise Conflict("A draft course cannot take enrollments.", code=ErrorCode.COURSE_NOT_OPEN)
    existing = await access.get_active(session, user_id=user.id, course_id=course.id)
    if existing is not None:
        return existing, False
    return await _activate(
        session,
        user_id=user.id,
        course=course,
        source=EnrollmentSource.ADMIN,
        enforce_capacity=False,
        actor_id=admin.id,
    )


async def admin_remove(session: AsyncSession, *, admin: User, enrollment_id: str) -> Enrollment:
    return await end_enrollment(
        session,
        enrollment_id=enrollment_id,
        reason="removed by an administrator",
        status=EnrollmentStatus.REMOVED,
        actor_id=admin.id,
    )


async def list_mine(
    session: AsyncSession, *, user: User, status: EnrollmentStatus | None, page: PageParams
) -> tuple[list[tuple[Enrollment, Course]], int]:
    stmt = select(Enrollment).where(Enrollment.user_id == user.id)
    if status is not None:
        stmt = stmt.where(Enrollment.status == status.value)
    total = await session.scalar(stmt.with_only_columns(func.count(Enrollment.id)).order_by(None)) or 0
    rows = list(
        await session.scalars(
            stmt.order_by(
                # Never-opened courses last on every database (PostgreSQL sorts NULLs first when descending).
                Enrollment.last_accessed_at.is_(None),
                Enrollment.last_accessed_at.desc(),
                Enrollment.enrolled_at.desc(),
                Enrollment.id.desc(),
            )
            .offset(page.offset)
            .limit(page.page_size)
        )
    )
    courses = await courses_service.get_courses(session, [e.course_id for e in rows])
    return [(e, courses[e.course_id]) for e in rows], total


async def roster(
    session: AsyncSession, *, actor: User, course_id: str, status: EnrollmentStatus | None, page: PageParams
) -> tuple[list[tuple[Enrollment, User]], int]:
    """The students of a course, for its instructors and admins."""
    course = await courses_service.get_editable_course(session, course_id, actor)
    stmt = select(Enrollment, User).join(User, User.id == Enrollment.user_id).where(Enrollment.course_id == course.id)
    stmt = stmt.where(Enrollment.status == (status or EnrollmentStatus.ACTIVE).value)
    total = await session.scalar(stmt.with_only_columns(func.count(Enrollment.id)).order_by(None)) or 0
    rows = (
        await session.execute(stmt.order_by(User.full_name, Enrollment.id).offset(page.offset).limit(page.page_size))
    ).all()
    return [(r[0], r[1]) for r in rows], total


async def record_progress(
    session: AsyncSession, *, user_id: str, course_id: str, percent: int, completed_at: datetime | None
) -> Enrollment | None:
    """Mirror the progress summary onto the enrollment (called by the progress domain)."""
    enrollment = await access.get_for(session, user_id=user_id, course_id=course_id)
    if enrollment is None:
        return None
    enrollment.progress_percent = percent
    if completed_at is not None and enrollment.completed_at is None:
        enrollment.completed_at = completed_at
    await session.flush()
    return enrollment
