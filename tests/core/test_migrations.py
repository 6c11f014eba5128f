"""The one migration chain runs on every backend and matches the models exactly."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from lms import migrate
from lms.config import to_async_url
from lms.core.db import create_engine
from lms.core.runtime import Runtime
from lms.models import Base
from tests.conftest import SERVER_URLS, Backend, _admin_sql, _replace_db


def _not_search_internals(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # The full-text structures are backend-specific and created by the search migration itself:
    # SQLite's FTS5 table (and its shadow tables), MariaDB FULLTEXT indexes, PostgreSQL's tsvector column.
    return not (name or "").startswith(
        ("course_search_fts", "ft_course_search", "search_vector", "ix_course_search_search_vector")
    )


def _diff(conn: Connection) -> list[object]:
    ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _not_search_internals})
    return list(compare_metadata(ctx, Base.metadata))


async def test_schema_matches_models(rt: Runtime) -> None:
    async with rt.engine.connect() as conn:
        diff = await conn.run_sync(_diff)
    assert diff == []


async def test_upgrade_downgrade_upgrade_on_a_scratch_database(backend: Backend, tmp_path: Path) -> None:
    if backend.name == "sqlite":
        url, server = f"sqlite:///{tmp_path / 'scratch.db'}", None
    else:
        server = SERVER_URLS[backend.name]
        assert server
        name = f"lms_scratch_{uuid.uuid4().hex[:8]}"
        await _admin_sql(server, [f"CREATE DATABASE {name}"])
        url = _replace_db(server, name)
    try:
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
    finally:
        if server:
            force = " WITH (FORCE)" if backend.name == "postgres" else ""
            await _admin_sql(server, [f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}{force}"])
