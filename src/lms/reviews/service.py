"""Reviews: enrolled students rate a course once (editable); instructors reply; admins hide.

The course's rating counters count visible reviews only and change in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.auth.dependencies import is_admin
from lms.core.db import utcnow
from lms.core.errors import Conflict, ErrorCode, Forbidden, NotFound
from lms.core.pagination import PageParams
from lms.courses import service as courses_service
from lms.courses.models import Course
from lms.enrollments import access as enrollment_access
from lms.reviews.models import Review
from lms.users.models import User


async def upsert_review(
    session: AsyncSession, *, user: User, course_id: str, rating: int, body: str
) -> tuple[Review, bool]:
    """Create or edit the caller's review. Returns (review, created). Only enrolled students review."""
    course = await courses_service.get_visible_course(session, course_id, user)
    if await enrollment_access.get_for(session, user_id=user.id, course_id=course.id) is None:
        raise Forbidden("Only students enrolled in this course can review it.", code=ErrorCode.NOT_ENROLLED)
    review = await session.scalar(select(Review).where(Review.course_id == course.id, Review.user_id == user.id))
    if review is None:
        # Lock the course row (rating counters) before inserting: the insert's foreign-key check takes a
        # shared lock on it, and upgrading that later would deadlock two concurrent reviewers on MySQL.
        await courses_service.apply_rating_change(session, course_id=course.id, sum_delta=rating, count_delta=1)
        review = Review(course_id=course.id, user_id=user.id, rating=rating, body=body.strip())
        try:
            async with session.begin_nested():
                session.add(review)
                await session.flush()
        except IntegrityError:
            # The whole request rolls back, counters included.
            raise Conflict("Your review was just saved by another request; try again.") from None
        return review, True
    if not review.is_hidden:
        await courses_service.apply_rating_change(
            session, course_id=course.id, sum_delta=rating - review.rating, count_delta=0
        )
    review.rating, review.body = rating, body.strip()
    review.updated_at = utcnow()
    await session.flush()
    return review, False


async def _get(session: AsyncSession, review_id: str) -> Review:
    review = await session.get(Review, review_id) if len(review_id) <= 36 else None
    if review is None:
        raise NotFound("No such review.")
    return review


async def author_name(session: AsyncSession, review: Review) -> str:
    author = await session.get(User, review.user_id)
    return author.full_name if author else ""


async def reply(session: AsyncSession, *, actor: User, review_id: str, text: str) -> Review:
    """The course's instructor (or an admin) answers a review; replying again replaces the answer."""
    review = await _get(session, review_id)
    course = await courses_service.get_course(session, review.course_id)
    if course is None or not await courses_service.is_editor(session, course, actor):
        raise NotFound("No such review.")
    review.reply, review.replied_at, review.replied_by_id = text.strip(), utcnow(), actor.id
    await session.flush()
    return review


async def set_hidden(session: AsyncSession, *, review_id: str, hidden: bool) -> Review:
    """Hide or show a review (admins). Hidden reviews leave the course's rating."""
    review = await _get(session, review_id)
    if review.is_hidden != hidden:
        review.is_hidden = hidden
        sign = -1 if hidden else 1
        await courses_service.apply_rating_change(
            session, course_id=review.course_id, sum_delta=sign * review.rating, count_delta=sign
        )
        await session.flush()
    return review


async def list_reviews(
    session: AsyncSession, *, course_id: str, viewer: User | None, page: PageParams
) -> tuple[Course, list[tuple[Review, str]], int, dict[str, int]]:
    """Visible reviews of a course, newest first (admins also see hidden ones), and the star counts."""
    course = await courses_service.get_visible_course(session, course_id, viewer)
    stmt = select(Review, User.full_name).join(User, User.id == Review.user_id).where(Review.course_id == course.id)
    if not is_admin(viewer):
        stmt = stmt.where(Review.is_hidden.is_(False))
    total = await session.scalar(stmt.with_only_columns(func.count(Review.id)).order_by(None)) or 0
    rows = (
        await session.execute(
            stmt.order_by(Review.created_at.desc(), Review.id.desc()).offset(page.offset).limit(page.page_size)
        )
    ).all()
    distribution = {str(n): 0 for n in range(1, 6)}
    for rating, count in await session.execute(
        select(Review.rating, func.count(Review.id))
        .where(Review.course_id == course.id, Review.is_hidden.is_(False))
        .group_by(Review.rating)
    ):
        distribution[str(rating)] = int(count)
    return course, [(r[0], r[1]) for r in rows], total, distribution
