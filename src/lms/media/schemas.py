"""Media responses."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class MediaRead(BaseModel):
    id: str
    course_id: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    is_public: bool
    created_at: datetime
    path: str = Field(description="Store this in a lesson's video_url/file_url or a course thumbnail")
    url: str = Field(description="A link to the content that works now (signed, expiring for private files)")


class MediaList(BaseModel):
    items: list[MediaRead]
