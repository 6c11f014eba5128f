"""Courses, their categories, instructors, prerequisites, sections and lessons.

The course row carries denormalized counters (enrollments, ratings, lessons, duration) kept up to date
by the services, so the catalog list is a single indexed query.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, validates

from lms.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, byte_order_string
from lms.search.text import title_norm


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class CourseLevel(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    ALL_LEVELS = "all_levels"


class LessonKind(StrEnum):
    VIDEO = "video"
    TEXT = "text"
    FILE = "file"
    LINK = "link"
    QUIZ = "quiz"


class Category(IdMixin, TimestampMixin, Base):
    __tablename__ = "categories"

    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    slug: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def _title_key_of_insert(context: Any) -> str:
    return title_norm(context.get_current_parameters()["title"])


class Course(IdMixin, TimestampMixin, Base):
    __tablename__ = "courses"
    __table_args__ = (
        # One per catalog sort, holding the whole ORDER BY (with the id tiebreaker), so a page of the
        # catalog reads its 20 rows in index order instead of sorting every published course.
        Index("ix_courses_catalog_newest", "status", "published_at", "created_at", "id"),
        Index("ix_courses_catalog_popular", "status", "enrollment_count", "published_at", "id"),
        Index("ix_courses_catalog_rating", "status", "rating_average", "rating_count", "id"),
        Index("ix_courses_catalog_price", "status", "price_amount", "published_at", "id"),
        # "Price, low to high" breaks ties newest first: a mix of directions the index above cannot serve.
        Index("ix_courses_catalog_price_asc", "status", "price_amount", text("published_at DESC"), text("id DESC")),
        Index("ix_courses_catalog_title_key", "status", "title_key", text("id DESC")),
        Index("ix_courses_category_id_status", "category_id", "status"),
        # A language filter's pages in the default order (newest), and its COUNT from the index alone.
        Index("ix_courses_catalog_language", "status", "language", "published_at", "created_at", "id"),
        # The catalog's COUNT for a level filter, from the index alone.
        Index("ix_courses_level_status", "level", "status"),
    )

    title: Mapped[str] = mapped_column(String(200), nullable=False)
    # The title as the A-to-Z sort compares it: ``title_norm`` (lower case, without accents or punctuation)
    # in code-point order, so "iOS" sorts among the I's on every backend and search (by the same key) agrees.
    # Kept by ``_keep_title_key``; a Core insert without it gets it from its title.
    title_key: Mapped[str] = mapped_column(
        byte_order_string(200), nullable=False, server_default="", default=_title_key_of_insert
    )
    slug: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    subtitle: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("categories.id", ondelete="SET NULL"), nullable=True
    )
    level: Mapped[str] = mapped_column(String(20), nullable=False, default=CourseLevel.ALL_LEVELS.value)
    language: Mapped[str] = mapped_column(String(10), nullable=False, default="en")
    tags: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    thumbnail_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Price in minor units; 0 means free.
    price_amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    price_currency: Mapped[str] = mapped_column(String(3), nullable=False, default="INR")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=CourseStatus.DRAFT.value)
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    enrollment_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    enrollment_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # Denormalized counters. enrollment_count = active enrollments (also the seats taken).
    enrollment_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rating_average: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # hundredths: 437 = 4.37
    lesson_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duration_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    @validates("title")
    def _keep_title_key(self, _key: str, title: str) -> str:
        self.title_key = title_norm(title)
        return title

    @property
    def is_free(self) -> bool:
        return self.price_amount == 0

    @property
    def seats_left(self) -> int | None:
        return seats_left(self.capacity, self.enrollment_count)


def seats_left(capacity: int | None, enrollment_count: int) -> int | None:
    """Seats still open (None: no limit)."""
    return None if capacity is None else max(0, capacity - enrollment_count)


class CourseInstructor(Base):
    __tablename__ = "course_instructors"

    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CoursePrerequisite(Base):
    __tablename__ = "course_prerequisites"

    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    prerequisite_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Section(IdMixin, TimestampMixin, Base):
    __tablename__ = "sections"
    __table_args__ = (Index("ix_sections_course_id_position", "course_id", "position"),)

    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Lesson(IdMixin, TimestampMixin, Base):
    __tablename__ = "lessons"
    __table_args__ = (
        Index("ix_lessons_section_id_position", "section_id", "position"),
        Index("ix_lessons_course_id", "course_id"),
    )

    section_id: Mapped[str] = mapped_column(String(36), ForeignKey("sections.id", ondelete="CASCADE"), nullable=False)
    # Denormalized from the section so course-wide lesson queries need no join.
    course_id: Mapped[str] = mapped_column(String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False, default="")
    content_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    video_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    file_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    link_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    is_preview: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    duration_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
