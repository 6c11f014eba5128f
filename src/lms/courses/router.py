"""HTTP face of courses: categories, the catalog, course pages, sections and lessons."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from lms.auth.dependencies import AdminUser, InstructorUser, OptionalUser
from lms.core.answers import public_answer
from lms.core.deps import RuntimeDep, SessionDep
from lms.core.errors import NotAuthenticated
from lms.core.pagination import Page, PageParams, page_params
from lms.core.runtime import Runtime
from lms.courses import service
from lms.courses.models import Course, CourseLevel, CourseStatus
from lms.courses.schemas import (
    CatalogSort,
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    CourseCard,
    CourseCreate,
    CourseRead,
    CourseUpdate,
    LessonCreate,
    LessonOrder,
    LessonRead,
    LessonUpdate,
    PrerequisiteRef,
    SectionCreate,
    SectionOrder,
    SectionOutline,
    SectionRead,
    SectionUpdate,
    Viewer,
)
from lms.media import links as media_links
from lms.users.models import User

router = APIRouter(tags=["courses"])


async def _course_read(session: AsyncSession, course: Course | service.FoundCourse, viewer: User | None) -> CourseRead:
    """The course page, from the course alone (its parts are looked up) or with its parts already read."""
    found = course if isinstance(course, service.FoundCourse) else await service.course_parts(session, course)
    course, category = found.course, found.category
    viewer_block: Viewer | None = None
    if viewer is not None:
        enrollment = await service.viewer_enrollment(session, course=course, viewer=viewer)
        viewer_block = Viewer(
            enrolled=enrollment is not None,
            enrollment_id=enrollment.id if enrollment else None,
            progress_percent=enrollment.progress_percent if enrollment else None,
            completed_at=enrollment.completed_at if enrollment else None,
            last_lesson_id=enrollment.last_lesson_id if enrollment else None,
            can_edit=await service.is_editor(session, course, viewer),
        )
    return CourseRead(
        **service.card_fields(course, category, found.instructors),
        description=course.description,
        description_html=course.description_html,
        enrollment_opens_at=course.enrollment_opens_at,
        enrollment_closes_at=course.enrollment_closes_at,
        prerequisites=[PrerequisiteRef(id=i, slug=slug, title=title) for i, slug, title in found.prerequisites],
        sections=[
            SectionOutline(
                id=section_id,
                title=title,
                position=position,
                lessons=lessons,
            )
            for (section_id, title, position), lessons in await service.outline(session, course.id)
        ],
        viewer=viewer_block,
        updated_at=course.updated_at,
    )


# ------------------------------------------------------------------------------------------- categories


@router.get("/categories", response_model=list[CategoryRead], tags=["categories"])
async def list_categories(session: SessionDep) -> list[CategoryRead]:
    return [CategoryRead.model_validate(c) for c in await service.list_categories(session)]


@router.post("/categories", response_model=CategoryRead, status_code=status.HTTP_201_CREATED, tags=["categories"])
async def create_category(body: CategoryCreate, session: SessionDep, _admin: AdminUser) -> CategoryRead:
    category = await service.create_category(
        session, name=body.name, slug=body.slug, description=body.description, position=body.position
    )
    return CategoryRead.model_validate(category)


@router.patch("/categories/{category_id}", response_model=CategoryRead, tags=["categories"])
async def update_category(
    category_id: str, body: CategoryUpdate, session: SessionDep, _admin: AdminUser
) -> CategoryRead:
    category = await service.update_category(
        session, category_id=category_id, changes=body.model_dump(exclude_unset=True)
    )
    return CategoryRead.model_validate(category)


@router.delete("/categories/{category_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["categories"])
async def delete_category(category_id: str, session: SessionDep, _admin: AdminUser) -> Response:
    await service.delete_category(session, category_id=category_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ----------------------------------------------------------------------------------------------- courses


@router.get("/courses", response_model=Page[CourseCard])
async def list_courses(
    request: Request,
    rt: RuntimeDep,
    session: SessionDep,
    viewer: OptionalUser,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=200, description="Words in the title or subtitle")] = None,
    category: Annotated[str | None, Query(max_length=100, description="Category id or slug")] = None,
    level: CourseLevel | None = None,
    language: Annotated[str | None, Query(max_length=10)] = None,
    price: Literal["free", "paid"] | None = None,
    min_price: Annotated[int | None, Query(ge=0, le=1_000_000_000, description="Minor units")] = None,
    max_price: Annotated[int | None, Query(ge=0, le=1_000_000_000, description="Minor units")] = None,
    currency: Literal["INR", "USD"] | None = None,
    instructor: Annotated[str | None, Query(max_length=36, description="Instructor user id")] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    sort: CatalogSort = "relevance",
    mine: Annotated[bool, Query(description="The courses I teach, in any status (instructors)")] = False,
    course_status: Annotated[CourseStatus | None, Query(alias="status", description="With mine, or admins")] = None,
) -> Response:
    """The catalog: published courses for everyone, filtered, sorted and paginated."""
    if mine and viewer is None:
        raise NotAuthenticated("Sign in to list your courses.")
    filters = service.CatalogFilters(
        q=q.strip() or None if q else None,
        category=category,
        level=level.value if level else None,
        language=language,
        price=price,
        min_price=min_price,
        max_price=max_price,
        currency=currency,
        instructor=instructor,
        tag=tag,
        sort=sort,
        mine=mine,
        status=course_status.value if course_status else None,
    )

    async def compute() -> Page[CourseCard]:
        items, total = await service.catalog_page(
            session, filters=filters, page=page, viewer=viewer, totals=rt.catalog_cache
        )
        return Page(items=items, total=total, page=page.page, page_size=page.page_size)

    # Without mine/status every caller sees the same published catalog, so signed-in callers share it.
    shared = not mine and course_status is None
    return await public_answer(request, rt, session, service.CATALOG_CACHE, compute, shared=shared)


@router.post("/courses", response_model=CourseRead, status_code=status.HTTP_201_CREATED)
async def create_course(body: CourseCreate, session: SessionDep, user: InstructorUser) -> CourseRead:
    """Create a draft course (instructors and admins)."""
    data = body.model_dump(exclude_unset=True)
    course = await service.create_course(session, actor=user, data=data)
    return await _course_read(session, course, user)


@router.get("/courses/{course_id}", response_model=CourseRead)
async def get_course(
    course_id: str, request: Request, rt: RuntimeDep, session: SessionDep, viewer: OptionalUser
) -> Response:
    """The course page, by id or slug: syllabus, instructors, ratings and, signed in, the viewer's state."""

    async def compute() -> CourseRead:
        found = await service.find_visible_course(session, course_id, viewer)
        return await _course_read(session, found, viewer)

    return await public_answer(request, rt, session, service.CATALOG_CACHE, compute)


