"""Users: lookup, creation and the administrator's changes to role and account state."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import utcnow
from lms.core.errors import Conflict, ErrorCode, NotFound
from lms.core.pagination import PageParams
from lms.users.models import Role, User


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def get(session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def get_or_404(session: AsyncSession, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == normalize_email(email)))


async def create(
    session: AsyncSession,
    *,
    email: str,
    full_name: str,
    password_hash: str,
    role: Role = Role.STUDENT,
    verified: bool = False,
) -> User:
    user = User(
        email=normalize_email(email),
        full_name=full_name.strip(),
        password_hash=password_hash,
        role=role.value,
        is_active=True,
        email_verified_at=utcnow() if verified else None,
    )
    session.add(user)
    await session.flush()
    return user


async def search(
    session: AsyncSession, *, q: str | None, role: Role | None, is_active: bool | None, page: PageParams
) -> tuple[list[User], int]:
    stmt = select(User)
    if q:
        pattern = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                func.lower(User.email).like(pattern, escape="\\"), func.lower(User.full_name).like(pattern, escape="\\")
            )
        )
    if role is not None:
        stmt = stmt.where(User.role == role.value)
    if is_active is not None:
        stmt = stmt.where(User.is_active == is_active)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = await session.scalars(
        stmt.order_by(User.created_at.desc(), User.id.desc()).offset(page.offset).limit(page.page_size)
    )
    return list(rows), total


async def admin_update(
    session: AsyncSession,
    *,
    actor: User,
    user_id: str,
    role: Role | None,
    is_active: bool | None,
    full_name: str | None,
) -> User:
    """Change a user's role or state. Deactivation ends every session of that user at once."""
    user = await get_or_404(session, user_id)
    if user.id == actor.id and ((role is not None and role != Role.ADMIN) or is_active is False):
        raise Conflict("Administrators cannot demote or deactivate themselves.", code=ErrorCode.CONFLICT)
    if role is not None:
        user.role = role.value
        user.tokens_valid_after = utcnow()  # tokens carry the role: make clients fetch a fresh one
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            user.tokens_valid_after = utcnow()
    if full_name is not None:
        user.full_name = full_name.strip()
    await session.flush()
    return user


async def update_profile(
    session: AsyncSession, user: User, *, full_name: str | None = None, locale: str | None = None
) -> User:
    """Change the caller's own name and interface language (None keeps a field as it is)."""
    if full_name is not None:
        user.full_name = full_name.strip()
    if locale is not None:
        user.locale = locale
    await session.flush()
    return user
