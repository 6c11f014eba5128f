"""Search: course documents, title words, vocabulary, and each backend's full-text index.

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-25 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql, postgresql

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _prefix_text(length: int) -> sa.types.TypeEngine[str]:
    return (
        sa.String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(mysql.VARCHAR(length, collation="utf8mb4_bin"), "mysql", "mariadb")
    )


SQLITE_FTS = [
    # External content: the text lives once, in course_search; triggers keep the index in step.
    "CREATE VIRTUAL TABLE course_search_fts USING fts5(title, subtitle, tags, body, "
    "content='course_search', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER course_search_ai AFTER INSERT ON course_search BEGIN "
    "INSERT INTO course_search_fts(rowid, title, subtitle, tags, body) "
    "VALUES (new.id, new.title, new.subtitle, new.tags, new.body); END",
    "CREATE TRIGGER course_search_ad AFTER DELETE ON course_search BEGIN "
    "INSERT INTO course_search_fts(course_search_fts, rowid, title, subtitle, tags, body) "
    "VALUES ('delete', old.id, old.title, old.subtitle, old.tags, old.body); END",
    "CREATE TRIGGER course_search_au AFTER UPDATE ON course_search BEGIN "
    "INSERT INTO course_search_fts(course_search_fts, rowid, title, subtitle, tags, body) "
    "VALUES ('delete', old.id, old.title, old.subtitle, old.tags, old.body); "
    "INSERT INTO course_search_fts(rowid, title, subtitle, tags, body) "
    "VALUES (new.id, new.title, new.subtitle, new.tags, new.body); END",
]

MYSQL_FTS = [
    # One index for matching, two more so title and subtitle/tags matches can be weighted on their own.
    "ALTER TABLE course_search ADD FULLTEXT INDEX ft_course_search_all (title, subtitle, tags, body), "
    "ADD FULLTEXT INDEX ft_course_search_title (title), "
    "ADD FULLTEXT INDEX ft_course_search_subtitle_tags (subtitle, tags)",
]

POSTGRES_FTS = [
    "ALTER TABLE course_search ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(subtitle, '') || ' ' || coalesce(tags, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'C')) STORED",
    "CREATE INDEX ix_course_search_search_vector ON course_search USING GIN (search_vector)",
]


def upgrade() -> None:
    op.create_table(
        "course_search",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("subtitle", sa.String(length=300), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("title_norm", _prefix_text(200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_course_search_course_id_courses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_search")),
        sa.UniqueConstraint("course_id", name=op.f("uq_course_search_course_id")),
    )
    op.create_index("ix_course_search_title_norm", "course_search", ["title_norm"], unique=False)
    op.create_table(
        "search_title_words",
        sa.Column("word", _prefix_text(100), nullable=False),
        sa.Column("course_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_search_title_words_course_id_courses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("word", "course_id", name=op.f("pk_search_title_words")),
    )
    op.create_index(op.f("ix_search_title_words_course_id"), "search_title_words", ["course_id"], unique=False)
    op.create_table(
        "search_terms",
        sa.Column("term", _prefix_text(100), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("doc_freq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_terms")),
    )
    op.create_index("ix_search_terms_length_term", "search_terms", ["length", "term"], unique=False)

    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_FTS, "mysql": MYSQL_FTS, "mariadb": MYSQL_FTS, "postgresql": POSTGRES_FTS}
    for statement in statements.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    # Dropping the tables drops their indexes (MariaDB refuses to drop an index a foreign key needs).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS course_search_fts")
    op.drop_table("search_terms")
    op.drop_table("search_title_words")
    op.drop_table("course_search")
