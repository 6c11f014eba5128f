"""Analytics rules: record an event once, keep the daily rollups, answer the dashboards' questions.

Rollups are bumped with one portable upsert per event (``INSERT ... ON CONFLICT DO UPDATE`` on SQLite
and PostgreSQL, ``ON DUPLICATE KEY UPDATE`` on MariaDB/MySQL), so concurrent consumers never lose an
increment and a dashboard reads at most (days x metrics) rows.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from lms.analytics.models import AnalyticsActiveUser, AnalyticsDaily, AnalyticsEvent
from lms.core.db import dialect_name
from lms.core.errors import ErrorCode, LMSError
from lms.core.events import Event
from lms.core.runtime import Runtime

SITE = ""  # course_id of site-wide rollups
NO_CURRENCY = ""


class Metric(StrEnum):
    REGISTRATIONS = "registrations"
    ENROLLMENTS = "enrollments"
    COMPLETIONS = "completions"
    LESSON_COMPLETIONS = "lesson_completions"
    QUIZ_SUBMISSIONS = "quiz_submissions"
    QUIZ_PASSES = "quiz_passes"
    # Sum of score percentages in hundredths, for the average score.
    QUIZ_SCORE_SUM = "quiz_score_sum"
    CERTIFICATES = "certificates"
    PAYMENTS = "payments"
    REVENUE = "revenue"
    ACTIVE_USERS = "active_users"


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# Event types that mark the acting user as active that day (besides any event's actor_id).
USER_ACTIVITY_TYPES = frozenset({"user.active", "lesson.completed", "quiz.submitted", "enrollment.created"})
TRACKED_TYPES = (
    "user.registered",
    "user.active",
    "enrollment.created",
    "payment.success",
    "lesson.completed",
    "course.completed",
    "quiz.submitted",
    "certificate.issued",
)


def _id(value: Any) -> str | None:
    """An entity id from a payload, or None when absent or not id-shaped."""
    if isinstance(value, str) and 0 < len(value) <= 36:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _currency(value: Any) -> str | None:
    if isinstance(value, str) and len(value) == 3 and value.isalpha():
        return value.upper()
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _increments(event: Event, amount: int | None, currency: str | None) -> list[tuple[str, str, int]]:
    """(metric, currency, delta) pairs this event adds, before fanning out to site-wide and per course."""
    data = event.data
    match event.type:
        case "user.registered":
            return [(Metric.REGISTRATIONS, NO_CURRENCY, 1)]
        case "enrollment.created":
            return [(Metric.ENROLLMENTS, NO_CURRENCY, 1)]
        case "course.completed":
            return [(Metric.COMPLETIONS, NO_CURRENCY, 1)]
        case "lesson.completed":
            return [(Metric.LESSON_COMPLETIONS, NO_CURRENCY, 1)]
        case "certificate.issued":
            return [(Metric.CERTIFICATES, NO_CURRENCY, 1)]
        case "payment.success":
            if amount is None or currency is None:
                return []
            return [(Metric.PAYMENTS, currency, 1), (Metric.REVENUE, currency, amount)]
        case "quiz.submitted":
            out = [(Metric.QUIZ_SUBMISSIONS.value, NO_CURRENCY, 1)]
            if data.get("passed") is True:
                out.append((Metric.QUIZ_PASSES, NO_CURRENCY, 1))
            score = data.get("score_percent")
            if isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 100:
                out.append((Metric.QUIZ_SCORE_SUM, NO_CURRENCY, round(score * 100)))
            return out
    return []


async def upsert_daily(session: AsyncSession, rows: Iterable[tuple[str, date, str, str, int]]) -> None:
    """Add deltas to rollup rows (course_id, day, metric, currency, delta), creating them as needed."""
    values = [
        {"course_id": c, "day": d, "metric": str(m), "currency": cur, "value": v}
        for c, d, m, cur, v in sorted(rows)  # key order: concurrent writers lock rows in the same order
    ]
    if not values:
        return
    table = AnalyticsDaily
    keys = ["course_id", "day", "metric", "currency"]
    dialect = dialect_name(session)
    if dialect in ("mysql", "mariadb"):
        my = mysql.insert(table).values(values)
        await session.execute(my.on_duplicate_key_update(value=table.value + my.inserted.value))
    elif dialect == "postgresql":
        pg = postgresql.insert(table).values(values)
        await session.execute(
            pg.on_conflict_do_update(index_elements=keys, set_={"value": table.value + pg.excluded.value})
        )
    else:
        lite = sqlite.insert(table).values(values)
        await session.execute(
            lite.on_conflict_do_update(index_elements=keys, set_={"value": table.value + lite.excluded.value})
        )


async def mark_active(session: AsyncSession, *, day: date, user_id: str) -> bool:
    """Record the user as active that day. True when this is their first activity of the day."""
    table = AnalyticsActiveUser
    row = {"day": day, "user_id": user_id}
    dialect = dialect_name(session)
    if dialect in ("mysql", "mariadb"):
        # Look before inserting: most events come from users already active that day, and INSERT IGNORE of a
        # duplicate leaves a warning, which the driver fetches (SHOW WARNINGS, one more round trip) and logs,
        # a WARNING line per event. A concurrent insert still resolves in the INSERT IGNORE below.
        seen = await session.scalar(select(table.day).where(table.day == day, table.user_id == user_id).limit(1))
        if seen is not None:
            return False
        stmt: Any = insert(table).values(row).prefix_with("IGNORE")
    elif dialect == "postgresql":
        stmt = postgresql.insert(table).values(row).on_conflict_do_nothing()
    else:
        stmt = sqlite.insert(table).values(row).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def record(session: AsyncSession, event: Event) -> bool:
    """Store the event and bump its rollups, once. Returns False when the event was already recorded."""
    if await session.get(AnalyticsEvent, event.id) is not None:
        return False
    data = event.data if isinstance(event.data, dict) else {}
    course_id = _id(data.get("course_id"))
    user_id = _id(data.get("user_id")) or _id(event.actor_id)
    amount = _int(data.get("amount"))
    currency = _currency(data.get("currency"))
    session.add(
        AnalyticsEvent(
            id=event.id,
            type=event.type,
            occurred_at=event.occurred_at,
            user_id=user_id,
            course_id=course_id,
            amount=amount,
            currency=currency,
            data=data,
        )
    )
    await session.flush()
    day = event.occurred_at.date()
    rows: list[tuple[str, date, str, str, int]] = []
    for metric, cur, delta in _increments(event, amount, currency):
        rows.append((SITE, day, metric, cur, delta))
        if course_id:
            rows.append((course_id, day, metric, cur, delta))
    active = _id(event.actor_id) or (user_id if event.type in USER_ACTIVITY_TYPES else None)
    if active and await mark_active(session, day=day, user_id=active):
        rows.append((SITE, day, Metric.ACTIVE_USERS, NO_CURRENCY, 1))
    await upsert_daily(session, rows)
    return True


# --- reading ---


@dataclass(frozen=True)
class Range:
    start: date
    end: date
    granularity: Granularity

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def key(self) -> str:
        return f"{self.start}:{self.end}:{self.granularity.value}"


def validate_range(
    start: date | None, end: date | None, granularity: Granularity, *, today: date, max_day_range: int, max_range: int
) -> Range:
    """Defaults to the last 30 days. A reversed or too long range is a 422 naming the field."""
    end = end or today
    start = start or end - timedelta(days=29)

    def invalid(field: str, message: str) -> LMSError:
        return LMSError(
            "One or more fields are invalid.",
            status=422,
            code=ErrorCode.VALIDATION_ERROR,
            title="Validation failed",
            extra={"errors": [{"field": field, "message": message}]},
        )

    if start > end:
        raise invalid("from", "'from' must not be after 'to'.")
    days = (end - start).days + 1
    limit = max_day_range if granularity == Granularity.DAY else max_range
    if days > limit:
        raise invalid("to", f"At most {limit} days with granularity '{granularity.value}'.")
    return Range(start, end, granularity)


async def cached(rt: Runtime, key: str, produce: Callable[[], Awaitable[str]]) -> str:
    """A rendered dashboard answer, reused for ``analytics_cache_seconds`` (Redis when configured, else
    memory). Rollups are fed asynchronously by consumers, so figures are already seconds behind; a short
    cache keeps repeated dashboard loads off the database and skips re-rendering.
    """
    ttl = rt.settings.analytics_cache_seconds
    if ttl <= 0:
        return await produce()
    full_key = f"analytics:{key}"
    hit = await rt.kv.get(full_key)
    if hit is not None:
        return hit
    value = await produce()
    await rt.kv.set(full_key, value, ttl)
    return value


def bucket_of(day: date, granularity: Granularity) -> date:
    if granularity == Granularity.WEEK:
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    if granularity == Granularity.MONTH:
        return day.replace(day=1)
    return day


def buckets(rng: Range) -> list[date]:
    out: list[date] = []
    day = rng.start
    while day <= rng.end:
        b = bucket_of(day, rng.granularity)
        if not out or out[-1] != b:
            out.append(b)
        day += timedelta(days=1)
    return out


async def daily_rows(session: AsyncSession, *, course_id: str, start: date, end: date) -> Sequence[Any]:
    """The rollup rows of one course (or site-wide) in a range: one primary-key range scan."""
    t = AnalyticsDaily.__table__.c  # Core columns: no ORM result processing for a few thousand rows
    stmt = select(t.day, t.metric, t.currency, t.value).where(t.course_id == course_id, t.day >= start, t.day <= end)
    return (await session.execute(stmt)).all()


@dataclass
class Figures:
    """Sums per bucket: counts[bucket][metric], money[bucket][(metric, currency)]."""

    counts: dict[date, dict[str, int]]
    money: dict[date, dict[tuple[str, str], int]]
    days_in_bucket: dict[date, int]


def aggregate(rows: Sequence[Any], rng: Range) -> Figures:
    counts: dict[date, dict[str, int]] = {}
    money: dict[date, dict[tuple[str, str], int]] = {}
    days_in: dict[date, int] = {}
    bucket_for: dict[date, date] = {}
    day = rng.start
    while day <= rng.end:
        b = bucket_of(day, rng.granularity)
        bucket_for[day] = b
        if b not in counts:
            counts[b], money[b], days_in[b] = defaultdict(int), defaultdict(int), 0
        days_in[b] += 1
        day += timedelta(days=1)
    for day, metric, currency, value in rows:
        b = bucket_for[day]
        if currency:
            money[b][(metric, currency)] += int(value)
        else:
            counts[b][metric] += int(value)
    return Figures(counts, money, days_in)


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def revenue(money: dict[tuple[str, str], int]) -> list[dict[str, Any]]:
    return [
        {"currency": cur, "amount": amount, "payments": money.get((Metric.PAYMENTS, cur), 0)}
        for (metric, cur), amount in sorted(money.items(), key=lambda kv: kv[0][1])
        if metric == Metric.REVENUE
    ]


def sum_money(figs: Figures) -> dict[tuple[str, str], int]:
    total: dict[tuple[str, str], int] = defaultdict(int)
    for per_bucket in figs.money.values():
        for key, value in per_bucket.items():
            total[key] += value
    return total


def sum_counts(figs: Figures) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for per_bucket in figs.counts.values():
        for key, value in per_bucket.items():
            total[key] += value
    return total


async def admin_summary(session: AsyncSession, rng: Range) -> dict[str, Any]:
    """Site-wide totals and a zero-filled time series for the range."""
    rows = await daily_rows(session, course_id=SITE, start=rng.start, end=rng.end)
    figs = aggregate(rows, rng)
    series = []
    for b, c in figs.counts.items():
        series.append(
            {
                "period": b,
                **_site_counts(c),
                "active_users_avg": round(c.get(Metric.ACTIVE_USERS, 0) / figs.days_in_bucket[b], 2),
                "revenue": revenue(figs.money[b]),
            }
        )
    totals = sum_counts(figs)
    dau = [int(value) for _day, metric, _cur, value in rows if metric == Metric.ACTIVE_USERS]
    return {
        "from": rng.start,
        "to": rng.end,
        "granularity": rng.granularity,
        "totals": {
            **_site_counts(totals),
            "active_users_avg": round(sum(dau) / rng.days, 2),
            "active_users_peak": max(dau, default=0),
            "revenue": revenue(sum_money(figs)),
        },
        "series": series,
    }


def _site_counts(c: dict[str, int]) -> dict[str, Any]:
    return {
        "registrations": c.get(Metric.REGISTRATIONS, 0),
        "enrollments": c.get(Metric.ENROLLMENTS, 0),
        "completions": c.get(Metric.COMPLETIONS, 0),
        "lesson_completions": c.get(Metric.LESSON_COMPLETIONS, 0),
        "quiz_submissions": c.get(Metric.QUIZ_SUBMISSIONS, 0),
        "quiz_passes": c.get(Metric.QUIZ_PASSES, 0),
        "quiz_pass_rate": ratio(c.get(Metric.QUIZ_PASSES, 0), c.get(Metric.QUIZ_SUBMISSIONS, 0)),
        "certificates": c.get(Metric.CERTIFICATES, 0),
    }


def _course_counts(c: dict[str, int]) -> dict[str, Any]:
    submissions = c.get(Metric.QUIZ_SUBMISSIONS, 0)
    score_sum = c.get(Metric.QUIZ_SCORE_SUM, 0)
    return {
        "enrollments": c.get(Metric.ENROLLMENTS, 0),
        "completions": c.get(Metric.COMPLETIONS, 0),
        "lesson_completions": c.get(Metric.LESSON_COMPLETIONS, 0),
        "quiz_submissions": submissions,
        "quiz_passes": c.get(Metric.QUIZ_PASSES, 0),
        "quiz_pass_rate": ratio(c.get(Metric.QUIZ_PASSES, 0), submissions),
        "quiz_average_score": round(score_sum / submissions / 100, 2) if submissions else None,
        "certificates": c.get(Metric.CERTIFICATES, 0),
    }


async def all_time_counts(session: AsyncSession, *, course_id: str) -> dict[str, int]:
    stmt = (
        select(AnalyticsDaily.metric, func.sum(AnalyticsDaily.value))
        .where(
            AnalyticsDaily.course_id == course_id,
            AnalyticsDaily.metric.in_([Metric.ENROLLMENTS.value, Metric.COMPLETIONS.value]),
            AnalyticsDaily.currency == NO_CURRENCY,
        )
        .group_by(AnalyticsDaily.metric)
    )
    return {m: int(v or 0) for m, v in (await session.execute(stmt)).all()}


async def progress_distribution(session: AsyncSession, *, course_id: str, enrolled: int) -> list[dict[str, int]]:
    """How many learners have completed how many lessons of the course (all time)."""
    per_user = (
        select(AnalyticsEvent.user_id, func.count().label("lessons"))
        .where(
            AnalyticsEvent.course_id == course_id,
            AnalyticsEvent.type == "lesson.completed",
            AnalyticsEvent.user_id.is_not(None),
        )
        .group_by(AnalyticsEvent.user_id)
        .subquery()
    )
    stmt = select(per_user.c.lessons, func.count()).group_by(per_user.c.lessons).order_by(per_user.c.lessons)
    rows = [(int(n), int(k)) for n, k in (await session.execute(stmt)).all()]
    started = sum(k for _, k in rows)
    out = [{"lessons_completed": 0, "learners": max(0, enrolled - started)}]
    out.extend({"lessons_completed": n, "learners": k} for n, k in rows)
    return out


async def course_report(session: AsyncSession, *, course_id: str, rng: Range) -> dict[str, Any]:
    """One course's figures for its instructor: enrollments over time, completion, quizzes, revenue."""
    figs = aggregate(await daily_rows(session, course_id=course_id, start=rng.start, end=rng.end), rng)
    totals = _course_counts(sum_counts(figs))
    totals["completion_rate"] = ratio(totals["completions"], totals["enrollments"])
    totals["revenue"] = revenue(sum_money(figs))
    all_time = await all_time_counts(session, course_id=course_id)
    enrolled = all_time.get(Metric.ENROLLMENTS, 0)
    completed = all_time.get(Metric.COMPLETIONS, 0)
    return {
        "course_id": course_id,
        "from": rng.start,
        "to": rng.end,
        "granularity": rng.granularity,
        "totals": totals,
        "all_time": {"enrollments": enrolled, "completions": completed, "completion_rate": ratio(completed, enrolled)},
        "progress_distribution": await progress_distribution(session, course_id=course_id, enrolled=enrolled),
        "series": [
            {"period": b, **_course_counts(c), "revenue": revenue(figs.money[b])} for b, c in figs.counts.items()
        ],
    }


async def export_csv(session: AsyncSession, *, course_id: str, rng: Range) -> str:
    """The range's figures as CSV, one row per (period, metric, currency), zero rows left out."""
    figs = aggregate(await daily_rows(session, course_id=course_id, start=rng.start, end=rng.end), rng)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "course_id", "metric", "currency", "value"])
    for b in figs.counts:
        for metric, value in sorted(figs.counts[b].items()):
            if value:
                writer.writerow([b.isoformat(), course_id, metric, "", value])
        for (metric, cur), value in sorted(figs.money[b].items()):
            if value:
                writer.writerow([b.isoformat(), course_id, metric, cur, value])
    return out.getvalue()
