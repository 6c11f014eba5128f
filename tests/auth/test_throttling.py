"""Brute-force throttling of logins and the per-client rate limit (Redis-backed on server backends)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from lms.core.runtime import Runtime, build_runtime
from lms.main import create_app
from tests.factories import create_user

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"login_failures_per_account_ip": 5, "rate_limit_default": "30/900"}


def _client(app: FastAPI, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(ip, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://lms.test")


async def test_failed_logins_throttle_the_attacker_not_the_owner(rt: Runtime, app: FastAPI) -> None:
    acct = await create_user(rt)
    async with _client(app, "198.51.100.66") as attacker, _client(app, "192.0.2.10") as owner:
        for _ in range(5):
            resp = await attacker.post(LOGIN, json={"email": acct.email, "password": "Guess-wrong-1"})
            assert resp.status_code == 401
        blocked = await attacker.post(LOGIN, json={"email": acct.email, "password": acct.password})
        assert blocked.status_code == 429
        assert blocked.json()["code"] == "too_many_login_failures"
        assert int(blocked.headers["retry-after"]) > 0
        # The real user, elsewhere, still gets in.
        assert (await owner.post(LOGIN, json={"email": acct.email, "password": acct.password})).status_code == 200


async def test_account_wide_cap_of_failures_per_hour(rt: Runtime, app: FastAPI) -> None:
    rt.settings.login_failures_per_account_hour = 8
    acct = await create_user(rt)
    for i in range(8):
        async with _client(app, f"198.51.100.{i + 1}") as c:
            assert (await c.post(LOGIN, json={"email": acct.email, "password": "Guess-wrong-1"})).status_code == 401
    async with _client(app, "192.0.2.99") as c:
        resp = await c.post(LOGIN, json={"email": acct.email, "password": acct.password})
    assert resp.status_code == 429 and resp.json()["code"] == "too_many_login_failures"


async def test_rate_limit_answers_429_with_headers(rt: Runtime, app: FastAPI) -> None:
    async with _client(app, "198.51.100.200") as c:
        statuses = []
        for _ in range(31):
            resp = await c.get("/api/v1/auth/me")
            statuses.append(resp.status_code)
        assert statuses[:30] == [401] * 30
        assert resp.status_code == 429
        assert resp.headers["content-type"] == "application/problem+json"
        assert resp.json()["code"] == "rate_limited"
        assert int(resp.headers["retry-after"]) > 0
        assert resp.headers["ratelimit-limit"] == "30" and resp.headers["ratelimit-remaining"] == "0"
    async with _client(app, "198.51.100.201") as other:
        assert (await other.get("/api/v1/auth/me")).status_code == 401  # another client is unaffected


async def test_rate_limit_is_shared_by_replicas_through_redis(rt: Runtime, app: FastAPI, redis_url: str) -> None:
    if rt.redis is None:
        pytest.skip("SQLite runs use the in-process limiter; the server backends run this with Redis")
    replica_rt = build_runtime(rt.settings)
    replica = create_app(runtime=replica_rt, configure_logs=False)
    try:
        async with (
            LifespanManager(replica),
            _client(app, "198.51.100.77") as a,
            _client(replica, "198.51.100.77") as b,
        ):
            for i in range(30):
                await (a if i % 2 else b).get("/api/v1/auth/me")
            assert (await a.get("/api/v1/auth/me")).status_code == 429
            assert (await b.get("/api/v1/auth/me")).status_code == 429
    finally:
        await replica_rt.close()
