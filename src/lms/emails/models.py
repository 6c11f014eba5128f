"""Every email the LMS sends (its state and attempts) and each user's choice of email kinds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class EmailKind(StrEnum):
    # security: always sent
    VERIFICATION = "verification"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    ACCOUNT_EXISTS = "account_exists"
    # the user may turn these off
    WELCOME = "welcome"
    ENROLLMENT_CONFIRMATION = "enrollment_confirmation"
    PAYMENT_RECEIPT = "payment_receipt"
    QUIZ_GRADED = "quiz_graded"
    CERTIFICATE_ISSUED = "certificate_issued"
    DUE_REMINDER = "due_reminder"
    DIGEST = "digest"


SECURITY_KINDS = frozenset(
    {EmailKind.VERIFICATION, EmailKind.PASSWORD_RESET, EmailKind.PASSWORD_CHANGED, EmailKind.ACCOUNT_EXISTS}
)


class EmailStatus(StrEnum):
    QUEUED = "queued"  # not attempted yet
    SENT = "sent"
    FAILED = "failed"  # last attempt failed; retried at next_attempt_at, given up when that is empty
    SUPPRESSED = "suppressed"  # the user turned this kind off


class EmailMessage(IdMixin, TimestampMixin, Base):
    __tablename__ = "email_messages"
    __table_args__ = (
        Index("ix_email_messages_due", "status", "next_attempt_at"),
        Index("ux_email_messages_dedupe_key", "dedupe_key", unique=True),
    )

    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    to: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=EmailStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    body_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    body_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    headers: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Set on scheduled emails ("due:<quiz>:<user>", "digest:<user>:<day>") so each goes out once,
    # even when two workers race; unique, NULL for ordinary emails.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True)


class NotificationPreference(Base):
    """A row only where the user changed the default (every kind is on by default)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)
