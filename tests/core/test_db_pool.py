"""The pool: MariaDB connections go back without a ROLLBACK when their unit of work already ended it, and
with one when the server still holds a transaction open; a connection is checked for life only after it
has idled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lms.config import to_async_url
from lms.core import db
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


# ---------------------------------------------------------------------------- liveness check when idle


@pytest.fixture
async def server_engine(backend: Backend) -> AsyncIterator[AsyncEngine]:
    if backend.name == "sqlite":
        pytest.skip("SQLite has no server to lose the connection")
    engine = create_engine(to_async_url(backend.url))
    yield engine
    await engine.dispose()


class _Pings:
    """Counts the dialect's liveness checks."""

    def __init__(self, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        ping = engine.dialect.do_ping

        def counted(dbapi_conn: Any) -> bool:
            self.count += 1
            return ping(dbapi_conn)

        monkeypatch.setattr(engine.dialect, "do_ping", counted)


async def _server_id(conn: AsyncConnection, backend: Backend) -> int:
    query = "SELECT pg_backend_pid()" if backend.name == "postgres" else "SELECT CONNECTION_ID()"
    return int((await conn.execute(text(query))).scalar_one())


async def _kill(backend: Backend, server_id: int) -> None:
    """Ends a server session from a connection of another pool, as a database restart or an idle timeout
    would."""
    other = create_engine(to_async_url(backend.url))
    async with other.connect() as conn:
        if backend.name == "postgres":
            # Waits (up to 5 s) until the session has ended, as KILL does on MariaDB.
            await conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": server_id})
        else:
            await conn.execute(text(f"KILL {server_id}"))
    await other.dispose()


async def test_a_connection_back_from_a_request_moments_ago_is_handed_out_without_a_ping(
    server_engine: AsyncEngine, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _Pings(server_engine, monkeypatch)
    async with server_engine.connect() as conn:
        first = await _server_id(conn, backend)
    async with server_engine.connect() as conn:
        assert await _server_id(conn, backend) == first
    assert pings.count == 0


async def test_an_idle_connection_the_server_closed_is_replaced_before_use(
    server_engine: AsyncEngine, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    pings = _Pings(server_engine, monkeypatch)
    async with server_engine.connect() as conn:
        killed = await _server_id(conn, backend)
    await _kill(backend, killed)
    async with server_engine.connect() as conn:
        assert await _server_id(conn, backend) != killed
    assert pings.count == 1


async def test_after_a_failed_check_every_older_connection_is_replaced_without_a_ping_each(
    server_engine: AsyncEngine, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server restart ends every pooled session at once: the first failed check replaces them all, so the
    other idle connections are not each pinged (and found dead) in turn."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    pings = _Pings(server_engine, monkeypatch)
    async with server_engine.connect() as a, server_engine.connect() as b:
        killed = {await _server_id(a, backend), await _server_id(b, backend)}
    for server_id in killed:
        await _kill(backend, server_id)
    async with server_engine.connect() as a, server_engine.connect() as b:
        now = {await _server_id(a, backend), await _server_id(b, backend)}
    assert not now & killed and len(now) == 2
    assert pings.count == 1


async def test_without_the_check_a_dead_connection_fails_once_and_the_pool_recovers(
    server_engine: AsyncEngine, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the window the check is skipped: a connection the server closed meanwhile fails its statement
    (one request gets an error), and the pool drops it so the next checkout works."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    async with server_engine.connect() as conn:
        killed = await _server_id(conn, backend)
    await _kill(backend, killed)
    with pytest.raises(DBAPIError) as failure:
        async with server_engine.connect() as conn:
            await _server_id(conn, backend)
    assert failure.value.connection_invalidated
    async with server_engine.connect() as conn:
        assert await _server_id(conn, backend) != killed
