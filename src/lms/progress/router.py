"""HTTP face of progress: complete/uncomplete lessons, resume positions, course progress."""

from __future__ import annotations

from fastapi import APIRouter

from lms.auth.dependencies import CurrentUser
from lms.core.deps import SessionDep
from lms.progress import service
from lms.progress.models import LessonProgress
from lms.progress.schemas import CourseProgressRead, LessonProgressRead, PositionUpdate

router = APIRouter(tags=["progress"])


def _read(row: LessonProgress) -> LessonProgressRead:
    return LessonProgressRead(
        lesson_id=row.lesson_id,
        course_id=row.course_id,
        completed=row.completed_at is not None,
        completed_at=row.completed_at,
        position_seconds=row.position_seconds,
    )


@router.post("/lessons/{lesson_id}/complete", response_model=LessonProgressRead)
async def complete(lesson_id: str, session: SessionDep, user: CurrentUser) -> LessonProgressRead:
    """Mark a lesson complete (enrolled students; repeated calls change nothing)."""
    return _read(await service.mark_lesson_complete(session, user_id=user.id, lesson_id=lesson_id))


@router.delete("/lessons/{lesson_id}/complete", response_model=LessonProgressRead)
async def uncomplete(lesson_id: str, session: SessionDep, user: CurrentUser) -> LessonProgressRead:
    """Mark a lesson incomplete again."""
    return _read(await service.mark_lesson_incomplete(session, user=user, lesson_id=lesson_id))


@router.put("/lessons/{lesson_id}/position", response_model=LessonProgressRead)
async def save_position(
    lesson_id: str, body: PositionUpdate, session: SessionDep, user: CurrentUser
) -> LessonProgressRead:
    """Save the video position to resume from."""
    row = await service.save_position(session, user=user, lesson_id=lesson_id, position_seconds=body.position_seconds)
    return _read(row)


@router.get("/courses/{course_id}/progress", response_model=CourseProgressRead)
async def course_progress(course_id: str, session: SessionDep, user: CurrentUser) -> CourseProgressRead:
    """My progress in a course: percentage, completed lessons, where I left off, completion."""
    view = await service.course_progress(session, user=user, course_id=course_id)
    return CourseProgressRead(
        course_id=view.course_id,
        enrollment_id=view.enrollment.id,
        percent=view.progress.percent,
        required_total=view.progress.required_total,
        required_completed=view.progress.required_completed,
        completed_lesson_ids=service.completed_ids(view.lessons),
        last_lesson_id=view.enrollment.last_lesson_id,
        last_accessed_at=view.enrollment.last_accessed_at,
        completed_at=view.progress.completed_at,
        lessons=[_read(x) for x in view.lessons],
    )
