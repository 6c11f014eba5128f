"""The HTTP skeleton: health, readiness, metrics, OpenAPI, request ids and problem+json everywhere."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, FastAPI
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from lms.core.runtime import Runtime, build_runtime
from lms.main import create_app
from tests.conftest import make_settings


async def test_health_and_readiness(rt: Runtime, client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    expected = {"database": "ok", **({"redis": "ok"} if rt.redis is not None else {})}
    assert ready.json()["checks"] == expected


async def test_readiness_fails_when_the_database_is_unreachable(tmp_path: Path, jwt_key_file: Path) -> None:
    settings = make_settings("postgresql://nobody@127.0.0.1:1/none", tmp_path, jwt_key_file)
    runtime = build_runtime(settings)
    app = create_app(runtime=runtime, configure_logs=False)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        resp = await c.get("/readyz")
    await runtime.close()
    assert resp.status_code == 503
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["checks"]["database"].startswith("error")
    assert "nobody" not in resp.text  # no connection details leak


async def test_request_id_is_generated_or_propagated(rt: Runtime, client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32
    given = await client.get("/healthz", headers={"X-Request-ID": "trace-abc.123"})
    assert given.headers["x-request-id"] == "trace-abc.123"
    hostile = await client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert hostile.headers["x-request-id"] != "bad id\nwith newline"


async def test_metrics_count_requests_by_route_template(rt: Runtime, client: httpx.AsyncClient) -> None:
    await client.get("/api/v1/admin/users/some-id")
    await client.get("/api/v1/admin/users/other-id")
    text = (await client.get("/metrics")).text
    assert 'lms_http_requests_total{method="GET",route="/admin/users/{user_id}",status="401"} 2.0' in text
    assert "lms_http_request_duration_seconds_bucket" in text
    assert "some-id" not in text


async def test_openapi_docs_and_jwks(rt: Runtime, client: httpx.AsyncClient) -> None:
    doc = (await client.get("/api/v1/openapi.json")).json()
    assert "/api/v1/auth/login" in doc["paths"] and "/api/v1/admin/users" in doc["paths"]
    assert (await client.get("/api/docs")).status_code == 200
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert jwks["keys"][0]["kty"] == "RSA" and jwks["keys"][0]["alg"] == "RS256" and "d" not in jwks["keys"][0]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("GET", "/api/v1/no-such-thing", {}, 404, "not_found"),
        ("DELETE", "/api/v1/auth/login", {}, 405, "method_not_allowed"),
        (
            "POST",
            "/api/v1/auth/login",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            400,
            "malformed_json",
        ),
        ("POST", "/api/v1/auth/login", {"json": {"email": 5}}, 422, "validation_error"),
        (
            "POST",
            "/api/v1/auth/login",
            {"content": b"x" * 2_000_000, "headers": {"content-type": "application/json"}},
            413,
            "body_too_large",
        ),
    ],
)
async def test_every_error_is_problem_json(
    rt: Runtime, client: httpx.AsyncClient, method: str, path: str, kwargs: dict[str, object], status: int, code: str
) -> None:
    resp = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert resp.status_code == status
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["status"] == status and body["code"] == code
    assert {"type", "title", "detail"} <= set(body)


async def test_unexpected_errors_are_500_problem_json_without_internals(rt: Runtime) -> None:
    app = create_app(runtime=rt, configure_logs=False)
    boom = APIRouter()

    @boom.get("/api/v1/test-boom")
    async def explode() -> None:
        raise RuntimeError("secret database password is hunter2")

    app.include_router(boom)
    app.router.routes.insert(0, app.router.routes.pop())  # before the SPA catch-all
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t"
    ) as c:
        resp = await c.get("/api/v1/test-boom")
    assert resp.status_code == 500
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.json()["code"] == "internal_error" and "hunter2" not in resp.text
    assert resp.headers["x-request-id"]


async def test_an_exhausted_connection_pool_is_503_with_retry_after(rt: Runtime) -> None:
    app = create_app(runtime=rt, configure_logs=False)
    busy = APIRouter()

    @busy.get("/api/v1/test-busy")
    async def pool_timeout() -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 20 reached, connection timed out, timeout 30.00")

    app.include_router(busy)
    app.router.routes.insert(0, app.router.routes.pop())  # before the SPA catch-all
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        resp = await c.get("/api/v1/test-busy")
    assert resp.status_code == 503
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.headers["retry-after"] == "2"
    assert resp.json()["code"] == "service_unavailable" and "QueuePool" not in resp.text


async def test_generated_signing_key_is_private(tmp_path: Path, jwt_key_file: Path) -> None:
    settings = make_settings("sqlite:///" + str(tmp_path / "x.db"), tmp_path, jwt_key_file, jwt_private_key_file=None)
    runtime = build_runtime(settings)
    await runtime.close()
    key = settings.keys_dir / "jwt_private.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    again = build_runtime(settings)  # the same key is reused, so issued tokens stay valid
    assert again.signer.kid == runtime.signer.kid
    await again.close()


async def test_spa_is_served_with_fallback_and_long_cached_assets(tmp_path: Path, rt: Runtime) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>app</html>")
    (dist / "assets" / "app-1a2b3c.js").write_text("console.log(1)")
    rt.settings.web_dist_dir = dist
    app: FastAPI = create_app(runtime=rt, configure_logs=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        page = await c.get("/courses/data-structures")
        asset = await c.get("/assets/app-1a2b3c.js")
        escape = await c.get("/../../etc/passwd")
        api = await c.get("/api/v1/unknown")
    assert page.status_code == 200 and page.text == "<html>app</html>"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert asset.headers["content-encoding"] == "gzip" and asset.text == "console.log(1)"
    assert escape.text == "<html>app</html>"
    assert api.status_code == 404 and json.loads(api.text)["code"] == "not_found"


async def test_a_unique_index_conflict_that_escapes_a_service_is_a_409_not_a_500(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async def racing_insert() -> None:
        raise IntegrityError("INSERT INTO t", {}, Exception("Duplicate entry 'x' for key 'uq_t_name'"))

    app.add_api_route("/api/v1/_test/racing-insert", racing_insert, methods=["POST"])
    resp = await client.post("/api/v1/_test/racing-insert")
    assert resp.status_code == 409 and resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["code"] == "conflict" and "Duplicate entry" not in resp.text  # nothing internal leaks
