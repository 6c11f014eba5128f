"""Payments: checkout, confirmation (client return, webhooks, sandbox), refunds, receipts, reconciliation.

Exactly once: every confirmation path (Razorpay's client return, either provider's webhook, the sandbox
confirmation, reconciliation) ends in ``settle_paid``, whose conditional ``UPDATE ... WHERE status IN
(pending, failed, expired)`` matches for one transaction only; that transaction alone takes the invoice
number, emits ``payment.success`` and activates the enrollment. Webhook deliveries are also recorded in
``payment_provider_events`` (unique per provider and event id), so a retried delivery changes nothing.

Lock order (no deadlocks): order row -> coupon redemption -> coupon -> invoice counter -> course
and enrollment (in the enrollments service).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import orjson
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.config import Settings
from lms.core.db import dialect_name, unit_of_work, utcnow
from lms.core.errors import BadRequest, Conflict, ErrorCode, LMSError, NotFound
from lms.core.events import publish
from lms.core.ids import new_id
from lms.core.pagination import PageParams
from lms.core.runtime import Runtime
from lms.courses import service as courses_service
from lms.courses.models import Course, CourseStatus
from lms.enrollments import service as enrollments_service
from lms.payments import coupons
from lms.payments.models import (
    PAID_STATES,
    SETTLEABLE,
    InvoiceCounter,
    OrderStatus,
    PaymentOrder,
    PaymentRefund,
    Provider,
    ProviderEvent,
    RefundStatus,
)
from lms.payments.providers import (
    ProviderUnavailable,
    RazorpayClient,
    StripeClient,
    sandbox_signature,
    verify_sandbox_signature,
)
from lms.users import service as users_service
from lms.users.models import Role, User

log = structlog.get_logger("lms.payments")


class AmountMismatch(LMSError):
    status, code, title = 400, ErrorCode.AMOUNT_MISMATCH, "Amount or currency mismatch"


class RefundTooLarge(LMSError):
    status, code, title = 422, ErrorCode.REFUND_EXCEEDS_PAID, "Refund exceeds what was paid"


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# ------------------------------------------------------------------------------------------------ reads


async def get_order(session: AsyncSession, order_id: str) -> PaymentOrder | None:
    return await session.get(PaymentOrder, order_id) if len(order_id) <= 36 else None


async def _reload(session: AsyncSession, order_id: str, *, lock: bool = False) -> PaymentOrder:
    stmt = select(PaymentOrder).where(PaymentOrder.id == order_id).execution_options(populate_existing=True)
    if lock:
        stmt = stmt.with_for_update()
    order = await session.scalar(stmt)
    if order is None:
        raise NotFound("No such order.")
    return order


async def get_visible_order(session: AsyncSession, *, user: User, order_id: str) -> PaymentOrder:
    """The order if it is the caller's (or the caller is an admin); anyone else's is a 404."""
    order = await get_order(session, order_id)
    if order is None or (order.user_id != user.id and user.role != Role.ADMIN.value):
        raise NotFound("No such order.")
    return order


async def _by_provider_order(session: AsyncSession, provider: Provider, provider_order_id: str) -> PaymentOrder | None:
    return await session.scalar(
        select(PaymentOrder).where(
            PaymentOrder.provider == provider.value, PaymentOrder.provider_order_id == provider_order_id[:100]
        )
    )


async def course_titles(session: AsyncSession, orders: list[PaymentOrder]) -> dict[str, str]:
    found = await courses_service.get_courses(session, sorted({o.course_id for o in orders}))
    return {cid: c.title for cid, c in found.items()}


async def list_orders(
    session: AsyncSession, *, page: PageParams, user_id: str | None = None, status: OrderStatus | None = None
) -> tuple[list[PaymentOrder], int]:
    """Orders newest first: one user's (their history) or everyone's (admin)."""
    stmt = select(PaymentOrder)
    if user_id is not None:
        stmt = stmt.where(PaymentOrder.user_id == user_id)
    if status is not None:
        stmt = stmt.where(PaymentOrder.status == status.value)
    total = await session.scalar(stmt.with_only_columns(func.count(PaymentOrder.id)).order_by(None)) or 0
    rows = await session.scalars(
        stmt.order_by(PaymentOrder.created_at.desc(), PaymentOrder.id.desc()).offset(page.offset).limit(page.page_size)
    )
    return list(rows), total


async def refunds_of(session: AsyncSession, order_id: str) -> list[PaymentRefund]:
    return list(
        await session.scalars(
            select(PaymentRefund).where(PaymentRefund.order_id == order_id).order_by(PaymentRefund.created_at)
        )
    )


# --------------------------------------------------------------------------------------------- checkout


def _provider_enabled(settings: Settings, provider: Provider) -> None:
    if provider == Provider.SANDBOX and not settings.payments_sandbox_enabled:
        raise ProviderUnavailable("The sandbox provider is only available in development and test mode.")
    if provider == Provider.RAZORPAY:
        RazorpayClient(settings)
    if provider == Provider.STRIPE:
        StripeClient(settings)


async def checkout(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    course_id: str,
    provider: Provider,
    coupon_code: str | None,
) -> PaymentOrder:
    """Create an order for a course at the server's price (less a coupon) and its provider-side object."""
    course = await courses_service.get_visible_course(session, course_id, user)
    if course.status != CourseStatus.PUBLISHED.value:
        raise Conflict("This course is not open for enrollment.", code=ErrorCode.COURSE_NOT_OPEN)
    if course.is_free:
        raise Conflict("This course is free: enroll directly.", code=ErrorCode.COURSE_IS_FREE)
    if await enrollments_service.get_active(session, user_id=user.id, course_id=course.id) is not None:
        raise Conflict("You are already enrolled in this course.", code=ErrorCode.ALREADY_ENROLLED)
    currency = course.price_currency.upper()
    if currency not in settings.payments_currencies:
        raise BadRequest(f"Payments in {currency} are not accepted.")
    _provider_enabled(settings, provider)

    coupon = None
    discount = 0
    if coupon_code:
        coupon = await coupons.usable_coupon(session, code=coupon_code, course=course, user_id=user.id)
        discount = coupons.discount_for(coupon, amount=course.price_amount, currency=currency)
    amount = course.price_amount - discount
    now = utcnow()
    order = PaymentOrder(
        id=new_id(),
        user_id=user.id,
        course_id=course.id,
        provider=provider.value,
        status=OrderStatus.PENDING.value,
        test_mode=provider == Provider.SANDBOX,
        list_amount=course.price_amount,
        discount_amount=discount,
        amount=amount,
        currency=currency,
        refunded_amount=0,
        coupon_id=coupon.id if coupon else None,
        coupon_code=coupon.code if coupon else None,
        expires_at=now + timedelta(minutes=settings.payments_order_ttl_minutes),
    )
    # The provider is called before any row is locked: a slow provider never holds the coupon's lock.
    if amount > 0:
        await _create_provider_object(settings, order, course, user)
    if coupon is not None:
        await coupons.reserve(session, coupon=coupon, user_id=user.id)
    session.add(order)
    await session.flush()
    if coupon is not None:
        coupons.record_reservation(session, coupon=coupon, order=order)
        await session.flush()
    if amount == 0:
        # A 100 % coupon: nothing to collect, the order is settled at once.
        await settle_paid(session, settings=settings, order_id=order.id, payment_id=None, via="coupon")
        order = await _reload(session, order.id)
    return order


