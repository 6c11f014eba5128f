"""Demo data and the first administrator, in-process."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms import seed
from lms.core.runtime import Runtime
from lms.users.models import User


async def test_seed_demo_is_idempotent_and_create_admin_promotes(rt: Runtime) -> None:
    await seed.seed_demo(rt.settings)
    async with rt.sessionmaker() as s:
        demo = dict(
            (await s.execute(select(User.email, User.role).where(User.email.like("%@demo.jntugv.edu.in")))).all()
        )
        total = await s.scalar(select(func.count()).select_from(User))
    assert {email: demo[email] for email, _, _ in ((e, r, p) for r, e, p, _ in seed.DEMO_ACCOUNTS)} == {
        "admin@demo.jntugv.edu.in": "admin",
        "instructor@demo.jntugv.edu.in": "instructor",
        "student@demo.jntugv.edu.in": "student",
    }
    await seed.seed_demo(rt.settings)
    async with rt.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(User)) == total  # a second run adds nobody
    created = await seed.create_admin(
        rt.settings, email="student@demo.jntugv.edu.in", password="New-Admin-Pass-1", full_name="x"
    )
    assert created is False
    async with rt.sessionmaker() as s:
        promoted = await s.scalar(select(User).where(User.email == "student@demo.jntugv.edu.in"))
    assert promoted is not None and promoted.role == "admin"
    with pytest.raises(ValueError, match="commonly used"):
        await seed.create_admin(rt.settings, email="x@example.edu", password="password123", full_name="x")
