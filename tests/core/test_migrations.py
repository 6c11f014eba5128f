"""The one migration chain runs on every backend and matches the models exactly."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import TableClause, column, insert, inspect, select, table, text
from sqlalchemy.engine import Connection

from lms import migrate
from lms.config import to_async_url
from lms.core.db import create_engine
from lms.core.runtime import Runtime
from lms.courses.models import Category, Course
from lms.models import Base
from lms.search.models import CourseSearch
from tests.conftest import SERVER_URLS, Backend, _admin_sql, _replace_db

# Indexes with a descending column: Alembic reflects them as expressions it cannot compare on SQLite and
# MariaDB (it reports them removed and added). Their existence is checked in test_descending_indexes_exist.
DESCENDING_INDEXES = {"ix_courses_catalog_price_asc", "ix_courses_catalog_title_key"}


def _courses_without(*later: str) -> TableClause:
    """The courses table as it was before the migrations adding the ``later`` columns (no Python defaults)."""
    return table("courses", *(column(c.name, c.type) for c in Course.__table__.c if c.name not in later))


def _course_row(**values: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    defaults = {"subtitle": "", "description": "", "description_html": "", "tags": [], "price_amount": 0}
    defaults |= {"price_currency": "INR", "level": "all_levels", "language": "en", "status": "draft"}
    counters = ("enrollment_count", "rating_count", "rating_sum", "rating_average", "lesson_count")
    defaults |= dict.fromkeys((*counters, "duration_seconds"), 0) | {"created_at": now, "updated_at": now}
    return defaults | values


def _not_search_internals(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The full-text structures are backend-specific and created by the search migration itself:
    # SQLite's FTS5 table (and its shadow tables), MariaDB FULLTEXT indexes, PostgreSQL's tsvector column.
    if type_ == "index" and name in DESCENDING_INDEXES:
        return False
    return not (name or "").startswith(
        ("course_search_fts", "ft_course_search", "search_vector", "ix_course_search_search_vector")
    )


def _diff(conn: Connection) -> list[object]:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _not_search_internals})
    return list(compare_metadata(ctx, Base.metadata))


@asynccontextmanager
async def scratch_database(backend: Backend, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty database on ``backend``, dropped afterwards."""
    if backend.name == "sqlite":
        url, server = f"sqlite:///{tmp_path / 'scratch.db'}", None
    else:
        server = SERVER_URLS[backend.name]
        assert server
        name = f"lms_scratch_{uuid.uuid4().hex[:8]}"
        await _admin_sql(server, [f"CREATE DATABASE {name}"])
        url = _replace_db(server, name)
    try:
        yield url
    finally:
        if server:
            force = " WITH (FORCE)" if backend.name == "postgres" else ""
            await _admin_sql(server, [f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}{force}"])


async def test_schema_matches_models(rt: Runtime) -> None:
    async with rt.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_descending_indexes_exist(rt: Runtime) -> None:
    async with rt.engine.connect() as conn:
        names = await conn.run_sync(lambda c: {i["name"] for i in inspect(c).get_indexes("courses")})
    assert names >= DESCENDING_INDEXES


async def test_upgrade_downgrade_upgrade_on_a_scratch_database(backend: Backend, tmp_path: Path) -> None:
    async with scratch_database(backend, tmp_path) as url:
        await asyncio.to_thread(migrate.upgrade, url)
        engine = create_engine(to_async_url(url))
        async with engine.connect() as conn:
            assert set(Base.metadata.tables) <= set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        await asyncio.to_thread(migrate.downgrade, url, "base")
        async with engine.connect() as conn:
            assert set(await conn.run_sync(lambda c: inspect(c).get_table_names())) <= {"alembic_version"}
        await asyncio.to_thread(migrate.upgrade, url)
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
        await engine.dispose()


async def test_search_facet_columns_are_copied_from_existing_courses(backend: Backend, tmp_path: Path) -> None:
    """Migration 0010 fills course_search's new filter and facet columns from the courses already indexed."""
    async with scratch_database(backend, tmp_path) as url:
        await asyncio.to_thread(migrate.upgrade, url, "0007")
        engine = create_engine(to_async_url(url))
        published = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
        async with engine.begin() as conn:
            await conn.execute(insert(Category.__table__).values(id="cat-1", name="CSE", slug="cse"))
            await conn.execute(
                insert(_courses_without("title_key")).values(
                    _course_row(
                        id="course-1",
                        title="Signals",
                        slug="signals",
                        category_id="cat-1",
                        level="advanced",
                        language="te",
                        price_amount=49900,
                        status="published",
                        published_at=published,
                    )
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO course_search (course_id, title, subtitle, tags, body, title_norm, status) "
                    "VALUES ('course-1', 'Signals', '', '', '', 'signals', 'published')"
                )
            )
        await asyncio.to_thread(migrate.upgrade, url)
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    select(
                        CourseSearch.category_id,
                        CourseSearch.level,
                        CourseSearch.language,
                        CourseSearch.price_amount,
                        CourseSearch.published_at,
                    )
                )
            ).one()
        assert tuple(row) == ("cat-1", "advanced", "te", 49900, published)
        await engine.dispose()


async def test_existing_courses_get_their_title_key(backend: Backend, tmp_path: Path) -> None:
    """Migration 0018 keys the titles of the courses already there, as a new course's is keyed."""
    titles = {"course-1": "iOS Development", "course-2": "Éclairs & Pastry", "course-3": "C++ Basics"}
    async with scratch_database(backend, tmp_path) as url:
        await asyncio.to_thread(migrate.upgrade, url, "0017")
        engine = create_engine(to_async_url(url))
        async with engine.begin() as conn:
            rows = [_course_row(id=id_, title=title, slug=id_) for id_, title in titles.items()]
            await conn.execute(insert(_courses_without("title_key")), rows)
        await asyncio.to_thread(migrate.upgrade, url)
        async with engine.connect() as conn:
            keys = dict((await conn.execute(select(Course.id, Course.title_key))).all())
        assert keys == {"course-1": "ios development", "course-2": "eclairs pastry", "course-3": "c basics"}
        await engine.dispose()
