from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.analytics import service
from lms.analytics.dependencies import course_owner_check, install_course_owner_check
from lms.analytics.handlers import CONSUMER
from lms.analytics.models import AnalyticsActiveUser, AnalyticsDaily, AnalyticsEvent
from lms.core.events import Event, OutboxEvent, ProcessedEvent, publish
from lms.core.runtime import Runtime
from lms.users.models import Role, User
from tests.factories import Account, signed_in

D1 = date(2026, 11, 2)  # a Monday
D2 = date(2026, 11, 3)
D9 = date(2026, 11, 9)  # the next Monday


async def emit_on(rt: Runtime, day: date, type: str, data: dict[str, Any], actor_id: str | None = None) -> str:
    async with rt.sessionmaker() as session, session.begin():
        row = publish(session, type, data, actor_id=actor_id)
        row.occurred_at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    return row.id


async def seed_events(rt: Runtime) -> None:
    """Two days of activity in course c1 and one the next week in course c2."""
    await emit_on(rt, D1, "user.registered", {"user_id": "u1"}, actor_id="u1")
    await emit_on(rt, D1, "user.registered", {"user_id": "u2"}, actor_id="u2")
    await emit_on(rt, D1, "enrollment.created", {"enrollment_id": "e1", "user_id": "u1", "course_id": "c1"})
    await emit_on(rt, D1, "enrollment.created", {"enrollment_id": "e2", "user_id": "u2", "course_id": "c1"})
    pay = {"order_id": "o1", "user_id": "u1", "course_id": "c1", "amount": 49900, "currency": "INR"}
    await emit_on(rt, D1, "payment.success", pay)
    await emit_on(rt, D2, "payment.success", {**pay, "order_id": "o2", "amount": 1999, "currency": "usd"})
    await emit_on(rt, D2, "payment.success", {**pay, "order_id": "o3", "amount": 100, "user_id": "u2"})
    for lesson in ("l1", "l2"):
        await emit_on(rt, D2, "lesson.completed", {"user_id": "u1", "course_id": "c1", "lesson_id": lesson})
    await emit_on(rt, D2, "lesson.completed", {"user_id": "u2", "course_id": "c1", "lesson_id": "l1"})
    quiz = {"attempt_id": "a1", "user_id": "u1", "quiz_id": "q1", "course_id": "c1"}
    await emit_on(rt, D2, "quiz.submitted", {**quiz, "score_percent": 90, "passed": True})
    await emit_on(rt, D2, "quiz.submitted", {**quiz, "attempt_id": "a2", "score_percent": 40.5, "passed": False})
    await emit_on(rt, D2, "course.completed", {"user_id": "u1", "course_id": "c1"})
    await emit_on(
        rt, D2, "certificate.issued", {"certificate_id": "z", "code": "X", "user_id": "u1", "course_id": "c1"}
    )
    await emit_on(rt, D9, "enrollment.created", {"enrollment_id": "e3", "user_id": "u1", "course_id": "c2"})
    await emit_on(rt, D9, "user.active", {"user_id": "u3"})
    await rt.relay.drain()


async def _daily(rt: Runtime) -> dict[tuple[str, date, str, str], int]:
    async with rt.sessionmaker() as session:
        rows = (await session.scalars(select(AnalyticsDaily))).all()
    return {(r.course_id, r.day, r.metric, r.currency): r.value for r in rows}


