"""Redis Streams: one stream per event type, one consumer group per consumer name.

Layout (keys under the settings' ``redis_prefix``):
- ``events:<type>``: the stream of one event type, entries ``{"event": <JSON envelope>}``. Entries of one
  type are totally ordered, so events of one entity keep their order in every group.
- a consumer group per consumer name (``EventBus`` name) on each stream it subscribes to, created at
  ``$`` when the publisher or a worker first starts: a consumer added later starts from "now" and does
  not replay history (replay dead letters or the outbox instead).
- ``events:dead-letter``: entries a consumer gave up on, with the error, group and original stream.

Delivery: XREADGROUP of up to ``event_batch_size`` entries; the handler runs over them in one transaction
(idempotent through ``processed_events``) and they are XACKed, in one call, only after it commits. When a
handler fails the batch rolls back; the entries before the failing one commit again, the failing one is
retried alone in place with exponential backoff (keeping the group's order; XCLAIM JUSTID keeps the entry
fresh while it waits), then
dead-lettered (XADD to the dead-letter stream and XACK in one MULTI). Entries left pending by a dead
consumer are taken over by XAUTOCLAIM once idle longer than ``event_reclaim_idle_seconds``; an entry
delivered more than ``event_max_attempts`` times without an ack (a crash loop) goes to the dead letters.
Ordering holds per group while one consumer of the group is active; with several, entries of one
type are shared between them and handlers must not depend on cross-entry order (they are idempotent).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from lms.core.brokers.base import ConsumerLag, DeadLetter, run_with_retries
from lms.core.events import Consumer, Event, MalformedEvent, describe_error

if TYPE_CHECKING:
    from lms.core.runtime import Runtime

log = structlog.get_logger("lms.events.redis")


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisStreamsBroker:
    name = "redis"
    dispatches_inline = False

    def __init__(self, rt: Runtime, *, redis: Redis | None = None) -> None:
        client = redis or rt.redis
        if client is None:
            raise RuntimeError("LMS_EVENT_BROKER=redis needs LMS_REDIS_URL")
        self.rt = rt
        self.redis: Redis = client
        self.prefix = f"{rt.settings.redis_prefix}events:"
        self.dead_stream = f"{self.prefix}dead-letter"
        self.consumer_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._groups: set[tuple[str, str]] = set()

    def stream(self, event_type: str) -> str:
        return f"{self.prefix}{event_type}"

    async def ensure_groups(self) -> None:
        """Create the group of every subscription that does not exist yet (at ``$``: from now on)."""
        for c in self.rt.bus.subscriptions():
            pair = (self.stream(c.event_type), c.name)
            if pair in self._groups:
                continue
            try:
                await self.redis.xgroup_create(pair[0], pair[1], id="$", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
            self._groups.add(pair)

    async def publish(self, events: list[Event]) -> None:
        await self.ensure_groups()
        maxlen = self.rt.settings.redis_stream_maxlen or None
        pipe = self.redis.pipeline(transaction=False)
        for event in events:
            pipe.xadd(self.stream(event.type), {"event": event.encode()}, maxlen=maxlen, approximate=True)
        await pipe.execute()

    def stream_consumer(self, consumer: Consumer, *, name: str | None = None, **options: Any) -> StreamConsumer:
        return StreamConsumer(self, consumer, name=name or self.consumer_id, **options)

    async def consume(self, stop: asyncio.Event) -> None:
        await self.ensure_groups()
        tasks = [asyncio.create_task(self.stream_consumer(c).run(stop)) for c in self.rt.bus.subscriptions()]
        if not tasks:
            await stop.wait()
            return
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()

    async def consumer_lag(self) -> list[ConsumerLag]:
        out: list[ConsumerLag] = []
        for c in self.rt.bus.subscriptions():
            pending: int | None = None
            lag: int | None = None
            try:
                for group in await self.redis.xinfo_groups(self.stream(c.event_type)):
                    if _s(group.get("name")) == c.name:
                        pending = int(group.get("pending") or 0)
                        raw_lag = group.get("lag")
                        lag = None if raw_lag is None else int(raw_lag)
            except ResponseError:
                pass  # no stream yet: nothing published for this type
            out.append(ConsumerLag(c.name, c.event_type, pending, lag))
        return out

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        entries: Any = await self.redis.xrevrange(self.dead_stream, count=limit)
        return [self._dead_letter(_s(entry_id), fields) for entry_id, fields in entries or []]

    def _dead_letter(self, entry_id: str, fields: dict[Any, Any]) -> DeadLetter:
        f = {_s(k): _s(v) for k, v in fields.items()}
        event: Event | None = None
        with contextlib.suppress(MalformedEvent):
            event = Event.decode(f.get("event", ""))
        failed_at = f.get("failed_at")
        return DeadLetter(
            id=f"redis:{entry_id}",
            event_type=event.type if event else f.get("stream", "").removeprefix(self.prefix) or None,
            event_id=event.id if event else None,
            consumer=f.get("group"),
            error=f.get("error", ""),
            attempts=int(f.get("attempts", "0") or 0),
            failed_at=datetime.fromisoformat(failed_at) if failed_at else None,
            data=event.data if event else None,
        )

    async def replay_dead_letter(self, dead_letter_id: str) -> bool:
        """Re-publish the event on its stream (groups that already processed it skip it) and drop the letter."""
        entry_id = dead_letter_id.removeprefix("redis:")
        try:
            entries: Any = await self.redis.xrange(self.dead_stream, min=entry_id, max=entry_id, count=1)
        except ResponseError:
            return False  # not a stream id
        if not entries:
            return False
        fields = {_s(k): _s(v) for k, v in entries[0][1].items()}
        stream = fields.get("stream", "")
        if not stream.startswith(self.prefix) or "event" not in fields:
            return False
        pipe = self.redis.pipeline(transaction=True)
        pipe.xadd(stream, {"event": fields["event"]})
        pipe.xdel(self.dead_stream, entry_id)
        await pipe.execute()
        return True

    async def close(self) -> None:
        return None


class StreamConsumer:
    """One consumer group's reader on one stream, in this process."""

    def __init__(
        self,
        broker: RedisStreamsBroker,
        consumer: Consumer,
        *,
        name: str,
        batch_size: int | None = None,
        block_ms: int | None = None,
        min_idle_ms: int | None = None,
        reclaim_every: float | None = None,
        max_attempts: int | None = None,
        backoff_base: float | None = None,
        backoff_cap: float | None = None,
    ) -> None:
        s = broker.rt.settings
        self.broker, self.consumer, self.name = broker, consumer, name
        self.redis = broker.redis
        self.stream, self.group = broker.stream(consumer.event_type), consumer.name
        self.batch_size = batch_size or s.event_batch_size
        self.block_ms = block_ms if block_ms is not None else int(s.event_block_seconds * 1000)
        self.min_idle_ms = min_idle_ms if min_idle_ms is not None else int(s.event_reclaim_idle_seconds * 1000)
        self.reclaim_every = reclaim_every if reclaim_every is not None else s.event_reclaim_idle_seconds / 2
        self.max_attempts = max_attempts or s.event_max_attempts
        self.backoff_base = backoff_base if backoff_base is not None else s.event_backoff_base_seconds
        self.backoff_cap = backoff_cap if backoff_cap is not None else s.event_backoff_max_seconds

    async def run(self, stop: asyncio.Event) -> None:
        last_reclaim = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - last_reclaim >= self.reclaim_every:
                    last_reclaim = time.monotonic()
                    await self.reclaim(stop)
                entries = await self.read()
                if entries:
                    await self.handle_batch(entries, stop)  # False (stopping): the rest stays pending
            except asyncio.CancelledError:
                raise
            except ResponseError as exc:
                if "NOGROUP" in str(exc):
                    self.broker._groups.discard((self.stream, self.group))
                    await self.broker.ensure_groups()
                    continue
                log.exception("stream_consumer_error", stream=self.stream, group=self.group)
                await asyncio.sleep(1)
            except Exception:
                log.exception("stream_consumer_error", stream=self.stream, group=self.group)
                await asyncio.sleep(1)

    async def _refresh(self, entry_ids: list[Any]) -> set[str]:
        """Reset the idle time of entries we still own; return those we no longer own."""
        kept = await self.redis.xclaim(
            self.stream, self.group, self.name, self.min_idle_ms // 2, entry_ids, justid=True
        )
        owned = {_s(e) for e in kept or []}
        return {_s(e) for e in entry_ids} - owned

    async def read(self) -> list[tuple[Any, dict[Any, Any]]]:
        response: Any = await self.redis.xreadgroup(
            self.group, self.name, {self.stream: ">"}, count=self.batch_size, block=self.block_ms or None
        )
        return [entry for _stream, entries in response or [] for entry in entries]

    async def reclaim(self, stop: asyncio.Event) -> int:
        """Take over entries another consumer of the group read but did not acknowledge in time."""
        start: Any = "0-0"
        taken = 0
        while not stop.is_set():
            next_start, entries, *_ = await self.redis.xautoclaim(
                self.stream, self.group, self.name, self.min_idle_ms, start_id=start, count=self.batch_size
            )
            for entry_id, fields in entries:
                taken += 1
                if fields is None:
                    await self.redis.xack(self.stream, self.group, entry_id)
                    continue
                delivered = await self._times_delivered(entry_id)
                if delivered > self.max_attempts:
                    error = f"delivered {delivered} times without acknowledgement (consumer crashed?)"
                    await self.dead_letter(entry_id, fields, error, delivered)
                    continue
                if not await self.handle(entry_id, fields, stop):
                    return taken
            if _s(next_start) == "0-0":
                break
            start = next_start
        if taken:
            log.info("stream_entries_reclaimed", stream=self.stream, group=self.group, count=taken)
        return taken

    async def _times_delivered(self, entry_id: Any) -> int:
        rows = await self.redis.xpending_range(self.stream, self.group, min=entry_id, max=entry_id, count=1)
        return int(rows[0]["times_delivered"]) if rows else 1

    async def handle_batch(self, entries: list[tuple[Any, dict[Any, Any]]], stop: asyncio.Event) -> bool:
        """Process entries read together: one transaction and one XACK for the lot while all goes well.

        The XACK follows the commit, so a crash in between leaves the entries pending: they are
        reclaimed and redelivered, and ``processed_events`` makes the redelivery change nothing. When a
        handler fails, the batch rolls back and the entries go one at a time from there (``handle``,
        with its retries and dead letters), in order. False when stopping left entries unacknowledged.
        """
        kept: list[tuple[Any, dict[Any, Any]]] = []
        events: list[Event] = []
        malformed: list[tuple[Any, dict[Any, Any], str]] = []
        for entry_id, fields in entries:
            raw = fields.get(b"event", fields.get("event"))
            try:
                if raw is None:
                    raise MalformedEvent("stream entry has no 'event' field")
                events.append(Event.decode(raw))
            except MalformedEvent as exc:
                malformed.append((entry_id, fields, describe_error(exc)))
                continue
            kept.append((entry_id, fields))
        read_at = time.monotonic()
        lost: set[str] = set()

        async def committed(lo: int, hi: int) -> None:
            await self.ack(*(entry_id for entry_id, _ in kept[lo:hi]))

        async def one(i: int, error: BaseException | None) -> bool:
            nonlocal read_at, lost
            if time.monotonic() - read_at > self.min_idle_ms / 2000:
                # A slow batch: keep the rest ours, or drop what another consumer took over.
                lost = await self._refresh([entry_id for entry_id, _ in kept[i:]])
                read_at = time.monotonic()
            entry_id, fields = kept[i]
            if _s(entry_id) in lost:
                return True
            return await self.handle(entry_id, fields, stop, failed_once=error)

        finished = await self.broker.rt.bus.run_many(
            self.broker.rt, self.consumer, events, committed=committed, one=one
        )
        for entry_id, fields, error in malformed:  # never retried: dead at once
            await self.dead_letter(entry_id, fields, error, 0)
        return finished

    async def handle(
        self, entry_id: Any, fields: dict[Any, Any], stop: asyncio.Event, *, failed_once: BaseException | None = None
    ) -> bool:
        """Process one entry. False when stopping left it unacknowledged."""
        raw = fields.get(b"event", fields.get("event"))
        try:
            if raw is None:
                raise MalformedEvent("stream entry has no 'event' field")
            event = Event.decode(raw)
        except MalformedEvent as exc:
            await self.dead_letter(entry_id, fields, describe_error(exc), 0)
            return True

        async def keep_fresh() -> None:
            # Reset the idle time while we back off, so nobody reclaims an entry we still own.
            await self.redis.xclaim(self.stream, self.group, self.name, 0, [entry_id], justid=True)

        outcome, error, attempts = await run_with_retries(
            self.broker.rt,
            self.consumer,
            event,
            stop=stop,
            max_attempts=self.max_attempts,
            backoff_base=self.backoff_base,
            backoff_cap=self.backoff_cap,
            before_retry=keep_fresh,
            failed_once=failed_once,
        )
        if outcome == "stopped":
            return False
        if outcome == "dead":
            await self.dead_letter(entry_id, fields, error or "", attempts)
            return True
        await self.ack(entry_id)
        return True

    async def ack(self, *entry_ids: Any) -> None:
        if entry_ids:
            await self.redis.xack(self.stream, self.group, *entry_ids)

    async def dead_letter(self, entry_id: Any, fields: dict[Any, Any], error: str, attempts: int) -> None:
        raw = fields.get(b"event", fields.get("event")) or b""
        log.error("event_dead_lettered", stream=self.stream, group=self.group, entry=_s(entry_id), error=error)
        pipe = self.redis.pipeline(transaction=True)
        pipe.xadd(
            self.broker.dead_stream,
            {
                "event": raw,
                "stream": self.stream,
                "group": self.group,
                "entry_id": _s(entry_id),
                "error": error[:4000],
                "attempts": attempts,
                "failed_at": datetime.now(UTC).isoformat(),
            },
        )
        pipe.xack(self.stream, self.group, entry_id)
        await pipe.execute()
