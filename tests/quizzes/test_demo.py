from __future__ import annotations

from sqlalchemy import func, select

from lms import seed
from lms.core.runtime import Runtime
from lms.quizzes.models import Question, Quiz


async def test_demo_data_includes_a_quiz_once(rt: Runtime) -> None:
    await seed.seed_demo(rt.settings)
    await seed.seed_demo(rt.settings)
    async with rt.sessionmaker() as session:
        quizzes = list(await session.scalars(select(Quiz)))
        assert len(quizzes) == 1 and quizzes[0].lesson_id is not None
        assert await session.scalar(select(func.count(Question.id)).where(Question.quiz_id == quizzes[0].id)) == 6
