"""Payments: orders (the ledger), refunds, provider events seen, coupons and the invoice counter.

Money is always an integer of minor units (paise, cents) beside an ISO 4217 currency code.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class Provider(StrEnum):
    RAZORPAY = "razorpay"
    STRIPE = "stripe"
    SANDBOX = "sandbox"


class OrderStatus(StrEnum):
    PENDING = "pending"  # created; waiting for the provider
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    FAILED = "failed"
    EXPIRED = "expired"  # abandoned: nothing paid before it expired


# A payment that arrives for these is still honoured: money received is never lost.
SETTLEABLE = (OrderStatus.PENDING.value, OrderStatus.FAILED.value, OrderStatus.EXPIRED.value)
PAID_STATES = (OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value, OrderStatus.REFUNDED.value)


class RefundStatus(StrEnum):
    PENDING = "pending"
    PROCESSED = "processed"
    FAILED = "failed"


class CouponKind(StrEnum):
    PERCENT = "percent"
    FIXED = "fixed"


class RedemptionStatus(StrEnum):
    RESERVED = "reserved"  # held by a pending order
    REDEEMED = "redeemed"  # its order was paid
    RELEASED = "released"  # its order failed or expired


class Coupon(IdMixin, TimestampMixin, Base):
    __tablename__ = "coupons"

    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    percent_off: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amount_off: Mapped[int | None] = mapped_column(Integer, nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    # None: valid for every course.
    course_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("courses.id", ondelete="CASCADE"), nullable=True, index=True
    )
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    max_redemptions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_per_user: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Reserved + redeemed; a conditional UPDATE against max_redemptions keeps it within the limit.
    redeemed_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class PaymentOrder(IdMixin, TimestampMixin, Base):
    __tablename__ = "payment_orders"
    __table_args__ = (
        Index("ix_payment_orders_user_id_created_at", "user_id", "created_at"),
        Index("ix_payment_orders_status_created_at", "status", "created_at"),
        UniqueConstraint("provider", "provider_order_id"),
    )

    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="RESTRICT"), nullable=False)
    course_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("courses.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=OrderStatus.PENDING.value)
    test_mode: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The course price at checkout, the coupon's discount, and what is charged (list - discount).
    list_amount: Mapped[int] = mapped_column(Integer, nullable=False)
    discount_amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    refunded_amount: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    coupon_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("coupons.id", ondelete="SET NULL"), nullable=True
    )
    coupon_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Razorpay order id, Stripe Checkout Session id or the sandbox's id.
    provider_order_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Razorpay payment id or Stripe PaymentIntent id, once paid.
    provider_payment_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    checkout_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    invoice_number: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paid_via: Mapped[str | None] = mapped_column(String(30), nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)

    @property
    def refundable_amount(self) -> int:
        return self.amount - self.refunded_amount


class PaymentRefund(IdMixin, TimestampMixin, Base):
    __tablename__ = "payment_refunds"

    order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("payment_orders.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=RefundStatus.PENDING.value)
    provider_refund_id: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    created_by_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProviderEvent(Base):
    """Each provider event (webhook delivery id) handled once, whatever the retries."""

    __tablename__ = "payment_provider_events"

    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    order_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    outcome: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class CouponRedemption(IdMixin, TimestampMixin, Base):
    __tablename__ = "coupon_redemptions"
    __table_args__ = (Index("ix_coupon_redemptions_coupon_id_user_id", "coupon_id", "user_id"),)

    coupon_id: Mapped[str] = mapped_column(String(36), ForeignKey("coupons.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[str] = mapped_column(String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("payment_orders.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=RedemptionStatus.RESERVED.value)


class InvoiceCounter(Base):
    """One row per invoice series; its next number is taken under a row lock in the paying transaction."""

    __tablename__ = "invoice_counters"

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
