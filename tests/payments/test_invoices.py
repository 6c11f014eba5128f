"""Invoice numbers: one gap-free sequence, no duplicates, under concurrent payments; nothing paid is lost."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from lms.core.db import utcnow
from lms.core.runtime import Runtime
from lms.payments.models import PaymentOrder
from tests.courses.helpers import events
from tests.payments.helpers import admin, assert_invariant, checkout, paid_course, sandbox_pay, token_users


async def test_invoice_numbers_have_no_gaps_or_duplicates_under_concurrency(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    course = await paid_course(rt, client)
    students = await token_users(rt, 20)
    bodies = [(await checkout(client, s, course.id)).json() for s in students]
    # One student declines: a failed order never takes a number.
    await sandbox_pay(client, students[0], bodies[0], outcome="failure")
    # Everyone else confirms twice at the same time.
    results = await asyncio.gather(
        *(sandbox_pay(client, s, b) for s, b in list(zip(students, bodies, strict=True))[1:] for _ in range(2))
    )
    assert {r.status_code for r in results} == {200}
    async with rt.sessionmaker() as session:
        numbers = sorted(n for n in await session.scalars(select(PaymentOrder.invoice_number)) if n is not None)
    prefix = f"{rt.settings.payments_invoice_prefix}-{utcnow().year}-"
    assert numbers == [f"{prefix}{n:06d}" for n in range(1, 20)]
    assert len(await events(rt, "payment.success")) == 19
    assert len(await events(rt, "enrollment.created")) == 19
    await assert_invariant(rt)


async def test_paid_orders_end_enrolled_or_refunded(rt: Runtime, client: httpx.AsyncClient) -> None:
    """Whatever mix of payments, duplicate confirmations, failures and refunds: the invariant holds."""
    course = await paid_course(rt, client)
    boss = await admin(rt, client)
    students = await token_users(rt, 6)
    for n, student in enumerate(students):
        body = (await checkout(client, student, course.id)).json()
        outcome = "failure" if n == 5 else "success"
        await asyncio.gather(sandbox_pay(client, student, body, outcome), sandbox_pay(client, student, body, outcome))
        if n in (0, 1):
            amount = None if n == 0 else 100
            resp = await client.post(
                f"/api/v1/admin/payments/{body['order']['id']}/refunds",
                json={"amount": amount, "reason": "test refund"},
                headers=boss.headers,
            )
            assert resp.status_code == 201, resp.text
    await assert_invariant(rt)
    async with rt.sessionmaker() as session:
        statuses = sorted(o.status for o in await session.scalars(select(PaymentOrder)))
    assert statuses == ["failed", "paid", "paid", "paid", "partially_refunded", "refunded"]
