from __future__ import annotations

import httpx
from sqlalchemy import func, select

from lms import demo_catalog
from lms.core.runtime import Runtime
from lms.courses.models import Course
from lms.users.models import Role
from tests.factories import create_user, login


async def test_demo_catalog_is_complete_and_loads_once(rt: Runtime, client: httpx.AsyncClient) -> None:
    await create_user(rt, role=Role.INSTRUCTOR, email="teacher@demo.test", full_name="Prof. Ravi Kumar Varma")
    student = await create_user(rt, email="learner@demo.test", full_name="Sai Priya Reddy")
    for expected in (True, False):
        async with rt.sessionmaker() as session, session.begin():
            created = await demo_catalog.seed_catalog(
                session, rt.settings, instructor_email="teacher@demo.test", student_email="learner@demo.test"
            )
            assert created is expected
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Course)) == len(demo_catalog.COURSES)

    catalog = (await client.get("/api/v1/courses", params={"page_size": 100, "sort": "popular"})).json()
    assert catalog["total"] == 12
    assert {c["is_free"] for c in catalog["items"]} == {True, False}
    assert catalog["items"][0]["title"] == "Python Programming for Engineers"
    assert catalog["items"][0]["rating"]["count"] == 3
    assert len((await client.get("/api/v1/categories")).json()) == 6
    await login(client, student)
    mine = (await client.get("/api/v1/enrollments/me", headers=student.headers)).json()
    assert mine["total"] == 1 and mine["items"][0]["progress_percent"] == 40
