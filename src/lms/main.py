"""The application factory: wires the runtime, middleware, every domain's router and the web app."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import text

from lms import worker
from lms.analytics import handlers as analytics_handlers
from lms.analytics.dependencies import install_course_owner_check
from lms.analytics.router import router as analytics_router
from lms.auth import handlers as auth_handlers
from lms.auth import jobs as auth_jobs
from lms.auth.router import router as auth_router
from lms.certificates import handlers as certificates_handlers
from lms.certificates.router import router as certificates_router
from lms.config import Settings, parse_rate
from lms.core import statistics, tracing
from lms.core.deps import RuntimeDep
from lms.core.errors import install_error_handlers, problem_response
from lms.core.events import EventBus
from lms.core.logging import configure_logging
from lms.core.middleware import NulCharacterGuard, RequestContextMiddleware
from lms.core.ratelimit import RateLimitMiddleware
from lms.core.runtime import Runtime, build_runtime
from lms.core.scheduler import Scheduler
from lms.core.spa import mount_spa
from lms.courses import service as courses_service
from lms.courses.router import router as courses_router
from lms.emails import handlers as email_handlers
from lms.emails import jobs as email_jobs
from lms.emails.router import router as emails_router
from lms.enrollments.router import router as enrollments_router
from lms.events import jobs as events_jobs
from lms.events.router import router as events_router
from lms.media.router import router as media_router
from lms.notifications import handlers as notifications_handlers
from lms.notifications.realtime import close_hub
from lms.notifications.router import router as notifications_router
from lms.notifications.ws import router as notifications_ws_router
from lms.payments import jobs as payments_jobs
from lms.payments.router import router as payments_router
from lms.progress import handlers as progress_handlers
from lms.progress.router import router as progress_router
from lms.quizzes import jobs as quizzes_jobs
from lms.quizzes.router import router as quizzes_router
from lms.reviews.router import router as reviews_router
from lms.search.router import router as search_router
from lms.users.router import router as users_router

API_PREFIX = "/api/v1"

# Each domain contributes its router and its event consumers.
DOMAIN_ROUTERS: list[APIRouter] = [
    auth_router,
    users_router,
    courses_router,
    enrollments_router,
    progress_router,
    reviews_router,
    notifications_router,
    notifications_ws_router,
    analytics_router,
    emails_router,
    events_router,
    search_router,
    payments_router,
    quizzes_router,
    certificates_router,
    media_router,
]
DOMAIN_HANDLERS: list[Callable[[EventBus], None]] = [
    auth_handlers.register,
    progress_handlers.register,
    notifications_handlers.register,
    analytics_handlers.register,
    email_handlers.register,
    certificates_handlers.register,
]
# Scheduled jobs (run by `lms worker`, or in-process): payment reconciliation, reminders, digests, ...
DOMAIN_JOBS: list[Callable[[Scheduler], None]] = [
    statistics.register,
    auth_jobs.register,
    events_jobs.register,
    email_jobs.register,
    payments_jobs.register,
    quizzes_jobs.register,
]


def register_consumers(bus: EventBus) -> None:
    for register in DOMAIN_HANDLERS:
        register(bus)


def register_jobs(scheduler: Scheduler) -> None:
    for register in DOMAIN_JOBS:
        register(scheduler)


def wire_runtime(rt: Runtime) -> Runtime:
    """Subscribe every domain's consumers and jobs (once per runtime)."""
    if not getattr(rt, "_wired", False):
        register_consumers(rt.bus)
        register_jobs(rt.scheduler)
        rt._wired = True  # type: ignore[attr-defined]
    return rt


def default_web_dist() -> Path:
    return Path(__file__).resolve().parents[2] / "web" / "dist"


def create_app(
    settings: Settings | None = None, *, runtime: Runtime | None = None, configure_logs: bool = True
) -> FastAPI:
    settings = settings or (runtime.settings if runtime else Settings())
    if configure_logs:
        configure_logging(settings.log_level, json=settings.log_json)
    rt = wire_runtime(runtime or build_runtime(settings))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        # `make run`: relay, consumers and scheduled jobs in this process; else `lms worker` runs them.
        tasks = worker.start(rt, stop) if settings.run_relay_in_process else []
        try:
            yield
        finally:
            stop.set()
            await worker.finish(tasks)
            await close_hub(rt)
            if provider is not None:
                provider.shutdown()  # exports what is still buffered
            if runtime is None:
                await rt.close()

    app = FastAPI(
        title=settings.site_name,
        version="1.0.0",
        lifespan=lifespan,
        description="The API of JNTU GV LMS. Errors are RFC 9457 problem+json with a stable `code`.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = rt
    provider = tracing.build_provider(settings)
    if provider is not None:
        tracing.instrument(app, rt.engine, provider)
    app.state.tracer_provider = provider
    # Course analytics are for the course's instructors (and admins): the courses domain decides.
    install_course_owner_check(app, courses_service.user_edits_course)
    install_error_handlers(app)

    api = APIRouter(prefix=API_PREFIX)
    for router in DOMAIN_ROUTERS:
        api.include_router(router)
    app.include_router(api)

    @app.get("/api/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=f"{API_PREFIX}/openapi.json", title=f"{settings.site_name} API")

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["ops"], response_model=None)
    async def readyz(rt: RuntimeDep) -> dict[str, Any] | Response:
        """Readiness: the database answers, and Redis too when one is configured."""
        checks: dict[str, str] = {}
        try:
            async with rt.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=3)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        if rt.redis is not None:
            try:
                await asyncio.wait_for(rt.redis.ping(), timeout=3)
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"error: {type(exc).__name__}"
        if all(v == "ok" for v in checks.values()):
            return {"status": "ok", "checks": checks}
        return problem_response(
            503, "service_unavailable", "Not ready", "A dependency is not reachable.", extra={"checks": checks}
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics(rt: RuntimeDep) -> Response:
        return Response(rt.metrics.render(), media_type=rt.metrics.content_type)

    @app.get("/.well-known/jwks.json", tags=["auth"])
    async def jwks(rt: RuntimeDep) -> Response:
        """The public keys that verify this server's access tokens."""
        return JSONResponse(rt.signer.jwks(), headers={"Cache-Control": "public, max-age=300"})

    mount_spa(app, settings.web_dist_dir or default_web_dist())

    default_limit, default_window = parse_rate(settings.rate_limit_default)
    auth_limit, auth_window = parse_rate(settings.rate_limit_auth)
    app.add_middleware(
        RateLimitMiddleware,
        limiter=rt.limiter,
        trust_proxy=settings.trust_proxy_headers,
        enabled=settings.rate_limit_enabled,
        groups=[
            *[
                ("auth", f"{API_PREFIX}/auth/{name}", auth_limit, auth_window)
                for name in ("login", "register", "password-reset", "verify-email")
            ],
            ("api", "/api/", default_limit, default_window),
        ],
    )
    app.add_middleware(NulCharacterGuard)
    app.add_middleware(
        RequestContextMiddleware,
        metrics=rt.metrics,
        max_body_bytes=settings.max_body_bytes,
        upload_paths=re.compile(r"^/api/v1/courses/[^/]+/media$"),
        # multipart framing adds a little to the file itself
        max_upload_bytes=settings.media_max_bytes + 64 * 1024,
    )
    return app
