"""Enrollments: who is (or was) enrolled in which course, with a progress summary kept by progress."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, IdMixin, TimestampMixin, UTCDateTime


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    DROPPED = "dropped"  # the student left
    REMOVED = "removed"  # an administrator removed the student
    ENDED = "ended"  # ended by another domain (e.g. a refund)


class EnrollmentSource(StrEnum):
    FREE = "free"
    PAYMENT = "payment"
    ADMIN = "admin"


class Enrollment(IdMixin, TimestampMixin, Base):
    """One row per (user, course): re-enrolling reactivates it, so duplicates cannot exist."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_enrollments_course_id_status", "course_id", "status"),
    )

    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=EnrollmentStatus.ACTIVE.value)
    source: Mapped[str] = mapped_column(String(20), nullable=False, default=EnrollmentSource.FREE.value)
    order_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Summary maintained by the progress domain (progress_service.recompute_completion).
    progress_percent: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_lesson_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    last_accessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def is_active(self) -> bool:
        return self.status == EnrollmentStatus.ACTIVE.value
