"""The Redis Streams path against a real Redis: reclaim after a consumer dies, dead letters, replay."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms import worker
from lms.core.brokers.redis_streams import RedisStreamsBroker, StreamConsumer
from lms.core.events import Consumer, Event, ProcessedEvent, publish
from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.factories import signed_in


@pytest.fixture
def settings_overrides(redis_url: str) -> dict[str, Any]:
    return {
        "redis_url": redis_url,
        "event_broker": "redis",
        "event_backoff_base_seconds": 0.01,
        "event_max_attempts": 3,
        "event_block_seconds": 0.05,
    }


async def wait_for(check: Callable[[], Awaitable[bool]], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


async def publish_events(rt: Runtime, event_type: str, payloads: list[dict[str, Any]]) -> list[str]:
    async with rt.sessionmaker() as session, session.begin():
        ids = [publish(session, event_type, p, key=str(p.get("n", 0) % 3)).id for p in payloads]
    assert await rt.relay.drain() == len(payloads)  # the relay publishes to the streams
    return ids


def consumer_of(rt: Runtime, event_type: str, name: str) -> Consumer:
    return next(c for c in rt.bus.consumers[event_type] if c.name == name)


async def processed(rt: Runtime, name: str) -> int:
    async with rt.sessionmaker() as session:
        return await session.scalar(select(func.count()).where(ProcessedEvent.consumer == name)) or 0


async def test_entries_of_a_killed_consumer_are_reclaimed_and_processed_once(rt: Runtime) -> None:
    broker = rt.broker
    assert isinstance(broker, RedisStreamsBroker)
    effects: collections.Counter[str] = collections.Counter()
    stuck = asyncio.Event()
    a_alive = True

    async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
        if a_alive and event.data["n"] == 3:
            stuck.set()
            await asyncio.Event().wait()  # consumer A hangs here until it is killed
        effects[event.id] += 1

    rt.bus.subscribe("test.work", "test.worker")(handler)
    ids = await publish_events(rt, "test.work", [{"n": n} for n in range(20)])
    consumer = consumer_of(rt, "test.work", "test.worker")
    options: dict[str, Any] = {"batch_size": 50, "min_idle_ms": 300, "reclaim_every": 0.05, "block_ms": 50}
    a: StreamConsumer = broker.stream_consumer(consumer, name="A", **options)
    real_ack = a.ack

    async def ack_but_crash_on_one(entry_id: Any) -> None:
        fields = await rt.redis.xrange(a.stream, min=entry_id, max=entry_id)  # type: ignore[union-attr]
        if Event.decode(fields[0][1][b"event"]).data["n"] == 1:
            return  # committed, then "crashed" before XACK: the entry stays pending
        await real_ack(entry_id)

    a.ack = ack_but_crash_on_one  # type: ignore[method-assign]
    stop = asyncio.Event()
    task_a = asyncio.create_task(a.run(stop))
    await asyncio.wait_for(stuck.wait(), 10)
    task_a.cancel()  # killed mid-batch: it read all 20, acknowledged 2
    with pytest.raises(asyncio.CancelledError):
        await task_a
    a_alive = False
    pending = await rt.redis.xpending(a.stream, a.group)  # type: ignore[union-attr]
    assert pending["pending"] == 18

    b = broker.stream_consumer(consumer, name="B", **options)
    task_b = asyncio.create_task(b.run(stop))

    async def all_acked() -> bool:
        info = await rt.redis.xpending(a.stream, a.group)  # type: ignore[union-attr]
        return int(info["pending"]) == 0

    await wait_for(all_acked)
    stop.set()
    await task_b
    assert set(effects) == set(ids)
    assert all(count == 1 for count in effects.values())  # event 1 was redelivered, changed nothing
    assert await processed(rt, "test.worker") == 20


async def test_poison_message_is_dead_lettered_and_replays(rt: Runtime, client: httpx.AsyncClient) -> None:
    broker = rt.broker
    assert isinstance(broker, RedisStreamsBroker)
    handled: list[int] = []
    broken = True

    async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
        if broken and event.data["n"] == 1:
            raise RuntimeError("cannot handle n=1")
        handled.append(event.data["n"])

    rt.bus.subscribe("test.poison", "test.poison_consumer")(handler)
    ids = await publish_events(rt, "test.poison", [{"n": 0}, {"n": 1}, {"n": 2}])
    consumer = consumer_of(rt, "test.poison", "test.poison_consumer")
    sc = broker.stream_consumer(consumer, name="only", block_ms=50, reclaim_every=60)
    # a malformed entry straight on the stream: dead-lettered at once, never retried
    await rt.redis.xadd(sc.stream, {"event": b"{not json"})  # type: ignore[union-attr]
    stop = asyncio.Event()
    task = asyncio.create_task(sc.run(stop))

    async def two_dead() -> bool:
        return int(await rt.redis.xlen(broker.dead_stream)) == 2  # type: ignore[union-attr]

    await wait_for(two_dead)
    assert sorted(handled) == [0, 2]  # the poison did not block the others for good
    letters = {d.event_id: d for d in await broker.dead_letters(10)}
    poison = letters[ids[1]]
    assert poison.attempts == 3 and "cannot handle n=1" in poison.error
    assert poison.consumer == "test.poison_consumer"
    malformed = letters[None]
    assert malformed.attempts == 0 and "malformed" in malformed.error

    admin = await signed_in(rt, client, role=Role.ADMIN)
    listed = await client.get("/api/v1/admin/events/dead-letters", headers=admin.headers)
    assert listed.status_code == 200, listed.text
    assert {i["id"] for i in listed.json()["items"]} == {poison.id, malformed.id}
    lag = await client.get("/api/v1/admin/events/consumers", headers=admin.headers)
    row = next(r for r in lag.json() if r["consumer"] == "test.poison_consumer")
    assert row == {"consumer": "test.poison_consumer", "event_type": "test.poison", "pending": 0, "lag": 0}

    broken = False
    replay = await client.post(f"/api/v1/admin/events/dead-letters/{poison.id}/replay", headers=admin.headers)
    assert replay.status_code == 202, replay.text

    async def replayed() -> bool:
        return sorted(handled) == [0, 1, 2]

    await wait_for(replayed)
    stop.set()
    await task
    assert await processed(rt, "test.poison_consumer") == 3
    again = await client.post(f"/api/v1/admin/events/dead-letters/{poison.id}/replay", headers=admin.headers)
    assert again.status_code == 404
    bad = await client.post("/api/v1/admin/events/dead-letters/redis:not-an-id/replay", headers=admin.headers)
    assert bad.status_code == 404


async def test_worker_loops_deliver_end_to_end_and_stop_cleanly(rt: Runtime) -> None:
    seen: list[str] = []

    async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
        seen.append(event.id)

    rt.bus.subscribe("test.e2e", "test.e2e_consumer")(handler)
    stop = asyncio.Event()
    tasks = worker.start(rt, stop, scheduler=False)
    await asyncio.sleep(0.1)  # groups exist before anything is published
    async with rt.sessionmaker() as session, session.begin():
        ids = [publish(session, "test.e2e", {"n": n}).id for n in range(5)]

    async def done() -> bool:
        return sorted(seen) == sorted(ids)

    await wait_for(done)
    stop.set()
    await worker.finish(tasks, timeout=10)
    assert all(t.done() and not t.cancelled() for t in tasks)
