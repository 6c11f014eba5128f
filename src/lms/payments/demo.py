"""Payments' demo data for `make run`: a paid course buyable with the sandbox provider, and a coupon."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.courses import service as courses_service
from lms.courses.models import Course, CourseStatus
from lms.payments.models import Coupon, CouponKind
from lms.users import service as users_service

DEMO_COURSE_SLUG = "paid-demo-full-stack-web-development"
DEMO_COUPON = "WELCOME10"


async def seed_demo(session: AsyncSession, *, instructor_email: str, admin_email: str) -> None:
    """Make sure a published paid course and a 10 % coupon exist (idempotent)."""
    instructor = await users_service.get_by_email(session, instructor_email)
    admin = await users_service.get_by_email(session, admin_email)
    if instructor is None or admin is None:
        return
    paid = await session.scalar(
        select(Course.id).where(Course.status == CourseStatus.PUBLISHED.value, Course.price_amount > 0).limit(1)
    )
    if paid is None:
        course = await courses_service.create_course(
            session,
            actor=instructor,
            data={
                "title": "Full-Stack Web Development (paid demo)",
                "slug": DEMO_COURSE_SLUG,
                "subtitle": "Buy it with the sandbox provider: test mode, no money moves.",
                "description": "A paid demo course. Check out with the **sandbox** provider to see the paid flow.",
                "level": "intermediate",
                "tags": ["web", "python", "react"],
                "price": {"amount": 49900, "currency": "INR"},
            },
        )
        section = await courses_service.add_section(session, course_id=course.id, actor=instructor, title="Week 1")
        for n, title in enumerate(("Welcome", "HTTP and REST", "Your first API")):
            await courses_service.add_lesson(
                session,
                section_id=section.id,
                actor=instructor,
                data={
                    "title": title,
                    "kind": "text",
                    "content": f"{title}.",
                    "is_preview": n == 0,
                    "duration_seconds": 600,
                },
            )
        await courses_service.publish_course(session, course_id=course.id, actor=instructor)
    if await session.scalar(select(Coupon.id).where(Coupon.code == DEMO_COUPON)) is None:
        session.add(
            Coupon(
                code=DEMO_COUPON,
                description="10 % off any course (demo)",
                kind=CouponKind.PERCENT.value,
                percent_off=10,
                max_per_user=1,
                redeemed_count=0,
                is_active=True,
                created_by_id=admin.id,
            )
        )
    await session.flush()
