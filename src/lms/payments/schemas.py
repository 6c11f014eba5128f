"""Request and response bodies of payments. Money is ``{"amount": <minor units>, "currency": "INR"}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lms.payments.models import CouponKind, Provider

Currency = Literal["INR", "USD"]


class Money(BaseModel):
    amount: int
    currency: str


class CheckoutCreate(BaseModel):
    # Extra fields (an "amount" or "currency" from the client) are refused: the price is the server's.
    model_config = ConfigDict(extra="forbid")

    course_id: str = Field(min_length=1, max_length=120)
    provider: Provider
    coupon_code: str | None = Field(default=None, min_length=1, max_length=40)


class OrderRead(BaseModel):
    id: str
    course_id: str
    course_title: str | None = None
    user_id: str
    provider: str
    status: str
    test_mode: bool
    price: Money
    discount: Money
    total: Money
    refunded: Money
    coupon_code: str | None
    invoice_number: str | None
    provider_order_id: str | None
    provider_payment_id: str | None
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    failure_reason: str | None
    receipt_url: str | None


class CheckoutRead(BaseModel):
    order: OrderRead
    provider: str
    test_mode: bool
    razorpay: dict[str, Any] | None = None
    stripe: dict[str, Any] | None = None
    sandbox: dict[str, Any] | None = None


class RazorpayVerify(BaseModel):
    razorpay_order_id: str = Field(min_length=1, max_length=100)
    razorpay_payment_id: str = Field(min_length=1, max_length=100)
    razorpay_signature: str = Field(min_length=1, max_length=200)


class SandboxConfirm(BaseModel):
    outcome: Literal["success", "failure"] = "success"
    signature: str = Field(min_length=1, max_length=200)


class WebhookAck(BaseModel):
    received: bool = True
    outcome: str


class RefundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int | None = Field(default=None, gt=0, description="Minor units; omitted = everything still refundable")
    reason: str = Field(min_length=3, max_length=500)


class RefundRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    order_id: str
    amount: int
    currency: str
    reason: str
    status: str
    provider_refund_id: str | None
    created_at: datetime
    processed_at: datetime | None


class CouponBase(BaseModel):
    description: str = Field(default="", max_length=300)
    expires_at: datetime | None = None
    max_redemptions: int | None = Field(default=None, ge=1, le=10_000_000)
    max_per_user: int | None = Field(default=1, ge=1, le=1000)
    is_active: bool = True


class CouponCreate(CouponBase):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    kind: CouponKind
    percent_off: int | None = Field(default=None, ge=1, le=100)
    amount_off: int | None = Field(default=None, ge=1, le=100_000_000)
    currency: Currency | None = None
    course_id: str | None = Field(default=None, max_length=36)

    @model_validator(mode="after")
    def _value(self) -> CouponCreate:
        if self.kind == CouponKind.PERCENT and (self.percent_off is None or self.amount_off is not None):
            raise ValueError("a percent coupon needs percent_off (and no amount_off)")
        if self.kind == CouponKind.FIXED and (self.amount_off is None or self.currency is None or self.percent_off):
            raise ValueError("a fixed coupon needs amount_off and currency (and no percent_off)")
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise ValueError("expires_at needs a time zone")
        return self


class CouponUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=300)
    expires_at: datetime | None = None
    max_redemptions: int | None = Field(default=None, ge=1, le=10_000_000)
    max_per_user: int | None = Field(default=None, ge=1, le=1000)
    is_active: bool | None = None

    @model_validator(mode="after")
    def _tz(self) -> CouponUpdate:
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise ValueError("expires_at needs a time zone")
        return self


class CouponRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    description: str
    kind: str
    percent_off: int | None
    amount_off: int | None
    currency: str | None
    course_id: str | None
    expires_at: datetime | None
    max_redemptions: int | None
    max_per_user: int | None
    redeemed_count: int
    is_active: bool
    created_at: datetime
