"""HTTP face of payments: checkout, confirmations, webhooks, history, receipts, refunds and coupons."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from lms.auth.dependencies import AdminUser, CurrentUser
from lms.core.deps import RuntimeDep, SessionDep
from lms.core.pagination import Page, PageParams, page_params
from lms.payments import coupons, service
from lms.payments.models import OrderStatus, PaymentOrder
from lms.payments.schemas import (
    CheckoutCreate,
    CheckoutRead,
    CouponCreate,
    CouponRead,
    CouponUpdate,
    Money,
    OrderRead,
    RazorpayVerify,
    RefundCreate,
    RefundRead,
    SandboxConfirm,
    WebhookAck,
)

router = APIRouter(tags=["payments"])


@cache
def _templates() -> Environment:
    return Environment(loader=PackageLoader("lms", "templates/payments"), autoescape=select_autoescape(["html"]))


def order_read(order: PaymentOrder, course_title: str | None = None) -> OrderRead:
    cur = order.currency
    return OrderRead(
        id=order.id,
        course_id=order.course_id,
        course_title=course_title,
        user_id=order.user_id,
        provider=order.provider,
        status=order.status,
        test_mode=order.test_mode,
        price=Money(amount=order.list_amount, currency=cur),
        discount=Money(amount=order.discount_amount, currency=cur),
        total=Money(amount=order.amount, currency=cur),
        refunded=Money(amount=order.refunded_amount, currency=cur),
        coupon_code=order.coupon_code,
        invoice_number=order.invoice_number,
        provider_order_id=order.provider_order_id,
        provider_payment_id=order.provider_payment_id,
        created_at=order.created_at,
        expires_at=order.expires_at,
        paid_at=order.paid_at,
        failure_reason=order.failure_reason,
        receipt_url=f"/api/v1/payments/{order.id}/receipt" if order.invoice_number else None,
    )


async def _orders_page(
    session: SessionDep, orders: list[PaymentOrder], total: int, page: PageParams
) -> Page[OrderRead]:
    titles = await service.course_titles(session, orders)
    return Page(
        items=[order_read(o, titles.get(o.course_id)) for o in orders],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.post("/payments/checkout", response_model=CheckoutRead, status_code=201)
async def checkout(body: CheckoutCreate, session: SessionDep, rt: RuntimeDep, user: CurrentUser) -> CheckoutRead:
    """Start paying for a course. The amount is the course's price on the server, less a valid coupon."""
    order = await service.checkout(
        session,
        settings=rt.settings,
        user=user,
        course_id=body.course_id,
        provider=body.provider,
        coupon_code=body.coupon_code,
    )
    title = (await service.course_titles(session, [order])).get(order.course_id, "")
    details = service.checkout_details(rt.settings, order, course_title=title, user=user)
    return CheckoutRead(order=order_read(order, title), provider=order.provider, test_mode=order.test_mode, **details)


@router.post("/payments/razorpay/verify", response_model=OrderRead)
async def razorpay_verify(body: RazorpayVerify, session: SessionDep, rt: RuntimeDep, user: CurrentUser) -> OrderRead:
    """Razorpay Checkout's handler posts its three fields here; a valid signature completes the order."""
    order = await service.razorpay_verify(
        session,
        settings=rt.settings,
        user=user,
        order_id=body.razorpay_order_id,
        payment_id=body.razorpay_payment_id,
        signature=body.razorpay_signature,
    )
    return order_read(order)


@router.post("/payments/sandbox/{order_id}/confirm", response_model=OrderRead)
async def sandbox_confirm(
    order_id: str, body: SandboxConfirm, session: SessionDep, rt: RuntimeDep, user: CurrentUser
) -> OrderRead:
    """Test mode only: complete (or decline) a sandbox order with the signature the checkout returned."""
    order = await service.sandbox_confirm(
        session, settings=rt.settings, user=user, order_id=order_id, outcome=body.outcome, signature=body.signature
    )
    return order_read(order)


@router.post("/payments/webhooks/razorpay", response_model=WebhookAck)
async def razorpay_webhook(
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    x_razorpay_signature: Annotated[str | None, Header()] = None,
    x_razorpay_event_id: Annotated[str | None, Header()] = None,
) -> WebhookAck:
    body = await request.body()
    outcome = await service.razorpay_webhook(
        session, settings=rt.settings, body=body, signature=x_razorpay_signature, event_id=x_razorpay_event_id
    )
    return WebhookAck(outcome=outcome)


