"""Every table of every domain, imported in one place for Alembic and the test harness."""

from lms.analytics.models import AnalyticsActiveUser, AnalyticsDaily, AnalyticsEvent
from lms.auth.models import OneTimeToken, RefreshToken
from lms.core.db import Base
from lms.core.events import OutboxEvent, ProcessedEvent
from lms.notifications.models import Notification
from lms.users.models import User

__all__ = [
    "AnalyticsActiveUser",
    "AnalyticsDaily",
    "AnalyticsEvent",
    "Base",
    "Notification",
    "OneTimeToken",
    "OutboxEvent",
    "ProcessedEvent",
    "RefreshToken",
    "User",
]
