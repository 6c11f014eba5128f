"""Courses: categories, course lifecycle, content structure, the catalog, and who may see or edit what.

Public functions other domains use: ``get_course``, ``get_lesson``, ``try_take_seat``, ``release_seat``,
``apply_rating_change``, ``required_lesson_ids``, ``lesson_ids``, ``prerequisite_ids``, ``is_editor``,
``get_visible_course``.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    JSON,
    Row,
    Select,
    Text,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from lms.auth.dependencies import is_admin
from lms.core.cache import LocalCache, current_version, mark_changed
from lms.core.db import dialect_name, utcnow
from lms.core.errors import BadRequest, Conflict, ErrorCode, NotFound
from lms.core.events import publish
from lms.core.markdown import render_markdown
from lms.core.pagination import PageParams
from lms.courses.models import (
    Category,
    Course,
    CourseInstructor,
    CoursePrerequisite,
    CourseStatus,
    Lesson,
    LessonKind,
    Section,
    seats_left,
)
from lms.courses.schemas import CourseCard, LessonOutline
from lms.enrollments import access as enrollment_access
from lms.search import indexer as search_index
from lms.search.models import CatalogGroup
from lms.users.models import Role, User

# The cache version family of everything the public catalog, course pages and search show.
CATALOG_CACHE = "catalog"

# ---------------------------------------------------------------------------------------------- helpers


def slugify(text: str, *, max_length: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or "course"


async def _unique_slug(
    session: AsyncSession, model: type[Course] | type[Category], base: str, own_id: str | None
) -> str:
    taken = set(
        await session.scalars(
            select(model.slug).where(or_(model.slug == base, model.slug.like(f"{base}-%")), model.id != (own_id or ""))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _changed(session: AsyncSession, course_id: str, change: str, actor: User | None) -> None:
    """Announce a change to a course or its content (``course.changed``), e.g. for the search index, and
    invalidate the cached catalog and search answers when this transaction commits."""
    mark_changed(session, CATALOG_CACHE)
    publish(
        session,
        "course.changed",
        {"course_id": course_id, "change": change},
        actor_id=actor.id if actor else None,
        key=course_id,
    )


# ------------------------------------------------------------------------------------------- categories


async def list_categories(session: AsyncSession) -> list[Category]:
    return list(await session.scalars(select(Category).order_by(Category.position, Category.name)))


async def get_category_or_404(session: AsyncSession, category_id: str) -> Category:
    category = await session.get(Category, category_id)
    if category is None:
        raise NotFound("No such category.")
    return category


async def _category_name_taken(session: AsyncSession, name: str, except_id: str | None) -> bool:
    # Compared in Python: SQLite's lower() folds only ASCII letters, and the categories are few.
    rows = await session.execute(select(Category.id, Category.name))
    return any(n.casefold() == name.casefold() and i != except_id for i, n in rows)


async def create_category(
    session: AsyncSession, *, name: str, slug: str | None, description: str, position: int
) -> Category:
    if await _category_name_taken(session, name, None):
        raise Conflict("A category with this name exists.")
    category = Category(
        name=name,
        slug=await _unique_slug(session, Category, slug or slugify(name), None),
        description=description,
        position=position,
    )
    session.add(category)
    await session.flush()
    mark_changed(session, CATALOG_CACHE)
    return category


async def update_category(session: AsyncSession, *, category_id: str, changes: dict[str, Any]) -> Category:
    category = await get_category_or_404(session, category_id)
    if changes.get("name") is not None:
        if await _category_name_taken(session, changes["name"], category.id):
            raise Conflict("A category with this name exists.")
        category.name = changes["name"]
    if changes.get("slug") is not None:
        if await session.scalar(
            select(Category.id).where(Category.slug == changes["slug"], Category.id != category.id)
        ):
            raise Conflict("This slug is taken.")
        category.slug = changes["slug"]
    if changes.get("description") is not None:
        category.description = changes["description"]
    if changes.get("position") is not None:
        category.position = changes["position"]
    await session.flush()
    mark_changed(session, CATALOG_CACHE)
    return category


async def delete_category(session: AsyncSession, *, category_id: str) -> None:
    """Delete a category; its courses become uncategorized."""
    category = await get_category_or_404(session, category_id)
    # Locked first: a course being moved into it holds it for share until that edit commits, so the
    # courses read below include that course.
    await session.execute(select(Category.id).where(Category.id == category.id).with_for_update())
    await session.execute(update(Course).where(Course.category_id == category.id).values(category_id=None))
    await search_index.uncategorize(session, category.id)  # search: index follows the change
    await session.delete(category)
    await session.flush()
    mark_changed(session, CATALOG_CACHE)


# ------------------------------------------------------------------------------------- access decisions


async def instructor_ids(session: AsyncSession, course_id: str) -> list[str]:
    return list(
        await session.scalars(
            select(CourseInstructor.user_id)
            .where(CourseInstructor.course_id == course_id)
            .order_by(CourseInstructor.position)
        )
    )


async def is_editor(session: AsyncSession, course: Course, user: User | None) -> bool:
    """Admins edit any course; instructors only the courses they teach."""
    if user is None:
        return False
    if is_admin(user):
        return True
    return user.role == Role.INSTRUCTOR.value and user.id in await instructor_ids(session, course.id)


async def can_view(session: AsyncSession, course: Course, user: User | None) -> bool:
    """Published: everyone. Archived: its enrolled students too. Otherwise only its editors."""
    if course.status == CourseStatus.PUBLISHED.value:
        return True
    if await is_editor(session, course, user):
        return True
    if user is not None and course.status == CourseStatus.ARCHIVED.value:
        return await enrollment_access.is_enrolled(session, user_id=user.id, course_id=course.id)
    return False


async def get_course(session: AsyncSession, course_id: str) -> Course | None:
    """A course by id, without any visibility check (for other domains' services)."""
    return await session.get(Course, course_id)


class FoundCourse(NamedTuple):
    """A course with the parts its page shows beside its own columns."""

    course: Course
    category: Category | None
    instructors: list[tuple[str, str]]  # (user id, full name), in their listed order
    prerequisites: list[tuple[str, str, str]]  # (id, slug, title), by title


async def _find(session: AsyncSession, id_or_slug: str) -> FoundCourse | None:
    if len(id_or_slug) > 120:
        return None
    # The category, instructors and prerequisites come in the same statement: the course page shows them.
    dialect = dialect_name(session)
    row = (
        await session.execute(
            select(Course, Category, instructor_list(dialect), prerequisite_list(dialect))
            .outerjoin(Category, Category.id == Course.category_id)
            .where(or_(Course.id == id_or_slug, Course.slug == id_or_slug))
        )
    ).first()
    if row is None:
        return None
    return FoundCourse(row[0], row[1], listed_instructors(row[2]), listed_prerequisites(row[3]))


async def course_parts(session: AsyncSession, course: Course) -> FoundCourse:
    """The page's parts of a course already loaded (after a change), read by the course page's statement."""
    found = await _find(session, course.id)
    if found is None:
        raise NotFound("No such course.")
    return found


async def find_visible_course(session: AsyncSession, id_or_slug: str, user: User | None) -> FoundCourse:
    """The course (with its category and instructors) if this caller may see it; unknown and hidden look
    the same (404)."""
    found = await _find(session, id_or_slug)
    if found is None or not await can_view(session, found.course, user):
        raise NotFound("No such course.")
    return found


async def get_visible_course(session: AsyncSession, id_or_slug: str, user: User | None) -> Course:
    """The course if this caller may see it; unknown and hidden look the same (404)."""
    return (await find_visible_course(session, id_or_slug, user)).course


async def get_editable_course(session: AsyncSession, course_id: str, user: User, *, lock: bool = False) -> Course:
    """The course if this caller may change it, optionally locked for structural changes."""
    stmt = select(Course).where(Course.id == course_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    course = await session.scalar(stmt)
    if course is None or not await is_editor(session, course, user):
        raise NotFound("No such course.")
    return course


# ------------------------------------------------------------------------------------- course lifecycle


def _apply_price(course: Course, price: dict[str, Any] | None) -> None:
    if price is None or price["amount"] == 0:
        course.price_amount, course.price_currency = 0, (price or {}).get("currency", "INR")
    else:
        course.price_amount, course.price_currency = int(price["amount"]), price.get("currency", "INR")


async def _check_category(session: AsyncSession, category_id: str | None) -> None:
    """The category exists, and stays until this transaction ends: it is locked for share, so deleting it
    waits and then finds this course in it (otherwise the course kept a search document and a catalog
    group in the deleted category)."""
    if category_id is None:
        return
    found = await session.scalar(select(Category.id).where(Category.id == category_id).with_for_update(read=True))
    if found is None:
        raise BadRequest("No such category.", extra={"errors": [{"field": "category_id", "message": "unknown"}]})


async def _set_instructors(session: AsyncSession, course: Course, user_ids: list[str]) -> None:
    ids = list(dict.fromkeys(user_ids))
    users = list(await session.scalars(select(User).where(User.id.in_(ids))))
    valid = {u.id for u in users if u.is_active and u.role in (Role.INSTRUCTOR.value, Role.ADMIN.value)}
    if missing := [i for i in ids if i not in valid]:
        raise BadRequest(
            "Every instructor must be an active instructor account.",
            extra={"errors": [{"field": "instructor_ids", "message": f"not an instructor: {', '.join(missing)}"}]},
        )
    await session.execute(delete(CourseInstructor).where(CourseInstructor.course_id == course.id))
    for position, user_id in enumerate(ids):
        session.add(CourseInstructor(course_id=course.id, user_id=user_id, position=position))
    await session.flush()


async def _set_prerequisites(session: AsyncSession, course: Course, prerequisite_ids: list[str]) -> None:
    ids = list(dict.fromkeys(prerequisite_ids))
    if course.id in ids:
        raise BadRequest(
            "A course cannot be its own prerequisite.",
            extra={"errors": [{"field": "prerequisite_ids", "message": "contains the course itself"}]},
        )
    found = set(await session.scalars(select(Course.id).where(Course.id.in_(ids)))) if ids else set()
    if missing := [i for i in ids if i not in found]:
        raise BadRequest(
            "Unknown prerequisite course.",
            extra={"errors": [{"field": "prerequisite_ids", "message": f"unknown: {', '.join(missing)}"}]},
        )
    await session.execute(delete(CoursePrerequisite).where(CoursePrerequisite.course_id == course.id))
    for prerequisite_id in ids:
        session.add(CoursePrerequisite(course_id=course.id, prerequisite_id=prerequisite_id))
    await session.flush()


async def create_course(session: AsyncSession, *, actor: User, data: dict[str, Any]) -> Course:
    """Create a draft course. Its instructors are ``instructor_ids`` or, by default, its creator."""
    await _check_category(session, data.get("category_id"))
    course = Course(
        title=data["title"],
        subtitle=data.get("subtitle") or "",
        description=data.get("description") or "",
        description_html=render_markdown(data.get("description")),
        category_id=data.get("category_id"),
        level=str(data.get("level") or "all_levels"),
        language=data.get("language") or "en",
        tags=list(dict.fromkeys(data.get("tags") or [])),
        thumbnail_url=data.get("thumbnail_url"),
        capacity=data.get("capacity"),
        enrollment_opens_at=data.get("enrollment_opens_at"),
        enrollment_closes_at=data.get("enrollment_closes_at"),
        status=CourseStatus.DRAFT.value,
        created_by_id=actor.id,
    )
    _apply_price(course, data.get("price"))
    course.slug = await _unique_slug(session, Course, data.get("slug") or slugify(course.title), None)
    session.add(course)
    try:
        await session.flush()
    except IntegrityError as exc:  # two creations raced for the same slug
        raise Conflict("This slug was just taken; try again.") from exc
    await _set_instructors(session, course, data.get("instructor_ids") or [actor.id])
    await _set_prerequisites(session, course, data.get("prerequisite_ids") or [])
    _changed(session, course.id, "created", actor)
    await search_index.index_course(session, course.id)  # search: index follows the change
    return course


async def update_course(session: AsyncSession, *, course_id: str, actor: User, changes: dict[str, Any]) -> Course:
    """Apply the fields present in ``changes`` (null clears the nullable ones)."""
    # Locked and read afresh: two edits at once otherwise each start from the same old course, and the
    # later one's search document (and catalog group) would keep fields the earlier one had changed.
    course = await get_editable_course(session, course_id, actor, lock=True)
    if "category_id" in changes:
        await _check_category(session, changes["category_id"])
        course.category_id = changes["category_id"]
    for name in ("title", "subtitle", "level", "language", "tags"):
        if changes.get(name) is not None:
            setattr(course, name, str(changes[name]) if name == "level" else changes[name])
    if changes.get("tags") is not None:
        course.tags = list(dict.fromkeys(changes["tags"]))
    if changes.get("description") is not None:
        course.description = changes["description"]
        course.description_html = render_markdown(changes["description"])
    for name in ("thumbnail_url", "capacity", "enrollment_opens_at", "enrollment_closes_at"):
        if name in changes:
            setattr(course, name, changes[name])
    opens, closes = course.enrollment_opens_at, course.enrollment_closes_at
    if opens is not None and closes is not None and closes <= opens:
        raise BadRequest("enrollment_closes_at must be after enrollment_opens_at.")
    if "price" in changes:
        _apply_price(course, changes["price"])
    if changes.get("slug") is not None and changes["slug"] != course.slug:
        if await session.scalar(select(Course.id).where(Course.slug == changes["slug"])):
            raise Conflict("This slug is taken.")
        course.slug = changes["slug"]
    if changes.get("instructor_ids") is not None:
        await _set_instructors(session, course, changes["instructor_ids"])
    if changes.get("prerequisite_ids") is not None:
        await _set_prerequisites(session, course, changes["prerequisite_ids"])
    course.updated_at = utcnow()
    await session.flush()
    _changed(session, course.id, "updated", actor)
    await search_index.index_course(session, course.id)  # search: index follows the change
    return course


async def publish_course(session: AsyncSession, *, course_id: str, actor: User) -> Course:
    """draft/archived → published. A course needs at least one lesson to be published."""
    course = await get_editable_course(session, course_id, actor, lock=True)
    if course.status == CourseStatus.PUBLISHED.value:
        return course
    if not await session.scalar(select(func.count()).select_from(Lesson).where(Lesson.course_id == course.id)):
        raise Conflict("Add at least one lesson before publishing.", code=ErrorCode.COURSE_NOT_PUBLISHABLE)
    course.status = CourseStatus.PUBLISHED.value
    course.published_at = course.published_at or utcnow()
    await session.flush()
    _changed(session, course.id, "published", actor)
    await search_index.index_course(session, course.id)  # search: index follows the change
    return course


async def archive_course(session: AsyncSession, *, course_id: str, actor: User) -> Course:
    """published → archived: leaves the catalog; enrolled students keep access."""
    course = await get_editable_course(session, course_id, actor, lock=True)
    if course.status == CourseStatus.DRAFT.value:
        raise Conflict("Only a published course can be archived.")
    course.status = CourseStatus.ARCHIVED.value
    await session.flush()
    _changed(session, course.id, "archived", actor)
    await search_index.index_course(session, course.id)  # search: index follows the change
    return course


async def delete_course(session: AsyncSession, *, course_id: str, actor: User) -> bool:
    """A never-published course is deleted; one that was published is archived. Returns True if deleted."""
    course = await get_editable_course(session, course_id, actor, lock=True)
    if course.published_at is None:
        await search_index.remove_course(session, course.id)  # search: index follows the change
        await session.delete(course)
        await session.flush()
        _changed(session, course_id, "deleted", actor)
        return True
    course.status = CourseStatus.ARCHIVED.value
    await session.flush()
    _changed(session, course.id, "archived", actor)
    await search_index.index_course(session, course.id)  # search: index follows the change
    return False


# ---------------------------------------------------------------------------- counters other domains use


async def try_take_seat(session: AsyncSession, *, course_id: str, enforce_capacity: bool) -> bool:
    """Count one more active enrollment. With ``enforce_capacity`` the update only happens while a seat
    is free: a conditional UPDATE takes the row lock and re-checks, so concurrent requests never overfill."""
    stmt = update(Course).where(Course.id == course_id)
    if enforce_capacity:
        stmt = stmt.where(or_(Course.capacity.is_(None), Course.enrollment_count < Course.capacity))
    result = await session.execute(
        stmt.values(enrollment_count=Course.enrollment_count + 1).execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


async def lock_course(session: AsyncSession, *, course_id: str) -> None:
    """Take the course row lock (``SELECT ... FOR UPDATE``) for the rest of the transaction."""
    await session.execute(select(Course.id).where(Course.id == course_id).with_for_update())


async def release_seat(session: AsyncSession, *, course_id: str) -> None:
    await session.execute(
        update(Course)
        .where(Course.id == course_id, Course.enrollment_count > 0)
        .values(enrollment_count=Course.enrollment_count - 1)
        .execution_options(synchronize_session=False)
    )


async def apply_rating_change(session: AsyncSession, *, course_id: str, sum_delta: int, count_delta: int) -> None:
    """Adjust the rating counters (under a row lock, so the average stays consistent with them)."""
    course = await session.scalar(
        select(Course).where(Course.id == course_id).with_for_update().execution_options(populate_existing=True)
    )
    if course is None:
        return
    course.rating_sum = max(0, course.rating_sum + sum_delta)
    course.rating_count = max(0, course.rating_count + count_delta)
    course.rating_average = round(course.rating_sum * 100 / course.rating_count) if course.rating_count else 0
    await session.flush()
    mark_changed(session, CATALOG_CACHE)  # cards and course pages show the rating


async def _refresh_lesson_counters(session: AsyncSession, course: Course) -> None:
    count, duration = (
        await session.execute(
            select(func.count(Lesson.id), func.coalesce(func.sum(Lesson.duration_seconds), 0)).where(
                Lesson.course_id == course.id
            )
        )
    ).one()
    course.lesson_count, course.duration_seconds = int(count), int(duration)
    await session.flush()
    _changed(session, course.id, "content", None)


async def prerequisite_ids(session: AsyncSession, course_id: str) -> list[str]:
    return list(
        await session.scalars(
            select(CoursePrerequisite.prerequisite_id).where(CoursePrerequisite.course_id == course_id)
        )
    )


async def lesson_ids(session: AsyncSession, course_id: str, *, required_only: bool = False) -> list[str]:
    stmt = select(Lesson.id).where(Lesson.course_id == course_id)
    if required_only:
        stmt = stmt.where(Lesson.is_required.is_(True))
    return list(await session.scalars(stmt))


async def required_lesson_ids(session: AsyncSession, course_id: str) -> list[str]:
    """The lessons a student must complete to complete the course (all lessons if none is marked)."""
    return await lesson_ids(session, course_id, required_only=True) or await lesson_ids(session, course_id)


async def get_courses(session: AsyncSession, course_ids: list[str]) -> dict[str, Course]:
    """Courses by id (for lists in other domains), without visibility checks."""
    if not course_ids:
        return {}
    return {c.id: c for c in await session.scalars(select(Course).where(Course.id.in_(course_ids)))}


async def get_lesson(session: AsyncSession, lesson_id: str) -> Lesson | None:
    return await session.get(Lesson, lesson_id) if len(lesson_id) <= 36 else None


# ----------------------------------------------------------------------------------------------- catalog


@dataclass
class CatalogFilters:
    q: str | None = None
    category: str | None = None
    level: str | None = None
    language: str | None = None
    price: str | None = None  # "free" | "paid"
    min_price: int | None = None
    max_price: int | None = None
    currency: str | None = None
    instructor: str | None = None
    tag: str | None = None
    sort: str = "relevance"
    mine: bool = False
    status: str | None = None


def _like(text: str) -> str:
    return "%" + text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def catalog_statement(filters: CatalogFilters, viewer: User | None) -> Select[Course, Category]:
    """The catalog query: published courses (or the viewer's own with ``mine``), filtered."""
    stmt = select(Course, Category).outerjoin(Category, Category.id == Course.category_id)
    return _filtered(stmt, filters, viewer)


_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


def _category_id(id_or_slug: str) -> Any:
    """The id of the category named by id or slug, as a scalar subquery (NULL, so matching nothing, when
    there is none). Not IN (...): MariaDB turned the IN into a semi-join driven from the sort index and
    read every paid course for "category + paid, by price" (11 ms against 2 ms per statement)."""
    named = or_(Category.id == id_or_slug, Category.slug == id_or_slug)
    return select(Category.id).where(named).limit(1).scalar_subquery()


def _filtered(stmt: _S, filters: CatalogFilters, viewer: User | None) -> _S:
    """``stmt`` (selecting from ``courses``) restricted to the catalog's filters. Only ``courses`` is
    referenced, so a COUNT built on it needs no join and can be answered from an index alone."""
    if filters.mine and viewer is not None:
        if not is_admin(viewer):
            stmt = stmt.where(
                Course.id.in_(select(CourseInstructor.course_id).where(CourseInstructor.user_id == viewer.id))
            )
        if filters.status:
            stmt = stmt.where(Course.status == filters.status)
    elif filters.status and is_admin(viewer):
        stmt = stmt.where(Course.status == filters.status)
    else:
        stmt = stmt.where(Course.status == CourseStatus.PUBLISHED.value)
    if filters.category:
        stmt = stmt.where(Course.category_id == _category_id(filters.category))
    if filters.level:
        stmt = stmt.where(Course.level == filters.level)
    if filters.language:
        stmt = stmt.where(Course.language == filters.language)
    if filters.price == "free":
        stmt = stmt.where(Course.price_amount == 0)
    elif filters.price == "paid":
        stmt = stmt.where(Course.price_amount > 0)
    if filters.min_price is not None:
        stmt = stmt.where(Course.price_amount >= filters.min_price)
    if filters.max_price is not None:
        stmt = stmt.where(Course.price_amount <= filters.max_price)
    if filters.currency:
        stmt = stmt.where(Course.price_currency == filters.currency)
    if filters.instructor:
        stmt = stmt.where(
            Course.id.in_(select(CourseInstructor.course_id).where(CourseInstructor.user_id == filters.instructor))
        )
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.where(
            or_(
                func.lower(Course.title).like(pattern, escape="\\"),
                func.lower(Course.subtitle).like(pattern, escape="\\"),
            )
        )
    if filters.tag:
        # Tags are a small JSON list; a LIKE on its text keeps this portable across the three databases.
        stmt = stmt.where(func.lower(cast(Course.tags, Text)).like(_like(f'"{filters.tag}"'), escape="\\"))
    return stmt


_SORTS: dict[str, list[Any]] = {
    "newest": [Course.published_at.desc(), Course.created_at.desc()],
    "popular": [Course.enrollment_count.desc(), Course.published_at.desc()],
    "rating": [Course.rating_average.desc(), Course.rating_count.desc()],
    "price": [Course.price_amount.asc(), Course.published_at.desc()],
    "price_desc": [Course.price_amount.desc(), Course.published_at.desc()],
    # By the title's key (``Course.title_key``), the same on every backend and in search: by the title
    # itself PostgreSQL and SQLite put "iOS" after "Zoology", and MariaDB ignored only the case.
    "title": [Course.title_key.asc()],
}


# What a card shows (``card_fields``) as plain columns. Cards never show the description: leaving its two
# TEXT columns out keeps the page query to the index and small rows. Read as rows rather than ORM objects:
# a page of 20 loaded as objects cost 0.3-0.4 ms more.
CARD_COLUMNS = (
    Course.id,
    Course.slug,
    Course.title,
    Course.subtitle,
    Course.thumbnail_url,
    Course.level,
    Course.language,
    Course.tags,
    Course.price_amount,
    Course.price_currency,
    Course.status,
    Course.rating_average,
    Course.rating_count,
    Course.enrollment_count,
    Course.lesson_count,
    Course.duration_seconds,
    Course.capacity,
    Course.published_at,
    Course.created_at,
    Category.id.label("category_id"),
    Category.name.label("category_name"),
    Category.slug.label("category_slug"),
)


class CardCategory(NamedTuple):
    id: str
    name: str
    slug: str


def row_category(row: Row[Any]) -> CardCategory | None:
    """The category of a row of ``CARD_COLUMNS`` (None for an uncategorized course)."""
    return None if row.category_id is None else CardCategory(row.category_id, row.category_name, row.category_slug)


def _grouped_total(filters: CatalogFilters) -> Select[int] | None:
    """The published catalog's total as a sum over ``catalog_groups`` (a few hundred rows), when every
    filter set is one the groups are keyed by; None otherwise. A COUNT reads an index entry per matching
    course: 5 ms on MariaDB and 1.4 ms on PostgreSQL for all 10,000 (the catalog's first page)."""
    if filters.mine or filters.status or filters.q or filters.tag or filters.instructor or filters.currency:
        return None
    if filters.min_price is not None or filters.max_price is not None:
        return None
    stmt = select(func.coalesce(func.sum(CatalogGroup.courses), 0))
    if filters.category:
        stmt = stmt.where(CatalogGroup.category_id == _category_id(filters.category))
    if filters.level:
        stmt = stmt.where(CatalogGroup.level == filters.level)
    if filters.language:
        stmt = stmt.where(CatalogGroup.language == filters.language)
    if filters.price:
        stmt = stmt.where(CatalogGroup.is_free == (filters.price == "free"))
    return stmt


def _count_statement(filters: CatalogFilters, viewer: User | None) -> Select[Any]:
    """The number of courses in the filtered catalog: from the catalog groups when the filters allow,
    else a COUNT."""
    grouped = _grouped_total(filters)
    return grouped if grouped is not None else _filtered(select(func.count()).select_from(Course), filters, viewer)


async def catalog_page(
    session: AsyncSession,
    *,
    filters: CatalogFilters,
    page: PageParams,
    viewer: User | None,
    totals: LocalCache | None = None,
) -> tuple[list[CourseCard], int]:
    """One page of the catalog as cards, and the total. ``relevance`` without a search engine means newest.

    One statement: the page (the sort's index, 20 entries, with the categories) carrying the total and
    each course's instructors (``instructor_list``) as scalar subqueries. The total and the instructors
    were round trips of their own. (Joining the instructors as rows instead cost PostgreSQL more: it
    planned a five-table join afresh on every execution, 1 ms.) The public catalog's totals are also reused from
    ``totals``: the key holds the catalog cache version, which every course change bumps, so a publish
    or unpublish shows in the total at once."""
    count = _count_statement(filters, viewer)
    total_key: tuple[Any, ...] | None = None
    total: int | None = None
    # Without mine/status (admin) the total depends on the filters alone, not on who asks.
    if totals is not None and totals.enabled and not filters.mine and not (filters.status and is_admin(viewer)):
        total_key = ("catalog-total", await current_version(session, CATALOG_CACHE), *dataclasses.astuple(filters)[:-3])
        total = totals.get(total_key)
    stmt = (
        catalog_statement(filters, viewer)
        .with_only_columns(
            *CARD_COLUMNS,
            (count.scalar_subquery() if total is None else literal(total)).label("total"),
            instructor_list(dialect_name(session)).label("instructors"),
        )
        .order_by(*catalog_order(filters.sort))
        .offset(page.offset)
        .limit(page.page_size)
    )
    cards: list[CourseCard] = []
    # On the session's connection (Core): no autoflush first, which is fine as the catalog is read in a
    # unit of work of its own, with nothing pending.
    for row in await (await session.connection()).execute(stmt):
        cards.append(CourseCard(**card_fields(row, row_category(row), listed_instructors(row.instructors))))
        total = int(row.total or 0)
    if total is None:  # an empty page (past the last one, or nothing matches) carries no total
        total = int(await session.scalar(count) or 0)
    if total_key is not None:
        totals.set(total_key, total)  # type: ignore[union-attr]
    return cards, total


def _json_rows(dialect: str, *columns: Any) -> Any:
    """An aggregate of ``columns`` as a JSON list of lists, one per row, in no particular order (SQLite
    before 3.44 cannot order inside an aggregate)."""
    if dialect == "postgresql":
        return func.json_agg(func.json_build_array(*columns))
    if dialect in ("mysql", "mariadb"):
        return func.json_arrayagg(func.json_array(*columns))
    return func.json_group_array(func.json_array(*columns))


@functools.cache  # built once per backend: these are constants, and building them took time on every page
def instructor_list(dialect: str) -> Any:
    """A course's instructors as a JSON list of [position, user id, full name] (null for none), a column of
    the course's own row: the catalog page is one statement instead of two (the second read the page's
    instructors: 0.6-1.1 ms of SQL and a round trip). ``listed_instructors`` puts them in order."""
    of_course = (
        select(_json_rows(dialect, CourseInstructor.position, User.id, User.full_name))
        .select_from(CourseInstructor)
        .join(User, User.id == CourseInstructor.user_id)
        .where(CourseInstructor.course_id == Course.id)
    )
    return type_coerce(of_course.scalar_subquery(), JSON)


@functools.cache
def prerequisite_list(dialect: str) -> Any:
    """A course's prerequisites as a JSON list of [id, slug, title] (null for none), a column of the
    course's own row; ``listed_prerequisites`` puts them in order."""
    required = aliased(Course)
    of_course = (
        select(_json_rows(dialect, required.id, required.slug, required.title))
        .select_from(CoursePrerequisite)
        .join(required, required.id == CoursePrerequisite.prerequisite_id)
        .where(CoursePrerequisite.course_id == Course.id)
    )
    return type_coerce(of_course.scalar_subquery(), JSON)


def listed_prerequisites(value: list[list[Any]] | None) -> list[tuple[str, str, str]]:
    """(id, slug, title) by title, A to Z regardless of case, from a ``prerequisite_list`` column."""
    rows = [(i, slug, title) for i, slug, title in value or []]
    return sorted(rows, key=lambda r: (r[2].casefold(), r[2], r[0]))


def listed_instructors(value: list[list[Any]] | None) -> list[tuple[str, str]]:
    """(user id, full name) in their listed order, from an ``instructor_list`` column."""
    return [(user_id, name) for _, user_id, name in sorted(value or [], key=itemgetter(0))]


def catalog_order(sort: str) -> list[Any]:
    """The ORDER BY of a catalog sort (newest for an unknown one), ending with the id tiebreaker: the
    catalog's indexes hold each of these whole, so a page reads only its own rows."""
    return [*_SORTS.get(sort, _SORTS["newest"]), Course.id.desc()]


async def instructors_for(session: AsyncSession, course_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """(user id, full name) of each course's instructors, in their listed order."""
    result: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if not course_ids:
        return result
    rows = await session.execute(
        select(CourseInstructor.course_id, User.id, User.full_name)
        .join(User, User.id == CourseInstructor.user_id)
        .where(CourseInstructor.course_id.in_(course_ids))
        .order_by(CourseInstructor.course_id, CourseInstructor.position)
    )
    for course_id, user_id, name in rows:
        result[course_id].append((user_id, name))
    return result


def card_fields(
    course: Course | Row[Any], category: Category | CardCategory | None, instructors: list[tuple[str, str]]
) -> dict[str, Any]:
    """The fields of a course card (``CourseCard``), shared by the catalog, the course page and search, from
    a course or a row of ``CARD_COLUMNS``. The nested parts are plain dicts, validated with the card in one
    call: a model built for each part was five validations per card, a hundred per catalog page."""
    free = course.price_amount == 0
    capacity = course.capacity
    return {
        "id": course.id,
        "slug": course.slug,
        "title": course.title,
        "subtitle": course.subtitle,
        "thumbnail_url": course.thumbnail_url,
        "category": {"id": category.id, "name": category.name, "slug": category.slug} if category else None,
        "level": course.level,
        "language": course.language,
        "tags": list(course.tags or []),
        "price": None if free else {"amount": course.price_amount, "currency": course.price_currency},
        "is_free": free,
        "status": course.status,
        "instructors": [{"id": i, "full_name": n} for i, n in instructors],
        "rating": {"average": course.rating_average / 100, "count": course.rating_count},
        "enrollment_count": course.enrollment_count,
        "lesson_count": course.lesson_count,
        "duration_seconds": course.duration_seconds,
        "capacity": capacity,
        "seats_left": seats_left(capacity, course.enrollment_count),
        "published_at": course.published_at,
        "created_at": course.created_at,
    }


_OUTLINE_FIELDS = ("id", "title", "kind", "is_preview", "is_required", "duration_seconds", "position")
OUTLINE_LESSON = (
    Lesson.id,
    Lesson.title,
    Lesson.kind,
    Lesson.is_preview,
    Lesson.is_required,
    Lesson.duration_seconds,
    Lesson.position,
)


async def outline(session: AsyncSession, course_id: str) -> list[tuple[tuple[str, str, int], list[LessonOutline]]]:
    """The syllabus as the course page shows it, in one statement and without lesson contents:
    ((section id, title, position), [lesson outline rows]) in order."""
    rows = await session.execute(
        select(Section.id, Section.title, Section.position, *OUTLINE_LESSON)
        .outerjoin(Lesson, Lesson.section_id == Section.id)
        .where(Section.course_id == course_id)
        .order_by(Section.position, Section.id, Lesson.position)
    )
    out: list[tuple[tuple[str, str, int], list[LessonOutline]]] = []
    for section_id, section_title, section_position, *lesson in rows:
        if not out or out[-1][0][0] != section_id:
            out.append(((section_id, section_title, section_position), []))
        if lesson[0] is not None:
            out[-1][1].append(LessonOutline(**dict(zip(_OUTLINE_FIELDS, lesson, strict=True))))
    return out


async def syllabus(session: AsyncSession, course_id: str) -> list[tuple[Section, list[Lesson]]]:
    sections = list(
        await session.scalars(select(Section).where(Section.course_id == course_id).order_by(Section.position))
    )
    lessons = await session.scalars(
        select(Lesson).where(Lesson.course_id == course_id).order_by(Lesson.section_id, Lesson.position)
    )
    by_section: dict[str, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        by_section[lesson.section_id].append(lesson)
    return [(s, by_section.get(s.id, [])) for s in sections]


# ------------------------------------------------------------------------------------ sections, lessons


async def _get_section(session: AsyncSession, section_id: str) -> Section:
    section = await session.get(Section, section_id) if len(section_id) <= 36 else None
    if section is None:
        raise NotFound("No such section.")
    return section


async def get_editable_section(session: AsyncSession, section_id: str, actor: User) -> tuple[Section, Course]:
    section = await _get_section(session, section_id)
    try:
        course = await get_editable_course(session, section.course_id, actor, lock=True)
    except NotFound:
        raise NotFound("No such section.") from None
    return section, course


async def add_section(session: AsyncSession, *, course_id: str, actor: User, title: str) -> Section:
    course = await get_editable_course(session, course_id, actor, lock=True)
    last = await session.scalar(select(func.max(Section.position)).where(Section.course_id == course.id))
    section = Section(course_id=course.id, title=title, position=(last + 1) if last is not None else 0)
    session.add(section)
    course.updated_at = utcnow()
    await session.flush()
    _changed(session, course.id, "content", actor)
    await search_index.index_course(session, course.id)  # search: index follows the change
    return section


async def update_section(session: AsyncSession, *, section_id: str, actor: User, title: str) -> Section:
    section, course = await get_editable_section(session, section_id, actor)
    section.title = title
    await session.flush()
    _changed(session, course.id, "content", actor)
    await search_index.index_course(session, course.id)  # search: index follows the change
    return section


async def delete_section(session: AsyncSession, *, section_id: str, actor: User) -> None:
    """Delete a section with its lessons; the remaining sections close the gap."""
    section, course = await get_editable_section(session, section_id, actor)
    await session.execute(delete(Lesson).where(Lesson.section_id == section.id))
    await session.delete(section)
    await session.flush()
    remaining = list(
        await session.scalars(select(Section).where(Section.course_id == course.id).order_by(Section.position))
    )
    for position, s in enumerate(remaining):
        s.position = position
    await _refresh_lesson_counters(session, course)
    await search_index.index_course(session, course.id)  # search: index follows the change


def _check_permutation(given: list[str], current: list[str], what: str) -> None:
    if len(given) != len(set(given)) or set(given) != set(current):
        raise BadRequest(
            f"The list must contain every {what} of this parent exactly once.",
            code=ErrorCode.INVALID_ORDER,
            status=422,
        )


async def reorder_sections(session: AsyncSession, *, course_id: str, actor: User, section_ids: list[str]) -> None:
    course = await get_editable_course(session, course_id, actor, lock=True)
    sections = {s.id: s for s in await session.scalars(select(Section).where(Section.course_id == course.id))}
    _check_permutation(section_ids, list(sections), "section")
    for position, section_id in enumerate(section_ids):
        sections[section_id].position = position
    await session.flush()


async def reorder_lessons(session: AsyncSession, *, section_id: str, actor: User, lesson_ids: list[str]) -> None:
    section, _course = await get_editable_section(session, section_id, actor)
    lessons = {x.id: x for x in await session.scalars(select(Lesson).where(Lesson.section_id == section.id))}
    _check_permutation(lesson_ids, list(lessons), "lesson")
    for position, lesson_id in enumerate(lesson_ids):
        lessons[lesson_id].position = position
    await session.flush()


async def add_lesson(session: AsyncSession, *, section_id: str, actor: User, data: dict[str, Any]) -> Lesson:
    section, course = await get_editable_section(session, section_id, actor)
    last = await session.scalar(select(func.max(Lesson.position)).where(Lesson.section_id == section.id))
    lesson = Lesson(
        section_id=section.id,
        course_id=course.id,
        title=data["title"],
        kind=str(data["kind"]),
        content=data.get("content") or "",
        content_html=render_markdown(data.get("content")),
        video_url=data.get("video_url"),
        file_url=data.get("file_url"),
        link_url=data.get("link_url"),
        is_preview=bool(data.get("is_preview", False)),
        is_required=bool(data.get("is_required", True)),
        duration_seconds=int(data.get("duration_seconds") or 0),
        position=(last + 1) if last is not None else 0,
    )
    session.add(lesson)
    await session.flush()
    await _refresh_lesson_counters(session, course)
    await search_index.index_course(session, course.id)  # search: index follows the change
    return lesson


async def get_editable_lesson(session: AsyncSession, lesson_id: str, actor: User) -> tuple[Lesson, Course]:
    lesson = await get_lesson(session, lesson_id)
    if lesson is None:
        raise NotFound("No such lesson.")
    try:
        course = await get_editable_course(session, lesson.course_id, actor, lock=True)
    except NotFound:
        raise NotFound("No such lesson.") from None
    return lesson, course


async def update_lesson(session: AsyncSession, *, lesson_id: str, actor: User, changes: dict[str, Any]) -> Lesson:
    lesson, course = await get_editable_lesson(session, lesson_id, actor)
    for name in ("title", "is_preview", "is_required", "duration_seconds"):
        if changes.get(name) is not None:
            setattr(lesson, name, changes[name])
    if changes.get("kind") is not None:
        lesson.kind = str(changes["kind"])
    if changes.get("content") is not None:
        lesson.content = changes["content"]
        lesson.content_html = render_markdown(changes["content"])
    for name in ("video_url", "file_url", "link_url"):
        if name in changes:
            setattr(lesson, name, changes[name])
    lesson.updated_at = utcnow()
    await session.flush()
    await _refresh_lesson_counters(session, course)
    if changes.get("title") is not None:
        await search_index.index_course(session, course.id)  # search: index follows the change
    return lesson


async def delete_lesson(session: AsyncSession, *, lesson_id: str, actor: User) -> None:
    lesson, course = await get_editable_lesson(session, lesson_id, actor)
    section_id = lesson.section_id
    await session.delete(lesson)
    await session.flush()
    remaining = list(
        await session.scalars(select(Lesson).where(Lesson.section_id == section_id).order_by(Lesson.position))
    )
    for position, x in enumerate(remaining):
        x.position = position
    await _refresh_lesson_counters(session, course)
    await search_index.index_course(session, course.id)  # search: index follows the change


@dataclass
class LessonView:
    lesson: Lesson
    course: Course
    can_edit: bool
    enrolled: bool


async def view_lesson(session: AsyncSession, *, lesson_id: str, viewer: User | None) -> LessonView:
    """A lesson with its content, for its editors, enrolled students, or anyone if it is a preview of a
    published course. Opening it as an enrolled student records it as the last lesson accessed."""
    lesson = await get_lesson(session, lesson_id)
    if lesson is None:
        raise NotFound("No such lesson.")
    course = await session.get(Course, lesson.course_id)
    assert course is not None
    if await is_editor(session, course, viewer):
        return LessonView(lesson, course, can_edit=True, enrolled=False)
    enrollment = await enrollment_access.get_active(session, user_id=viewer.id, course_id=course.id) if viewer else None
    if enrollment is not None and course.status != CourseStatus.DRAFT.value:
        await enrollment_access.touch_last_lesson(session, enrollment, lesson.id)
        return LessonView(lesson, course, can_edit=False, enrolled=True)
    if lesson.is_preview and course.status == CourseStatus.PUBLISHED.value:
        return LessonView(lesson, course, can_edit=False, enrolled=False)
    raise NotFound("No such lesson.")


async def viewer_enrollment(session: AsyncSession, *, course: Course, viewer: User) -> Any:
    """The viewer's active enrollment in the course (or None), for the course page's viewer block."""
    return await enrollment_access.get_active(session, user_id=viewer.id, course_id=course.id)


def is_quiz(lesson: Lesson) -> bool:
    return lesson.kind == LessonKind.QUIZ.value


def enrollment_window_open(course: Course, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if course.enrollment_opens_at is not None and now < course.enrollment_opens_at:
        return False
    return not (course.enrollment_closes_at is not None and now >= course.enrollment_closes_at)


async def user_edits_course(session: AsyncSession, user: User, course_id: str) -> bool:
    """True when the user may edit (and so see the reports of) this course: its instructors and admins."""
    course = await get_course(session, course_id)
    return course is not None and await is_editor(session, course, user)
