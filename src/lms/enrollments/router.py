"""HTTP face of enrollments: enroll, my courses, drop, the instructor's roster, admin enroll/remove."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from lms.auth.dependencies import AdminUser, CurrentUser, InstructorUser
from lms.core.deps import SessionDep
from lms.core.pagination import Page, PageParams, page_params
from lms.courses.models import Course
from lms.enrollments import service
from lms.enrollments.models import Enrollment, EnrollmentStatus
from lms.enrollments.schemas import (
    AdminEnrollmentCreate,
    CourseBrief,
    EnrollmentCreate,
    EnrollmentRead,
    MyEnrollment,
    RosterEntry,
    StudentBrief,
)

router = APIRouter(tags=["enrollments"])


def _brief(course: Course) -> CourseBrief:
    return CourseBrief(
        id=course.id,
        slug=course.slug,
        title=course.title,
        thumbnail_url=course.thumbnail_url,
        status=course.status,
        lesson_count=course.lesson_count,
        duration_seconds=course.duration_seconds,
    )


def _read(enrollment: Enrollment) -> EnrollmentRead:
    return EnrollmentRead.model_validate(enrollment)


@router.post(
    "/enrollments",
    response_model=EnrollmentRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Already enrolled: the existing enrollment"}, 402: {"description": "Paid course"}},
)
async def enroll(body: EnrollmentCreate, response: Response, session: SessionDep, user: CurrentUser) -> EnrollmentRead:
    """Enroll in a free course (201), or get the existing enrollment (200). A paid course answers 402
    with `checkout_url`."""
    enrollment, created = await service.enroll(session, user=user, course_id=body.course_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _read(enrollment)


@router.get("/enrollments/me", response_model=Page[MyEnrollment])
async def my_enrollments(
    session: SessionDep,
    user: CurrentUser,
    page: Annotated[PageParams, Depends(page_params)],
    enrollment_status: Annotated[EnrollmentStatus | None, Query(alias="status")] = None,
) -> Page[MyEnrollment]:
    """My enrollments with progress, the most recently studied first."""
    rows, total = await service.list_mine(session, user=user, status=enrollment_status, page=page)
    items = [MyEnrollment(**_read(e).model_dump(), course=_brief(c)) for e, c in rows]
    return Page(items=items, total=total, page=page.page, page_size=page.page_size)


@router.delete("/enrollments/{enrollment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def drop(enrollment_id: str, session: SessionDep, user: CurrentUser) -> Response:
    """Leave a course: the enrollment becomes `dropped` and the seat is freed."""
    await service.drop(session, user=user, enrollment_id=enrollment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/courses/{course_id}/roster", response_model=Page[RosterEntry])
async def roster(
    course_id: str,
    session: SessionDep,
    user: InstructorUser,
    page: Annotated[PageParams, Depends(page_params)],
    enrollment_status: Annotated[EnrollmentStatus | None, Query(alias="status")] = None,
) -> Page[RosterEntry]:
    """The course's students with their progress (its instructors and admins)."""
    rows, total = await service.roster(session, actor=user, course_id=course_id, status=enrollment_status, page=page)
    items = [
        RosterEntry(**_read(e).model_dump(), student=StudentBrief(id=u.id, full_name=u.full_name, email=u.email))
        for e, u in rows
    ]
    return Page(items=items, total=total, page=page.page, page_size=page.page_size)


@router.post("/admin/enrollments", response_model=EnrollmentRead, status_code=status.HTTP_201_CREATED)
async def admin_enroll(
    body: AdminEnrollmentCreate, response: Response, session: SessionDep, admin: AdminUser
) -> EnrollmentRead:
    enrollment, created = await service.admin_enroll(
        session, admin=admin, user_id=body.user_id, course_id=body.course_id
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return _read(enrollment)


@router.delete("/admin/enrollments/{enrollment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def admin_remove(enrollment_id: str, session: SessionDep, admin: AdminUser) -> Response:
    await service.admin_remove(session, admin=admin, enrollment_id=enrollment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
