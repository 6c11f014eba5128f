"""Reactions to other domains' events: each creates a notification for the user concerned.

Payloads are read defensively (``data.get``): the producing domains land separately and may add or
omit fields. An event without a user, or for a user who no longer exists, creates nothing.
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.events import Event, EventBus
from lms.core.runtime import Runtime
from lms.notifications import service
from lms.users import service as users_service

log = structlog.get_logger("lms.notifications")

# Digits after the decimal point for currencies that do not use two.
_MINOR_UNITS = {"JPY": 0, "KRW": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}


def format_money(amount: int, currency: str) -> str:
    digits = _MINOR_UNITS.get(currency.upper(), 2)
    if digits == 0:
        return f"{currency.upper()} {amount:,}"
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**digits)
    return f"{sign}{currency.upper()} {whole:,}.{frac:0{digits}d}"


def _str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return str(value) if value not in (None, "") else None


async def _notify(
    rt: Runtime,
    session: AsyncSession,
    event: Event,
    *,
    kind: str,
    title: str,
    body: str,
    link: str | None,
    keys: tuple[str, ...],
) -> None:
    user_id = _str(event.data, "user_id")
    if user_id is None:
        log.warning("notification_without_user", event_id=event.id, event_type=event.type)
        return
    if await users_service.get(session, user_id) is None:
        log.info("notification_for_unknown_user", event_id=event.id, event_type=event.type, user_id=user_id)
        return
    data = {k: event.data[k] for k in keys if k in event.data}
    await service.create(
        session, rt, user_id=user_id, kind=kind, title=title, body=body, link=link, data=data, event_id=event.id
    )


async def on_user_registered(rt: Runtime, session: AsyncSession, event: Event) -> None:
    name = _str(event.data, "full_name")
    await _notify(
        rt,
        session,
        event,
        kind="welcome",
        title=f"Welcome to {rt.settings.site_name}",
        body=f"{'Hi ' + name + ', y' if name else 'Y'}our account is ready. Browse the catalogue to start learning.",
        link="/courses",
        keys=("user_id",),
    )


async def on_enrollment_created(rt: Runtime, session: AsyncSession, event: Event) -> None:
    course_id = _str(event.data, "course_id")
    course_title = _str(event.data, "course_title")
    await _notify(
        rt,
        session,
        event,
        kind="enrollment",
        title=f"You are enrolled in {course_title}" if course_title else "You are enrolled in a new course",
        body="Your enrollment is confirmed. You can start learning now.",
        link=f"/courses/{course_id}" if course_id else "/my/courses",
        keys=("enrollment_id", "course_id", "course_title", "source"),
    )


async def on_payment_success(rt: Runtime, session: AsyncSession, event: Event) -> None:
    amount, currency = event.data.get("amount"), _str(event.data, "currency")
    paid = format_money(amount, currency) if isinstance(amount, int) and currency else "your payment"
    order_id = _str(event.data, "order_id")
    await _notify(
        rt,
        session,
        event,
        kind="payment",
        title="Payment received",
        body=f"We received {paid}. Thank you!",
        link=f"/orders/{order_id}" if order_id else "/orders",
        keys=("order_id", "course_id", "amount", "currency"),
    )


async def on_quiz_graded(rt: Runtime, session: AsyncSession, event: Event) -> None:
    score, passed = event.data.get("score_percent"), event.data.get("passed")
    outcome = "You passed." if passed is True else "You did not pass this time." if passed is False else ""
    scored = f"You scored {score}%. " if isinstance(score, int | float) else ""
    course_id, quiz_id = _str(event.data, "course_id"), _str(event.data, "quiz_id")
    await _notify(
        rt,
        session,
        event,
        kind="quiz_graded",
        title="Your quiz has been graded",
        body=(scored + outcome).strip() or "Your result is available.",
        link=f"/courses/{course_id}/quizzes/{quiz_id}" if course_id and quiz_id else None,
        keys=("attempt_id", "quiz_id", "course_id", "score_percent", "passed"),
    )


async def on_certificate_issued(rt: Runtime, session: AsyncSession, event: Event) -> None:
    code = _str(event.data, "code")
    await _notify(
        rt,
        session,
        event,
        kind="certificate",
        title="Your certificate is ready",
        body=f"Certificate {code} has been issued. Download it or share its verification link."
        if code
        else "Your certificate has been issued.",
        link=f"/certificates/{code}" if code else "/my/certificates",
        keys=("certificate_id", "code", "course_id"),
    )


async def on_course_completed(rt: Runtime, session: AsyncSession, event: Event) -> None:
    course_title = _str(event.data, "course_title")
    course_id = _str(event.data, "course_id")
    await _notify(
        rt,
        session,
        event,
        kind="course_completed",
        title="Course completed",
        body=f"Congratulations on completing {course_title}!"
        if course_title
        else "Congratulations on completing your course!",
        link=f"/courses/{course_id}" if course_id else None,
        keys=("course_id", "course_title"),
    )


def register(bus: EventBus) -> None:
    bus.subscribe("user.registered", "notifications.welcome")(on_user_registered)
    bus.subscribe("enrollment.created", "notifications.enrollment")(on_enrollment_created)
    bus.subscribe("payment.success", "notifications.payment")(on_payment_success)
    bus.subscribe("quiz.graded", "notifications.quiz_graded")(on_quiz_graded)
    bus.subscribe("certificate.issued", "notifications.certificate")(on_certificate_issued)
    bus.subscribe("course.completed", "notifications.course_completed")(on_course_completed)
