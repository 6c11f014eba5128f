"""Email preferences, the unsubscribe link, and the emails other domains' events cause."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from lms.core.events import OutboxEvent, publish
from lms.core.runtime import Runtime
from lms.emails.models import EmailKind, EmailMessage
from lms.emails.service import unsubscribe_token
from tests.conftest import mail_text, read_mail
from tests.factories import create_user, signed_in


async def emit(rt: Runtime, event_type: str, data: dict[str, Any]) -> None:
    async with rt.sessionmaker() as session, session.begin():
        publish(session, event_type, data, key=str(data.get("user_id")))
    await rt.relay.drain()


async def statuses(rt: Runtime, kind: str) -> list[str]:
    async with rt.sessionmaker() as session:
        return list(
            await session.scalars(
                select(EmailMessage.status).where(EmailMessage.kind == kind).order_by(EmailMessage.created_at)
            )
        )


async def test_preferences_default_on_and_security_kinds_are_locked(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await signed_in(rt, client)
    resp = await client.get("/api/v1/me/email-preferences", headers=acct.headers)
    assert resp.status_code == 200
    prefs = {p["kind"]: p for p in resp.json()["preferences"]}
    assert all(p["enabled"] for p in prefs.values())
    assert prefs["password_reset"]["locked"] and not prefs["digest"]["locked"]

    body = {"preferences": {"digest": False, "quiz_graded": False}}
    resp = await client.put("/api/v1/me/email-preferences", json=body, headers=acct.headers)
    assert resp.status_code == 200
    prefs = {p["kind"]: p["enabled"] for p in resp.json()["preferences"]}
    assert prefs["digest"] is False and prefs["quiz_graded"] is False and prefs["welcome"] is True


async def test_security_kinds_cannot_be_turned_off(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await signed_in(rt, client)
    for kind in ("verification", "password_reset", "password_changed", "account_exists"):
        resp = await client.put(
            "/api/v1/me/email-preferences", json={"preferences": {kind: False}}, headers=acct.headers
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["code"] == "validation_error" and kind in resp.json()["errors"][0]["message"]
    bad = await client.put("/api/v1/me/email-preferences", json={"preferences": {"spam": False}}, headers=acct.headers)
    assert bad.status_code == 422
    assert (await client.get("/api/v1/me/email-preferences")).status_code == 401


async def test_unsubscribe_link_turns_the_kind_off_without_sign_in(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt, full_name="Lakshmi")
    data = {"enrollment_id": "e1", "user_id": acct.user.id, "course_id": "c1", "source": "free"}
    await emit(rt, "enrollment.created", data)
    [msg] = read_mail(rt)
    assert "your course" in mail_text(msg) and "/courses/c1" in mail_text(msg)
    link = msg["List-Unsubscribe"].strip("<>")
    assert link in mail_text(msg) and msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = urlsplit(link)
    resp = await client.get(f"{parts.path}?{parts.query}")
    assert resp.status_code == 200 and "enrollment confirmations" in resp.text

    await emit(rt, "enrollment.created", {**data, "enrollment_id": "e2", "course_title": "Data Structures"})
    assert len(read_mail(rt)) == 1  # not sent
    assert await statuses(rt, "enrollment_confirmation") == ["sent", "suppressed"]
    await emit(rt, "user.registered", {"user_id": acct.user.id})
    assert len(read_mail(rt)) == 2  # other kinds still arrive
    assert "Unsubscribe" in read_mail(rt)[-1].get_body(("html",)).get_content()  # type: ignore[union-attr]


async def test_unsubscribe_rejects_bad_and_security_tokens(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt)
    bad = await client.get("/api/v1/email/unsubscribe", params={"token": "x" * 40})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    security = unsubscribe_token(rt, acct.user.id, EmailKind.PASSWORD_RESET)
    assert (await client.get("/api/v1/email/unsubscribe", params={"token": security})).status_code == 400
    ok = unsubscribe_token(rt, acct.user.id, EmailKind.DIGEST)
    one_click = await client.post("/api/v1/email/unsubscribe", params={"token": ok})
    assert one_click.status_code == 200 and one_click.json() == {"kind": "digest", "enabled": False}


async def test_security_emails_have_no_unsubscribe_link(rt: Runtime, client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/auth/register",
        json={"email": "new.student@example.edu", "password": "Correct-Horse-42", "full_name": "New Student"},
    )
    assert resp.status_code == 202
    await rt.relay.drain()
    by_subject = {m["Subject"]: m for m in read_mail(rt)}
    assert len(by_subject) == 2  # verification + welcome
    welcome = next(m for s, m in by_subject.items() if "Welcome" in s)
    verify = next(m for s, m in by_subject.items() if "Welcome" not in s)
    assert welcome["List-Unsubscribe"] and verify["List-Unsubscribe"] is None
    assert await statuses(rt, "verification") == ["sent"]


async def test_receipt_quiz_and_certificate_emails(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt)
    uid = acct.user.id
    await emit(rt, "payment.success", {"payment_id": "p1", "user_id": uid, "amount": 49900, "currency": "INR"})
    await emit(rt, "quiz.graded", {"user_id": uid, "quiz_title": "Week 1", "score": 8, "max_score": 10, "passed": True})
    await emit(rt, "certificate.issued", {"user_id": uid, "certificate_id": "cert-9", "course_title": "Algorithms"})
    receipt, quiz, cert = (mail_text(m) for m in read_mail(rt))
    assert "INR 499.00" in receipt and "p1" in receipt
    assert "8 / 10" in quiz and "You passed." in quiz
    assert "Algorithms" in cert and "http://lms.test/certificates/cert-9" in cert


async def test_malformed_payload_is_dead_not_retried_forever(rt: Runtime, client: httpx.AsyncClient) -> None:
    await emit(rt, "payment.success", {"amount": "lots"})  # no user_id
    assert read_mail(rt) == []
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(EmailMessage.id)) is None
        row = await session.scalar(select(OutboxEvent).where(OutboxEvent.type == "payment.success"))
    assert row is not None and row.dead_at is not None and row.attempts == 1
    assert "has no user_id" in (row.last_error or "")