@router.post("/payments/webhooks/stripe", response_model=WebhookAck)
async def stripe_webhook(
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    stripe_signature: Annotated[str | None, Header()] = None,
) -> WebhookAck:
    body = await request.body()
    outcome = await service.stripe_webhook(session, settings=rt.settings, body=body, signature=stripe_signature)
    return WebhookAck(outcome=outcome)


@router.get("/payments/me", response_model=Page[OrderRead])
async def my_payments(
    session: SessionDep, user: CurrentUser, page: Annotated[PageParams, Depends(page_params)]
) -> Page[OrderRead]:
    """The caller's payment history, newest first."""
    orders, total = await service.list_orders(session, page=page, user_id=user.id)
    return await _orders_page(session, orders, total, page)


@router.get("/payments/{order_id}", response_model=OrderRead)
async def get_order(order_id: str, session: SessionDep, user: CurrentUser) -> OrderRead:
    order = await service.get_visible_order(session, user=user, order_id=order_id)
    return order_read(order, (await service.course_titles(session, [order])).get(order.course_id))


@router.get("/payments/{order_id}/receipt", response_class=HTMLResponse)
async def receipt(order_id: str, session: SessionDep, rt: RuntimeDep, user: CurrentUser) -> HTMLResponse:
    """The receipt of a paid order (HTML, printable), with its invoice number."""
    context = await service.receipt_context(session, settings=rt.settings, user=user, order_id=order_id)
    html = _templates().get_template("receipt.html").render(**context)
    filename = f"receipt-{context['order'].invoice_number}.html"
    return HTMLResponse(html, headers={"Content-Disposition": f'inline; filename="{filename}"'})


# ------------------------------------------------------------------------------------------------- admin


@router.get("/admin/payments", response_model=Page[OrderRead])
async def all_payments(
    session: SessionDep,
    _admin: AdminUser,
    page: Annotated[PageParams, Depends(page_params)],
    status: OrderStatus | None = None,
    user_id: str | None = None,
) -> Page[OrderRead]:
    orders, total = await service.list_orders(session, page=page, user_id=user_id, status=status)
    return await _orders_page(session, orders, total, page)


@router.post("/admin/payments/{order_id}/refunds", response_model=RefundRead, status_code=201)
async def refund(
    order_id: str, body: RefundCreate, session: SessionDep, rt: RuntimeDep, admin: AdminUser
) -> RefundRead:
    """Refund an order, fully (no amount) or partly, through its provider. A full refund ends the enrollment."""
    created = await service.request_refund(
        session, settings=rt.settings, admin=admin, order_id=order_id, amount=body.amount, reason=body.reason
    )
    return RefundRead.model_validate(created)


@router.get("/admin/payments/{order_id}/refunds", response_model=list[RefundRead])
async def list_refunds(order_id: str, session: SessionDep, admin: AdminUser) -> list[RefundRead]:
    order = await service.get_visible_order(session, user=admin, order_id=order_id)
    return [RefundRead.model_validate(r) for r in await service.refunds_of(session, order.id)]


@router.get("/admin/coupons", response_model=Page[CouponRead])
async def list_coupons(
    session: SessionDep,
    _admin: AdminUser,
    page: Annotated[PageParams, Depends(page_params)],
    active: bool | None = None,
) -> Page[CouponRead]:
    rows, total = await coupons.list_coupons(session, page=page, active=active)
    return Page(
        items=[CouponRead.model_validate(c) for c in rows], total=total, page=page.page, page_size=page.page_size
    )


@router.post("/admin/coupons", response_model=CouponRead, status_code=201)
async def create_coupon(body: CouponCreate, session: SessionDep, admin: AdminUser) -> CouponRead:
    return CouponRead.model_validate(await coupons.create_coupon(session, actor=admin, data=body.model_dump()))


@router.get("/admin/coupons/{coupon_id}", response_model=CouponRead)
async def get_coupon(coupon_id: str, session: SessionDep, _admin: AdminUser) -> CouponRead:
    return CouponRead.model_validate(await coupons.get_coupon_or_404(session, coupon_id))


@router.patch("/admin/coupons/{coupon_id}", response_model=CouponRead)
async def update_coupon(coupon_id: str, body: CouponUpdate, session: SessionDep, _admin: AdminUser) -> CouponRead:
    changes = body.model_dump(exclude_unset=True)
    return CouponRead.model_validate(await coupons.update_coupon(session, coupon_id=coupon_id, changes=changes))


@router.delete("/admin/coupons/{coupon_id}", status_code=204)
async def delete_coupon(coupon_id: str, session: SessionDep, _admin: AdminUser) -> Response:
    """Deactivate a coupon (orders keep referring to it)."""
    await coupons.deactivate_coupon(session, coupon_id=coupon_id)
    return Response(status_code=204)
