"""Catalog: the title sort compares a normalized key of the title, the same on every backend.

Ordered by ``courses.title``, the catalog's A to Z followed each database's collation: PostgreSQL (C) and
SQLite put "iOS Development" after "Zoology", MariaDB ignored only the case, and search (by the normalized
title) disagreed with all three. ``title_key`` holds the title as search normalizes it (lower case, no
accents or punctuation), compared by code point; (status, title_key, id DESC) replaces (status, title,
id DESC). Existing courses get their key from their title here.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lms.core.db import byte_order_string
from lms.search.text import title_norm

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("courses") as batch_op:
        batch_op.add_column(sa.Column("title_key", byte_order_string(200), nullable=False, server_default=""))
    courses = sa.table("courses", sa.column("id", sa.String), sa.column("title", sa.String), sa.column("title_key"))
    conn = op.get_bind()
    rows = conn.execute(sa.select(courses.c.id, courses.c.title)).all()
    keyed = courses.update().where(courses.c.id == sa.bindparam("course_id")).values(title_key=sa.bindparam("key"))
    for start in range(0, len(rows), BATCH):
        conn.execute(
            keyed, [{"course_id": id_, "key": title_norm(title)} for id_, title in rows[start : start + BATCH]]
        )
    op.create_index(
        "ix_courses_catalog_title_key", "courses", ["status", "title_key", sa.text("id DESC")], unique=False
    )
    op.drop_index("ix_courses_catalog_title", table_name="courses")


def downgrade() -> None:
    op.create_index("ix_courses_catalog_title", "courses", ["status", "title", sa.text("id DESC")], unique=False)
    op.drop_index("ix_courses_catalog_title_key", table_name="courses")
    with op.batch_alter_table("courses") as batch_op:
        batch_op.drop_column("title_key")
