"""Outbox backlog, consumer lag, dead letters (outbox and broker) and their replay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import utcnow
from lms.core.errors import NotFound
from lms.core.events import OutboxEvent, ProcessedEvent
from lms.core.runtime import Runtime
from lms.events.schemas import Backlog, ConsumerLagRead, DeadLetterRead

_PENDING = (OutboxEvent.published_at.is_(None), OutboxEvent.dead_at.is_(None))


async def backlog(rt: Runtime, session: AsyncSession) -> Backlog:
    now = utcnow()
    pending, oldest = (
        await session.execute(select(func.count(), func.min(OutboxEvent.occurred_at)).where(*_PENDING))
    ).one()
    dead = await session.scalar(select(func.count()).where(OutboxEvent.dead_at.is_not(None))) or 0
    recent = await session.scalar(select(func.count()).where(OutboxEvent.published_at >= now - timedelta(hours=1))) or 0
    if oldest is not None and oldest.tzinfo is None:  # func.min bypasses the column type on some drivers
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return Backlog(
        broker=rt.broker.name,
        pending=pending or 0,
        oldest_pending_age_seconds=(now - oldest).total_seconds() if oldest is not None else None,
        dead=dead,
        published_last_hour=recent,
    )


async def consumer_lag(rt: Runtime, session: AsyncSession) -> list[ConsumerLagRead]:
    """Broker lag where the broker knows it; with the in-process bus, the unpublished outbox rows."""
    if not rt.broker.dispatches_inline:
        return [ConsumerLagRead(**vars(lag)) for lag in await rt.broker.consumer_lag()]
    counts = dict(
        (
            await session.execute(select(OutboxEvent.type, func.count()).where(*_PENDING).group_by(OutboxEvent.type))
        ).all()
    )
    return [
        ConsumerLagRead(consumer=c.name, event_type=c.event_type, pending=None, lag=int(counts.get(c.event_type, 0)))
        for c in rt.bus.subscriptions()
    ]


async def dead_letters(rt: Runtime, session: AsyncSession, *, limit: int = 500) -> list[DeadLetterRead]:
    """Outbox rows that gave up, then the broker's dead-letter entries; newest first in each."""
    rows = await session.scalars(
        select(OutboxEvent).where(OutboxEvent.dead_at.is_not(None)).order_by(OutboxEvent.dead_at.desc()).limit(limit)
    )
    items = [
        DeadLetterRead(
            id=f"outbox:{r.id}",
            source="outbox",
            event_type=r.type,
            event_id=r.id,
            consumer=None,
            error=r.last_error or "",
            attempts=r.attempts,
            failed_at=r.dead_at,
            data=dict(r.data),
        )
        for r in rows
    ]
    items += [DeadLetterRead(source=rt.broker.name, **vars(d)) for d in await rt.broker.dead_letters(limit)]
    return items


async def replay(rt: Runtime, session: AsyncSession, dead_letter_id: str) -> None:
    """Deliver a dead letter again. Consumers that already processed the event skip it."""
    source, _, ident = dead_letter_id.partition(":")
    if source == "outbox" and ident:
        result = await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == ident, OutboxEvent.dead_at.is_not(None))
            .values(dead_at=None, attempts=0, available_at=utcnow(), claimed_until=None, published_at=None)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise NotFound("No such dead letter.")
        session.info["events_pending"] = True  # wake the relay after the commit
        return
    if source != rt.broker.name or source == "inprocess" or not await rt.broker.replay_dead_letter(dead_letter_id):
        raise NotFound("No such dead letter.")


async def cleanup(rt: Runtime) -> None:
    """Delete published outbox rows and processed-event records past their retention."""
    now = utcnow()
    s = rt.settings
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(
            delete(OutboxEvent).where(OutboxEvent.published_at < now - timedelta(days=s.outbox_retention_days))
        )
        await session.execute(
            delete(ProcessedEvent).where(
                ProcessedEvent.processed_at < now - timedelta(days=s.processed_events_retention_days)
            )
        )
