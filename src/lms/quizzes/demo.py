"""Demo content for `make run`: a graded quiz at the end of one demo course."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.config import Settings
from lms.core.errors import NotFound
from lms.courses import service as courses_service
from lms.quizzes import service as quizzes_service
from lms.quizzes.models import Quiz
from lms.users import service as users_service

DEMO_COURSE_SLUG = "python-programming-for-engineers"
DEMO_GIFT = r"""
::Types::Which of these is a **mutable** built-in type in Python?{
	~tuple#Tuples cannot be changed after creation.
	=list#Right: lists can grow, shrink and change in place.
	~str#Strings are immutable.
	~frozenset
}

::Indexing::Python lists are indexed from 0.{TRUE}

::Len::What does `len([3, 1, 4, 1, 5])` return?{#5:0}

::Keyword::Which keyword defines a function in Python?{=def}

::Iterables::Select every expression that produces an iterable.{
	~%50%range(10)
	~%50%open("data.txt")
	~%-100%len("abc")
	~%-100%None
}

::Reflection::In two or three sentences, explain when you would choose a dictionary over a list.{}
"""


async def seed_demo_quiz(session: AsyncSession, settings: Settings, *, instructor_email: str) -> bool:
    """Add the demo quiz unless present. Returns True when it was created."""
    instructor = await users_service.get_by_email(session, instructor_email)
    if instructor is None:
        return False
    try:
        course = await courses_service.get_visible_course(session, DEMO_COURSE_SLUG, instructor)
    except NotFound:
        return False
    if not await courses_service.is_editor(session, course, instructor):
        return False
    if await session.scalar(select(Quiz.id).where(Quiz.course_id == course.id).limit(1)) is not None:
        return False
    sections = await courses_service.syllabus(session, course.id)
    if not sections:
        return False
    quiz = await quizzes_service.create_quiz(
        session,
        actor=instructor,
        course_id=course.id,
        data={
            "title": "Unit test: Python basics",
            "description": "Six questions on what the course covered. You may try **three** times; 60% passes.",
            "section_id": sections[-1][0].id,
            "time_limit_seconds": 15 * 60,
            "attempts_allowed": 3,
            "passing_percent": 60,
            "is_required": True,
            "shuffle_questions": True,
            "shuffle_options": True,
            "review_policy": "after_submission",
        },
    )
    await quizzes_service.import_gift(
        session, actor=instructor, course_id=course.id, quiz_id=quiz.id, text=DEMO_GIFT, settings=settings
    )
    return True
