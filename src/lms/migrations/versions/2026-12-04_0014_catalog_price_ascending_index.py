"""Catalog: an index for "price, low to high" in its own order.

That sort is price ascending, then the newest (published_at and id descending). The price index is all
ascending, which serves "high to low" read backwards but not this mix of directions, so MariaDB sorted
every paid course for a page (4-6 ms per statement, 14 ms per request at 10,000 courses; 0.1 ms with
an index in the sort's own order).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 09:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_courses_catalog_price_asc",
        "courses",
        ["status", "price_amount", sa.text("published_at DESC"), sa.text("id DESC")],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_courses_catalog_price_asc", table_name="courses")
