"""Database mechanics: declarative base, UTC timestamps, engine and the per-request unit of work."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, String, event
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import PoolResetState
from sqlalchemy.types import TypeDecorator

from lms.core.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (portable to MySQL DATETIME), always returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


def byte_order_string(length: int) -> String:
    """A VARCHAR compared by code point on every backend (SQLite's default): PostgreSQL's "C" collation,
    MariaDB's utf8mb4_bin. For normalized keys: prefix range scans use the btree on PostgreSQL, MariaDB's
    accent- and case-insensitive default does not make distinct keys collide, and an ORDER BY on the
    column sorts alike everywhere, and as Python does."""
    return (
        String(length)
        .with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")
        .with_variant(mysql.VARCHAR(length, collation="utf8mb4_bin"), "mysql", "mariadb")
    )


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine tuned per backend. SQLite gets one connection: writes serialize, no 'database is locked'."""
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            echo=echo,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            connect_args={"timeout": 30},
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # Last in, first out: under light traffic the same few connections stay busy (and skip the ping, below)
    # while the rest wait at the bottom of the pool. The pool closes none of them by itself: one older than
    # ``pool_recycle`` is replaced when it is next handed out, and one that has died meanwhile fails the ping.
    kwargs: dict[str, Any] = {"pool_size": 10, "max_overflow": 20, "pool_use_lifo": True, "pool_recycle": 1800}
    if not url.startswith("mysql"):
        return _ping_when_idle(create_async_engine(url, echo=echo, **kwargs))
    # READ COMMITTED like PostgreSQL, so both backends behave alike under concurrency.
    kwargs["isolation_level"] = "READ COMMITTED"
    kwargs["connect_args"] = {"charset": "utf8mb4"}
    # The pool's own reset (below) replaces its unconditional ROLLBACK on return.
    engine = _ping_when_idle(create_async_engine(url, echo=echo, pool_reset_on_return=None, **kwargs))

    @event.listens_for(engine.sync_engine, "reset")
    def _end_open_transaction(dbapi_conn: Any, _record: Any, state: PoolResetState) -> None:
        """Roll back a connection coming back to the pool only if the server reports a transaction open.
        Every request ends its unit of work with COMMIT or ROLLBACK, so the pool's default ROLLBACK was a
        round trip for nothing on each one (asyncpg skips it by itself). The status comes from the
        server's last reply and is never stale the unsafe way: any statement that opens a transaction
        replies with it set."""
        if state.asyncio_safe and not state.terminate_only and dbapi_conn.driver_connection.get_transaction_status():
            dbapi_conn.rollback()

    return engine


# A connection back from a request less than this long ago is handed out without a ping (HikariCP's
# "alive bypass window" is 0.5 s too).
PING_AFTER_IDLE_SECONDS = 0.5


def _ping_when_idle(engine: AsyncEngine) -> AsyncEngine:
    """Check that a pooled connection is alive before handing it out, only when it has been idle a while.
    SQLAlchemy's pre-ping checks every time: three round trips on asyncpg (BEGIN, an empty query,
    ROLLBACK), one on MariaDB, on every request. A connection that dies anyway (the server restarted within
    the window) fails its statement, and the pool then replaces every connection older than the failure."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _check_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")  # none yet: connected just now
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, dbapi_conn, None):
                # The server went away (restarted): every connection made before now is stale too, so the
                # pool replaces them all, and this checkout is retried on a new one.
                raise InvalidatePoolError("the pooled connection was closed by the server") from exc
            raise

    return engine


class LMSSession(Session):
    """Calls ``info["on_events_committed"]`` after a commit that wrote outbox events."""


@event.listens_for(LMSSession, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("events_pending", False):
        callback = session.info.get("on_events_committed")
        if callback is not None:
            callback()


def create_sessionmaker(
    engine: AsyncEngine, on_events_committed: Callable[[], None] | None = None
) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=LMSSession,
        info={"on_events_committed": on_events_committed},
    )


@asynccontextmanager
async def unit_of_work(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One session per request: commit once on success, roll back on any error. Services only flush."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException as exc:
            if getattr(exc, "commit_changes", False):
                await session.commit()
            else:
                await session.rollback()
            raise


def is_mysql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name in ("mysql", "mariadb")


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name
