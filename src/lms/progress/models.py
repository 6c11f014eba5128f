"""Learning progress: per-lesson completion and resume position, and the per-course completion state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, IdMixin, TimestampMixin, UTCDateTime


class LessonProgress(IdMixin, TimestampMixin, Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        Index("ix_lesson_progress_user_id_course_id", "user_id", "course_id"),
    )

    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    lesson_id: Mapped[str] = mapped_column(String(36), ForeignKey("lessons.id", ondelete="CASCADE"), nullable=False)
    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    position_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CourseProgress(TimestampMixin, Base):
    __tablename__ = "course_progress"

    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    percent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    required_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    required_completed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Completion is sticky: once announced (course.completed), it is never announced again.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completion_announced: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
