"""Learning progress: lesson completion, resume positions and course completion.

Public API for other domains:
- ``mark_lesson_complete(session, user_id=, lesson_id=, by_quiz=True)``: the quizzes domain marks a quiz
  lesson complete when the student passes it (students cannot tick quiz lessons off by hand).
- ``recompute_completion(session, user_id=, course_id=)``: recount required lessons and announce
  ``course.completed`` the first time every required lesson is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import utcnow
from lms.core.errors import Conflict, ErrorCode, NotFound
from lms.core.events import publish
from lms.courses import service as courses_service
from lms.courses.models import Lesson
from lms.enrollments import service as enrollments_service
from lms.enrollments.models import Enrollment
from lms.progress.models import CourseProgress, LessonProgress
from lms.users.models import User


async def _enrolled_lesson(session: AsyncSession, *, user_id: str, lesson_id: str) -> tuple[Lesson, Enrollment]:
    """The lesson and the caller's active enrollment in its course; otherwise a 404 (not enrolled)."""
    lesson = await courses_service.get_lesson(session, lesson_id)
    if lesson is None:
        raise NotFound("No such lesson.")
    enrollment = await enrollments_service.get_active(session, user_id=user_id, course_id=lesson.course_id)
    if enrollment is None:
        raise NotFound("No such lesson among your enrolled courses.", code=ErrorCode.NOT_ENROLLED)
    return lesson, enrollment


async def _lesson_progress(
    session: AsyncSession, *, user_id: str, lesson: Lesson, completed_at: datetime | None = None
) -> tuple[LessonProgress, bool]:
    """The user's progress row for the lesson, and whether this call created it (with ``completed_at``, so
    a first completion is one INSERT rather than an INSERT and an UPDATE)."""
    row = await session.scalar(
        select(LessonProgress).where(LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson.id)
    )
    if row is not None:
        return row, False
    row = LessonProgress(
        user_id=user_id, lesson_id=lesson.id, course_id=lesson.course_id, position_seconds=0, completed_at=completed_at
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:  # a concurrent request of the same student created it
        existing = await session.scalar(
            select(LessonProgress).where(LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson.id)
        )
        assert existing is not None
        return existing, False
    return row, True


async def _course_progress(session: AsyncSession, *, user_id: str, course_id: str) -> CourseProgress:
    row = await session.get(CourseProgress, (user_id, course_id))
    if row is not None:
        return row
    row = CourseProgress(user_id=user_id, course_id=course_id)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        existing = await session.get(CourseProgress, (user_id, course_id), populate_existing=True)
        assert existing is not None
        return existing
    return row


async def recompute_completion(session: AsyncSession, *, user_id: str, course_id: str) -> CourseProgress:
    """Recount the required lessons the user has completed, update the percentage (here and on the
    enrollment) and, the first time all are complete, record completion and emit ``course.completed``.
    A quiz lesson counts once the quizzes domain marked it complete."""
    progress = await _course_progress(session, user_id=user_id, course_id=course_id)
    required = set(await courses_service.required_lesson_ids(session, course_id))
    done = set(
        await session.scalars(
            select(LessonProgress.lesson_id).where(
                LessonProgress.user_id == user_id,
                LessonProgress.course_id == course_id,
                LessonProgress.completed_at.is_not(None),
            )
        )
    )
    completed = len(required & done)
    progress.required_total = len(required)
    progress.required_completed = completed
    progress.percent = (completed * 100 // len(required)) if required else 0
    if required and completed == len(required) and not progress.completion_announced:
        progress.completed_at = utcnow()
        progress.completion_announced = True
        enrollment = await enrollments_service.get_active(session, user_id=user_id, course_id=course_id)
        publish(
            session,
            "course.completed",
            {
                "user_id": user_id,
                "course_id": course_id,
                "enrollment_id": enrollment.id if enrollment else None,
                "completed_at": progress.completed_at.isoformat(),
            },
            actor_id=user_id,
            key=f"{user_id}:{course_id}",
        )
    await session.flush()
    await enrollments_service.record_progress(
        session, user_id=user_id, course_id=course_id, percent=progress.percent, completed_at=progress.completed_at
    )
    return progress


async def mark_lesson_complete(
    session: AsyncSession, *, user_id: str, lesson_id: str, by_quiz: bool = False
) -> LessonProgress:
    """Mark a lesson complete for an enrolled student (idempotent; emits ``lesson.completed`` once)."""
    lesson, enrollment = await _enrolled_lesson(session, user_id=user_id, lesson_id=lesson_id)
    if courses_service.is_quiz(lesson) and not by_quiz:
        raise Conflict("A quiz lesson is completed by passing its quiz.", code=ErrorCode.COMPLETED_BY_QUIZ)
    row, created = await _lesson_progress(session, user_id=user_id, lesson=lesson, completed_at=utcnow())
    if created or row.completed_at is None:
        if not created:
            row.completed_at = utcnow()
            await session.flush()
        publish(
            session,
            "lesson.completed",
            {"user_id": user_id, "lesson_id": lesson.id, "course_id": lesson.course_id, "enrollment_id": enrollment.id},
            actor_id=user_id,
            key=f"{user_id}:{lesson.id}",
        )
        await recompute_completion(session, user_id=user_id, course_id=lesson.course_id)
    return row


async def mark_lesson_incomplete(session: AsyncSession, *, user: User, lesson_id: str) -> LessonProgress:
    """Untick a lesson. A course completion already announced stays (certificates may exist)."""
    lesson, _ = await _enrolled_lesson(session, user_id=user.id, lesson_id=lesson_id)
    if courses_service.is_quiz(lesson):
        raise Conflict("A quiz lesson is completed by passing its quiz.", code=ErrorCode.COMPLETED_BY_QUIZ)
    row, _ = await _lesson_progress(session, user_id=user.id, lesson=lesson)
    if row.completed_at is not None:
        row.completed_at = None
        await session.flush()
        await recompute_completion(session, user_id=user.id, course_id=lesson.course_id)
    return row


async def save_position(session: AsyncSession, *, user: User, lesson_id: str, position_seconds: int) -> LessonProgress:
    """Remember where the student paused a video; also makes it the last lesson accessed."""
    lesson, enrollment = await _enrolled_lesson(session, user_id=user.id, lesson_id=lesson_id)
    row, _ = await _lesson_progress(session, user_id=user.id, lesson=lesson)
    row.position_seconds = position_seconds
    enrollment.last_lesson_id = lesson.id
    enrollment.last_accessed_at = utcnow()
    await session.flush()
    return row


@dataclass
class CourseProgressView:
    course_id: str
    enrollment: Enrollment
    progress: CourseProgress
    lessons: list[LessonProgress]


async def course_progress(session: AsyncSession, *, user: User, course_id: str) -> CourseProgressView:
    """The caller's progress in a course they are enrolled in (else 404)."""
    course = await courses_service.get_visible_course(session, course_id, user)
    enrollment = await enrollments_service.get_active(session, user_id=user.id, course_id=course.id)
    if enrollment is None:
        raise NotFound("You are not enrolled in this course.", code=ErrorCode.NOT_ENROLLED)
    progress = await recompute_completion(session, user_id=user.id, course_id=course.id)
    lessons = list(
        await session.scalars(
            select(LessonProgress).where(LessonProgress.user_id == user.id, LessonProgress.course_id == course.id)
        )
    )
    return CourseProgressView(course.id, enrollment, progress, lessons)


def completed_ids(lessons: list[LessonProgress]) -> list[str]:
    return sorted(x.lesson_id for x in lessons if x.completed_at is not None)