async def test_consumers_keep_event_store_and_rollups_exactly_once(rt: Runtime, app: FastAPI) -> None:
    await seed_events(rt)
    daily = await _daily(rt)
    assert daily[("", D1, "registrations", "")] == 2
    assert daily[("", D1, "enrollments", "")] == 2
    assert daily[("c1", D1, "enrollments", "")] == 2
    assert daily[("c1", D1, "revenue", "INR")] == 49900
    assert daily[("", D2, "revenue", "INR")] == 100
    assert daily[("", D2, "revenue", "USD")] == 1999
    assert daily[("", D2, "payments", "INR")] == 1
    assert daily[("c1", D2, "lesson_completions", "")] == 3
    assert daily[("c1", D2, "quiz_submissions", "")] == 2
    assert daily[("c1", D2, "quiz_passes", "")] == 1
    assert daily[("c1", D2, "quiz_score_sum", "")] == 9000 + 4050
    assert daily[("", D2, "completions", "")] == 1
    assert daily[("c2", D9, "enrollments", "")] == 1
    # Active: u1 and u2 registered (actor) on D1; u1, u2 on D2 (lessons, quizzes); u1 and u3 on D9.
    assert daily[("", D1, "active_users", "")] == 2
    assert daily[("", D2, "active_users", "")] == 2
    assert daily[("", D9, "active_users", "")] == 2
    async with rt.sessionmaker() as session:
        events = (await session.scalars(select(AnalyticsEvent))).all()
        active = (await session.scalars(select(AnalyticsActiveUser))).all()
    assert len(events) == 16 and len(active) == 6
    usd = next(e for e in events if e.currency == "USD")
    assert (usd.amount, usd.course_id, usd.user_id, usd.type) == (1999, "c1", "u1", "payment.success")

    # Redelivered events (the relay crashed before marking them) change nothing.
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(update(OutboxEvent).values(published_at=None))
    assert await rt.relay.drain() == 16
    assert await _daily(rt) == daily

    # Even when the processed-events record is gone, the event store keeps a second record out.
    async with rt.sessionmaker() as session, session.begin():
        one = events[0]
        again = Event(one.id, one.type, one.occurred_at, 1, None, one.data)
        assert await service.record(session, again) is False
    assert await _daily(rt) == daily


async def test_malformed_payloads_are_stored_without_rollups(rt: Runtime, app: FastAPI) -> None:
    await emit_on(rt, D1, "payment.success", {"user_id": "u1", "amount": "100", "currency": "RUPEES"})
    await emit_on(rt, D1, "quiz.submitted", {"course_id": ["x"], "score_percent": 500, "passed": "yes"})
    await emit_on(rt, D1, "enrollment.created", {})
    await rt.relay.drain()
    daily = await _daily(rt)
    # No user, no course, no currency: counted site-wide where possible, no revenue, nobody active.
    assert daily == {("", D1, "quiz_submissions", ""): 1, ("", D1, "enrollments", ""): 1}
    # The analytics consumer took every one of them (other consumers may rightly dead-letter them).
    async with rt.sessionmaker() as session:
        outbox_ids = set((await session.scalars(select(OutboxEvent.id))).all())
        taken = set(
            (await session.scalars(select(ProcessedEvent.event_id).where(ProcessedEvent.consumer == CONSUMER))).all()
        )
    assert len(outbox_ids) == 3 and taken == outbox_ids


async def test_concurrent_style_bumps_of_one_row_add_up(rt: Runtime) -> None:
    async with rt.sessionmaker() as session, session.begin():
        await service.upsert_daily(session, [("", D1, "enrollments", "", 1), ("c1", D1, "enrollments", "", 2)])
    async with rt.sessionmaker() as session, session.begin():
        await service.upsert_daily(session, [("", D1, "enrollments", "", 5)])
    assert await _daily(rt) == {("", D1, "enrollments", ""): 6, ("c1", D1, "enrollments", ""): 2}