async def _create_provider_object(settings: Settings, order: PaymentOrder, course: Course, user: User) -> None:
    if order.provider == Provider.RAZORPAY.value:
        rz = await RazorpayClient(settings).create_order(
            receipt=order.id,
            amount=order.amount,
            currency=order.currency,
            notes={"order_id": order.id, "user_id": order.user_id, "course_id": order.course_id},
        )
        if rz.get("amount") != order.amount or str(rz.get("currency", "")).upper() != order.currency:
            raise AmountMismatch("Razorpay created an order for a different amount.")
        order.provider_order_id = str(rz["id"])
    elif order.provider == Provider.STRIPE.value:
        expires = utcnow() + timedelta(minutes=max(31, settings.payments_order_ttl_minutes))
        cs = await StripeClient(settings).create_checkout_session(
            order_id=order.id,
            amount=order.amount,
            currency=order.currency,
            product_name=course.title,
            success_url=f"{settings.public_url}/payments/{order.id}?result=success",
            cancel_url=f"{settings.public_url}/courses/{course.slug}?checkout=cancelled",
            expires_at=int(expires.timestamp()),
            customer_email=user.email,
        )
        if cs.get("amount_total") not in (None, order.amount):
            raise AmountMismatch("Stripe created a session for a different amount.")
        order.provider_order_id = str(cs["id"])
        order.checkout_url = str(cs.get("url") or "") or None
    else:
        order.provider_order_id = f"sandbox_{order.id}"


