"""Administrators' view of event delivery: backlog, consumer lag, dead letters and replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from lms.auth.dependencies import AdminUser
from lms.core.deps import RuntimeDep, SessionDep
from lms.core.pagination import Page, PageParams, page_params
from lms.events import service
from lms.events.schemas import Backlog, ConsumerLagRead, DeadLetterRead, ReplayResult

router = APIRouter(prefix="/admin/events", tags=["admin: events"])


@router.get("/backlog", response_model=Backlog)
async def get_backlog(rt: RuntimeDep, session: SessionDep, _admin: AdminUser) -> Backlog:
    """Outbox rows waiting for the relay, the age of the oldest, and rows that gave up."""
    return await service.backlog(rt, session)


@router.get("/consumers", response_model=list[ConsumerLagRead])
async def get_consumers(rt: RuntimeDep, session: SessionDep, _admin: AdminUser) -> list[ConsumerLagRead]:
    """Per consumer and event type: entries delivered but not acknowledged (``pending``) and not yet
    delivered (``lag``). With the in-process bus, ``lag`` is the unpublished outbox rows of the type."""
    return await service.consumer_lag(rt, session)


@router.get("/dead-letters", response_model=Page[DeadLetterRead])
async def list_dead_letters(
    rt: RuntimeDep, session: SessionDep, _admin: AdminUser, page: Annotated[PageParams, Depends(page_params)]
) -> Page[DeadLetterRead]:
    """Dead outbox rows and the broker's dead-letter entries."""
    items = await service.dead_letters(rt, session)
    return Page(
        items=items[page.offset : page.offset + page.page_size],
        total=len(items),
        page=page.page,
        page_size=page.page_size,
    )


@router.post("/dead-letters/{dead_letter_id}/replay", response_model=ReplayResult, status_code=202)
async def replay_dead_letter(
    rt: RuntimeDep,
    session: SessionDep,
    _admin: AdminUser,
    dead_letter_id: Annotated[str, Path(max_length=120)],
) -> ReplayResult:
    """Deliver a dead letter again (idempotent consumers skip what they already did)."""
    await service.replay(rt, session, dead_letter_id)
    return ReplayResult(id=dead_letter_id, replayed=True)
