"""Transactional outbox, the in-process event bus and the relay between them.

A domain calls ``publish(session, ...)`` inside its unit of work, so the event row commits or rolls
back with the change that caused it. The relay reads committed rows and hands each to every consumer
subscribed to its type. Delivery is at least once; each consumer records the events it has processed
(``processed_events``) in the same transaction as its effect, so a redelivery changes nothing.
"""

from __future__ import annotations

import asyncio
import json
import traceback
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import JSON, Index, Integer, String, Text, insert, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, UTCDateTime, utcnow
from lms.core.ids import new_id

if TYPE_CHECKING:
    from lms.core.runtime import Runtime

log = structlog.get_logger("lms.events")
MAX_ATTEMPTS = 8


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "published_at", "available_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(100), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    consumer: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    occurred_at: datetime
    version: int
    actor_id: str | None
    data: dict[str, Any]

    key: str | None = None

    def envelope(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "occurred_at": self.occurred_at.isoformat(),
            "version": self.version,
            "actor_id": self.actor_id,
            "key": self.key,
            "data": self.data,
        }

    def encode(self) -> bytes:
        """The wire form every broker carries: the JSON envelope, UTF-8."""
        return json.dumps(self.envelope(), separators=(",", ":"), ensure_ascii=False, default=str).encode()

    @classmethod
    def decode(cls, raw: bytes | str) -> Event:
        """Parse a wire envelope. Anything malformed raises ``MalformedEvent`` (never retried)."""
        try:
            env = json.loads(raw)
            if not isinstance(env, dict) or not isinstance(env.get("data"), dict):
                raise ValueError("envelope must be an object with an object 'data'")
            event_id, event_type = env["id"], env["type"]
            if not isinstance(event_id, str) or not isinstance(event_type, str) or not event_id or not event_type:
                raise ValueError("'id' and 'type' must be non-empty strings")
            occurred = datetime.fromisoformat(env["occurred_at"])
            if occurred.tzinfo is None:
                raise ValueError("'occurred_at' must carry a time zone")
            version = env.get("version", 1)
            if not isinstance(version, int) or isinstance(version, bool):
                raise ValueError("'version' must be an integer")
            actor, key = env.get("actor_id"), env.get("key")
            return cls(
                id=event_id,
                type=event_type,
                occurred_at=occurred,
                version=version,
                actor_id=actor if isinstance(actor, str) else None,
                data=env["data"],
                key=key if isinstance(key, str) else None,
            )
        except MalformedEvent:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedEvent(f"malformed event envelope: {exc}") from exc


class MalformedEvent(Exception):
    """A permanent failure: retrying cannot help, so brokers dead-letter it at once."""


def after_commit(session: AsyncSession, action: Callable[[], Awaitable[None]]) -> None:
    """Run ``action`` once the consumer's transaction has committed (e.g. hand a queued email to SMTP).

    Only consumers run through ``EventBus.run`` honour it; a failing action is logged, never retried
    here (the action keeps its own state, e.g. the email's status row).
    """
    session.info.setdefault("after_commit_actions", []).append(action)


def publish(
    session: AsyncSession,
    type: str,
    data: dict[str, Any],
    *,
    actor_id: str | None = None,
    key: str | None = None,
    version: int = 1,
) -> OutboxEvent:
    """Record an event in the caller's transaction. It is delivered only if that transaction commits."""
    row = OutboxEvent(
        id=new_id(),
        type=type,
        version=version,
        actor_id=actor_id,
        key=key,
        data=data,
        occurred_at=utcnow(),
        available_at=utcnow(),
    )
    session.add(row)
    session.info["events_pending"] = True
    return row


Handler = Callable[["Runtime", AsyncSession, Event], Awaitable[None]]


@dataclass(frozen=True)
class Consumer:
    name: str
    event_type: str
    handler: Handler


