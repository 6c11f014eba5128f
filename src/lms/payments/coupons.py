"""Coupons: administration, validation and the reservation that keeps usage limits under concurrency.

A redemption is **reserved at checkout** (it counts against the total and per-user limits at once),
becomes ``redeemed`` when its order is paid, and is **released** (the count given back) when the order
fails or expires. A conditional ``UPDATE coupons SET redeemed_count = redeemed_count + 1 WHERE
redeemed_count < max_redemptions`` is the authority: it takes the coupon's row lock, so concurrent
checkouts serialize on it and the per-user count read afterwards is current.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import utcnow
from lms.core.errors import BadRequest, Conflict, ErrorCode, NotFound
from lms.core.pagination import PageParams
from lms.courses import service as courses_service
from lms.courses.models import Course
from lms.payments.models import Coupon, CouponKind, CouponRedemption, PaymentOrder, RedemptionStatus
from lms.users.models import User


def normalize_code(code: str) -> str:
    return code.strip().upper()


class CouponInvalid(BadRequest):
    status, code, title = 422, ErrorCode.COUPON_INVALID, "Coupon not valid"


class CouponExhausted(Conflict):
    status, code, title = 409, ErrorCode.COUPON_EXHAUSTED, "Coupon used up"


async def _check_course(session: AsyncSession, course_id: str | None) -> None:
    if course_id is not None and (len(course_id) > 36 or await courses_service.get_course(session, course_id) is None):
        raise BadRequest("No such course.", extra={"errors": [{"field": "course_id", "message": "unknown course"}]})


async def create_coupon(session: AsyncSession, *, actor: User, data: dict[str, Any]) -> Coupon:
    """Create a coupon (codes are case-insensitive and unique)."""
    await _check_course(session, data.get("course_id"))
    fields = {k: v for k, v in data.items() if k != "code"}
    coupon = Coupon(**fields, code=normalize_code(data["code"]), created_by_id=actor.id, redeemed_count=0)
    if await session.scalar(select(Coupon.id).where(Coupon.code == coupon.code)) is not None:
        raise Conflict("A coupon with this code exists.")
    try:
        async with session.begin_nested():
            session.add(coupon)
            await session.flush()
    except IntegrityError:
        raise Conflict("A coupon with this code exists.") from None
    return coupon


async def get_coupon_or_404(session: AsyncSession, coupon_id: str) -> Coupon:
    coupon = await session.get(Coupon, coupon_id) if len(coupon_id) <= 36 else None
    if coupon is None:
        raise NotFound("No such coupon.")
    return coupon


async def update_coupon(session: AsyncSession, *, coupon_id: str, changes: dict[str, Any]) -> Coupon:
    """Change a coupon's description, expiry, limits or active flag (kind and value stay as issued)."""
    coupon = await get_coupon_or_404(session, coupon_id)
    limit = changes.get("max_redemptions")
    if limit is not None and limit < coupon.redeemed_count:
        raise BadRequest(
            "The limit cannot be lower than the redemptions so far.",
            extra={"errors": [{"field": "max_redemptions", "message": f"at least {coupon.redeemed_count}"}]},
        )
    for key, value in changes.items():
        setattr(coupon, key, value)
    await session.flush()
    return coupon


async def deactivate_coupon(session: AsyncSession, *, coupon_id: str) -> None:
    """Coupons are never deleted (orders refer to them); they stop being accepted."""
    coupon = await get_coupon_or_404(session, coupon_id)
    coupon.is_active = False
    await session.flush()


async def list_coupons(session: AsyncSession, *, page: PageParams, active: bool | None) -> tuple[list[Coupon], int]:
    stmt = select(Coupon)
    if active is not None:
        stmt = stmt.where(Coupon.is_active.is_(active))
    total = await session.scalar(stmt.with_only_columns(func.count(Coupon.id)).order_by(None)) or 0
    rows = await session.scalars(
        stmt.order_by(Coupon.created_at.desc(), Coupon.id).offset(page.offset).limit(page.page_size)
    )
    return list(rows), total


