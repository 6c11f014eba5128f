"""Payments test helpers: a paid course, a checkout, the ledger as the database holds it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from lms.core.passwords import hash_password_sync
from lms.core.runtime import Runtime
from lms.enrollments.models import Enrollment
from lms.payments.models import PaymentOrder, PaymentRefund
from lms.users import service as users_service
from lms.users.models import Role
from tests.courses.helpers import CourseFixture, build_course
from tests.factories import PASSWORD, Account, signed_in


async def paid_course(
    rt: Runtime, client: httpx.AsyncClient, amount: int = 49900, currency: str = "INR", **fields: Any
) -> CourseFixture:
    fields.setdefault("lessons", 1)
    return await build_course(rt, client, price={"amount": amount, "currency": currency}, **fields)


async def admin(rt: Runtime, client: httpx.AsyncClient) -> Account:
    return await signed_in(rt, client, Role.ADMIN, full_name="Admin")


async def checkout(
    client: httpx.AsyncClient, account: Account, course_id: str, provider: str = "sandbox", **extra: Any
) -> httpx.Response:
    body = {"course_id": course_id, "provider": provider} | extra
    return await client.post("/api/v1/payments/checkout", json=body, headers=account.headers)


async def sandbox_pay(
    client: httpx.AsyncClient, account: Account, checkout_body: dict[str, Any], outcome: str = "success"
) -> httpx.Response:
    sandbox = checkout_body["sandbox"]
    return await client.post(
        sandbox["confirm_url"],
        json={"outcome": outcome, "signature": sandbox["signatures"][outcome]},
        headers=account.headers,
    )


async def order_row(rt: Runtime, order_id: str) -> PaymentOrder:
    async with rt.sessionmaker() as session:
        order = await session.get(PaymentOrder, order_id)
        assert order is not None
        return order


async def enrollment_of(rt: Runtime, user_id: str, course_id: str) -> Enrollment | None:
    async with rt.sessionmaker() as session:
        return await session.scalar(
            select(Enrollment).where(Enrollment.user_id == user_id, Enrollment.course_id == course_id)
        )


async def ledger(rt: Runtime) -> list[tuple[str, str, int, int, str | None]]:
    """(order id, status, amount, refunded, invoice) of every order, plus the refund count, for 'unchanged' checks."""
    async with rt.sessionmaker() as session:
        rows = await session.scalars(select(PaymentOrder).order_by(PaymentOrder.id))
        orders = [(o.id, o.status, o.amount, o.refunded_amount, o.invoice_number) for o in rows]
        refunds = await session.scalar(select(func.count(PaymentRefund.id)))
    return [*orders, ("refunds", "", int(refunds or 0), 0, None)]


async def assert_invariant(rt: Runtime) -> None:
    """Nothing paid is lost: every paid order has an active enrollment, or a recorded refund."""
    async with rt.sessionmaker() as session:
        paid = list(await session.scalars(select(PaymentOrder).where(PaymentOrder.paid_at.is_not(None))))
        for order in paid:
            enrollment = await session.scalar(
                select(Enrollment).where(Enrollment.user_id == order.user_id, Enrollment.course_id == order.course_id)
            )
            refunded = await session.scalar(
                select(func.count(PaymentRefund.id)).where(
                    PaymentRefund.order_id == order.id, PaymentRefund.status == "processed"
                )
            )
            assert (enrollment is not None and enrollment.status == "active") or refunded, order.id


async def token_users(rt: Runtime, count: int) -> list[Account]:
    """Accounts with access tokens minted directly (many logins would only slow the test down)."""
    hashed = hash_password_sync(PASSWORD, rt.settings.bcrypt_rounds)
    accounts = []
    async with rt.sessionmaker() as session, session.begin():
        for n in range(count):
            email = f"buyer-{n}-{uuid.uuid4().hex[:8]}@example.edu"
            user = await users_service.create(
                session, email=email, full_name=f"Buyer {n}", role=Role.STUDENT, password_hash=hashed, verified=True
            )
            token, _ = rt.signer.issue(user_id=user.id, email=email, role=Role.STUDENT.value, session_id=None)
            accounts.append(Account(user=user, email=email, password=PASSWORD, access_token=token))
    return accounts
