"""Stripe: Checkout Sessions through the (local) API, signed webhooks with timestamp tolerance, refunds."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import stripe

from lms.core.runtime import Runtime
from lms.payments import service
from tests.courses.helpers import events
from tests.factories import Account, signed_in
from tests.payments.fake_providers import STRIPE_WEBHOOK_SECRET, FakeProviders, stripe_event, stripe_signature_header
from tests.payments.helpers import admin, assert_invariant, checkout, enrollment_of, ledger, order_row, paid_course


def test_signature_built_as_documented_verifies_with_the_sdk() -> None:
    body = stripe_event("checkout.session.completed", {"id": "cs_1"})
    header = stripe_signature_header(body)
    event = stripe.Webhook.construct_event(body.decode(), header, STRIPE_WEBHOOK_SECRET, tolerance=300)
    assert event["type"] == "checkout.session.completed"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            body.decode(), stripe_signature_header(body, "whsec_other"), STRIPE_WEBHOOK_SECRET
        )
    with pytest.raises(stripe.SignatureVerificationError):
        old = stripe_signature_header(body, timestamp=int(time.time()) - 3600)
        stripe.Webhook.construct_event(body.decode(), old, STRIPE_WEBHOOK_SECRET, tolerance=300)


async def _start(rt: Runtime, client: httpx.AsyncClient) -> tuple[Account, Any, dict[str, Any]]:
    course = await paid_course(rt, client, amount=2500, currency="USD")
    student = await signed_in(rt, client)
    resp = await checkout(client, student, course.id, provider="stripe")
    assert resp.status_code == 201, resp.text
    return student, course, resp.json()


async def _webhook(client: httpx.AsyncClient, body: bytes, header: str | None = None) -> httpx.Response:
    return await client.post(
        "/api/v1/payments/webhooks/stripe",
        content=body,
        headers={"Stripe-Signature": header or stripe_signature_header(body), "Content-Type": "application/json"},
    )


async def test_checkout_session_and_completed_webhook(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> None:
    student, course, body = await _start(rt, client)
    st = body["stripe"]
    session = providers.stripe_sessions[st["session_id"]]
    assert st["url"] == session["url"] and st["publishable_key"] == "pk_test_fake"
    assert session["amount_total"] == 2500 and session["currency"] == "usd"
    assert session["client_reference_id"] == body["order"]["id"]

    before = await ledger(rt)
    unpaid = await _webhook(client, stripe_event("checkout.session.completed", session, "evt_unpaid"))
    assert unpaid.json()["outcome"] == "awaiting_payment"
    completed = providers.stripe_complete(st["session_id"])
    event = stripe_event("checkout.session.completed", completed, "evt_paid")
    stale = await _webhook(client, event, stripe_signature_header(event, timestamp=int(time.time()) - 3600))
    assert stale.status_code == 400 and stale.json()["code"] == "invalid_signature"
    wrong = await _webhook(client, event, stripe_signature_header(event, "whsec_guess"))
    assert wrong.status_code == 400
    tampered = stripe_event("checkout.session.completed", completed | {"amount_total": 1}, "evt_tampered")
    assert (await _webhook(client, tampered)).json()["code"] == "amount_mismatch"
    other_currency = stripe_event("checkout.session.completed", completed | {"currency": "inr"}, "evt_cur")
    assert (await _webhook(client, other_currency)).json()["code"] == "amount_mismatch"
    unknown = stripe_event("checkout.session.completed", completed | {"id": "cs_unknown"}, "evt_unknown")
    assert (await _webhook(client, unknown)).json()["outcome"] == "ignored_unknown_order"
    assert await ledger(rt) == before

    ok = await _webhook(client, event)
    assert ok.status_code == 200 and ok.json()["outcome"] == "paid"
    replay = await _webhook(client, event)
    assert replay.json()["outcome"] == "duplicate"
    row = await order_row(rt, body["order"]["id"])
    assert row.status == "paid" and row.provider_payment_id == completed["payment_intent"]
    assert len(await events(rt, "payment.success")) == 1
    enrollment = await enrollment_of(rt, student.user.id, course.id)
    assert enrollment is not None and enrollment.status == "active"
    await assert_invariant(rt)


async def test_expired_session_then_refund_flow(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> None:
    student, course, first = await _start(rt, client)
    expired = providers.stripe_sessions[first["stripe"]["session_id"]] | {"status": "expired"}
    hook = await _webhook(client, stripe_event("checkout.session.expired", expired, "evt_exp"))
    assert hook.json()["outcome"] == "expired"
    assert [e["status"] for e in await events(rt, "payment.failed")] == ["expired"]

    second = (await checkout(client, student, course.id, provider="stripe")).json()
    completed = providers.stripe_complete(second["stripe"]["session_id"])
    assert (await _webhook(client, stripe_event("checkout.session.completed", completed, "evt_ok"))).json()[
        "outcome"
    ] == "paid"

    boss = await admin(rt, client)
    providers.refund_status = "succeeded"
    url = f"/api/v1/admin/payments/{second['order']['id']}/refunds"
    refund = await client.post(url, json={"reason": "duplicate purchase"}, headers=boss.headers)
    assert refund.status_code == 201 and refund.json()["status"] == "processed" and refund.json()["amount"] == 2500
    remote = providers.refunds[-1]
    assert (
        remote["payment_intent"] == completed["payment_intent"]
        and remote["metadata"]["refund_id"] == refund.json()["id"]
    )
    assert (await order_row(rt, second["order"]["id"])).status == "refunded"
    enrollment = await enrollment_of(rt, student.user.id, course.id)
    assert enrollment is not None and enrollment.status == "ended"
    late = await _webhook(client, stripe_event("refund.updated", remote, "evt_refund"))
    assert late.json()["outcome"] == "already_settled"
    await assert_invariant(rt)


async def test_refund_made_in_the_dashboard_is_recorded(
    rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders
) -> None:
    _student, _course, body = await _start(rt, client)
    completed = providers.stripe_complete(body["stripe"]["session_id"])
    await _webhook(client, stripe_event("checkout.session.completed", completed, "evt_ok"))
    refund = {
        "id": "re_dashboard",
        "object": "refund",
        "amount": 1000,
        "currency": "usd",
        "payment_intent": completed["payment_intent"],
        "metadata": {},
        "status": "succeeded",
    }
    hook = await _webhook(client, stripe_event("refund.created", refund, "evt_dash"))
    assert hook.json()["outcome"] == "refunded"
    row = await order_row(rt, body["order"]["id"])
    assert row.status == "partially_refunded" and row.refunded_amount == 1000
    await assert_invariant(rt)


async def test_reconcile_asks_stripe(rt: Runtime, client: httpx.AsyncClient, providers: FakeProviders) -> None:
    _student, _course, body = await _start(rt, client)
    providers.stripe_complete(body["stripe"]["session_id"])
    assert await service.reconcile_pending(rt, older_than_minutes=0) == {"paid": 1, "checked": 1}
    assert (await order_row(rt, body["order"]["id"])).status == "paid"
    assert ("GET", f"/v1/checkout/sessions/{body['stripe']['session_id']}") in providers.requests
