"""Demo data for `make run` and the first administrator."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from lms import demo_catalog
from lms.config import Settings
from lms.core.passwords import hash_password, password_problem
from lms.core.runtime import build_runtime
from lms.payments import demo as payments_demo
from lms.quizzes import demo as quizzes_demo
from lms.users import service as users_service
from lms.users.models import Role

DEMO_ACCOUNTS = [
    (Role.ADMIN, "admin@demo.jntugv.edu.in", "Admin@Demo2026", "Dr. Lakshmi Prasanna (Admin)"),
    (Role.INSTRUCTOR, "instructor@demo.jntugv.edu.in", "Teach@Demo2026", "Prof. Ravi Kumar Varma"),
    (Role.STUDENT, "student@demo.jntugv.edu.in", "Learn@Demo2026", "Sai Priya Reddy"),
]


async def create_admin(settings: Settings, *, email: str, password: str, full_name: str) -> bool:
    """Create an administrator, or promote the existing account. Returns True when created."""
    problem = password_problem(password, email=email, full_name=full_name)
    if problem:
        raise ValueError(problem)
    rt = build_runtime(settings)
    try:
        async with rt.sessionmaker() as session, session.begin():
            existing = await users_service.get_by_email(session, email)
            if existing is not None:
                existing.role = Role.ADMIN.value
                existing.is_active = True
                existing.password_hash = await hash_password(password, settings.bcrypt_rounds)
                return False
            await users_service.create(
                session,
                email=email,
                full_name=full_name,
                role=Role.ADMIN,
                password_hash=await hash_password(password, settings.bcrypt_rounds),
                verified=True,
            )
            return True
    finally:
        await rt.close()


async def seed_demo(settings: Settings, *, progress: Console | None = None) -> list[tuple[str, str, str]]:
    """Create the demo accounts on first run. Returns (role, email, password) rows to print."""
    rt = build_runtime(settings)
    try:
        async with rt.sessionmaker() as session, session.begin():
            for role, email, password, name in DEMO_ACCOUNTS:
                if await users_service.get_by_email(session, email) is None:
                    await users_service.create(
                        session,
                        email=email,
                        full_name=name,
                        role=role,
                        verified=True,
                        password_hash=await hash_password(password, settings.bcrypt_rounds),
                    )
            await seed_demo_content(session, settings, progress)
    finally:
        await rt.close()
    return [(role.value, email, password) for role, email, password, _ in DEMO_ACCOUNTS]


async def seed_demo_content(session: AsyncSession, settings: Settings, progress: Console | None) -> None:
    """The domains' demo content (catalog, quizzes, payments); each part adds nothing on a second run."""
    if (
        await demo_catalog.seed_catalog(
            session, settings, instructor_email=DEMO_ACCOUNTS[1][1], student_email=DEMO_ACCOUNTS[2][1]
        )
        and progress is not None
    ):
        progress.print("Loaded the demo catalog.")
    # Payments last: it only adds a paid course when the catalog has none, and a demo coupon.
    await payments_demo.seed_demo(session, instructor_email=DEMO_ACCOUNTS[1][1], admin_email=DEMO_ACCOUNTS[0][1])
    if (
        await quizzes_demo.seed_demo_quiz(session, settings, instructor_email=DEMO_ACCOUNTS[1][1])
        and progress is not None
    ):
        progress.print("Added the demo quiz.")
