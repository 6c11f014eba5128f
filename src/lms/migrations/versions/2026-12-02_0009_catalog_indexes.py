"""Catalog: one index per catalog sort holding the whole ORDER BY, and cache versions.

The old (status, sort column) indexes left MariaDB sorting every published course for a page of 20
(and reading each row for the tiebreakers); these replace them. ``cache_versions`` holds the counters
that invalidate the short-lived catalog and search answer caches on every committed course change.

Revision ID: 0009
Revises: 0002
Create Date: 2026-12-02 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = {
    "ix_courses_catalog_newest": ["status", "published_at", "created_at", "id"],
    "ix_courses_catalog_popular": ["status", "enrollment_count", "published_at", "id"],
    "ix_courses_catalog_rating": ["status", "rating_average", "rating_count", "id"],
    "ix_courses_catalog_price": ["status", "price_amount", "published_at", "id"],
}
OLD = {
    "ix_courses_status_published_at": ["status", "published_at"],
    "ix_courses_status_enrollment_count": ["status", "enrollment_count"],
    "ix_courses_status_rating_average": ["status", "rating_average"],
    "ix_courses_status_price_amount": ["status", "price_amount"],
}


def upgrade() -> None:
    op.create_table(
        "cache_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_versions")),
    )
    # Plain CREATE/DROP INDEX (no batch): SQLite needs no table rebuild for indexes.
    for name, columns in NEW.items():
        op.create_index(name, "courses", columns, unique=False)
    for name in OLD:
        op.drop_index(name, table_name="courses")


def downgrade() -> None:
    for name, columns in OLD.items():
        op.create_index(name, "courses", columns, unique=False)
    for name in NEW:
        op.drop_index(name, table_name="courses")
    op.drop_table("cache_versions")
