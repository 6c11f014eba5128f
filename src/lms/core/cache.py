"""Caches: a small key/value store with expiry (Redis when configured, memory otherwise), a process-local
LRU, and per-family cache versions that a committed change bumps."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy import BigInteger, String, event, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column

from lms.core.db import Base


class KeyValueStore(Protocol):
    async def set(self, key: str, value: str, ttl_seconds: int) -> None: ...

    async def get(self, key: str) -> str | None: ...

    async def ping(self) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float]] = {}

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        now = time.time()
        if len(self._data) > 50_000:
            self._data = {k: v for k, v in self._data.items() if v[1] > now}
        self._data[key] = (value, now + ttl_seconds)

    async def get(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None or item[1] < time.time():
            return None
        return item[0]

    async def ping(self) -> None:
        return None


class RedisStore:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis, self.prefix = redis, prefix

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        await self.redis.set(self.prefix + key, value, ex=max(1, ttl_seconds))

    async def get(self, key: str) -> str | None:
        value = await self.redis.get(self.prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    async def ping(self) -> None:
        await self.redis.ping()


class LocalCache:
    """A process-local LRU of values that expire after ``ttl_seconds`` (for answers cheap to recompute
    and hot enough that even a Redis round trip would matter). ``ttl_seconds <= 0`` disables it."""

    def __init__(self, ttl_seconds: float, max_entries: int = 2000) -> None:
        self.ttl, self.max_entries = ttl_seconds, max_entries
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def get(self, key: Hashable) -> Any | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[0] < time.monotonic():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return item[1]

    def set(self, key: Hashable, value: Any) -> None:
        if not self.enabled:
            return
        self._data[key] = (time.monotonic() + self.ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def clear(self) -> None:
        self._data.clear()


class CacheVersion(Base):
    """A counter per cached family of answers (e.g. ``catalog``), bumped in the same transaction as any
    change that affects them. A cache key embeds the version read at the start of a request, so a change
    is visible to every process as soon as it commits (no stale answer after publish or edit)."""

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


_BUMPS = "cache_versions_to_bump"


def mark_changed(session: AsyncSession | Session, name: str) -> None:
    """Bump the ``name`` version when this session commits (once per transaction, whatever the count)."""
    target = session.sync_session if isinstance(session, AsyncSession) else session
    target.info.setdefault(_BUMPS, set()).add(name)


@event.listens_for(Session, "before_commit")
def _bump_versions(session: Session) -> None:
    # Runs inside the committing transaction (in the async session's greenlet, so sync SQL is fine);
    # taken last, the row lock is held only for the commit itself.
    _forget_read_versions(session)
    names = session.info.pop(_BUMPS, None)
    if not names:
        return
    dialect = session.get_bind().dialect.name
    for name in sorted(names):
        stmt: Any
        if dialect in ("mysql", "mariadb"):
            ins = mysql_insert(CacheVersion).values(name=name, version=1)
            stmt = ins.on_duplicate_key_update(version=CacheVersion.version + 1)
        else:
            pg = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(CacheVersion)
            stmt = pg.values(name=name, version=1).on_conflict_do_update(
                index_elements=[CacheVersion.name], set_={"version": CacheVersion.version + 1}
            )
        session.execute(stmt)


@event.listens_for(Session, "after_rollback")
def _forget_versions(session: Session) -> None:
    session.info.pop(_BUMPS, None)
    _forget_read_versions(session)


def _forget_read_versions(session: Session) -> None:
    for key in [k for k in session.info if isinstance(k, tuple) and k[0] == _READ]:
        del session.info[key]


_READ = "cache_version_read"


async def current_version(session: AsyncSession, name: str) -> int:
    """The version of ``name`` as this transaction first saw it (0 before its first change). Read it
    before the data it guards: an answer computed afterwards is at least as new as its key."""
    key = (_READ, name)
    info = session.sync_session.info
    if key not in info:
        value = await session.scalar(select(CacheVersion.version).where(CacheVersion.name == name))
        info[key] = int(value or 0)
    return int(info[key])