class EventBus:
    """Which consumers react to which event types. Dispatch runs each in its own transaction."""

    def __init__(self) -> None:
        self.consumers: dict[str, list[Consumer]] = defaultdict(list)

    def subscribe(self, event_type: str, name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.consumers[event_type].append(Consumer(name, event_type, handler))
            return handler

        return register

    def subscriptions(self) -> list[Consumer]:
        return [c for consumers in self.consumers.values() for c in consumers]

    def consumer_names(self) -> dict[str, list[str]]:
        """Consumer name -> the event types it subscribes to."""
        names: dict[str, list[str]] = defaultdict(list)
        for c in self.subscriptions():
            names[c.name].append(c.event_type)
        return dict(names)

    async def run(self, rt: Runtime, consumer: Consumer, event: Event) -> bool:
        """Run one consumer on one event in its own transaction, at most once in effect.

        Returns False when the consumer had already processed the event. Raises what the handler raises
        (the transaction is then rolled back and nothing is recorded). A transaction the database rolled
        back as a deadlock's victim runs again at once, up to ``CONFLICT_ATTEMPTS`` in all: consumers
        running side by side upsert the same rows (the analytics day totals), and InnoDB resolves such a
        race by failing one of them.
        """
        for attempt in range(1, CONFLICT_ATTEMPTS):
            try:
                return await self._run_once(rt, consumer, event)
            except Exception as exc:
                if not is_lock_conflict(exc):
                    raise
                log.info("consumer_lock_conflict_retried", consumer=consumer.name, event_id=event.id, attempt=attempt)
        return await self._run_once(rt, consumer, event)

    async def _run_once(self, rt: Runtime, consumer: Consumer, event: Event) -> bool:
        async with rt.sessionmaker() as session:
            async with session.begin():
                try:
                    await session.execute(insert(ProcessedEvent).values(consumer=consumer.name, event_id=event.id))
                except IntegrityError:
                    await session.rollback()
                    return False  # already processed: a redelivery changes nothing
                await consumer.handler(rt, session, event)
            actions: list[Callable[[], Awaitable[None]]] = session.info.pop("after_commit_actions", [])
        await _run_actions(actions, consumer)
        return True

    async def run_batch(self, rt: Runtime, consumer: Consumer, events: Sequence[Event]) -> int:
        """Run one consumer on several events, in order, in ONE transaction; returns how many ran.

        The same guarantee as ``run`` for each event (its ``processed_events`` row commits with its
        effects; one already recorded is skipped) at a fraction of the round trips: one lookup and one
        multi-row insert of the records, one commit. All or nothing: when the handler raises on
        ``events[i]`` everything is rolled back and ``BatchFailed(i)`` is raised; a failure that belongs
        to no single event (the commit, or a concurrent consumer recording the same event) raises
        ``BatchFailed(None)``. ``run_many`` turns that into per-event retries.
        """
        index: int | None = None
        try:
            async with rt.sessionmaker() as session:
                async with session.begin():
                    ids = list(dict.fromkeys(e.id for e in events))
                    done = set(
                        await session.scalars(
                            select(ProcessedEvent.event_id).where(
                                ProcessedEvent.consumer == consumer.name, ProcessedEvent.event_id.in_(ids)
                            )
                        )
                    )
                    todo = [i for i in ids if i not in done]
                    if todo:
                        # Taken first: a concurrent consumer with the same event waits here, then fails.
                        now = utcnow()
                        await session.execute(
                            insert(ProcessedEvent),
                            [{"consumer": consumer.name, "event_id": i, "processed_at": now} for i in todo],
                        )
                    ran = 0
                    for i, event in enumerate(events):
                        if event.id in done:
                            continue  # already processed (or a duplicate within this batch)
                        done.add(event.id)
                        index = i
                        await consumer.handler(rt, session, event)
                        ran += 1
                    index = None
                actions: list[Callable[[], Awaitable[None]]] = session.info.pop("after_commit_actions", [])
        except Exception as exc:
            raise BatchFailed(index, exc) from exc
        await _run_actions(actions, consumer)
        return ran

    async def run_many(
        self,
        rt: Runtime,
        consumer: Consumer,
        events: Sequence[Event],
        *,
        committed: Callable[[int, int], Awaitable[None]],
        one: Callable[[int, BaseException | None], Awaitable[bool]],
    ) -> bool:
        """Run ``consumer`` over ``events`` in batches, falling back to one event at a time on failure.

        ``committed(lo, hi)``: ``events[lo:hi]`` are processed (committed). ``one(i, error)``: the caller
        takes ``events[i]`` alone, with its own retries and dead letters; ``error`` is the handler's
        failure on it in a batch (that attempt counts), or None when the failure was nobody's in
        particular. ``one`` returns False to stop (the process is stopping); so does ``run_many``.
        Order is kept: nothing after a failing event commits before that event is settled.
        """
        lo = 0
        while lo < len(events):
            try:
                await self.run_batch(rt, consumer, events[lo:])
            except BatchFailed as failed:
                if failed.index is None:
                    log.info("batch_fell_back", consumer=consumer.name, error=repr(failed.cause))
                    for i in range(lo, len(events)):
                        if not await one(i, None):
                            return False
                    return True
                bad = lo + failed.index
                if bad > lo:  # the events before the failing one did not fail: commit them again
                    try:
                        await self.run_batch(rt, consumer, events[lo:bad])
                        await committed(lo, bad)
                    except BatchFailed:
                        for i in range(lo, bad):
                            if not await one(i, None):
                                return False
                # A deadlock's victim is not the event's fault: it is run alone as if not yet attempted.
                if not await one(bad, None if is_lock_conflict(failed.cause) else failed.cause):
                    return False
                lo = bad + 1
                continue
            await committed(lo, len(events))
            return True
        return True

    async def dispatch(self, rt: Runtime, event: Event) -> list[str]:
        """Run every consumer of this event that has not yet processed it. Returns the errors."""
        errors: list[str] = []
        for consumer in self.consumers.get(event.type, []):
            try:
                await self.run(rt, consumer, event)
            except Exception as exc:
                self._failed(rt, consumer, event, exc)
                errors.append(f"{consumer.name}: {describe_error(exc)}")
        return errors

    async def dispatch_batch(self, rt: Runtime, events: Sequence[Event]) -> dict[str, list[str]]:
        """``dispatch`` for many events: each consumer takes its events in order, in batches, and the
        consumers run concurrently (each in its own transactions). Returns the errors per event id."""
        errors: dict[str, list[str]] = defaultdict(list)
        by_consumer: dict[tuple[str, str], tuple[Consumer, list[Event]]] = {}
        for event in events:
            for consumer in self.consumers.get(event.type, []):
                by_consumer.setdefault((consumer.name, consumer.event_type), (consumer, []))[1].append(event)

        async def consume(consumer: Consumer, mine: list[Event]) -> None:
            async def committed(lo: int, hi: int) -> None:
                return None

            async def one(i: int, error: BaseException | None) -> bool:
                event = mine[i]
                if error is None:  # not attempted alone yet
                    try:
                        await self.run(rt, consumer, event)
                        return True
                    except Exception as exc:
                        error = exc
                # The relay retries the whole event later (consumers that succeeded skip it).
                self._failed(rt, consumer, event, error)
                errors[event.id].append(f"{consumer.name}: {describe_error(error)}")
                return True

            await self.run_many(rt, consumer, mine, committed=committed, one=one)

        await asyncio.gather(*(consume(c, mine) for c, mine in by_consumer.values()))
        return errors

    @staticmethod
    def _failed(rt: Runtime, consumer: Consumer, event: Event, exc: BaseException) -> None:
        rt.metrics.handler_failures.labels(consumer.name).inc()
        log.warning(
            "consumer_failed", consumer=consumer.name, event_id=event.id, event_type=event.type, error=repr(exc)
        )


class BatchFailed(Exception):
    """``EventBus.run_batch`` rolled back; ``index`` is the event whose handler failed (None: no single one)."""

    def __init__(self, index: int | None, cause: BaseException) -> None:
        super().__init__(f"batch failed at {index}: {cause!r}")
        self.index, self.cause = index, cause


async def _run_actions(actions: list[Callable[[], Awaitable[None]]], consumer: Consumer) -> None:
    for action in actions:
        try:
            await action()
        except Exception:
            log.exception("after_commit_action_failed", consumer=consumer.name)


def describe_error(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(exc)).strip()


# MariaDB/MySQL: deadlock, lock wait timeout. PostgreSQL (SQLSTATE): deadlock detected, serialization failure.
_CONFLICT_ERRNOS = (1213, 1205)
_CONFLICT_SQLSTATES = ("40P01", "40001")
CONFLICT_ATTEMPTS = 3


def is_lock_conflict(exc: BaseException) -> bool:
    """The database chose this transaction as a deadlock's victim (or it waited too long for a lock) and
    rolled it back; running it again is the remedy both databases document."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _CONFLICT_SQLSTATES or getattr(orig, "pgcode", None) in _CONFLICT_SQLSTATES:
        return True
    args: tuple[Any, ...] = getattr(orig, "args", ())
    return bool(args) and args[0] in _CONFLICT_ERRNOS


class OutboxRelay:
    """Moves committed outbox rows to the bus. Rows are leased, so several relays never share a row."""

    def __init__(self, rt: Runtime, *, batch_size: int = 100, lease_seconds: int = 60) -> None:
        self.rt = rt
        self.batch_size = batch_size
        self.lease = timedelta(seconds=lease_seconds)
        self._wake = asyncio.Event()
        self._drain_lock = asyncio.Lock()

    def wake(self) -> None:
        self._wake.set()

    async def _claim(self, sessionmaker: async_sessionmaker[AsyncSession]) -> list[Event]:
        now = utcnow()
        async with sessionmaker() as session, session.begin():
            ids = list(
                (
                    await session.scalars(
                        select(OutboxEvent.id)
                        .where(
                            OutboxEvent.published_at.is_(None),
                            OutboxEvent.dead_at.is_(None),
                            OutboxEvent.available_at <= now,
                            or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
                        )
                        # Commit order of the producer: ids are time-ordered only to the millisecond.
                        .order_by(OutboxEvent.occurred_at, OutboxEvent.id)
                        .limit(self.batch_size)
                    )
                ).all()
            )
            if not ids:
                return []
            # One conditional UPDATE is the lease: a row already leased by another relay does not match,
            # and the exact lease end we wrote tells our rows apart from theirs.
            until = now + self.lease
            await session.execute(
                update(OutboxEvent)
                .where(
                    OutboxEvent.id.in_(ids),
                    or_(OutboxEvent.claimed_until.is_(None), OutboxEvent.claimed_until < now),
                )
                .values(claimed_until=until)
            )
            rows = await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.id.in_(ids), OutboxEvent.claimed_until == until)
                .order_by(OutboxEvent.occurred_at, OutboxEvent.id)
            )
            return [Event(r.id, r.type, r.occurred_at, r.version, r.actor_id, dict(r.data), r.key) for r in rows]

    async def drain(self) -> int:
        """Deliver everything that is due now. Returns how many events were handled.

        With the in-process broker "deliver" means running the consumers here; with Redis Streams or
        Kafka it means publishing to the broker (consumers run wherever ``lms worker`` runs).
        """
        handled = 0
        broker = self.rt.broker
        async with self._drain_lock:
            while True:
                batch = await self._claim(self.rt.sessionmaker)
                if not batch:
                    return handled
                if broker.dispatches_inline:
                    errors = await self.rt.bus.dispatch_batch(self.rt, batch)
                    for event in batch:
                        if errors.get(event.id):
                            await self._settle(event, errors[event.id])
                    delivered = [e for e in batch if not errors.get(e.id)]
                    if delivered:  # one UPDATE for the batch instead of one transaction per event
                        await self._mark_published(delivered)
                    handled += len(batch)
                    continue
                try:
                    await broker.publish(batch)
                except Exception as exc:
                    log.warning("broker_publish_failed", error=repr(exc), events=len(batch))
                    for event in batch:
                        await self._settle(event, [f"publish: {describe_error(exc)}"])
                    return handled
                await self._mark_published(batch)
                handled += len(batch)

    async def _mark_published(self, batch: list[Event]) -> None:
        now = utcnow()
        async with self.rt.sessionmaker() as session, session.begin():
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_([e.id for e in batch]))
                .values(published_at=now, claimed_until=None, last_error=None)
            )
        for event in batch:
            self.rt.metrics.events_published.labels(event.type).inc()

    async def _settle(self, event: Event, errors: list[str]) -> None:
        async with self.rt.sessionmaker() as session, session.begin():
            row = await session.get(OutboxEvent, event.id)
            if row is None:
                return
            row.claimed_until = None
            if not errors:
                row.published_at = utcnow()
                row.last_error = None
                self.rt.metrics.events_published.labels(event.type).inc()
                return
            row.attempts += 1
            row.last_error = "\n".join(errors)[:4000]
            # A malformed event cannot succeed later: dead at once instead of MAX_ATTEMPTS retries.
            if row.attempts >= MAX_ATTEMPTS or any("MalformedEvent:" in e for e in errors):
                row.dead_at = utcnow()
                log.error("event_dead", event_id=event.id, event_type=event.type, error=row.last_error)
            else:
                row.available_at = utcnow() + timedelta(seconds=min(300, 2**row.attempts))

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.drain()
            except Exception:
                log.exception("relay_error")
            self._wake.clear()
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {waiter, stopper}, timeout=self.rt.settings.relay_poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            waiter.cancel()
            stopper.cancel()
