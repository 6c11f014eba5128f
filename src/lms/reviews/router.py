"""HTTP face of reviews: list and write a course's reviews, instructor replies, admin moderation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from lms.auth.dependencies import AdminUser, CurrentUser, InstructorUser, OptionalUser
from lms.core.deps import SessionDep
from lms.core.pagination import PageParams, page_params
from lms.reviews import service
from lms.reviews.models import Review
from lms.reviews.schemas import ReplyCreate, ReviewModeration, ReviewPage, ReviewRead, ReviewSummary, ReviewUpsert

router = APIRouter(tags=["reviews"])


def _read(review: Review, author_name: str) -> ReviewRead:
    return ReviewRead(
        id=review.id,
        course_id=review.course_id,
        user_id=review.user_id,
        author_name=author_name,
        rating=review.rating,
        body=review.body,
        reply=review.reply,
        replied_at=review.replied_at,
        is_hidden=review.is_hidden,
        created_at=review.created_at,
        updated_at=review.updated_at,
    )


@router.get("/courses/{course_id}/reviews", response_model=ReviewPage)
async def list_reviews(
    course_id: str, session: SessionDep, viewer: OptionalUser, page: Annotated[PageParams, Depends(page_params)]
) -> ReviewPage:
    course, rows, total, distribution = await service.list_reviews(
        session, course_id=course_id, viewer=viewer, page=page
    )
    return ReviewPage(
        items=[_read(r, name) for r, name in rows],
        total=total,
        page=page.page,
        page_size=page.page_size,
        summary=ReviewSummary(
            average=course.rating_average / 100, count=course.rating_count, distribution=distribution
        ),
    )


@router.post("/courses/{course_id}/reviews", response_model=ReviewRead, status_code=status.HTTP_201_CREATED)
async def upsert_review(
    course_id: str, body: ReviewUpsert, response: Response, session: SessionDep, user: CurrentUser
) -> ReviewRead:
    """Rate a course you are enrolled in (201); posting again edits your review (200)."""
    review, created = await service.upsert_review(
        session, user=user, course_id=course_id, rating=body.rating, body=body.body
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return _read(review, user.full_name)


@router.post("/reviews/{review_id}/reply", response_model=ReviewRead)
async def reply(review_id: str, body: ReplyCreate, session: SessionDep, user: InstructorUser) -> ReviewRead:
    review = await service.reply(session, actor=user, review_id=review_id, text=body.reply)
    return _read(review, await service.author_name(session, review))


@router.patch("/admin/reviews/{review_id}", response_model=ReviewRead)
async def moderate(review_id: str, body: ReviewModeration, session: SessionDep, _admin: AdminUser) -> ReviewRead:
    """Hide an abusive review (or show it again)."""
    review = await service.set_hidden(session, review_id=review_id, hidden=body.is_hidden)
    return _read(review, await service.author_name(session, review))