@router.patch("/courses/{course_id}", response_model=CourseRead)
async def update_course(course_id: str, body: CourseUpdate, session: SessionDep, user: InstructorUser) -> CourseRead:
    course = await service.update_course(
        session, course_id=course_id, actor=user, changes=body.model_dump(exclude_unset=True)
    )
    return await _course_read(session, course, user)


@router.delete("/courses/{course_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_course(course_id: str, session: SessionDep, user: InstructorUser) -> Response:
    """Delete a never-published course; a course that was ever published is archived instead."""
    await service.delete_course(session, course_id=course_id, actor=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/courses/{course_id}/publish", response_model=CourseRead)
async def publish_course(course_id: str, session: SessionDep, user: InstructorUser) -> CourseRead:
    course = await service.publish_course(session, course_id=course_id, actor=user)
    return await _course_read(session, course, user)


@router.post("/courses/{course_id}/archive", response_model=CourseRead)
async def archive_course(course_id: str, session: SessionDep, user: InstructorUser) -> CourseRead:
    course = await service.archive_course(session, course_id=course_id, actor=user)
    return await _course_read(session, course, user)


# ------------------------------------------------------------------------------------ sections, lessons


@router.post("/courses/{course_id}/sections", response_model=SectionRead, status_code=status.HTTP_201_CREATED)
async def add_section(course_id: str, body: SectionCreate, session: SessionDep, user: InstructorUser) -> SectionRead:
    return SectionRead.model_validate(
        await service.add_section(session, course_id=course_id, actor=user, title=body.title)
    )


@router.put("/courses/{course_id}/sections/order", status_code=status.HTTP_204_NO_CONTENT)
async def reorder_sections(course_id: str, body: SectionOrder, session: SessionDep, user: InstructorUser) -> Response:
    """Set the order of all the course's sections in one call."""
    await service.reorder_sections(session, course_id=course_id, actor=user, section_ids=body.section_ids)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/sections/{section_id}", response_model=SectionRead)
async def update_section(
    section_id: str, body: SectionUpdate, session: SessionDep, user: InstructorUser
) -> SectionRead:
    return SectionRead.model_validate(
        await service.update_section(session, section_id=section_id, actor=user, title=body.title)
    )


@router.delete("/sections/{section_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_section(section_id: str, session: SessionDep, user: InstructorUser) -> Response:
    await service.delete_section(session, section_id=section_id, actor=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _lesson_read(rt: Runtime, lesson: object) -> LessonRead:
    """A lesson as its (authorized) viewer gets it: uploaded media behind signed, expiring links."""
    read = LessonRead.model_validate(lesson)
    ttl = rt.settings.media_link_ttl_seconds
    read.video_url = media_links.sign_site_url(rt.email_secret, read.video_url, ttl)
    read.file_url = media_links.sign_site_url(rt.email_secret, read.file_url, ttl)
    return read


@router.post("/sections/{section_id}/lessons", response_model=LessonRead, status_code=status.HTTP_201_CREATED)
async def add_lesson(
    section_id: str, body: LessonCreate, session: SessionDep, rt: RuntimeDep, user: InstructorUser
) -> LessonRead:
    lesson = await service.add_lesson(session, section_id=section_id, actor=user, data=body.model_dump())
    return _lesson_read(rt, lesson)


@router.put("/sections/{section_id}/lessons/order", status_code=status.HTTP_204_NO_CONTENT)
async def reorder_lessons(section_id: str, body: LessonOrder, session: SessionDep, user: InstructorUser) -> Response:
    """Set the order of all the section's lessons in one call."""
    await service.reorder_lessons(session, section_id=section_id, actor=user, lesson_ids=body.lesson_ids)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/lessons/{lesson_id}", response_model=LessonRead)
async def get_lesson(lesson_id: str, session: SessionDep, rt: RuntimeDep, viewer: OptionalUser) -> LessonRead:
    """A lesson with its content: previews for everyone, the rest for enrolled students and editors."""
    view = await service.view_lesson(session, lesson_id=lesson_id, viewer=viewer)
    return _lesson_read(rt, view.lesson)


@router.patch("/lessons/{lesson_id}", response_model=LessonRead)
async def update_lesson(
    lesson_id: str, body: LessonUpdate, session: SessionDep, rt: RuntimeDep, user: InstructorUser
) -> LessonRead:
    lesson = await service.update_lesson(
        session, lesson_id=lesson_id, actor=user, changes=body.model_dump(exclude_unset=True)
    )
    return _lesson_read(rt, lesson)


@router.delete("/lessons/{lesson_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_lesson(lesson_id: str, session: SessionDep, user: InstructorUser) -> Response:
    await service.delete_lesson(session, lesson_id=lesson_id, actor=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
