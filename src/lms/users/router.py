"""HTTP face of users: the caller's profile and the administrator's user management."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from lms.auth.dependencies import AdminUser, CurrentUser
from lms.core.deps import SessionDep
from lms.core.pagination import Page, PageParams, page_params
from lms.users import service
from lms.users.models import Role
from lms.users.schemas import AdminUserUpdate, ProfileUpdate, UserRead

router = APIRouter(tags=["users"])


@router.patch("/users/me", response_model=UserRead)
async def update_profile(body: ProfileUpdate, session: SessionDep, user: CurrentUser) -> UserRead:
    updated = await service.update_profile(session, user, full_name=body.full_name, locale=body.locale)
    return UserRead.model_validate(updated)


@router.get("/admin/users", response_model=Page[UserRead])
async def list_users(
    session: SessionDep,
    _admin: AdminUser,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=200, description="Search in email and name")] = None,
    role: Role | None = None,
    is_active: bool | None = None,
) -> Page[UserRead]:
    users, total = await service.search(session, q=q, role=role, is_active=is_active, page=page)
    return Page(
        items=[UserRead.model_validate(u) for u in users], total=total, page=page.page, page_size=page.page_size
    )


@router.get("/admin/users/{user_id}", response_model=UserRead)
async def get_user(user_id: str, session: SessionDep, _admin: AdminUser) -> UserRead:
    return UserRead.model_validate(await service.get_or_404(session, user_id))


@router.patch("/admin/users/{user_id}", response_model=UserRead)
async def update_user(user_id: str, body: AdminUserUpdate, session: SessionDep, admin: AdminUser) -> UserRead:
    """Change role, name or active state. A deactivated user cannot sign in or refresh."""
    user = await service.admin_update(
        session, actor=admin, user_id=user_id, role=body.role, is_active=body.is_active, full_name=body.full_name
    )
    return UserRead.model_validate(user)
