"""Who may read a course's analytics: the seam the courses domain plugs its ownership rule into.

Analytics may not read the courses tables, so it asks an injectable ``CourseOwnerCheck``
``async (session, user, course_id) -> bool``. Administrators always pass. Until the courses domain
installs its rule, the default allows administrators only (instructors get a 404). To wire it::

    # in create_app (src/lms/main.py), once courses exists
    from lms.analytics.dependencies import install_course_owner_check
    from lms.courses import service as courses_service
    install_course_owner_check(app, courses_service.is_course_instructor)

Tests may also use ``app.dependency_overrides[course_owner_check] = lambda: my_check``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession

from lms.auth.dependencies import InstructorUser, is_admin
from lms.core.deps import SessionDep
from lms.core.errors import NotFound
from lms.users.models import User

CourseOwnerCheck = Callable[[AsyncSession, User, str], Awaitable[bool]]
_STATE_KEY = "analytics_course_owner_check"


async def admins_only(session: AsyncSession, user: User, course_id: str) -> bool:
    """The default rule: nobody but an administrator owns a course as far as analytics knows."""
    return is_admin(user)


def install_course_owner_check(app: FastAPI, check: CourseOwnerCheck) -> None:
    """Install the courses domain's rule "does this user teach this course?"."""
    setattr(app.state, _STATE_KEY, check)


def course_owner_check(request: Request) -> CourseOwnerCheck:
    check = getattr(request.app.state, _STATE_KEY, None)
    return check if check is not None else admins_only


async def readable_course_id(
    course_id: str,
    session: SessionDep,
    user: InstructorUser,
    check: Annotated[CourseOwnerCheck, Depends(course_owner_check)],
) -> str:
    """The course id when the caller may see its analytics; otherwise a 404 like an unknown course."""
    if is_admin(user) or await check(session, user, course_id):
        return course_id
    raise NotFound("No such course.")


ReadableCourseId = Annotated[str, Depends(readable_course_id)]
