from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from lms.core.pagination import Page


class ReviewUpsert(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5)
    body: str = Field(default="", max_length=5000, description="Plain text")


class ReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reply: str = Field(min_length=1, max_length=5000, description="Plain text")


class ReviewModeration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_hidden: bool


class ReviewRead(BaseModel):
    id: str
    course_id: str
    user_id: str
    author_name: str
    rating: int
    body: str
    reply: str | None
    replied_at: datetime | None
    is_hidden: bool
    created_at: datetime
    updated_at: datetime


class ReviewSummary(BaseModel):
    average: float
    count: int
    distribution: dict[str, int] = Field(description='Visible reviews per star, "1".."5"')


class ReviewPage(Page[ReviewRead]):
    summary: ReviewSummary
