"""Fixed-window counters for rate limits and login throttling: Redis when configured, memory otherwise."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lms.core.errors import ErrorCode, problem_response


@dataclass(frozen=True)
class Hit:
    count: int
    limit: int
    reset_in: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


class CounterStore(Protocol):
    async def incr(self, key: str, window: int) -> tuple[int, int]:
        """Increment the counter of the current window; return (count, seconds until reset)."""

    async def peek(self, key: str, window: int) -> tuple[int, int]: ...

    async def reset(self, key: str, window: int) -> None: ...


class MemoryCounterStore:
    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = asyncio.Lock()

    def _slot(self, key: str, window: int) -> tuple[str, float]:
        now = time.time()
        start = math.floor(now / window) * window
        return f"{key}:{int(start)}", start + window - now

    async def incr(self, key: str, window: int) -> tuple[int, int]:
        slot, ttl = self._slot(key, window)
        async with self._lock:
            count, expires = self._counts.get(slot, (0, time.time() + ttl))
            self._counts[slot] = (count + 1, expires)
            if len(self._counts) > 100_000:
                now = time.time()
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
        return count + 1, max(1, math.ceil(ttl))

    async def peek(self, key: str, window: int) -> tuple[int, int]:
        slot, ttl = self._slot(key, window)
        return self._counts.get(slot, (0, 0.0))[0], max(1, math.ceil(ttl))

    async def reset(self, key: str, window: int) -> None:
        slot, _ = self._slot(key, window)
        self._counts.pop(slot, None)


class RedisCounterStore:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    def _slot(self, key: str, window: int) -> tuple[str, int]:
        now = time.time()
        start = math.floor(now / window) * window
        return f"{self.prefix}rl:{key}:{int(start)}", max(1, math.ceil(start + window - now))

    async def incr(self, key: str, window: int) -> tuple[int, int]:
        slot, ttl = self._slot(key, window)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(slot)
            pipe.expire(slot, ttl + 1)
            count, _ = await pipe.execute()
        return int(count), ttl

    async def peek(self, key: str, window: int) -> tuple[int, int]:
        slot, ttl = self._slot(key, window)
        value = await self.redis.get(slot)
        return int(value or 0), ttl

    async def reset(self, key: str, window: int) -> None:
        slot, _ = self._slot(key, window)
        await self.redis.delete(slot)


class RateLimiter:
    def __init__(self, store: CounterStore) -> None:
        self.store = store

    async def hit(self, key: str, limit: int, window: int) -> Hit:
        count, reset_in = await self.store.incr(key, window)
        return Hit(count, limit, reset_in)

    async def peek(self, key: str, limit: int, window: int) -> Hit:
        count, reset_in = await self.store.peek(key, window)
        return Hit(count, limit, reset_in)

    async def reset(self, key: str, window: int) -> None:
        await self.store.reset(key, window)


def client_ip(scope: Scope, *, trust_proxy: bool) -> str:
    if trust_proxy:
        for name, value in scope.get("headers") or []:
            if name == b"x-forwarded-for":
                return str(value.decode("latin-1").split(",")[0].strip())
    client = scope.get("client")
    return client[0] if client else "unknown"


class RateLimitMiddleware:
    """Per-client request budget by route group (seed's gateway rule), with RateLimit-* headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        groups: list[tuple[str, str, int, int]],
        trust_proxy: bool,
        enabled: bool = True,
    ) -> None:
        # groups: (name, path prefix, limit, window); the first matching prefix wins.
        self.app = app
        self.limiter = limiter
        self.groups = groups
        self.trust_proxy = trust_proxy
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not self.enabled or not path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        group = next((g for g in self.groups if path.startswith(g[1])), None)
        if group is None:
            await self.app(scope, receive, send)
            return
        name, _, limit, window = group
        hit = await self.limiter.hit(f"{name}:{client_ip(scope, trust_proxy=self.trust_proxy)}", limit, window)
        headers = [
            (b"ratelimit-limit", str(limit).encode()),
            (b"ratelimit-remaining", str(hit.remaining).encode()),
            (b"ratelimit-reset", str(hit.reset_in).encode()),
            (b"ratelimit-policy", f"{limit};w={window}".encode()),
        ]
        if not hit.allowed:
            resp = problem_response(
                429,
                ErrorCode.RATE_LIMITED.value,
                "Too many requests",
                f"Rate limit of {limit} requests per {window} seconds exceeded; try again in {hit.reset_in} seconds.",
                instance=path,
                headers={"Retry-After": str(hit.reset_in)},
            )
            await send({"type": "http.response.start", "status": 429, "headers": [*resp.raw_headers, *headers]})
            await send({"type": "http.response.body", "body": resp.body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
