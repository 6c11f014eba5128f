"""Razorpay: orders through the (local) API, the checkout's signed return, webhooks, refunds, reconciliation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import razorpay
from razorpay.errors import SignatureVerificationError

from lms.core.runtime import Runtime
from lms.payments import service
from tests.courses.helpers import events
from tests.factories import Account, signed_in
from tests.payments.fake_providers import (
    RZP_KEY_ID,
    RZP_KEY_SECRET,
    RZP_WEBHOOK_SECRET,
    FakeProviders,
    razorpay_event,
    razorpay_payment_signature,
    razorpay_webhook_signature,
)
from tests.payments.helpers import admin, assert_invariant, checkout, enrollment_of, ledger, order_row, paid_course


def test_signatures_built_as_documented_verify_with_the_sdk() -> None:
    utility = razorpay.Utility(razorpay.Client(auth=(RZP_KEY_ID, RZP_KEY_SECRET)))
    sig = razorpay_payment_signature("order_1", "pay_1")
    assert utility.verify_payment_signature(
        {"razorpay_order_id": "order_1", "razorpay_payment_id": "pay_1", "razorpay_signature": sig}
    )
    body = razorpay_event("payment.captured", payment={"id": "pay_1"})
    assert utility.verify_webhook_signature(body.decode(), razorpay_webhook_signature(body), RZP_WEBHOOK_SECRET)
    with pytest.raises(SignatureVerificationError):
        utility.verify_webhook_signature(body.decode(), razorpay_webhook_signature(body, "wrong"), RZP_WEBHOOK_SECRET)


async def _start(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> tuple[Account, Any, dict[str, Any]]:
    course = await paid_course(rt, client, amount=49900)
    student = await signed_in(rt, client)
    resp = await checkout(client, student, course.id, provider="razorpay")
    assert resp.status_code == 201, resp.text
    return student, course, resp.json()


async def _webhook(
    client: httpx.AsyncClient, body: bytes, *, secret: str = RZP_WEBHOOK_SECRET, event_id: str = "evt_1"
) -> httpx.Response:
    headers = {"X-Razorpay-Signature": razorpay_webhook_signature(body, secret), "X-Razorpay-Event-Id": event_id}
    return await client.post("/api/v1/payments/webhooks/razorpay", content=body, headers=headers)


async def test_checkout_creates_a_razorpay_order_and_the_return_settles_it(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> None:
    student, _course, body = await _start(rt, client, providers)
    rz = body["razorpay"]
    assert rz["key_id"] == RZP_KEY_ID and rz["amount"] == 49900 and rz["currency"] == "INR"
    assert body["test_mode"] is False
    remote = providers.razorpay_orders[rz["order_id"]]
    assert remote["amount"] == 49900 and remote["receipt"] == body["order"]["id"]

    payment = providers.razorpay_pay(rz["order_id"])
    verify = {
        "razorpay_order_id": rz["order_id"],
        "razorpay_payment_id": payment["id"],
        "razorpay_signature": razorpay_payment_signature(rz["order_id"], payment["id"]),
    }
    # Someone else's order: 404 and nothing changes.
    intruder = await signed_in(rt, client)
    stolen = await client.post("/api/v1/payments/razorpay/verify", json=verify, headers=intruder.headers)
    assert stolen.status_code == 404
    # A signature with the wrong secret.
    forged = verify | {"razorpay_signature": razorpay_payment_signature(rz["order_id"], payment["id"], "nope")}
    bad = await client.post("/api/v1/payments/razorpay/verify", json=forged, headers=student.headers)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_signature"
    assert (await order_row(rt, body["order"]["id"])).status == "pending"

    ok = await client.post("/api/v1/payments/razorpay/verify", json=verify, headers=student.headers)
    assert ok.status_code == 200 and ok.json()["status"] == "paid"
    assert ok.json()["provider_payment_id"] == payment["id"]

    # The webhook for the same payment arrives later: acknowledged, nothing happens twice.
    hook = await _webhook(client, razorpay_event("payment.captured", payment=payment))
    assert hook.status_code == 200 and hook.json()["outcome"] == "already_settled"
    assert len(await events(rt, "payment.success")) == 1
    assert len(await events(rt, "enrollment.created")) == 1
    await assert_invariant(rt)


async def test_webhook_first_then_client_return(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> None:
    student, course, body = await _start(rt, client, providers)
    order_id = body["razorpay"]["order_id"]
    payment = providers.razorpay_pay(order_id)
    hook = await _webhook(
        client, razorpay_event("order.paid", payment=payment, order=providers.razorpay_orders[order_id])
    )
    assert hook.json()["outcome"] == "paid"
    verify = {
        "razorpay_order_id": order_id,
        "razorpay_payment_id": payment["id"],
        "razorpay_signature": razorpay_payment_signature(order_id, payment["id"]),
    }
    ok = await client.post("/api/v1/payments/razorpay/verify", json=verify, headers=student.headers)
    assert ok.status_code == 200 and ok.json()["status"] == "paid"
    assert len(await events(rt, "payment.success")) == 1
    enrollment = await enrollment_of(rt, student.user.id, course.id)
    assert enrollment is not None and enrollment.status == "active"


async def test_webhook_attacks_leave_the_ledger_unchanged(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> None:
    _student, _course, body = await _start(rt, client, providers)
    order_id = body["razorpay"]["order_id"]
    payment = providers.razorpay_pay(order_id)
    before = await ledger(rt)

    wrong_secret = await _webhook(client, razorpay_event("payment.captured", payment=payment), secret="guess")
    assert wrong_secret.status_code == 400 and wrong_secret.json()["code"] == "invalid_signature"
    unsigned = await client.post(
        "/api/v1/payments/webhooks/razorpay", content=razorpay_event("payment.captured", payment=payment)
    )
    assert unsigned.status_code == 400
    tampered = await _webhook(
        client, razorpay_event("payment.captured", payment=payment | {"amount": 100}), event_id="e2"
    )
    assert tampered.status_code == 400 and tampered.json()["code"] == "amount_mismatch"
    currency = await _webhook(
        client, razorpay_event("payment.captured", payment=payment | {"currency": "USD"}), event_id="e3"
    )
    assert currency.status_code == 400 and currency.json()["code"] == "amount_mismatch"
    unknown = await _webhook(
        client, razorpay_event("payment.captured", payment=payment | {"order_id": "order_nope"}), event_id="e4"
    )
    assert unknown.status_code == 200 and unknown.json()["outcome"] == "ignored_unknown_order"
    garbage = await _webhook(client, b"not json", event_id="e5")
    assert garbage.status_code == 400
    assert await ledger(rt) == before
    assert await events(rt, "payment.success") == []


async def test_same_webhook_ten_times_concurrently(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> None:
    _student, _course, body = await _start(rt, client, providers)
    payment = providers.razorpay_pay(body["razorpay"]["order_id"])
    event = razorpay_event("payment.captured", payment=payment)
    results = await asyncio.gather(*(_webhook(client, event, event_id="evt_same") for _ in range(10)))
    assert [r.status_code for r in results] == [200] * 10
    outcomes = sorted(r.json()["outcome"] for r in results)
    assert outcomes == ["duplicate"] * 9 + ["paid"]
    assert len(await events(rt, "payment.success")) == 1
    assert len(await events(rt, "enrollment.created")) == 1
    # Different deliveries of the same payment (new event ids) change nothing either.
    others = await asyncio.gather(*(_webhook(client, event, event_id=f"evt_{n}") for n in range(5)))
    assert {r.json()["outcome"] for r in others} == {"already_settled"}
    row = await order_row(rt, body["order"]["id"])
    assert row.status == "paid" and row.invoice_number is not None
    await assert_invariant(rt)


async def test_failed_payment_webhook(rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders) -> None:
    _student, _course, body = await _start(rt, client, providers)
    payment = providers.razorpay_pay(body["razorpay"]["order_id"], status="failed")
    hook = await _webhook(client, razorpay_event("payment.failed", payment=payment))
    assert hook.json()["outcome"] == "failed"
    assert (await order_row(rt, body["order"]["id"])).status == "failed"
    assert len(await events(rt, "payment.failed")) == 1
    # The customer retries on the same Razorpay order and succeeds: the money is honoured.
    retry = providers.razorpay_pay(body["razorpay"]["order_id"])
    paid = await _webhook(client, razorpay_event("payment.captured", payment=retry), event_id="evt_2")
    assert paid.json()["outcome"] == "paid"
    await assert_invariant(rt)


async def test_refunds_through_razorpay(rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders) -> None:
    student, course, body = await _start(rt, client, providers)
    payment = providers.razorpay_pay(body["razorpay"]["order_id"])
    await _webhook(client, razorpay_event("payment.captured", payment=payment))
    boss = await admin(rt, client)
    order_id = body["order"]["id"]
    url = f"/api/v1/admin/payments/{order_id}/refunds"

    assert (await client.post(url, json={"reason": "nope"}, headers=student.headers)).status_code == 403
    before = await ledger(rt)
    too_much = await client.post(url, json={"amount": 50000, "reason": "too much"}, headers=boss.headers)
    assert too_much.status_code == 422 and too_much.json()["code"] == "refund_exceeds_paid"
    assert too_much.json()["refundable"] == {"amount": 49900, "currency": "INR"}
    assert await ledger(rt) == before
    assert (
        await client.post("/api/v1/admin/payments/nope/refunds", json={"reason": "x" * 5}, headers=boss.headers)
    ).status_code == 404

    # Partial refund: the provider accepts it (pending); its webhook completes it.
    part = await client.post(url, json={"amount": 9900, "reason": "partial goodwill"}, headers=boss.headers)
    assert part.status_code == 201 and part.json()["status"] == "pending"
    remote = providers.refunds[-1]
    assert remote["amount"] == 9900 and remote["notes"]["refund_id"] == part.json()["id"]
    # A pending refund already counts: 40001 more would exceed what was paid.
    assert (await client.post(url, json={"amount": 40001, "reason": "more"}, headers=boss.headers)).status_code == 422
    processed = await _webhook(
        client, razorpay_event("refund.processed", refund=remote | {"status": "processed"}), event_id="r1"
    )
    assert processed.json()["outcome"] == "refunded"
    row = await order_row(rt, order_id)
    assert row.status == "partially_refunded" and row.refunded_amount == 9900
    enrollment = await enrollment_of(rt, student.user.id, course.id)
    assert enrollment is not None and enrollment.status == "active"

    # The rest, processed at once by the provider: the enrollment ends.
    providers.refund_status = "processed"
    rest = await client.post(url, json={"reason": "course withdrawn"}, headers=boss.headers)
    assert rest.status_code == 201 and rest.json()["amount"] == 40000 and rest.json()["status"] == "processed"
    row = await order_row(rt, order_id)
    assert row.status == "refunded" and row.refunded_amount == 49900
    enrollment = await enrollment_of(rt, student.user.id, course.id)
    assert enrollment is not None and enrollment.status == "ended"
    refunded = await events(rt, "payment.refunded")
    assert [e["full"] for e in refunded] == [False, True]
    # The webhook for that refund arrives late: nothing changes.
    late = await _webhook(client, razorpay_event("refund.processed", refund=providers.refunds[-1]), event_id="r2")
    assert late.json()["outcome"] == "already_settled"
    assert (await client.post(url, json={"reason": "again"}, headers=boss.headers)).status_code == 409
    listed = await client.get(url, headers=boss.headers)
    assert [r["status"] for r in listed.json()] == ["processed", "processed"]
    receipt = await client.get(f"/api/v1/payments/{order_id}/receipt", headers=student.headers)
    assert "course withdrawn" in receipt.text
    await assert_invariant(rt)


async def test_provider_down_leaves_nothing_behind(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> None:
    course = await paid_course(rt, client)
    student = await signed_in(rt, client)
    providers.fail_next = 1
    resp = await checkout(client, student, course.id, provider="razorpay")
    assert resp.status_code == 502 and resp.json()["code"] == "provider_error"
    assert await ledger(rt) == [("refunds", "", 0, 0, None)]


async def test_reconcile_settles_orders_left_pending(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> None:
    _s1, _c1, paid_body = await _start(rt, client, providers)
    _s2, _c2, abandoned_body = await _start(rt, client, providers)
    providers.razorpay_pay(paid_body["razorpay"]["order_id"])  # paid, but no webhook or return reached us
    async with rt.sessionmaker() as session, session.begin():
        abandoned = await service.get_order(session, abandoned_body["order"]["id"])
        assert abandoned is not None
        abandoned.expires_at = abandoned.created_at
    summary = await service.reconcile_pending(rt, older_than_minutes=0)
    assert summary == {"paid": 1, "expired": 1, "checked": 2}
    assert (await order_row(rt, paid_body["order"]["id"])).status == "paid"
    assert (await order_row(rt, abandoned_body["order"]["id"])).status == "expired"
    assert len(await events(rt, "payment.success")) == 1
    assert [e["status"] for e in await events(rt, "payment.failed")] == ["expired"]
    assert await service.reconcile_pending(rt, older_than_minutes=0) == {"checked": 0}
    await assert_invariant(rt)
