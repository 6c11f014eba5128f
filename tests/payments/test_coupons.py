"""Coupons: administration, discounts, and limits that hold under concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from lms.core.db import utcnow
from lms.core.runtime import Runtime
from lms.payments.models import Coupon, CouponRedemption, PaymentOrder
from tests.courses.helpers import events
from tests.factories import Account, signed_in
from tests.payments.helpers import (
    admin,
    assert_invariant,
    checkout,
    enrollment_of,
    paid_course,
    sandbox_pay,
    token_users,
)


async def _coupon(client: httpx.AsyncClient, boss: Account, **fields: Any) -> dict[str, Any]:
    body = {"code": "SAVE20", "kind": "percent", "percent_off": 20} | fields
    resp = await client.post("/api/v1/admin/coupons", json=body, headers=boss.headers)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def _redemptions(rt: Runtime, coupon_id: str) -> tuple[int, int]:
    async with rt.sessionmaker() as session:
        coupon = await session.get(Coupon, coupon_id)
        assert coupon is not None
        active = await session.scalar(
            select(func.count(CouponRedemption.id)).where(
                CouponRedemption.coupon_id == coupon_id, CouponRedemption.status != "released"
            )
        )
        return coupon.redeemed_count, int(active or 0)


async def test_admin_crud_and_validation(rt: Runtime, client: httpx.AsyncClient) -> None:
    boss = await admin(rt, client)
    student = await signed_in(rt, client)
    course = await paid_course(rt, client)
    created = await _coupon(client, boss, code="welcome10", course_id=course.id, max_redemptions=3)
    assert created["code"] == "WELCOME10" and created["redeemed_count"] == 0 and created["max_per_user"] == 1
    url = f"/api/v1/admin/coupons/{created['id']}"
    assert (
        await client.post(
            "/api/v1/admin/coupons",
            json={"code": "Welcome10", "kind": "percent", "percent_off": 5},
            headers=boss.headers,
        )
    ).status_code == 409
    bad = [
        {"code": "X1", "kind": "percent", "percent_off": 10},
        {"code": "BAD", "kind": "percent", "percent_off": 101},
        {"code": "BAD", "kind": "percent"},
        {"code": "BAD", "kind": "fixed", "amount_off": 500},
        {"code": "BAD", "kind": "fixed", "amount_off": 500, "currency": "EUR"},
        {"code": "BAD", "kind": "fixed", "amount_off": 1.5, "currency": "INR"},
        {"code": "BAD WORD", "kind": "percent", "percent_off": 10},
        {"code": "BAD", "kind": "percent", "percent_off": 10, "expires_at": "2030-01-01T00:00:00"},
    ]
    for body in bad:
        resp = await client.post("/api/v1/admin/coupons", json=body, headers=boss.headers)
        assert resp.status_code == 422, body
    unknown_course = {"code": "BAD", "kind": "percent", "percent_off": 10, "course_id": "nope"}
    assert (await client.post("/api/v1/admin/coupons", json=unknown_course, headers=boss.headers)).status_code == 400
    assert (
        await client.post(
            "/api/v1/admin/coupons", json={"code": "MINE", "kind": "percent", "percent_off": 9}, headers=student.headers
        )
    ).status_code == 403

    patched = await client.patch(url, json={"max_redemptions": 10, "description": "Welcome"}, headers=boss.headers)
    assert patched.status_code == 200 and patched.json()["max_redemptions"] == 10
    listing = await client.get("/api/v1/admin/coupons", headers=boss.headers)
    assert listing.json()["total"] == 1
    assert (await client.delete(url, headers=boss.headers)).status_code == 204
    assert (await client.get(url, headers=boss.headers)).json()["is_active"] is False
    assert (await client.get("/api/v1/admin/coupons/nope", headers=boss.headers)).status_code == 404
    refused = await checkout(client, student, course.id, coupon_code="welcome10")
    assert refused.status_code == 422 and refused.json()["code"] == "coupon_invalid"


async def test_discounts_and_applicability(rt: Runtime, client: httpx.AsyncClient) -> None:
    boss = await admin(rt, client)
    course = await paid_course(rt, client, amount=49900)
    other = await paid_course(rt, client, amount=1999, currency="USD")
    await _coupon(client, boss, code="PCT15", percent_off=15)
    await _coupon(client, boss, code="FLAT100", kind="fixed", percent_off=None, amount_off=10000, currency="INR")
    await _coupon(client, boss, code="ONLYOTHER", course_id=other.id)
    await _coupon(client, boss, code="OLD", expires_at=(utcnow() - timedelta(days=1)).isoformat())
    await _coupon(client, boss, code="FREE", percent_off=100)
    student = await signed_in(rt, client)

    pct = (await checkout(client, student, course.id, coupon_code="pct15")).json()["order"]
    assert pct["price"]["amount"] == 49900 and pct["discount"]["amount"] == 7485 and pct["total"]["amount"] == 42415
    flat = (await checkout(client, student, course.id, coupon_code="FLAT100")).json()["order"]
    assert flat["total"] == {"amount": 39900, "currency": "INR"} and flat["coupon_code"] == "FLAT100"
    wrong_currency = await checkout(client, student, other.id, coupon_code="FLAT100")
    assert wrong_currency.status_code == 422 and wrong_currency.json()["code"] == "coupon_invalid"
    assert (await checkout(client, student, course.id, coupon_code="ONLYOTHER")).json()["code"] == "coupon_invalid"
    assert (await checkout(client, student, course.id, coupon_code="OLD")).json()["code"] == "coupon_invalid"
    assert (await checkout(client, student, course.id, coupon_code="NOSUCH")).json()["code"] == "coupon_invalid"

    # A 100 % coupon: nothing to collect; the order is paid and the student enrolled at once.
    free = await checkout(client, student, course.id, coupon_code="FREE")
    assert free.status_code == 201
    order = free.json()["order"]
    assert order["status"] == "paid" and order["total"]["amount"] == 0 and order["invoice_number"]
    enrollment = await enrollment_of(rt, student.user.id, course.id)
    assert enrollment is not None and enrollment.status == "active"
    await assert_invariant(rt)


async def test_total_limit_under_50_concurrent_checkouts(rt: Runtime, client: httpx.AsyncClient) -> None:
    boss = await admin(rt, client)
    course = await paid_course(rt, client)
    coupon = await _coupon(client, boss, code="FIVE", max_redemptions=5)
    students = await token_users(rt, 50)
    results = await asyncio.gather(*(checkout(client, s, course.id, coupon_code="FIVE") for s in students))
    codes = sorted(r.status_code for r in results)
    assert codes == [201] * 5 + [409] * 45, [r.text for r in results if r.status_code not in (201, 409)]
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"coupon_exhausted"}
    assert await _redemptions(rt, coupon["id"]) == (5, 5)
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count(PaymentOrder.id))) == 5

    # A failed payment gives its use back; the next student gets it.
    winners = [(s, r.json()) for s, r in zip(students, results, strict=True) if r.status_code == 201]
    await sandbox_pay(client, winners[0][0], winners[0][1], outcome="failure")
    assert await _redemptions(rt, coupon["id"]) == (4, 4)
    loser = next(s for s, r in zip(students, results, strict=True) if r.status_code == 409)
    assert (await checkout(client, loser, course.id, coupon_code="FIVE")).status_code == 201
    assert await _redemptions(rt, coupon["id"]) == (5, 5)
    # Paying redeems (the count stays); the coupon's budget is exhausted.
    assert (await sandbox_pay(client, winners[1][0], winners[1][1])).json()["status"] == "paid"
    assert await _redemptions(rt, coupon["id"]) == (5, 5)
    assert len(await events(rt, "payment.success")) == 1


async def test_per_user_limit_under_concurrency(rt: Runtime, client: httpx.AsyncClient) -> None:
    boss = await admin(rt, client)
    course = await paid_course(rt, client)
    coupon = await _coupon(client, boss, code="ONCE", max_per_user=1)
    [student] = await token_users(rt, 1)
    results = await asyncio.gather(*(checkout(client, student, course.id, coupon_code="ONCE") for _ in range(10)))
    assert sorted(r.status_code for r in results) == [201] + [409] * 9
    assert await _redemptions(rt, coupon["id"]) == (1, 1)
    # Without the coupon the student can still check out.
    assert (await checkout(client, student, course.id)).status_code == 201
