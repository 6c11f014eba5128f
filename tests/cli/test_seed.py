"""Demo data and the first administrator, in-process."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms import seed
from lms.core.runtime import Runtime
from lms.users.models import User


async def test_seed_demo_is_idempotent_and_create_admin_promotes(rt: Runtime) -> None:
    await seed.seed_demo(rt.settings)
    await seed.seed_demo(rt.settings)
    async with rt.sessionmaker() as s:
        roles = dict((await s.execute(select(User.role, func.count()).group_by(User.role))).all())
    # The demo catalog adds a co-instructor and classmates; the accounts themselves exist once.
    assert roles["admin"] == 1
    async with rt.sessionmaker() as s:
        emails = set(await s.scalars(select(User.email)))
    assert {email for _, email, _, _ in seed.DEMO_ACCOUNTS} <= emails
    created = await seed.create_admin(
        rt.settings, email="student@demo.jntugv.edu.in", password="New-Admin-Pass-1", full_name="x"
    )
    assert created is False
    async with rt.sessionmaker() as s:
        promoted = await s.scalar(select(User).where(User.email == "student@demo.jntugv.edu.in"))
    assert promoted is not None and promoted.role == "admin"
    with pytest.raises(ValueError, match="commonly used"):
        await seed.create_admin(rt.settings, email="x@example.edu", password="password123", full_name="x")
