"""Emails other domains' events cause: welcome, enrollment, payment receipt, quiz graded, certificate.

Payloads come from other domains; read them defensively (``.get``) and fall back to neutral wording.
A payload without a usable ``user_id`` is malformed: it is dead-lettered, not retried.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.events import Event, EventBus, MalformedEvent
from lms.core.runtime import Runtime
from lms.emails.models import EmailKind
from lms.emails.service import send_email
from lms.users import service as users_service
from lms.users.models import User

ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "VND", "CLP", "ISK", "UGX"}


async def _recipient(session: AsyncSession, event: Event) -> User | None:
    user_id = event.data.get("user_id")
    if not isinstance(user_id, str) or not user_id:
        raise MalformedEvent(f"{event.type} {event.id} has no user_id")
    user = await users_service.get(session, user_id)
    return user if user is not None and user.is_active else None


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def format_money(amount: object, currency: object) -> str | None:
    """49900, 'INR' -> 'INR 499.00' (integer minor units, no floats)."""
    if not isinstance(amount, int) or isinstance(amount, bool) or not isinstance(currency, str):
        return None
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return f"{code} {amount:,}"
    sign = "-" if amount < 0 else ""
    major, minor = divmod(abs(amount), 100)
    return f"{code} {sign}{major:,}.{minor:02d}"


async def send_welcome(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user = await _recipient(session, event)
    if user is not None:
        await send_email(rt, session, user=user, kind=EmailKind.WELCOME, template="welcome")


async def send_enrollment_confirmation(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user = await _recipient(session, event)
    if user is None:
        return
    course_id = _text(event.data, "course_id")
    await send_email(
        rt,
        session,
        user=user,
        kind=EmailKind.ENROLLMENT_CONFIRMATION,
        template="enrollment_confirmation",
        context={
            "course_title": _text(event.data, "course_title"),
            "course_path": f"/courses/{course_id}" if course_id else "/dashboard",
        },
    )


async def send_payment_receipt(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user = await _recipient(session, event)
    if user is None:
        return
    data = event.data
    amount: Any = data.get("amount")
    currency: Any = data.get("currency")
    if isinstance(amount, dict):  # {"amount": 49900, "currency": "INR"}
        amount, currency = amount.get("amount"), amount.get("currency")
    await send_email(
        rt,
        session,
        user=user,
        kind=EmailKind.PAYMENT_RECEIPT,
        template="payment_receipt",
        context={
            "amount": format_money(amount, currency),
            "course_title": _text(data, "course_title"),
            "payment_id": _text(data, "payment_id") or event.id,
            "paid_at": event.occurred_at.strftime("%d %b %Y %H:%M UTC"),
        },
    )


async def send_quiz_graded(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user = await _recipient(session, event)
    if user is None:
        return
    data = event.data
    score, max_score, passed = data.get("score"), data.get("max_score"), data.get("passed")
    await send_email(
        rt,
        session,
        user=user,
        kind=EmailKind.QUIZ_GRADED,
        template="quiz_graded",
        context={
            "quiz_title": _text(data, "quiz_title"),
            "score": score if isinstance(score, int | float) and not isinstance(score, bool) else None,
            "max_score": max_score if isinstance(max_score, int | float) and not isinstance(max_score, bool) else None,
            "passed": passed if isinstance(passed, bool) else None,
        },
    )


async def send_certificate_issued(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user = await _recipient(session, event)
    if user is None:
        return
    data = event.data
    base = rt.settings.public_url.rstrip("/")
    url = _text(data, "url")
    if url is None or not url.startswith(("https://", "http://")):
        cert = _text(data, "verification_code") or _text(data, "certificate_id")
        url = f"{base}/certificates/{cert}" if cert else f"{base}/my-certificates"
    await send_email(
        rt,
        session,
        user=user,
        kind=EmailKind.CERTIFICATE_ISSUED,
        template="certificate_issued",
        context={"course_title": _text(data, "course_title"), "certificate_url": url},
    )


def register(bus: EventBus) -> None:
    bus.subscribe("user.registered", "emails.welcome")(send_welcome)
    bus.subscribe("enrollment.created", "emails.enrollment_confirmation")(send_enrollment_confirmation)
    bus.subscribe("payment.success", "emails.payment_receipt")(send_payment_receipt)
    bus.subscribe("quiz.graded", "emails.quiz_graded")(send_quiz_graded)
    bus.subscribe("certificate.issued", "emails.certificate_issued")(send_certificate_issued)
