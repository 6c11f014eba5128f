"""Search read model: one document per course, its title words (autocomplete) and the vocabulary
(typo tolerance). The full-text index itself is per backend and created by the migration:
SQLite FTS5 table ``course_search_fts`` (external content, kept in step by triggers), MariaDB
``FULLTEXT`` indexes, PostgreSQL generated ``search_vector`` tsvector with a GIN index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, UTCDateTime, byte_order_string


class CourseSearch(Base):
    """The searchable text of one course. ``id`` is the integer row id FTS5 needs (stable across VACUUM)."""

    __tablename__ = "course_search"
    __table_args__ = (Index("ix_course_search_title_norm", "title_norm"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    course_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("courses.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    subtitle: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    tags: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Description (plain text), instructor names and section/lesson titles.
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    title_norm: Mapped[str] = mapped_column(byte_order_string(200), nullable=False, default="")
    # The course status when indexed: decides whether its words count in the vocabulary.
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    # Copies of the course's filter, facet and sort columns, so a search reads this table alone (joining
    # ``courses`` for ~1,000 matches doubled its time). The indexer keeps them in step with the course.
    category_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    level: Mapped[str] = mapped_column(String(20), nullable=False, server_default="all_levels")
    language: Mapped[str] = mapped_column(String(10), nullable=False, server_default="en")
    price_amount: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SearchTitleWord(Base):
    """Each word of each course title, for word-prefix autocomplete ("learn" → "Machine Learning")."""

    __tablename__ = "search_title_words"

    word: Mapped[str] = mapped_column(byte_order_string(100), primary_key=True)
    course_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SearchTerm(Base):
    """Vocabulary of published courses with document frequencies (did-you-mean candidates)."""

    __tablename__ = "search_terms"
    __table_args__ = (Index("ix_search_terms_length_term", "length", "term"),)

    term: Mapped[str] = mapped_column(byte_order_string(100), primary_key=True)
    length: Mapped[int] = mapped_column(Integer, nullable=False)
    doc_freq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class CatalogGroup(Base):
    """How many published courses share one combination of the catalog's facets (category, level,
    language, free or paid): the catalog's totals for those filters are a sum over a few hundred of these
    rows instead of a COUNT over every published course (5 ms on MariaDB at 10,000 courses). The indexer
    moves a course between groups in the same transaction as its search document; ``lms search
    reindex`` recounts them. ``category_id`` is '' for uncategorized courses (a key column cannot be NULL)."""

    __tablename__ = "catalog_groups"

    category_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(10), primary_key=True)
    is_free: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    courses: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
