"""Quizzes, their questions (the course's question bank) and students' attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Double, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, IdMixin, TimestampMixin, UTCDateTime


class QuestionKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    SHORT = "short"
    NUMERIC = "numeric"
    ESSAY = "essay"


class ReviewPolicy(StrEnum):
    NEVER = "never"
    AFTER_SUBMISSION = "after_submission"
    AFTER_CLOSE = "after_close"


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    PENDING_REVIEW = "pending_review"  # submitted; essays wait for the instructor
    GRADED = "graded"


class Quiz(IdMixin, TimestampMixin, Base):
    __tablename__ = "quizzes"

    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    # The syllabus entry (a lesson of kind quiz) this quiz fills in.
    lesson_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("lessons.id", ondelete="SET NULL"), nullable=True, unique=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts_allowed: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: unlimited
    passing_percent: Mapped[int] = mapped_column(Integer, nullable=False, default=50)
    is_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    pool_size: Mapped[int | None] = mapped_column(Integer, nullable=True)  # draw N of the quiz's questions
    available_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    available_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    review_policy: Mapped[str] = mapped_column(String(20), nullable=False, default=ReviewPolicy.AFTER_SUBMISSION.value)
    # Bumped whenever a question's key changes, so reports can tell which attempts a regrade touched.
    key_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class Question(IdMixin, TimestampMixin, Base):
    """A question in a course's bank; it belongs to at most one quiz (its pool)."""

    __tablename__ = "quiz_questions"
    __table_args__ = (
        Index("ix_quiz_questions_course_id_position", "course_id", "position"),
        Index("ix_quiz_questions_quiz_id_position", "quiz_id", "position"),
    )

    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    quiz_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("quizzes.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    stem: Mapped[str] = mapped_column(Text, nullable=False)
    stem_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    points: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # [{"id", "text", "text_html", "correct", "feedback"}] for single/multiple choice.
    options: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    # Kind-specific key: {"correct": bool} | {"accepted": [...], "regex": str|None} | {"value", "tolerance"}.
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    partial_credit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    feedback: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Attempt(IdMixin, TimestampMixin, Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # The attempt limit holds under concurrent starts: two starts cannot both take number n.
        UniqueConstraint("quiz_id", "user_id", "attempt_no"),
        Index("ix_quiz_attempts_status_deadline_at", "status", "deadline_at"),
        Index("ix_quiz_attempts_course_id_status", "course_id", "status"),
    )

    quiz_id: Mapped[str] = mapped_column(String(36), ForeignKey("quizzes.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    attempt_no: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=AttemptStatus.IN_PROGRESS.value)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    auto_submitted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The drawn questions in the order shown, each with its option order: [{"q": id, "o": [option ids]}].
    layout: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # Per question: {"score", "max", "correct", "pending", "feedback"}; manual grades survive a regrade.
    results: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    score: Mapped[float | None] = mapped_column(Double, nullable=True)
    max_score: Mapped[float | None] = mapped_column(Double, nullable=True)
    score_percent: Mapped[float | None] = mapped_column(Double, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    key_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    grade_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # how often it was graded