async def test_admin_summary_totals_and_series(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, role=Role.ADMIN)
    await seed_events(rt)
    resp = await client.get(f"/api/v1/analytics/admin/summary?from={D1}&to={D9}", headers=admin.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["from"], body["to"], body["granularity"]) == (str(D1), str(D9), "day")
    totals = body["totals"]
    assert totals["registrations"] == 2
    assert totals["enrollments"] == 3
    assert totals["completions"] == 1
    assert totals["lesson_completions"] == 3
    assert totals["quiz_submissions"] == 2 and totals["quiz_passes"] == 1 and totals["quiz_pass_rate"] == 0.5
    assert totals["certificates"] == 1
    assert totals["revenue"] == [
        {"currency": "INR", "amount": 50000, "payments": 2},
        {"currency": "USD", "amount": 1999, "payments": 1},
    ]
    assert totals["active_users_peak"] == 2 and totals["active_users_avg"] == 0.75
    series = body["series"]
    assert [p["period"] for p in series] == [str(D1 + timedelta(days=i)) for i in range(8)]
    assert series[0]["registrations"] == 2 and series[0]["revenue"] == [
        {"currency": "INR", "amount": 49900, "payments": 1}
    ]
    assert series[2]["enrollments"] == 0 and series[2]["quiz_pass_rate"] is None and series[2]["revenue"] == []

    weekly = await client.get(
        f"/api/v1/analytics/admin/summary?from={D1}&to={D9}&granularity=week", headers=admin.headers
    )
    assert weekly.status_code == 200
    points = weekly.json()["series"]
    assert [(p["period"], p["enrollments"]) for p in points] == [(str(D1), 2), (str(D9), 1)]
    assert points[0]["active_users_avg"] == round(4 / 7, 2)

    monthly = await client.get(
        "/api/v1/analytics/admin/summary?from=2026-10-15&to=2026-11-30&granularity=month", headers=admin.headers
    )
    assert [(p["period"], p["enrollments"]) for p in monthly.json()["series"]] == [("2026-10-01", 0), ("2026-11-01", 3)]


async def test_admin_csv_export(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, role=Role.ADMIN)
    await seed_events(rt)
    resp = await client.get(f"/api/v1/analytics/admin/export.csv?from={D1}&to={D2}", headers=admin.headers)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert {"period": str(D2), "course_id": "", "metric": "revenue", "currency": "USD", "value": "1999"} in rows
    assert {"period": str(D1), "course_id": "", "metric": "registrations", "currency": "", "value": "2"} in rows
    assert all(r["value"] != "0" for r in rows)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-10&to=2026-11-01", "from"),
        ("from=2025-01-01&to=2026-01-02", "to"),  # 367 days by day
        ("from=2000-01-01&to=2026-01-02&granularity=month", "to"),
        ("from=yesterday", "from"),
        ("granularity=hour", "granularity"),
    ],
)
async def test_invalid_ranges_are_422(rt: Runtime, client: httpx.AsyncClient, query: str, field: str) -> None:
    admin = await signed_in(rt, client, role=Role.ADMIN)
    resp = await client.get(f"/api/v1/analytics/admin/summary?{query}", headers=admin.headers)
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == "validation_error"
    assert resp.json()["errors"][0]["field"] == field


async def test_year_by_day_and_decade_by_month_are_allowed(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, role=Role.ADMIN)
    year = await client.get("/api/v1/analytics/admin/summary?from=2025-01-01&to=2026-01-01", headers=admin.headers)
    assert year.status_code == 200 and len(year.json()["series"]) == 366
    weeks = await client.get(
        "/api/v1/analytics/admin/summary?from=2025-01-01&to=2026-01-02&granularity=week", headers=admin.headers
    )
    assert weeks.status_code == 200 and weeks.json()["series"][0]["period"] == "2024-12-30"
    default = await client.get("/api/v1/analytics/admin/summary", headers=admin.headers)
    assert default.status_code == 200 and len(default.json()["series"]) == 30


