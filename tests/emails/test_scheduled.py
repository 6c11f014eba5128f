"""Scheduled emails: quiz due-date reminders and daily digests go out once, to the right people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.core.db import utcnow
from lms.core.runtime import Runtime
from lms.emails.models import EmailKind, EmailMessage
from lms.emails.scheduled import send_digests, send_due_reminders
from lms.notifications.models import Notification
from lms.users.models import User
from tests.conftest import mail_text, read_mail
from tests.factories import create_user
from tests.quizzes.helpers import build_quiz, enrolled_student


def mails_to(rt: Runtime, address: str, subject_part: str) -> list[str]:
    return [mail_text(m) for m in read_mail(rt) if address in str(m["To"]) and subject_part in str(m["Subject"])]


async def kinds_for(rt: Runtime, user_id: str, kind: EmailKind) -> list[str]:
    async with rt.sessionmaker() as session:
        return list(
            await session.scalars(
                select(EmailMessage.status).where(EmailMessage.user_id == user_id, EmailMessage.kind == kind.value)
            )
        )


async def test_due_reminders_reach_only_students_who_have_not_submitted(rt: Runtime, client: httpx.AsyncClient) -> None:
    closes = (utcnow() + timedelta(hours=6)).replace(microsecond=0)
    fx = await build_quiz(rt, client, available_until=closes.isoformat())
    later = await build_quiz(rt, client, available_until=(utcnow() + timedelta(days=3)).isoformat())
    done = await enrolled_student(rt, client, fx.course.id, full_name="Done Student")
    pending = await enrolled_student(rt, client, fx.course.id, full_name="Pending Student")
    opted_out = await enrolled_student(rt, client, fx.course.id, full_name="Quiet Student")
    await enrolled_student(rt, client, later.course.id, full_name="Later Student")
    resp = await client.put(
        "/api/v1/me/email-preferences", json={"preferences": {"due_reminder": False}}, headers=opted_out.headers
    )
    assert resp.status_code == 200
    attempt = (await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=done.headers)).json()
    resp = await client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=done.headers)
    assert resp.status_code == 200, resp.text

    assert await send_due_reminders(rt) == 2  # pending (sent) and opted_out (recorded as suppressed)
    [text] = mails_to(rt, pending.user.email, "Reminder")
    assert "Unit test 1" in text and "Algorithms" in text and closes.strftime("%d %b %Y, %H:%M") in text
    assert f"/learn/{fx.course.course['slug']}/{fx.quiz['lesson_id']}" in text
    assert "Stop due-date reminders emails" in text  # the unsubscribe link
    assert mails_to(rt, done.user.email, "Reminder") == []
    assert mails_to(rt, opted_out.user.email, "Reminder") == []
    assert await kinds_for(rt, opted_out.user.id, EmailKind.DUE_REMINDER) == ["suppressed"]
    assert await kinds_for(rt, done.user.id, EmailKind.DUE_REMINDER) == []

    # The job runs every quarter hour: nobody is reminded twice for the same deadline...
    assert await send_due_reminders(rt) == 0
    assert len(mails_to(rt, pending.user.email, "Reminder")) == 1
    # ...but a moved deadline is a new one.
    moved = (closes + timedelta(hours=2)).isoformat()
    resp = await client.patch(
        f"/api/v1/quizzes/{fx.id}", json={"available_until": moved}, headers=fx.instructor.headers
    )
    assert resp.status_code == 200, resp.text
    assert await send_due_reminders(rt) == 2
    assert len(mails_to(rt, pending.user.email, "Reminder")) == 2


async def test_daily_digest_lists_unread_notifications_once(rt: Runtime) -> None:
    reader = await create_user(rt, full_name="Reader")
    busy = await create_user(rt, full_name="Busy")
    gone = await create_user(rt, full_name="Gone")
    now = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)
    async with rt.sessionmaker() as session, session.begin():
        for i in range(12):
            session.add(
                Notification(
                    user_id=busy.user.id,
                    kind="course.published",
                    title=f"New course {i}",
                    body="Take a look",
                    link=f"/courses/c{i}",
                    created_at=now - timedelta(minutes=10 + i),
                )
            )
        session.add(Notification(user_id=reader.user.id, kind="x", title="Seen", created_at=now, read_at=now))
        session.add(Notification(user_id=reader.user.id, kind="x", title="Old", created_at=now - timedelta(days=2)))
        session.add(Notification(user_id=gone.user.id, kind="x", title="Unread", created_at=now))
        await session.execute(update(User).where(User.id == gone.user.id).values(is_active=False))

    rt.settings.digest_hour_utc = 8
    assert await send_digests(rt, now=now) == 0  # too early in the day
    rt.settings.digest_hour_utc = 6
    assert await send_digests(rt, now=now) == 1
    [text] = mails_to(rt, busy.user.email, "12 unread notifications")
    assert "New course 0" in text and "New course 9" in text and "New course 10" not in text
    assert "...and 2 more." in text and f"{rt.settings.public_url.rstrip('/')}/courses/c0" in text
    assert mails_to(rt, reader.user.email, "unread") == [] and mails_to(rt, gone.user.email, "unread") == []

    assert await send_digests(rt, now=now + timedelta(hours=3)) == 0  # one a day
    tomorrow = now + timedelta(days=1)
    assert await send_digests(rt, now=tomorrow) == 0  # nothing new since yesterday's digest
    async with rt.sessionmaker() as session, session.begin():
        session.add(Notification(user_id=busy.user.id, kind="x", title="Graded", created_at=tomorrow))
    assert await send_digests(rt, now=tomorrow) == 1
    [text] = mails_to(rt, busy.user.email, "1 unread notification ")
    assert "Graded" in text and "New course" not in text


async def test_the_dedupe_key_is_unique_in_the_database(rt: Runtime) -> None:
    acct = await create_user(rt)

    def message() -> EmailMessage:
        return EmailMessage(
            user_id=acct.user.id, kind="digest", to=acct.user.email, subject="s", status="sent", dedupe_key="k1"
        )

    async with rt.sessionmaker() as session, session.begin():
        session.add(message())
    with pytest.raises(IntegrityError):
        async with rt.sessionmaker() as session, session.begin():
            session.add(message())
