"""Scheduled emails: due-date reminders for quizzes about to close, and daily digests of unread notifications.

Both run as worker jobs (one worker at a time, by the scheduler's lease) and are safe to run again at
any moment: every email carries a dedupe key, so a reminder or a day's digest goes out once per
student whatever happens to the job. Each student is handled in a transaction of its own, so one bad
row never stops the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError

from lms.core.db import utcnow
from lms.core.runtime import Runtime
from lms.courses.models import Course, CourseStatus
from lms.emails.models import EmailKind, EmailMessage, EmailStatus
from lms.emails.service import already_sent, deliver, send_email
from lms.enrollments.models import Enrollment, EnrollmentStatus
from lms.notifications.models import Notification
from lms.quizzes.models import Attempt, AttemptStatus, Quiz
from lms.users.models import User

log = structlog.get_logger("lms.emails.scheduled")

DIGEST_MAX_ITEMS = 10


@dataclass(frozen=True)
class DueQuiz:
    quiz_id: str
    title: str
    course_title: str
    course_slug: str
    lesson_id: str | None
    closes_at: datetime


async def _hand_to_smtp(rt: Runtime, message: EmailMessage | None) -> int:
    """Send a message queued in a transaction that has just committed (the ``emails.retry`` job would
    pick it up anyway; this saves the wait). Returns 1 when a message was recorded, else 0."""
    if message is None:
        return 0
    if message.status == EmailStatus.QUEUED.value:
        await deliver(rt, message.id)
    return 1


def reminder_key(quiz_id: str, user_id: str, closes_at: datetime) -> str:
    # The deadline is part of the key: if the instructor moves it, students are reminded again.
    return f"due:{quiz_id}:{user_id}:{closes_at:%Y%m%dT%H%M}"


def digest_key(user_id: str, day: datetime) -> str:
    return f"digest:{user_id}:{day:%Y-%m-%d}"


async def _due_quizzes(rt: Runtime, now: datetime) -> list[DueQuiz]:
    horizon = now + timedelta(hours=rt.settings.reminder_lead_hours)
    async with rt.sessionmaker() as session:
        rows = await session.execute(
            select(Quiz.id, Quiz.title, Course.title, Course.slug, Quiz.lesson_id, Quiz.available_until)
            .join(Course, Course.id == Quiz.course_id)
            .where(
                Course.status == CourseStatus.PUBLISHED.value,
                Quiz.available_until.is_not(None),
                Quiz.available_until > now,
                Quiz.available_until <= horizon,
            )
        )
        return [
            DueQuiz(quiz_id, title, course_title, slug, lesson_id, closes_at)
            for quiz_id, title, course_title, slug, lesson_id, closes_at in rows
            if closes_at is not None
        ]


async def _students_without_submission(rt: Runtime, quiz_id: str) -> list[str]:
    """Active students of the quiz's course who have not submitted an attempt at it."""
    submitted = exists().where(
        Attempt.quiz_id == quiz_id,
        Attempt.user_id == Enrollment.user_id,
        Attempt.status != AttemptStatus.IN_PROGRESS.value,
    )
    async with rt.sessionmaker() as session:
        course_id = select(Quiz.course_id).where(Quiz.id == quiz_id).scalar_subquery()
        return list(
            await session.scalars(
                select(Enrollment.user_id)
                .join(User, User.id == Enrollment.user_id)
                .where(
                    Enrollment.course_id == course_id,
                    Enrollment.status == EnrollmentStatus.ACTIVE.value,
                    User.is_active.is_(True),
                    ~submitted,
                )
                .order_by(Enrollment.user_id)
            )
        )


async def send_due_reminders(rt: Runtime, *, now: datetime | None = None) -> int:
    """Remind every student who has not yet submitted a quiz that closes within ``reminder_lead_hours``.
    Returns how many reminders were queued (suppressed ones, for students who turned them off, count)."""
    now = now or utcnow()
    queued = 0
    for quiz in await _due_quizzes(rt, now):
        path = f"/learn/{quiz.course_slug}/{quiz.lesson_id}" if quiz.lesson_id else f"/learn/{quiz.course_slug}"
        for user_id in await _students_without_submission(rt, quiz.quiz_id):
            key = reminder_key(quiz.quiz_id, user_id, quiz.closes_at)
            try:
                async with rt.sessionmaker() as session, session.begin():
                    user = await session.get(User, user_id)
                    if user is None:
                        continue
                    # send_email skips the key if it was already used (and returns None).
                    message = await send_email(
                        rt,
                        session,
                        user=user,
                        kind=EmailKind.DUE_REMINDER,
                        template="due_reminder",
                        dedupe_key=key,
                        context={
                            "quiz_title": quiz.title,
                            "course_title": quiz.course_title,
                            "closes_at": f"{quiz.closes_at:%d %b %Y, %H:%M} UTC",
                            "quiz_path": path,
                        },
                    )
            except IntegrityError:  # another worker queued the same reminder a moment ago
                log.info("due_reminder_raced", quiz=quiz.quiz_id, user=user_id)
                continue
            queued += await _hand_to_smtp(rt, message)
    if queued:
        log.info("due_reminders_queued", count=queued)
    return queued


async def send_digests(rt: Runtime, *, now: datetime | None = None) -> int:
    """Once a day (from ``digest_hour_utc``), email each user a summary of the in-app notifications of the
    last day that they have not read yet. Returns how many digests were queued."""
    now = now or utcnow()
    if now.hour < rt.settings.digest_hour_utc:
        return 0
    since = now - timedelta(days=1)
    unread = and_(Notification.read_at.is_(None), Notification.created_at > since)
    async with rt.sessionmaker() as session:
        user_ids = list(
            await session.scalars(
                select(Notification.user_id)
                .join(User, User.id == Notification.user_id)
                .where(unread, User.is_active.is_(True))
                .group_by(Notification.user_id)
                .order_by(Notification.user_id)
            )
        )
    queued = 0
    for user_id in user_ids:
        key = digest_key(user_id, now)
        try:
            async with rt.sessionmaker() as session, session.begin():
                user = await session.get(User, user_id)
                if user is None or await already_sent(session, key):
                    continue
                total = await session.scalar(
                    select(func.count()).select_from(Notification).where(unread, Notification.user_id == user_id)
                )
                items = (
                    await session.scalars(
                        select(Notification)
                        .where(unread, Notification.user_id == user_id)
                        .order_by(Notification.created_at.desc())
                        .limit(DIGEST_MAX_ITEMS)
                    )
                ).all()
                message = await send_email(
                    rt,
                    session,
                    user=user,
                    kind=EmailKind.DIGEST,
                    template="digest",
                    dedupe_key=key,
                    context={
                        "total": int(total or 0),
                        "items": [{"title": n.title, "body": n.body, "link": n.link} for n in items],
                    },
                )
        except IntegrityError:
            log.info("digest_raced", user=user_id)
            continue
        queued += await _hand_to_smtp(rt, message)
    if queued:
        log.info("digests_queued", count=queued)
    return queued