def checkout_details(settings: Settings, order: PaymentOrder, *, course_title: str, user: User) -> dict[str, Any]:
    """What the web app needs to open the provider's checkout for this order."""
    details: dict[str, Any] = {"razorpay": None, "stripe": None, "sandbox": None}
    if order.status != OrderStatus.PENDING.value:
        return details
    if order.provider == Provider.RAZORPAY.value:
        details["razorpay"] = {
            "key_id": settings.razorpay_key_id,
            "order_id": order.provider_order_id,
            "amount": order.amount,
            "currency": order.currency,
            "name": settings.site_name,
            "description": course_title,
            "prefill": {"name": user.full_name, "email": user.email},
            "verify_url": "/api/v1/payments/razorpay/verify",
        }
    elif order.provider == Provider.STRIPE.value:
        details["stripe"] = {
            "session_id": order.provider_order_id,
            "url": order.checkout_url,
            "publishable_key": settings.stripe_publishable_key or None,
        }
    else:
        details["sandbox"] = {
            "confirm_url": f"/api/v1/payments/sandbox/{order.id}/confirm",
            "signatures": {
                outcome: sandbox_signature(settings, order_id=order.id, outcome=outcome)
                for outcome in ("success", "failure")
            },
        }
    return details


# ------------------------------------------------------------------------------------------- settlement


async def _next_invoice_number(session: AsyncSession, settings: Settings, now: datetime) -> str:
    """The next number of this year's series: no gaps, no duplicates. The counter row is locked (by the
    upsert, then FOR UPDATE) until the paying transaction ends; a rollback gives the number back."""
    series = f"{settings.payments_invoice_prefix}-{now.year}"
    dialect = dialect_name(session)
    if dialect in ("mysql", "mariadb"):
        # ON DUPLICATE KEY takes an exclusive lock (a plain INSERT's shared lock could deadlock).
        stmt: Any = (
            mysql.insert(InvoiceCounter)
            .values(series=series, last_value=1)
            .on_duplicate_key_update(last_value=InvoiceCounter.last_value + 1)
        )
    else:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(InvoiceCounter)
            .values(series=series, last_value=1)
            .on_conflict_do_update(index_elements=["series"], set_={"last_value": InvoiceCounter.last_value + 1})
        )
    await session.execute(stmt)
    value = await session.scalar(
        select(InvoiceCounter.last_value).where(InvoiceCounter.series == series).with_for_update()
    )
    return f"{series}-{int(value or 0):06d}"


