"""Email delivery against a real local SMTP server (aiosmtpd), and what happens while it is down."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from lms.core.db import utcnow
from lms.core.events import publish
from lms.core.runtime import Runtime
from lms.emails import service as emails_service
from lms.emails.models import EmailMessage
from lms.main import wire_runtime
from tests.factories import create_user


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def settings_overrides(smtp_port: int) -> dict[str, Any]:
    return {"mail_backend": "smtp", "smtp_port": smtp_port, "smtp_timeout_seconds": 5, "email_retry_base_seconds": 0}


@pytest.fixture
def inbox(smtp_port: int) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


async def messages(rt: Runtime) -> list[EmailMessage]:
    async with rt.sessionmaker() as session:
        return list(await session.scalars(select(EmailMessage).order_by(EmailMessage.created_at)))


async def register_event(rt: Runtime, user_id: str) -> None:
    async with rt.sessionmaker() as session, session.begin():
        publish(session, "user.registered", {"user_id": user_id}, key=user_id)


async def test_welcome_email_is_delivered_by_smtp_with_html_and_text(rt: Runtime, inbox: Inbox) -> None:
    wire_runtime(rt)
    acct = await create_user(rt, full_name="Ravi Teja")
    await register_event(rt, acct.user.id)
    await rt.relay.drain()
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["To"] == acct.email and "Welcome" in msg["Subject"]
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    assert "Ravi Teja" in text.get_content() and "Jawaharlal Nehru" in html.get_content()
    assert msg["List-Unsubscribe"].startswith("<http://lms.test/api/v1/email/unsubscribe?token=")
    [row] = await messages(rt)
    assert (row.status, row.attempts, row.kind, row.last_error) == ("sent", 1, "welcome", None)
    assert row.sent_at is not None and row.message_id == msg["Message-ID"]


async def test_smtp_down_records_the_failure_and_the_retry_delivers_it(rt: Runtime, smtp_port: int) -> None:
    wire_runtime(rt)
    acct = await create_user(rt)
    await register_event(rt, acct.user.id)
    await rt.relay.drain()  # nobody listens on the SMTP port
    [row] = await messages(rt)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error and row.next_attempt_at is not None  # a retry is scheduled, nothing lost
    assert await emails_service.deliver_due(rt) == 1
    [row] = await messages(rt)
    assert (row.status, row.attempts) == ("failed", 2)

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert await rt.scheduler.run_job(rt, "emails.retry")  # what the worker runs every 30 s
    finally:
        controller.stop()
    [row] = await messages(rt)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert [m["To"] for m in handler.messages] == [acct.email]
    assert await emails_service.deliver_due(rt) == 0  # sent once, never again


async def test_gives_up_after_the_last_attempt(rt: Runtime) -> None:
    wire_runtime(rt)
    rt.settings.email_max_attempts = 2
    acct = await create_user(rt)
    await register_event(rt, acct.user.id)
    await rt.relay.drain()
    await emails_service.deliver_due(rt)
    [row] = await messages(rt)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 2, None)
    assert await emails_service.deliver_due(rt) == 0


async def test_a_consumer_batch_delivers_its_emails_in_chunks_each_once(rt: Runtime, inbox: Inbox) -> None:
    """25 registrations in one relay batch: the welcome consumer queues 25 emails in one transaction and
    they are claimed and recorded a chunk at a time; a message another process holds is left alone."""
    wire_runtime(rt)
    accounts = [await create_user(rt, full_name=f"Student {i}") for i in range(25)]
    async with rt.sessionmaker() as session, session.begin():
        for acct in accounts:
            publish(session, "user.registered", {"user_id": acct.user.id}, key=acct.user.id)
    assert await rt.relay.drain() == 25
    welcome = [m for m in inbox.messages if "Welcome" in m["Subject"]]
    assert sorted(m["To"] for m in welcome) == sorted(a.email for a in accounts)
    rows = [r for r in await messages(rt) if r.kind == "welcome"]
    assert len(rows) == 25 and {(r.status, r.attempts, r.claimed_until) for r in rows} == {("sent", 1, None)}

    held, free = rows[0], rows[1]
    async with rt.sessionmaker() as session, session.begin():
        for row, claimed in ((held, utcnow() + timedelta(minutes=5)), (free, None)):
            await session.execute(
                update(EmailMessage)
                .where(EmailMessage.id == row.id)
                .values(status="queued", next_attempt_at=utcnow(), claimed_until=claimed)
            )
    sent_before = len(inbox.messages)
    assert await emails_service.deliver_many(rt, [held.id, free.id]) == {free.id: "sent"}
    assert [m["To"] for m in inbox.messages[sent_before:]] == [free.to]