def discount_for(coupon: Coupon, *, amount: int, currency: str) -> int:
    """The discount in minor units: integer arithmetic only, never more than the price."""
    if coupon.kind == CouponKind.PERCENT.value:
        return min(amount, amount * (coupon.percent_off or 0) // 100)
    if coupon.currency != currency:
        raise CouponInvalid(f"This coupon applies to prices in {coupon.currency}.")
    return min(amount, coupon.amount_off or 0)


async def usable_coupon(
    session: AsyncSession, *, code: str, course: Course, user_id: str, now: datetime | None = None
) -> Coupon:
    """The coupon for this code if it applies to the course now (the limits are enforced by ``reserve``)."""
    coupon = await session.scalar(select(Coupon).where(Coupon.code == normalize_code(code)[:40]))
    now = now or utcnow()
    if coupon is None or not coupon.is_active:
        raise CouponInvalid("No such coupon.")
    if coupon.expires_at is not None and coupon.expires_at <= now:
        raise CouponInvalid("This coupon has expired.")
    if coupon.course_id is not None and coupon.course_id != course.id:
        raise CouponInvalid("This coupon does not apply to this course.")
    if coupon.max_redemptions is not None and coupon.redeemed_count >= coupon.max_redemptions:
        raise CouponExhausted("This coupon has been used up.")
    return coupon


async def reserve(session: AsyncSession, *, coupon: Coupon, user_id: str) -> None:
    """Count one use against the coupon's limits, under its row lock. Raises if a limit is reached."""
    result = await session.execute(
        update(Coupon)
        .where(
            Coupon.id == coupon.id,
            Coupon.is_active.is_(True),
            or_(Coupon.max_redemptions.is_(None), Coupon.redeemed_count < Coupon.max_redemptions),
        )
        .values(redeemed_count=Coupon.redeemed_count + 1)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise CouponExhausted("This coupon has been used up.")
    if coupon.max_per_user is not None:
        used = await session.scalar(
            select(func.count(CouponRedemption.id)).where(
                CouponRedemption.coupon_id == coupon.id,
                CouponRedemption.user_id == user_id,
                CouponRedemption.status != RedemptionStatus.RELEASED.value,
            )
        )
        if (used or 0) >= coupon.max_per_user:
            # Raising rolls the whole request back, the count above included.
            raise CouponExhausted("You have already used this coupon.")


def record_reservation(session: AsyncSession, *, coupon: Coupon, order: PaymentOrder) -> None:
    session.add(
        CouponRedemption(
            coupon_id=coupon.id, user_id=order.user_id, order_id=order.id, status=RedemptionStatus.RESERVED.value
        )
    )


async def redeem_for(session: AsyncSession, *, order_id: str) -> None:
    """The order was paid: its reservation becomes a redemption. A reservation already released (the
    order had expired) is counted again without the limit check: the student paid that price."""
    result = await session.execute(
        update(CouponRedemption)
        .where(CouponRedemption.order_id == order_id, CouponRedemption.status == RedemptionStatus.RESERVED.value)
        .values(status=RedemptionStatus.REDEEMED.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) == 1:
        return
    released = await session.scalar(
        select(CouponRedemption).where(
            CouponRedemption.order_id == order_id, CouponRedemption.status == RedemptionStatus.RELEASED.value
        )
    )
    if released is None:
        return
    await session.execute(
        update(Coupon)
        .where(Coupon.id == released.coupon_id)
        .values(redeemed_count=Coupon.redeemed_count + 1)
        .execution_options(synchronize_session=False)
    )
    released.status = RedemptionStatus.REDEEMED.value
    await session.flush()


async def release_for(session: AsyncSession, *, order_id: str) -> None:
    """The order failed or expired: give its reserved use back (once)."""
    redemption = await session.scalar(select(CouponRedemption).where(CouponRedemption.order_id == order_id))
    if redemption is None:
        return
    result = await session.execute(
        update(CouponRedemption)
        .where(CouponRedemption.id == redemption.id, CouponRedemption.status == RedemptionStatus.RESERVED.value)
        .values(status=RedemptionStatus.RELEASED.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) == 1:
        await session.execute(
            update(Coupon)
            .where(Coupon.id == redemption.coupon_id, Coupon.redeemed_count > 0)
            .values(redeemed_count=Coupon.redeemed_count - 1)
            .execution_options(synchronize_session=False)
        )
