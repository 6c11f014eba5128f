"""HTTP face of the notification centre: list, unread count, mark read, mark all read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from lms.auth.dependencies import CurrentUser
from lms.core.deps import RuntimeDep, SessionDep
from lms.core.pagination import Page, PageParams, page_params
from lms.notifications import service
from lms.notifications.schemas import NotificationRead, ReadAllResult, UnreadCount

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=Page[NotificationRead])
async def list_notifications(
    session: SessionDep,
    user: CurrentUser,
    page: Annotated[PageParams, Depends(page_params)],
    unread: Annotated[bool, Query(description="Only unread notifications")] = False,
) -> Page[NotificationRead]:
    """The caller's notifications, newest first."""
    rows, total = await service.list_for_user(session, user_id=user.id, page=page, unread_only=unread)
    return Page(
        items=[NotificationRead.model_validate(r) for r in rows], total=total, page=page.page, page_size=page.page_size
    )


@router.get("/unread-count", response_model=UnreadCount)
async def unread_count(session: SessionDep, user: CurrentUser) -> UnreadCount:
    return UnreadCount(unread_count=await service.unread_count(session, user_id=user.id))


@router.post("/read-all", response_model=ReadAllResult)
async def read_all(session: SessionDep, rt: RuntimeDep, user: CurrentUser) -> ReadAllResult:
    """Mark every unread notification of the caller read."""
    changed = await service.mark_all_read(session, rt, user_id=user.id)
    return ReadAllResult(marked_read=changed, unread_count=await service.unread_count(session, user_id=user.id))


@router.post("/{notification_id}/read", response_model=NotificationRead)
async def read_one(notification_id: str, session: SessionDep, rt: RuntimeDep, user: CurrentUser) -> NotificationRead:
    """Mark one of the caller's notifications read; someone else's is a 404."""
    row = await service.mark_read(session, rt, user_id=user.id, notification_id=notification_id)
    return NotificationRead.model_validate(row)
