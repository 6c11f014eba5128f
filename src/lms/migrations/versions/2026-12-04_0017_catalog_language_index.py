"""Catalog: the language filter reads its page from an index in the default order.

A language filter with the default sort (newest) walked the whole "newest" index and read each course's
row to check its language: 666 rows for the third page of Telugu courses (a tenth of the catalog), 3.2 ms
on MariaDB at 10,000 courses. (status, language, published_at, created_at, id) reads just the page's
entries. It replaces (language, status): the language counts that are not summed from ``catalog_groups``
are answered from its first two columns.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-04 21:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["status", "language", "published_at", "created_at", "id"]


def upgrade() -> None:
    op.create_index("ix_courses_catalog_language", "courses", COLUMNS, unique=False)
    op.drop_index("ix_courses_language_status", table_name="courses")


def downgrade() -> None:
    op.create_index("ix_courses_language_status", "courses", ["language", "status"], unique=False)
    op.drop_index("ix_courses_catalog_language", table_name="courses")
