"""Email: the one ``send_email`` every consumer uses, delivery with retries, preferences, unsubscribe.

``send_email`` runs inside a consumer's transaction: it renders the message and records it as
``queued`` there (so it exists exactly when the consumer's effect exists), then hands it to SMTP once
that transaction commits. Each attempt is recorded on the row; a failed one is retried with exponential
backoff by the ``emails.retry`` scheduled job until ``email_max_attempts``. Nothing is sent inside a
request.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import structlog
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import utcnow
from lms.core.errors import BadRequest, ErrorCode
from lms.core.events import after_commit, describe_error
from lms.core.mail import OutgoingMail
from lms.core.runtime import Runtime
from lms.emails.models import SECURITY_KINDS, EmailKind, EmailMessage, EmailStatus, NotificationPreference
from lms.users.models import User

log = structlog.get_logger("lms.emails")

KIND_LABELS: dict[EmailKind, str] = {
    EmailKind.VERIFICATION: "Email address verification",
    EmailKind.PASSWORD_RESET: "Password reset",
    EmailKind.PASSWORD_CHANGED: "Password changed",
    EmailKind.ACCOUNT_EXISTS: "Account already exists",
    EmailKind.WELCOME: "Welcome",
    EmailKind.ENROLLMENT_CONFIRMATION: "Enrollment confirmations",
    EmailKind.PAYMENT_RECEIPT: "Payment receipts",
    EmailKind.QUIZ_GRADED: "Quiz results",
    EmailKind.CERTIFICATE_ISSUED: "Certificates",
    EmailKind.DUE_REMINDER: "Due-date reminders",
    EmailKind.DIGEST: "Activity digests",
}


# --- preferences ---
async def preferences(session: AsyncSession, user_id: str) -> dict[EmailKind, bool]:
    """Every kind with whether this user receives it (security kinds always)."""
    rows = await session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    chosen = {r.kind: r.email_enabled for r in rows}
    return {k: True if k in SECURITY_KINDS else chosen.get(k.value, True) for k in EmailKind}


async def is_enabled(session: AsyncSession, user_id: str, kind: EmailKind) -> bool:
    if kind in SECURITY_KINDS:
        return True
    row = await session.get(NotificationPreference, (user_id, kind.value))
    return True if row is None else row.email_enabled


async def set_preferences(session: AsyncSession, user_id: str, changes: dict[EmailKind, bool]) -> dict[EmailKind, bool]:
    """Turn kinds on or off. Security kinds cannot be turned off (callers validate; this enforces)."""
    for kind, enabled in changes.items():
        if kind in SECURITY_KINDS:
            if not enabled:
                raise BadRequest(f"'{kind.value}' emails protect your account and cannot be turned off.")
            continue
        row = await session.get(NotificationPreference, (user_id, kind.value))
        if row is None:
            session.add(NotificationPreference(user_id=user_id, kind=kind.value, email_enabled=enabled))
        else:
            row.email_enabled = enabled
    await session.flush()
    return await preferences(session, user_id)


# --- unsubscribe links ---
def _serializer(rt: Runtime) -> URLSafeSerializer:
    return URLSafeSerializer(rt.email_secret, salt="lms.email.unsubscribe")


def unsubscribe_token(rt: Runtime, user_id: str, kind: EmailKind) -> str:
    return str(_serializer(rt).dumps([user_id, kind.value]))


def unsubscribe_url(rt: Runtime, user_id: str, kind: EmailKind) -> str:
    base = rt.settings.public_url.rstrip("/")
    return f"{base}/api/v1/email/unsubscribe?token={unsubscribe_token(rt, user_id, kind)}"


async def unsubscribe(rt: Runtime, session: AsyncSession, token: str) -> EmailKind:
    """Turn off the kind a signed unsubscribe link names, without signing in."""
    try:
        user_id, raw_kind = _serializer(rt).loads(token)
        kind = EmailKind(raw_kind)
    except (BadSignature, ValueError, TypeError) as exc:
        raise BadRequest("This unsubscribe link is not valid.", code=ErrorCode.INVALID_ONE_TIME_TOKEN) from exc
    if kind in SECURITY_KINDS or await session.get(User, user_id) is None:
        raise BadRequest("This unsubscribe link is not valid.", code=ErrorCode.INVALID_ONE_TIME_TOKEN)
    await set_preferences(session, user_id, {kind: False})
    return kind


# --- sending ---
async def send_email(
    rt: Runtime,
    session: AsyncSession,
    *,
    user: User,
    kind: EmailKind,
    template: str,
    context: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> EmailMessage | None:
    """Queue one email to ``user`` in the caller's transaction; it goes to SMTP after the commit.

    Kinds the user turned off are recorded as ``suppressed`` and not sent. Every non-security email
    carries an unsubscribe link (in the body and as ``List-Unsubscribe``). With a ``dedupe_key`` the
    email is queued only if no email with that key exists (None is returned otherwise); the unique
    index on the key settles a race between two workers (the loser's transaction fails).
    """
    if dedupe_key is not None and await already_sent(session, dedupe_key):
        return None
    link: str | None = None
    headers: dict[str, str] = {}
    if kind not in SECURITY_KINDS:
        link = unsubscribe_url(rt, user.id, kind)
        headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    ctx = {"full_name": user.full_name, **(context or {}), "unsubscribe_url": link, "kind_label": KIND_LABELS[kind]}
    mail = rt.mail_renderer.render(template, user.email, **ctx)
    text = mail.text
    if link:
        text = f"{text.rstrip()}\n\nStop {KIND_LABELS[kind].lower()} emails: {link}\n"
    row = EmailMessage(
        user_id=user.id,
        kind=kind.value,
        to=user.email,
        subject=mail.subject[:300],
        body_text=text,
        body_html=mail.html,
        headers=headers or None,
        dedupe_key=dedupe_key,
        status=EmailStatus.QUEUED.value,
        next_attempt_at=utcnow(),
    )
    if not await is_enabled(session, user.id, kind):
        row.status, row.next_attempt_at = EmailStatus.SUPPRESSED.value, None
    session.add(row)
    await session.flush()
    if row.status == EmailStatus.QUEUED.value:
        actions: list[Any] = session.info.get("after_commit_actions", [])
        batch = next((a for a in actions if isinstance(a, _DeliverQueued)), None)
        if batch is None:
            batch = _DeliverQueued(rt)
            after_commit(session, batch)
        batch.message_ids.append(row.id)
    return row


class _DeliverQueued:
    """The after-commit action that delivers every message one transaction queued (a consumer's batch
    queues many: they are claimed and recorded a chunk at a time, not one transaction pair each)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.message_ids: list[str] = []

    async def __call__(self) -> None:
        await deliver_many(self.rt, self.message_ids)


async def already_sent(session: AsyncSession, dedupe_key: str) -> bool:
    found = await session.scalar(select(EmailMessage.id).where(EmailMessage.dedupe_key == dedupe_key).limit(1))
    return found is not None


def _retry_delay(rt: Runtime, attempts: int) -> timedelta:
    return timedelta(seconds=min(6 * 3600.0, rt.settings.email_retry_base_seconds * 2 ** max(0, attempts - 1)))


async def deliver(rt: Runtime, message_id: str) -> str | None:
    """Try to send one queued (or due failed) message, recording the attempt. Returns the new status,
    or None when the message is not due or another process holds it."""
    return (await deliver_many(rt, [message_id])).get(message_id)


DELIVERY_CHUNK = 20


async def deliver_many(rt: Runtime, message_ids: Sequence[str]) -> dict[str, str]:
    """``deliver`` for many messages: each chunk is claimed in one statement, sent one by one and
    recorded in one statement. Returns the new status of each message tried."""
    out: dict[str, str] = {}
    for start in range(0, len(message_ids), DELIVERY_CHUNK):
        out |= await _deliver_chunk(rt, list(message_ids[start : start + DELIVERY_CHUNK]))
    return out


async def _deliver_chunk(rt: Runtime, message_ids: list[str]) -> dict[str, str]:
    now = utcnow()
    # The lease covers sending the whole chunk; its exact end tells our rows from another process's.
    until = now + timedelta(seconds=rt.settings.smtp_timeout_seconds * 3 * len(message_ids) + 60)
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(
            update(EmailMessage)
            .where(
                EmailMessage.id.in_(message_ids),
                EmailMessage.status.in_([EmailStatus.QUEUED.value, EmailStatus.FAILED.value]),
                EmailMessage.next_attempt_at.is_not(None),
                EmailMessage.next_attempt_at <= now,
                or_(EmailMessage.claimed_until.is_(None), EmailMessage.claimed_until < now),
            )
            .values(claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        rows = (
            await session.scalars(
                select(EmailMessage).where(EmailMessage.id.in_(message_ids), EmailMessage.claimed_until == until)
            )
        ).all()
        claimed = [
            (r.id, r.attempts, OutgoingMail(r.to, r.subject, r.body_text, r.body_html, dict(r.headers or {})))
            for r in rows
        ]
    if not claimed:
        return {}
    results: list[dict[str, Any]] = []
    for message_id, attempts, mail in claimed:
        error: str | None = None
        sent_id: str | None = None
        try:
            sent_id = await rt.mail.send(mail)
        except Exception as exc:
            error = describe_error(exc)
            log.warning("email_send_failed", message=message_id, error=error)
        attempts += 1
        result: dict[str, Any] = {
            "id": message_id,
            "attempts": attempts,
            "last_attempt_at": now,
            "claimed_until": None,
            "updated_at": utcnow(),
        }
        if error is None:
            result |= {"status": EmailStatus.SENT.value, "sent_at": utcnow(), "message_id": sent_id}
            result |= {"last_error": None, "next_attempt_at": None}
        else:
            gave_up = attempts >= rt.settings.email_max_attempts
            result |= {"status": EmailStatus.FAILED.value, "sent_at": None, "message_id": None}
            retry_at = None if gave_up else now + _retry_delay(rt, attempts)
            result |= {"last_error": error[:4000], "next_attempt_at": retry_at}
        results.append(result)
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(update(EmailMessage), results)  # one UPDATE by primary key, executemany
    return {r["id"]: r["status"] for r in results}


async def deliver_due(rt: Runtime, *, limit: int = 200) -> int:
    """Send every queued message and retry every failed one that is due. Returns how many were tried."""
    async with rt.sessionmaker() as session:
        ids = list(
            await session.scalars(
                select(EmailMessage.id)
                .where(
                    EmailMessage.status.in_([EmailStatus.QUEUED.value, EmailStatus.FAILED.value]),
                    EmailMessage.next_attempt_at <= utcnow(),
                )
                .order_by(EmailMessage.next_attempt_at)
                .limit(limit)
            )
        )
    return len(await deliver_many(rt, ids))
