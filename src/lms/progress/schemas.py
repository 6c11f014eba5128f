from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PositionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position_seconds: int = Field(ge=0, le=1_000_000)


class LessonProgressRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    lesson_id: str
    course_id: str
    completed: bool
    completed_at: datetime | None
    position_seconds: int


class CourseProgressRead(BaseModel):
    course_id: str
    enrollment_id: str
    percent: int
    required_total: int
    required_completed: int
    completed_lesson_ids: list[str]
    last_lesson_id: str | None
    last_accessed_at: datetime | None
    completed_at: datetime | None
    lessons: list[LessonProgressRead]
