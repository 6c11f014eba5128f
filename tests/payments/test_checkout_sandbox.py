"""Checkout at the server's price and the sandbox provider's paid flow, end to end."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from lms.core.runtime import Runtime
from lms.payments.models import PaymentOrder
from tests.courses.helpers import build_course, events
from tests.factories import signed_in
from tests.payments.helpers import (
    admin,
    assert_invariant,
    checkout,
    enrollment_of,
    ledger,
    order_row,
    paid_course,
    sandbox_pay,
)


async def test_sandbox_purchase_end_to_end(rt: Runtime, client: httpx.AsyncClient) -> None:
    course = await paid_course(rt, client, amount=49900)
    student = await signed_in(rt, client, full_name="Sai Priya")
    # Without payment the enrollment service answers 402.
    blocked = await client.post("/api/v1/enrollments", json={"course_id": course.id}, headers=student.headers)
    assert blocked.status_code == 402 and blocked.json()["code"] == "payment_required"

    resp = await checkout(client, student, course.id)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["test_mode"] is True and body["provider"] == "sandbox"
    order = body["order"]
    assert order["status"] == "pending" and order["total"] == {"amount": 49900, "currency": "INR"}
    assert order["course_title"] == "Data Structures" and order["invoice_number"] is None
    assert body["sandbox"]["confirm_url"] == f"/api/v1/payments/sandbox/{order['id']}/confirm"
    assert body["razorpay"] is None and body["stripe"] is None

    paid = await sandbox_pay(client, student, body)
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    row = await order_row(rt, order["id"])
    assert row.status == "paid" and row.invoice_number is not None and row.invoice_number.endswith("-000001")
    assert await events(rt, "payment.success") == [
        {
            "order_id": order["id"],
            "user_id": student.user.id,
            "course_id": course.id,
            "amount": 49900,
            "currency": "INR",
            "provider": "sandbox",
        }
    ]
    enrollment = await enrollment_of(rt, student.user.id, course.id)
    assert enrollment is not None and enrollment.status == "active" and enrollment.order_id == order["id"]
    assert (await events(rt, "enrollment.created"))[0]["source"] == "payment"

    # Confirming again changes nothing.
    again = await sandbox_pay(client, student, body)
    assert again.status_code == 200 and again.json()["invoice_number"] == row.invoice_number
    assert len(await events(rt, "payment.success")) == 1

    mine = (await client.get("/api/v1/payments/me", headers=student.headers)).json()
    assert mine["total"] == 1 and mine["items"][0]["status"] == "paid"
    assert mine["items"][0]["receipt_url"] == f"/api/v1/payments/{order['id']}/receipt"
    receipt = await client.get(mine["items"][0]["receipt_url"], headers=student.headers)
    assert receipt.status_code == 200 and receipt.headers["content-type"].startswith("text/html")
    assert row.invoice_number in receipt.text and "₹499.00" in receipt.text and "TEST MODE" in receipt.text
    assert "Sai Priya" in receipt.text

    # Enrolled now: another checkout is refused, and the enrollment endpoint returns the enrollment.
    twice = await checkout(client, student, course.id)
    assert twice.status_code == 409 and twice.json()["code"] == "already_enrolled"
    enrolled = await client.post("/api/v1/enrollments", json={"course_id": course.id}, headers=student.headers)
    assert enrolled.status_code == 200
    await assert_invariant(rt)


async def test_checkout_rejects_bad_input(rt: Runtime, client: httpx.AsyncClient) -> None:
    course = await paid_course(rt, client, amount=99900)
    free = await build_course(rt, client)
    draft = await paid_course(rt, client, published=False)
    student = await signed_in(rt, client)

    tampered = await checkout(client, student, course.id, amount=100, currency="USD")
    assert tampered.status_code == 422 and tampered.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in tampered.json()["errors"]} == {"amount", "currency"}
    assert (await checkout(client, student, free.id)).json()["code"] == "course_is_free"
    assert (await checkout(client, student, draft.id)).status_code == 404
    assert (await checkout(client, student, "no-such-course")).status_code == 404
    assert (await checkout(client, student, course.id, provider="paypal")).status_code == 422
    unauth = await client.post("/api/v1/payments/checkout", json={"course_id": course.id, "provider": "sandbox"})
    assert unauth.status_code == 401

    rt.settings.payments_sandbox = False
    off = await checkout(client, student, course.id)
    assert off.status_code == 422 and off.json()["code"] == "provider_unavailable"
    rt.settings.payments_sandbox = True
    rt.settings.razorpay_key_id = ""
    assert (await checkout(client, student, course.id, provider="razorpay")).json()["code"] == "provider_unavailable"
    assert await ledger(rt) == [("refunds", "", 0, 0, None)]


async def test_failed_payment_is_recorded_and_retry_works(rt: Runtime, client: httpx.AsyncClient) -> None:
    course = await paid_course(rt, client)
    student = await signed_in(rt, client)
    first = (await checkout(client, student, course.id)).json()
    declined = await sandbox_pay(client, student, first, outcome="failure")
    assert declined.status_code == 200 and declined.json()["status"] == "failed"
    failed = await events(rt, "payment.failed")
    assert len(failed) == 1 and failed[0]["order_id"] == first["order"]["id"] and failed[0]["status"] == "failed"
    assert await enrollment_of(rt, student.user.id, course.id) is None
    receipt = await client.get(f"/api/v1/payments/{first['order']['id']}/receipt", headers=student.headers)
    assert receipt.status_code == 409 and receipt.json()["code"] == "receipt_unavailable"

    retry = (await checkout(client, student, course.id)).json()
    assert retry["order"]["id"] != first["order"]["id"]
    assert (await sandbox_pay(client, student, retry)).json()["status"] == "paid"
    assert (await order_row(rt, first["order"]["id"])).status == "failed"
    await assert_invariant(rt)


async def test_sandbox_signature_and_ownership(rt: Runtime, client: httpx.AsyncClient) -> None:
    course = await paid_course(rt, client)
    owner = await signed_in(rt, client)
    other = await signed_in(rt, client)
    body = (await checkout(client, owner, course.id)).json()
    url = body["sandbox"]["confirm_url"]
    forged = await client.post(url, json={"outcome": "success", "signature": "0" * 64}, headers=owner.headers)
    assert forged.status_code == 400 and forged.json()["code"] == "invalid_signature"
    # The failure signature does not confirm a success.
    swapped = await client.post(
        url, json={"outcome": "success", "signature": body["sandbox"]["signatures"]["failure"]}, headers=owner.headers
    )
    assert swapped.status_code == 400
    # Someone else's order: 404, and it stays unpaid.
    stolen = await sandbox_pay(client, other, body)
    assert stolen.status_code == 404
    assert (await client.get(f"/api/v1/payments/{body['order']['id']}", headers=other.headers)).status_code == 404
    assert (await order_row(rt, body["order"]["id"])).status == "pending"
    assert await events(rt, "payment.success") == []


async def test_usd_price_and_order_listing_for_admin(rt: Runtime, client: httpx.AsyncClient) -> None:
    course = await paid_course(rt, client, amount=1999, currency="USD")
    student = await signed_in(rt, client)
    body = (await checkout(client, student, course.id)).json()
    assert body["order"]["total"] == {"amount": 1999, "currency": "USD"}
    await sandbox_pay(client, student, body)
    boss = await admin(rt, client)
    listing = await client.get("/api/v1/admin/payments?status=paid", headers=boss.headers)
    assert listing.status_code == 200 and listing.json()["total"] == 1
    assert (await client.get("/api/v1/admin/payments", headers=student.headers)).status_code == 403
    async with rt.sessionmaker() as session:
        row = await session.scalar(select(PaymentOrder))
        assert row is not None and row.currency == "USD" and row.amount == 1999
    receipt = await client.get(f"/api/v1/payments/{body['order']['id']}/receipt", headers=boss.headers)
    assert "$19.99" in receipt.text


async def test_hostile_signatures_are_refused_not_crashed_on(rt: Runtime, client: httpx.AsyncClient) -> None:
    """Found by schemathesis: a non-ASCII signature made hmac.compare_digest raise (a 500)."""
    fx = await paid_course(rt, client)
    student = await signed_in(rt, client)
    order = (await checkout(client, student, fx.id)).json()
    resp = await client.post(
        order["sandbox"]["confirm_url"], json={"outcome": "success", "signature": "ü" * 64}, headers=student.headers
    )
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_signature"
    for path, header in (
        ("/api/v1/payments/webhooks/stripe", "Stripe-Signature"),
        ("/api/v1/payments/webhooks/razorpay", "X-Razorpay-Signature"),
    ):
        resp = await client.post(path, content=b'{"id": "evt_1"}', headers={header: "t=1,v1=caf\xe9".encode("latin-1")})
        assert resp.status_code == 400, (path, resp.text)
        assert resp.json()["code"] == "invalid_signature"
    assert (await order_row(rt, order["order"]["id"])).status == "pending"
