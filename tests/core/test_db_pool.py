"""MariaDB connections go back to the pool without a ROLLBACK when their unit of work already ended it,
and with one when the server still holds a transaction open."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lms.config import to_async_url
from lms.core.db import create_engine
from tests.conftest import Backend


@pytest.fixture
async def mariadb(backend: Backend) -> AsyncIterator[AsyncEngine]:
    if backend.name != "mysql":
        pytest.skip("the pool's reset is MariaDB's own (asyncpg skips a needless rollback by itself)")
    engine = create_engine(to_async_url(backend.url))
    yield engine
    await engine.dispose()


async def _session_state(conn: AsyncConnection) -> tuple[int, int, int]:
    """(connection id, ROLLBACKs this connection has run, whether it is in a transaction)."""
    row = (await conn.execute(text("SELECT CONNECTION_ID(), @@in_transaction"))).one()
    rollbacks = (await conn.execute(text("SHOW SESSION STATUS LIKE 'Com_rollback'"))).one()
    return int(row[0]), int(rollbacks[1]), int(row[1])


async def test_a_committed_connection_goes_back_without_a_rollback(mariadb: AsyncEngine) -> None:
    async with mariadb.connect() as conn:
        before = await _session_state(conn)
        await conn.execute(text("SELECT COUNT(*) FROM courses"))  # opens a transaction on the server
        await conn.commit()
    async with mariadb.connect() as conn:
        after = await _session_state(conn)
    assert after[0] == before[0], "the pool handed out another connection"
    assert after[1] == before[1], "a ROLLBACK ran after the COMMIT"
    assert after[2] == 0


async def test_a_transaction_left_open_on_the_server_is_rolled_back(mariadb: AsyncEngine) -> None:
    async with mariadb.connect() as conn:
        before = await _session_state(conn)
        await conn.commit()
        # Behind SQLAlchemy's back: it believes no transaction is open, the server has one.
        driver = (await conn.get_raw_connection()).driver_connection
        async with driver.cursor() as cursor:
            await cursor.execute("SELECT COUNT(*) FROM courses")
            await cursor.fetchall()
        assert driver.get_transaction_status()
    async with mariadb.connect() as conn:
        after = await _session_state(conn)
    assert after[0] == before[0], "the pool handed out another connection"
    assert after[1] == before[1] + 1
    assert after[2] == 0
