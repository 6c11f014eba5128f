"""Every table of every domain, imported in one place for Alembic and the test harness."""

from lms.auth.models import OneTimeToken, RefreshToken
from lms.certificates.models import Certificate
from lms.core.db import Base
from lms.core.events import OutboxEvent, ProcessedEvent
from lms.courses.models import Category, Course, CourseInstructor, CoursePrerequisite, Lesson, Section
from lms.enrollments.models import Enrollment
from lms.progress.models import CourseProgress, LessonProgress
from lms.quizzes.models import Attempt, Question, Quiz
from lms.reviews.models import Review
from lms.users.models import User

__all__ = [
    "Attempt",
    "Base",
    "Category",
    "Certificate",
    "Course",
    "CourseInstructor",
    "CoursePrerequisite",
    "CourseProgress",
    "Enrollment",
    "Lesson",
    "LessonProgress",
    "OneTimeToken",
    "OutboxEvent",
    "ProcessedEvent",
    "Question",
    "Quiz",
    "RefreshToken",
    "Review",
    "Section",
    "User",
]