async def test_admin_endpoints_refuse_everyone_else(rt: Runtime, client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/analytics/admin/summary")).status_code == 401
    for role in (Role.STUDENT, Role.INSTRUCTOR):
        acct = await signed_in(rt, client, role=role)
        for path in ("/api/v1/analytics/admin/summary", "/api/v1/analytics/admin/export.csv"):
            resp = await client.get(path, headers=acct.headers)
            assert resp.status_code == 403 and resp.json()["code"] == "forbidden"


async def _course(client: httpx.AsyncClient, acct: Account, course_id: str = "c1", suffix: str = "") -> httpx.Response:
    return await client.get(
        f"/api/v1/analytics/instructor/courses/{course_id}{suffix}?from={D1}&to={D9}", headers=acct.headers
    )


async def test_instructor_course_report(rt: Runtime, app: FastAPI, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, role=Role.INSTRUCTOR)

    async def teaches(session: AsyncSession, user: User, course_id: str) -> bool:
        return user.id == teacher.user.id and course_id == "c1"

    install_course_owner_check(app, teaches)
    await seed_events(rt)
    resp = await _course(client, teacher)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["course_id"] == "c1"
    totals = body["totals"]
    assert (totals["enrollments"], totals["completions"], totals["completion_rate"]) == (2, 1, 0.5)
    assert totals["quiz_submissions"] == 2 and totals["quiz_pass_rate"] == 0.5
    assert totals["quiz_average_score"] == 65.25
    assert totals["revenue"] == [
        {"currency": "INR", "amount": 50000, "payments": 2},
        {"currency": "USD", "amount": 1999, "payments": 1},
    ]
    assert body["all_time"] == {"enrollments": 2, "completions": 1, "completion_rate": 0.5}
    assert body["progress_distribution"] == [
        {"lessons_completed": 0, "learners": 0},
        {"lessons_completed": 1, "learners": 1},
        {"lessons_completed": 2, "learners": 1},
    ]
    assert [p["enrollments"] for p in body["series"]][:2] == [2, 0]

    export = await _course(client, teacher, suffix="/export.csv")
    assert export.status_code == 200
    assert f"{D2},c1,quiz_passes,,1" in export.text.splitlines()

    # Another course, or a course of someone else: indistinguishable from an unknown course.
    assert (await _course(client, teacher, "c2")).status_code == 404
    other = await signed_in(rt, client, role=Role.INSTRUCTOR)
    assert (await _course(client, other)).status_code == 404
    assert (await _course(client, other, suffix="/export.csv")).status_code == 404
    student = await signed_in(rt, client)
    assert (await _course(client, student)).status_code == 403


async def test_without_the_courses_rule_only_admins_see_course_reports(
    rt: Runtime, app: FastAPI, client: httpx.AsyncClient
) -> None:
    teacher = await signed_in(rt, client, role=Role.INSTRUCTOR)
    admin = await signed_in(rt, client, role=Role.ADMIN)
    assert (await _course(client, teacher)).status_code == 404
    empty = await _course(client, admin, "unknown-course")
    assert empty.status_code == 200 and empty.json()["totals"]["enrollments"] == 0

    async def allow_all(session: AsyncSession, user: User, course_id: str) -> bool:
        return True

    app.dependency_overrides[course_owner_check] = lambda: allow_all
    assert (await _course(client, teacher)).status_code == 200


@pytest.mark.parametrize(
    ("settings_overrides", "cached"), [({"analytics_cache_seconds": 60}, True), ({"analytics_cache_seconds": 0}, False)]
)
async def test_dashboard_answers_are_cached_briefly(rt: Runtime, client: httpx.AsyncClient, cached: bool) -> None:
    admin = await signed_in(rt, client, role=Role.ADMIN)
    path = f"/api/v1/analytics/admin/summary?from={D1}&to={D2}"
    await emit_on(rt, D1, "user.registered", {"user_id": "u1"})
    await rt.relay.drain()
    assert (await client.get(path, headers=admin.headers)).json()["totals"]["registrations"] == 1
    await emit_on(rt, D1, "user.registered", {"user_id": "u2"})
    await rt.relay.drain()
    again = (await client.get(path, headers=admin.headers)).json()["totals"]["registrations"]
    assert again == (1 if cached else 2)


async def test_csv_download_name_stays_a_valid_header_whatever_the_path_holds(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    """Found by schemathesis: a non-Latin-1 course id in the path broke the Content-Disposition header."""
    admin = await signed_in(rt, client, role=Role.ADMIN)
    resp = await client.get(
        f"/api/v1/analytics/instructor/courses/%E6%BE%81p%5D/export.csv?from={D1}&to={D9}", headers=admin.headers
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-disposition"] == f'attachment; filename="lms-course-_p_-{D1}-{D9}.csv"'
