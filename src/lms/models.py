"""Every table of every domain, imported in one place for Alembic and the test harness."""

from lms.auth.models import OneTimeToken, RefreshToken
from lms.core.db import Base
from lms.core.events import OutboxEvent, ProcessedEvent
from lms.courses.models import Category, Course, CourseInstructor, CoursePrerequisite, Lesson, Section
from lms.enrollments.models import Enrollment
from lms.payments.models import (
    Coupon,
    CouponRedemption,
    InvoiceCounter,
    PaymentOrder,
    PaymentRefund,
    ProviderEvent,
)
from lms.progress.models import CourseProgress, LessonProgress
from lms.reviews.models import Review
from lms.users.models import User

__all__ = [
    "Base",
    "Category",
    "Coupon",
    "CouponRedemption",
    "Course",
    "CourseInstructor",
    "CoursePrerequisite",
    "CourseProgress",
    "Enrollment",
    "InvoiceCounter",
    "Lesson",
    "LessonProgress",
    "OneTimeToken",
    "OutboxEvent",
    "PaymentOrder",
    "PaymentRefund",
    "ProcessedEvent",
    "ProviderEvent",
    "RefreshToken",
    "Review",
    "Section",
    "User",
]
