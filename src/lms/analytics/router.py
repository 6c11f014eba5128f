"""HTTP face of analytics: the admin dashboard, an instructor's course dashboard, CSV exports."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from lms.analytics import service
from lms.analytics.dependencies import ReadableCourseId
from lms.analytics.schemas import AdminSummary, CourseReport
from lms.analytics.service import Granularity, Range
from lms.auth.dependencies import AdminUser
from lms.core.db import utcnow
from lms.core.deps import RuntimeDep, SessionDep

router = APIRouter(prefix="/analytics", tags=["analytics"])


def date_range(
    rt: RuntimeDep,
    from_: Annotated[date | None, Query(alias="from", description="First day (UTC); default 'to' - 29 days")] = None,
    to: Annotated[date | None, Query(description="Last day (UTC), inclusive; default today")] = None,
    granularity: Granularity = Granularity.DAY,
) -> Range:
    return service.validate_range(
        from_,
        to,
        granularity,
        today=utcnow().date(),
        max_day_range=rt.settings.analytics_max_days_daily,
        max_range=rt.settings.analytics_max_days,
    )


RangeDep = Annotated[Range, Depends(date_range)]


def _csv(body: str, filename: str) -> Response:
    # Header values are Latin-1: keep the suggested name to safe ASCII whatever the path held.
    filename = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _json(body: str) -> Response:
    # Already validated and rendered by the response model (possibly from the cache).
    return Response(body, media_type="application/json")


@router.get("/admin/summary", response_model=AdminSummary)
async def admin_summary(session: SessionDep, rt: RuntimeDep, _admin: AdminUser, rng: RangeDep) -> Response:
    """Site-wide totals and time series: registrations, enrollments, completions, revenue by currency,
    quiz submissions and pass rate, daily active users (cached for a few seconds)."""

    async def render() -> str:
        summary = await service.admin_summary(session, rng)
        return AdminSummary.model_validate({**summary, "from_": rng.start}).model_dump_json(by_alias=True)

    return _json(await service.cached(rt, f"site:{rng.key}", render))


@router.get("/admin/export.csv", response_class=Response)
async def admin_export(session: SessionDep, rt: RuntimeDep, _admin: AdminUser, rng: RangeDep) -> Response:
    """The site-wide figures of the range as CSV (period, course_id, metric, currency, value)."""
    body = await service.cached(
        rt, f"site-csv:{rng.key}", lambda: service.export_csv(session, course_id=service.SITE, rng=rng)
    )
    return _csv(body, f"lms-analytics-{rng.start}-{rng.end}.csv")


@router.get("/instructor/courses/{course_id}", response_model=CourseReport)
async def course_report(course_id: ReadableCourseId, session: SessionDep, rt: RuntimeDep, rng: RangeDep) -> Response:
    """One course: enrollments over time, completion rate, progress distribution, quizzes, revenue.
    Instructors see only the courses they teach (anyone else's is a 404)."""

    async def render() -> str:
        report = await service.course_report(session, course_id=course_id, rng=rng)
        return CourseReport.model_validate({**report, "from_": rng.start}).model_dump_json(by_alias=True)

    return _json(await service.cached(rt, f"course:{course_id}:{rng.key}", render))


@router.get("/instructor/courses/{course_id}/export.csv", response_class=Response)
async def course_export(course_id: ReadableCourseId, session: SessionDep, rt: RuntimeDep, rng: RangeDep) -> Response:
    body = await service.cached(
        rt, f"course-csv:{course_id}:{rng.key}", lambda: service.export_csv(session, course_id=course_id, rng=rng)
    )
    return _csv(body, f"lms-course-{course_id}-{rng.start}-{rng.end}.csv")
