from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from lms.enrollments.models import EnrollmentSource, EnrollmentStatus

Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]


class EnrollmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: Id


class AdminEnrollmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: Id
    course_id: Id


class EnrollmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user_id: str
    course_id: str
    status: EnrollmentStatus
    source: EnrollmentSource
    order_id: str | None
    enrolled_at: datetime
    ended_at: datetime | None
    progress_percent: int
    completed_at: datetime | None
    last_lesson_id: str | None
    last_accessed_at: datetime | None


class CourseBrief(BaseModel):
    id: str
    slug: str
    title: str
    thumbnail_url: str | None
    status: str
    lesson_count: int
    duration_seconds: int


class MyEnrollment(EnrollmentRead):
    course: CourseBrief


class StudentBrief(BaseModel):
    id: str
    full_name: str
    email: str


class RosterEntry(EnrollmentRead):
    student: StudentBrief
