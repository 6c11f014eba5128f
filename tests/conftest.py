"""Test harness: every database-backed test runs on SQLite and, when configured, on MariaDB/MySQL and
PostgreSQL (LMS_TEST_MYSQL_URL, LMS_TEST_POSTGRES_URL); Redis-backed parts use LMS_TEST_REDIS_URL on the
server backends. LMS_TEST_REQUIRE_SERVICES=1 turns a missing server into a failure instead of a skip.

Isolation: each test session gets its own freshly migrated database (so parallel runs never collide);
SQLite tests get a copy of the migrated file, server tests delete every row after each test.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from lms import migrate
from lms.config import Settings, to_async_url
from lms.core.runtime import Runtime, build_runtime
from lms.main import create_app
from lms.models import Base

REQUIRE = os.environ.get("LMS_TEST_REQUIRE_SERVICES") == "1"
SERVER_URLS = {"mysql": os.environ.get("LMS_TEST_MYSQL_URL"), "postgres": os.environ.get("LMS_TEST_POSTGRES_URL")}
REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")


def _backends() -> list[str]:
    return ["sqlite", "mysql", "postgres"]


def _replace_db(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _admin_sql(url: str, statements: list[str]) -> None:
    engine = create_async_engine(to_async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            for stmt in statements:
                await conn.execute(text(stmt))
    finally:
        await engine.dispose()


@dataclass
class Backend:
    name: str
    url: str
    template: Path | None = None  # SQLite: migrated file copied for every test


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lms-session")


@pytest.fixture(scope="session", params=_backends())
def backend(request: pytest.FixtureRequest, session_tmp: Path) -> Iterator[Backend]:
    name: str = request.param
    if name == "sqlite":
        template = session_tmp / "template.db"
        migrate.upgrade(f"sqlite:///{template}")
        yield Backend(name, f"sqlite:///{template}", template)
        return
    server_url = SERVER_URLS[name]
    if not server_url:
        if REQUIRE:
            pytest.fail(f"LMS_TEST_{name.upper()}_URL is not set but LMS_TEST_REQUIRE_SERVICES=1")
        pytest.skip(f"LMS_TEST_{name.upper()}_URL not set")
    db_name = f"lms_test_{uuid.uuid4().hex[:10]}"
    try:
        if name == "mysql":
            asyncio.run(
                _admin_sql(server_url, [f"CREATE DATABASE {db_name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"])
            )
        else:
            asyncio.run(_admin_sql(server_url, [f"CREATE DATABASE {db_name}"]))
    except Exception as exc:
        if REQUIRE:
            pytest.fail(f"{name} at {server_url} is not reachable: {exc}")
        pytest.skip(f"{name} not reachable: {exc}")
    url = _replace_db(server_url, db_name)
    migrate.upgrade(url)
    yield Backend(name, url)
    drop = f"DROP DATABASE IF EXISTS {db_name}" + (" WITH (FORCE)" if name == "postgres" else "")
    asyncio.run(_admin_sql(server_url, [drop]))


@pytest.fixture(scope="session")
def jwt_key_file(session_tmp: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = session_tmp / "jwt.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        if REQUIRE:
            pytest.fail("LMS_TEST_REDIS_URL is not set but LMS_TEST_REQUIRE_SERVICES=1")
        pytest.skip("LMS_TEST_REDIS_URL not set")
    return REDIS_URL


@pytest.fixture
def db_url(backend: Backend, tmp_path: Path) -> str:
    if backend.template is not None:
        copy = tmp_path / "lms.db"
        shutil.copyfile(backend.template, copy)
        return f"sqlite:///{copy}"
    return backend.url


def make_settings(db_url: str, data_dir: Path, jwt_key_file: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": db_url,
        "data_dir": data_dir,
        "bcrypt_rounds": 4,
        "jwt_private_key_file": jwt_key_file,
        "mail_backend": "file",
        "run_relay_in_process": False,
        "rate_limit_default": "100000/900",
        "rate_limit_auth": "100000/900",
        "log_json": True,
        "public_url": "http://lms.test",
        "redis_prefix": f"lms-test:{uuid.uuid4().hex[:12]}:",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module (or with @pytest.mark.parametrize indirect) to change settings."""
    return {}


@pytest.fixture
async def rt(
    backend: Backend, db_url: str, tmp_path: Path, jwt_key_file: Path, settings_overrides: dict[str, Any]
) -> AsyncIterator[Runtime]:
    overrides = dict(settings_overrides)
    # The server backends run with Redis (when configured), SQLite with the in-memory fallbacks.
    if backend.name != "sqlite" and "redis_url" not in overrides:
        if REDIS_URL:
            overrides["redis_url"] = REDIS_URL
        elif REQUIRE:
            pytest.fail("LMS_TEST_REDIS_URL is not set but LMS_TEST_REQUIRE_SERVICES=1")
    runtime = build_runtime(make_settings(db_url, tmp_path / "data", jwt_key_file, **overrides))
    try:
        yield runtime
    finally:
        if backend.template is None:
            async with runtime.engine.begin() as conn:
                for table in reversed(Base.metadata.sorted_tables):
                    await conn.execute(table.delete())
        if runtime.redis is not None:
            keys = [k async for k in runtime.redis.scan_iter(match=f"{runtime.settings.redis_prefix}*")]
            if keys:
                await runtime.redis.delete(*keys)
        await runtime.close()


@pytest.fixture
async def app(rt: Runtime) -> AsyncIterator[FastAPI]:
    application = create_app(runtime=rt, configure_logs=False)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("203.0.113.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://lms.test") as c:
        yield c


def read_mail(rt: Runtime) -> list[EmailMessage]:
    """Messages the file mail sink wrote, oldest first."""
    directory = rt.settings.mail_dir
    if not directory.exists():
        return []
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
        for p in sorted(directory.glob("*.eml"))
    ]


def mail_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