async def settle_paid(
    session: AsyncSession,
    *,
    settings: Settings,
    order_id: str,
    payment_id: str | None,
    via: str,
    amount: int | None = None,
    currency: str | None = None,
) -> bool:
    """Mark the order paid, number its invoice, emit ``payment.success`` and enroll the student: once.

    Returns False when another confirmation got there first (nothing changes). ``amount``/``currency``,
    when the provider reports them, must match the order."""
    order = await get_order(session, order_id)
    if order is None:
        raise NotFound("No such order.")
    if amount is not None and (amount != order.amount or (currency or "").upper() != order.currency):
        raise AmountMismatch(
            f"The payment of {amount} {currency} does not match the order's {order.amount} {order.currency}."
        )
    now = utcnow()
    values: dict[str, Any] = {"status": OrderStatus.PAID.value, "paid_at": now, "paid_via": via, "updated_at": now}
    if payment_id:
        values["provider_payment_id"] = payment_id[:100]
    result = await session.execute(
        update(PaymentOrder)
        .where(PaymentOrder.id == order_id, PaymentOrder.status.in_(SETTLEABLE))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return False
    order = await _reload(session, order_id)
    await coupons.redeem_for(session, order_id=order.id)
    order.invoice_number = await _next_invoice_number(session, settings, now)
    order.failed_at, order.failure_reason = None, None
    await session.flush()
    publish(session, "payment.success", _order_event(order), actor_id=order.user_id, key=order.id)
    await enrollments_service.activate_paid_enrollment(
        session, user_id=order.user_id, course_id=order.course_id, order_id=order.id
    )
    log.info("payment_success", order_id=order.id, provider=order.provider, via=via)
    return True


def _order_event(order: PaymentOrder) -> dict[str, Any]:
    """What ``payment.success`` and ``payment.failed`` say about the order."""
    return {
        "order_id": order.id,
        "user_id": order.user_id,
        "course_id": order.course_id,
        "amount": order.amount,
        "currency": order.currency,
        "provider": order.provider,
    }


async def settle_failed(
    session: AsyncSession, *, order_id: str, reason: str, status: OrderStatus = OrderStatus.FAILED
) -> bool:
    """A pending order failed or was abandoned: record it, give its coupon back, emit ``payment.failed``.
    The student retries with a new checkout. Returns False when the order was no longer pending."""
    now = utcnow()
    result = await session.execute(
        update(PaymentOrder)
        .where(PaymentOrder.id == order_id, PaymentOrder.status == OrderStatus.PENDING.value)
        .values(status=status.value, failed_at=now, failure_reason=reason[:300], updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return False
    order = await _reload(session, order_id)
    await coupons.release_for(session, order_id=order.id)
    payload = {**_order_event(order), "status": status.value, "reason": order.failure_reason}
    publish(session, "payment.failed", payload, actor_id=order.user_id, key=order.id)
    return True


# -------------------------------------------------------------------------------- client confirmations


async def razorpay_verify(
    session: AsyncSession, *, settings: Settings, user: User, order_id: str, payment_id: str, signature: str
) -> PaymentOrder:
    """Razorpay Checkout's return: verify ``order_id|payment_id`` signed with the key secret, then settle."""
    RazorpayClient(settings).verify_payment_signature(order_id=order_id, payment_id=payment_id, signature=signature)
    order = await _by_provider_order(session, Provider.RAZORPAY, order_id)
    if order is None or order.user_id != user.id:
        raise NotFound("No such order.")
    await settle_paid(session, settings=settings, order_id=order.id, payment_id=payment_id, via="client_return")
    return await _reload(session, order.id)


async def sandbox_confirm(
    session: AsyncSession, *, settings: Settings, user: User, order_id: str, outcome: str, signature: str
) -> PaymentOrder:
    """The sandbox provider's confirmation (test mode): signed with the sandbox secret like a webhook."""
    if not settings.payments_sandbox_enabled:
        raise NotFound("The sandbox provider is not enabled.")
    verify_sandbox_signature(settings, order_id=order_id, outcome=outcome, signature=signature)
    order = await get_order(session, order_id)
    if order is None or order.user_id != user.id or order.provider != Provider.SANDBOX.value:
        raise NotFound("No such order.")
    if outcome == "success":
        await settle_paid(
            session, settings=settings, order_id=order.id, payment_id=f"sandbox_pay_{order.id}", via="sandbox"
        )
    else:
        await settle_failed(session, order_id=order.id, reason="declined in the sandbox")
    return await _reload(session, order.id)


# ------------------------------------------------------------------------------------------------ webhooks


async def _first_delivery(
    session: AsyncSession, provider: Provider, event_id: str, event_type: str
) -> ProviderEvent | None:
    """Record the provider's event id; None when it was seen before (a retried or concurrent delivery)."""
    row = ProviderEvent(
        provider=provider.value, event_id=event_id[:100], event_type=event_type[:100], received_at=utcnow()
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return None
    return row


def _parse(body: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("The event is not valid JSON.") from exc
    if not isinstance(payload, dict):
        raise BadRequest("The event is not a JSON object.")
    return payload


def _dig(payload: dict[str, Any], *keys: str) -> dict[str, Any]:
    node: Any = payload
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        raise BadRequest(f"The event has no {'.'.join(keys)}.")
    return node


async def razorpay_webhook(
    session: AsyncSession, *, settings: Settings, body: bytes, signature: str | None, event_id: str | None
) -> str:
    """Handle a verified Razorpay webhook once. Returns what happened (for the response and the log)."""
    RazorpayClient.verify_webhook(settings, body, signature)
    payload = _parse(body)
    event_type = str(payload.get("event", ""))
    row = await _first_delivery(session, Provider.RAZORPAY, event_id or hashlib.sha256(body).hexdigest(), event_type)
    if row is None:
        return "duplicate"
    outcome, order_id = await _handle_razorpay(session, settings, event_type, payload)
    row.outcome, row.order_id = outcome, order_id
    await session.flush()
    return outcome


async def _handle_razorpay(
    session: AsyncSession, settings: Settings, event_type: str, payload: dict[str, Any]
) -> tuple[str, str | None]:
    if event_type in ("payment.captured", "order.paid", "payment.failed"):
        payment = _dig(payload, "payload", "payment", "entity")
        order = await _by_provider_order(session, Provider.RAZORPAY, str(payment.get("order_id") or ""))
        if order is None:
            return "ignored_unknown_order", None
        if event_type == "payment.failed":
            failed = await settle_failed(
                session, order_id=order.id, reason=str(payment.get("error_description") or "payment failed")
            )
            return ("failed" if failed else "unchanged"), order.id
        paid = await settle_paid(
            session,
            settings=settings,
            order_id=order.id,
            payment_id=str(payment["id"]),
            via="webhook",
            amount=_int(payment.get("amount")),
            currency=str(payment.get("currency", "")),
        )
        return ("paid" if paid else "already_settled"), order.id
    if event_type in ("refund.processed", "refund.failed"):
        refund = _dig(payload, "payload", "refund", "entity")
        notes = refund.get("notes")
        notes = notes if isinstance(notes, dict) else {}
        return await apply_provider_refund(
            session,
            provider=Provider.RAZORPAY,
            provider_refund_id=str(refund.get("id", "")),
            refund_id=str(notes.get("refund_id") or "") or None,
            payment_id=str(refund.get("payment_id", "")),
            amount=_int(refund.get("amount")),
            currency=str(refund.get("currency", "")),
            succeeded=event_type == "refund.processed",
        )
    return "ignored", None


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest("The event carries an amount that is not an integer of minor units.")
    return value


async def stripe_webhook(session: AsyncSession, *, settings: Settings, body: bytes, signature: str | None) -> str:
    """Handle a verified Stripe webhook once (deduplicated by the event's id)."""
    StripeClient.verify_webhook(settings, body, signature)
    payload = _parse(body)
    event_type = str(payload.get("type", ""))
    event_id = str(payload.get("id") or hashlib.sha256(body).hexdigest())
    row = await _first_delivery(session, Provider.STRIPE, event_id, event_type)
    if row is None:
        return "duplicate"
    outcome, order_id = await _handle_stripe(session, settings, event_type, _dig(payload, "data", "object"))
    row.outcome, row.order_id = outcome, order_id
    await session.flush()
    return outcome


async def _handle_stripe(
    session: AsyncSession, settings: Settings, event_type: str, obj: dict[str, Any]
) -> tuple[str, str | None]:
    if event_type.startswith("checkout.session."):
        order = await _by_provider_order(session, Provider.STRIPE, str(obj.get("id", "")))
        if order is None:
            return "ignored_unknown_order", None
        if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            if obj.get("payment_status") != "paid":
                return "awaiting_payment", order.id
            paid = await settle_paid(
                session,
                settings=settings,
                order_id=order.id,
                payment_id=str(obj.get("payment_intent") or "") or None,
                via="webhook",
                amount=_int(obj.get("amount_total")),
                currency=str(obj.get("currency", "")),
            )
            return ("paid" if paid else "already_settled"), order.id
        if event_type in ("checkout.session.async_payment_failed", "checkout.session.expired"):
            status = OrderStatus.EXPIRED if event_type.endswith("expired") else OrderStatus.FAILED
            changed = await settle_failed(session, order_id=order.id, reason=event_type, status=status)
            return (status.value if changed else "unchanged"), order.id
        return "ignored", order.id
    if event_type in ("refund.created", "refund.updated", "charge.refund.updated"):
        refund_status = obj.get("status")
        if refund_status not in ("succeeded", "failed", "canceled"):
            return "refund_pending", None
        metadata = obj.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        return await apply_provider_refund(
            session,
            provider=Provider.STRIPE,
            provider_refund_id=str(obj.get("id", "")),
            refund_id=str(metadata.get("refund_id") or "") or None,
            payment_id=str(obj.get("payment_intent") or ""),
            amount=_int(obj.get("amount")),
            currency=str(obj.get("currency", "")),
            succeeded=refund_status == "succeeded",
        )
    return "ignored", None


# ------------------------------------------------------------------------------------------------ refunds


async def _pending_refunds(session: AsyncSession, order_id: str) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(PaymentRefund.amount), 0)).where(
            PaymentRefund.order_id == order_id, PaymentRefund.status == RefundStatus.PENDING.value
        )
    )
    return int(total or 0)


async def request_refund(
    session: AsyncSession, *, settings: Settings, admin: User, order_id: str, amount: int | None, reason: str
) -> PaymentRefund:
    """Refund all (default) or part of what is left of a paid order through its provider."""
    if await get_order(session, order_id) is None:
        raise NotFound("No such order.")
    order = await _reload(session, order_id, lock=True)
    if order.status not in (OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value):
        raise Conflict("Only a paid order can be refunded.", code=ErrorCode.ORDER_NOT_PAYABLE)
    remaining = order.amount - order.refunded_amount - await _pending_refunds(session, order.id)
    amount = remaining if amount is None else amount
    if amount <= 0 or amount > remaining:
        raise RefundTooLarge(
            f"At most {remaining} {order.currency} (minor units) of this order can still be refunded.",
            extra={"refundable": {"amount": max(0, remaining), "currency": order.currency}},
        )
    refund = PaymentRefund(
        id=new_id(),
        order_id=order.id,
        amount=amount,
        currency=order.currency,
        reason=reason,
        status=RefundStatus.PENDING.value,
        created_by_id=admin.id,
    )
    session.add(refund)
    await session.flush()
    final = True
    if order.provider == Provider.RAZORPAY.value and order.provider_payment_id:
        rz = await RazorpayClient(settings).refund(
            payment_id=order.provider_payment_id, amount=amount, notes={"refund_id": refund.id, "order_id": order.id}
        )
        refund.provider_refund_id = str(rz["id"])
        final = rz.get("status") == "processed"
    elif order.provider == Provider.STRIPE.value and order.provider_payment_id:
        st = await StripeClient(settings).refund(
            payment_intent=order.provider_payment_id, amount=amount, refund_id=refund.id
        )
        refund.provider_refund_id = str(st["id"])
        final = st.get("status") == "succeeded"
    else:
        refund.provider_refund_id = f"sandbox_rfnd_{refund.id}"
    await session.flush()
    if final:
        await _apply_refund(session, refund_id=refund.id, order_id=order.id)
    await session.refresh(refund)
    return refund


async def _apply_refund(session: AsyncSession, *, refund_id: str, order_id: str) -> bool:
    """A refund the provider completed: count it on the order (once); a full refund ends the enrollment."""
    now = utcnow()
    result = await session.execute(
        update(PaymentRefund)
        .where(PaymentRefund.id == refund_id, PaymentRefund.status == RefundStatus.PENDING.value)
        .values(status=RefundStatus.PROCESSED.value, processed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return False
    refund = await session.scalar(
        select(PaymentRefund).where(PaymentRefund.id == refund_id).execution_options(populate_existing=True)
    )
    assert refund is not None
    order = await _reload(session, order_id, lock=True)
    order.refunded_amount += refund.amount
    full = order.refunded_amount >= order.amount
    order.status = (OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED).value
    await session.flush()
    publish(
        session,
        "payment.refunded",
        {
            "order_id": order.id,
            "refund_id": refund.id,
            "user_id": order.user_id,
            "course_id": order.course_id,
            "amount": refund.amount,
            "currency": refund.currency,
            "full": full,
        },
        key=order.id,
    )
    if full:
        enrollment = await enrollments_service.get_active(session, user_id=order.user_id, course_id=order.course_id)
        if enrollment is not None and enrollment.order_id == order.id:
            await enrollments_service.end_enrollment(session, enrollment_id=enrollment.id, reason="payment refunded")
    return True


async def apply_provider_refund(
    session: AsyncSession,
    *,
    provider: Provider,
    provider_refund_id: str,
    refund_id: str | None,
    payment_id: str,
    amount: int,
    currency: str,
    succeeded: bool,
) -> tuple[str, str | None]:
    """A provider's refund notice. A refund made at the provider's dashboard is recorded too."""
    refund = None
    if provider_refund_id:
        refund = await session.scalar(
            select(PaymentRefund).where(PaymentRefund.provider_refund_id == provider_refund_id[:100])
        )
    if refund is None and refund_id and len(refund_id) <= 36:
        refund = await session.get(PaymentRefund, refund_id)
    if refund is not None:
        order = await _reload(session, refund.order_id, lock=True)
    else:
        found = await session.scalar(
            select(PaymentOrder).where(
                PaymentOrder.provider == provider.value, PaymentOrder.provider_payment_id == payment_id[:100]
            )
        )
        if found is None or not payment_id:
            return "ignored_unknown_order", None
        order = await _reload(session, found.id, lock=True)
        if not succeeded:
            return "ignored", order.id
    if currency.upper() != order.currency or (refund is not None and amount != refund.amount):
        raise AmountMismatch("The refund's amount or currency does not match our record.")
    if refund is None:
        if order.status not in (OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value):
            return "ignored", order.id
        refund = PaymentRefund(
            order_id=order.id,
            amount=min(amount, order.amount - order.refunded_amount),
            currency=order.currency,
            reason="refunded at the provider",
            status=RefundStatus.PENDING.value,
            provider_refund_id=provider_refund_id[:100] or None,
        )
        session.add(refund)
        await session.flush()
    elif refund.provider_refund_id is None and provider_refund_id:
        refund.provider_refund_id = provider_refund_id[:100]
        await session.flush()
    if succeeded:
        applied = await _apply_refund(session, refund_id=refund.id, order_id=order.id)
        return ("refunded" if applied else "already_settled"), order.id
    result = await session.execute(
        update(PaymentRefund)
        .where(PaymentRefund.id == refund.id, PaymentRefund.status == RefundStatus.PENDING.value)
        .values(status=RefundStatus.FAILED.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return ("refund_failed" if _rowcount(result) == 1 else "unchanged"), order.id


# ------------------------------------------------------------------------------------------------ receipts


def format_money(amount: int, currency: str) -> str:
    symbol = {"INR": "₹", "USD": "$"}.get(currency, f"{currency} ")
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    return f"{sign}{symbol}{amount // 100:,}.{amount % 100:02d}"


async def receipt_context(session: AsyncSession, *, settings: Settings, user: User, order_id: str) -> dict[str, Any]:
    """Everything a receipt shows. Only paid (or later refunded) orders have one."""
    order = await get_visible_order(session, user=user, order_id=order_id)
    if order.status not in PAID_STATES or order.invoice_number is None:
        raise Conflict("This order has not been paid, so it has no receipt.", code=ErrorCode.RECEIPT_UNAVAILABLE)
    student = await users_service.get(session, order.user_id)
    course = await courses_service.get_course(session, order.course_id)
    refunds = [r for r in await refunds_of(session, order.id) if r.status == RefundStatus.PROCESSED.value]
    return {
        "institution": settings.institution_name,
        "site_name": settings.site_name,
        "order": order,
        "student_name": student.full_name if student else "",
        "student_email": student.email if student else "",
        "course_title": course.title if course else order.course_id,
        "list_price": format_money(order.list_amount, order.currency),
        "discount": format_money(order.discount_amount, order.currency),
        "total": format_money(order.amount, order.currency),
        "refunds": [(r, format_money(r.amount, r.currency)) for r in refunds],
        "refunded": format_money(order.refunded_amount, order.currency),
        "net": format_money(order.amount - order.refunded_amount, order.currency),
    }


# ------------------------------------------------------------------------------------------ reconciliation


async def reconcile_order(session: AsyncSession, *, settings: Settings, order_id: str) -> str:
    """Ask the provider about one pending order and settle it: paid, expired, or still pending."""
    order = await get_order(session, order_id)
    if order is None or order.status != OrderStatus.PENDING.value:
        return "unchanged"
    now = utcnow()
    expired = now >= order.expires_at
    if order.provider == Provider.RAZORPAY.value and order.provider_order_id:
        payments = await RazorpayClient(settings).order_payments(order.provider_order_id)
        captured = [p for p in payments if p.get("status") == "captured"]
        if captured:
            p = captured[0]
            await settle_paid(
                session,
                settings=settings,
                order_id=order.id,
                payment_id=str(p["id"]),
                via="reconcile",
                amount=_int(p.get("amount")),
                currency=str(p.get("currency", "")),
            )
            return "paid"
        if any(p.get("status") == "authorized" for p in payments):
            return "pending"
    elif order.provider == Provider.STRIPE.value and order.provider_order_id:
        cs = await StripeClient(settings).get_session(order.provider_order_id)
        if cs.get("payment_status") == "paid":
            await settle_paid(
                session,
                settings=settings,
                order_id=order.id,
                payment_id=str(cs.get("payment_intent") or "") or None,
                via="reconcile",
                amount=_int(cs.get("amount_total")),
                currency=str(cs.get("currency", "")),
            )
            return "paid"
        expired = expired or cs.get("status") == "expired"
    if expired:
        await settle_failed(
            session, order_id=order.id, reason="abandoned: not paid in time", status=OrderStatus.EXPIRED
        )
        return "expired"
    return "pending"


async def reconcile_pending(rt: Runtime, *, older_than_minutes: int | None = None, limit: int = 500) -> dict[str, int]:
    """Settle pending orders older than N minutes by asking their providers (the worker schedules this;
    ``lms payments reconcile`` runs it by hand). Each order is settled in its own transaction."""
    minutes = rt.settings.payments_reconcile_after_minutes if older_than_minutes is None else older_than_minutes
    cutoff = utcnow() - timedelta(minutes=minutes)
    async with rt.sessionmaker() as session:
        ids = list(
            await session.scalars(
                select(PaymentOrder.id)
                .where(PaymentOrder.status == OrderStatus.PENDING.value, PaymentOrder.created_at <= cutoff)
                .order_by(PaymentOrder.created_at)
                .limit(limit)
            )
        )
    summary: Counter[str] = Counter()
    for order_id in ids:
        try:
            async with unit_of_work(rt.sessionmaker) as session:
                summary[await reconcile_order(session, settings=rt.settings, order_id=order_id)] += 1
        except Exception as exc:
            log.warning("reconcile_failed", order_id=order_id, error=repr(exc))
            summary["errors"] += 1
    summary["checked"] = len(ids)
    return dict(summary)
