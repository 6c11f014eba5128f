"""Notification rules: create (and push), list, count unread, mark read. Only the owner sees a row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from lms.core.db import utcnow
from lms.core.errors import NotFound
from lms.core.pagination import PageParams
from lms.core.runtime import Runtime
from lms.notifications.models import Notification
from lms.notifications.realtime import hub_for
from lms.notifications.schemas import NotificationRead

_AFTER_COMMIT_KEY = "notifications_after_commit"


def _after_commit(session: AsyncSession, rt: Runtime, user_id: str, frame: dict[str, Any]) -> None:
    """Push the frame only once the change is committed (a rolled-back notification is never shown)."""
    pending: list[tuple[str, dict[str, Any]]] | None = session.info.get(_AFTER_COMMIT_KEY)
    if pending is None:
        pending = []
        session.info[_AFTER_COMMIT_KEY] = pending
        sync_session = session.sync_session

        def _committed(_s: Session) -> None:
            frames = session.info.pop(_AFTER_COMMIT_KEY, [])
            hub = hub_for(rt)
            for uid, f in frames:
                hub.publish_soon(uid, f)

        def _rolled_back(_s: Session) -> None:
            session.info.pop(_AFTER_COMMIT_KEY, None)

        sa_event.listen(sync_session, "after_commit", _committed, once=True)
        sa_event.listen(sync_session, "after_rollback", _rolled_back, once=True)
    pending.append((user_id, frame))


async def unread_count(session: AsyncSession, *, user_id: str) -> int:
    """How many of the user's notifications are unread."""
    stmt = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int((await session.execute(stmt)).scalar_one())


async def create(
    session: AsyncSession,
    rt: Runtime,
    *,
    user_id: str,
    kind: str,
    title: str,
    body: str = "",
    link: str | None = None,
    data: dict[str, Any] | None = None,
    event_id: str | None = None,
) -> Notification:
    """Store a notification and, after commit, push it to every open socket of the user."""
    row = Notification(
        user_id=user_id,
        kind=kind,
        title=title[:200],
        body=body,
        link=link[:500] if link else None,
        data=data or {},
        event_id=event_id,
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    frame = {
        "type": "notification",
        "notification": NotificationRead.model_validate(row).model_dump(mode="json"),
        "unread_count": await unread_count(session, user_id=user_id),
    }
    _after_commit(session, rt, user_id, frame)
    return row


async def list_for_user(
    session: AsyncSession, *, user_id: str, page: PageParams, unread_only: bool = False
) -> tuple[Sequence[Notification], int]:
    """The user's notifications, newest first."""
    where = [Notification.user_id == user_id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = int((await session.execute(select(func.count()).select_from(Notification).where(*where))).scalar_one())
    rows = (
        await session.scalars(
            select(Notification)
            .where(*where)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset(page.offset)
            .limit(page.page_size)
        )
    ).all()
    return rows, total


async def get_own_or_404(session: AsyncSession, *, user_id: str, notification_id: str) -> Notification:
    """The notification if it belongs to the user; anyone else's looks like a missing one."""
    row = await session.get(Notification, notification_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such notification.")
    return row


async def mark_read(session: AsyncSession, rt: Runtime, *, user_id: str, notification_id: str) -> Notification:
    """Mark one notification read (idempotent: the first read time is kept)."""
    row = await get_own_or_404(session, user_id=user_id, notification_id=notification_id)
    if row.read_at is None:
        row.read_at = utcnow()
        await session.flush()
        _push_count(session, rt, user_id, await unread_count(session, user_id=user_id))
    return row


async def mark_all_read(session: AsyncSession, rt: Runtime, *, user_id: str) -> int:
    """Mark every unread notification of the user read. Returns how many changed."""
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    changed = int(getattr(result, "rowcount", 0) or 0)
    if changed:
        _push_count(session, rt, user_id, 0)
    return changed


def _push_count(session: AsyncSession, rt: Runtime, user_id: str, count: int) -> None:
    # Other open tabs update their badge.
    _after_commit(session, rt, user_id, {"type": "unread_count", "unread_count": count})
