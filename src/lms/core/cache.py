"""A small key/value store with expiry (Redis when configured, memory otherwise)."""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis


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
