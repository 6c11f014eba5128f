"""Every table of every domain, imported in one place for Alembic and the test harness."""

from lms.auth.models import OneTimeToken, RefreshToken
from lms.core.db import Base
from lms.core.events import OutboxEvent, ProcessedEvent
from lms.core.scheduler import ScheduledJobRow
from lms.emails.models import EmailMessage, NotificationPreference
from lms.users.models import User

__all__ = [
    "Base",
    "EmailMessage",
    "NotificationPreference",
    "OneTimeToken",
    "OutboxEvent",
    "ProcessedEvent",
    "RefreshToken",
    "ScheduledJobRow",
    "User",
]
