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
from lms.core.events import Consumer, Event, ProcessedEvent, after_commit, publish
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
        if a_alive and event.data["n"] == 13:
            stuck.set()
            await asyncio.Event().wait()  # consumer A hangs here until it is killed
        after_commit(session, counted(event.id))  # an effect counts once its transaction commits

    def counted(event_id: str) -> Callable[[], Awaitable[None]]:
        async def count() -> None:
            effects[event_id] += 1

        return count

    rt.bus.subscribe("test.work", "test.worker")(handler)
    ids = await publish_events(rt, "test.work", [{"n": n} for n in range(20)])
    consumer = consumer_of(rt, "test.work", "test.worker")
    options: dict[str, Any] = {"batch_size": 10, "min_idle_ms": 300, "reclaim_every": 0.05, "block_ms": 50}
    a: StreamConsumer = broker.stream_consumer(consumer, name="A", **options)
    stop = asyncio.Event()
    task_a = asyncio.create_task(a.run(stop))
    await asyncio.wait_for(stuck.wait(), 10)
    task_a.cancel()  # killed in its second batch: the first 10 are committed and acknowledged
    with pytest.raises(asyncio.CancelledError):
        await task_a
    a_alive = False
    pending = await rt.redis.xpending(a.stream, a.group)  # type: ignore[union-attr]
    assert pending["pending"] == 10
    assert await processed(rt, "test.worker") == 10  # the killed batch's transaction rolled back

    b = broker.stream_consumer(consumer, name="B", **options)
    task_b = asyncio.create_task(b.run(stop))
    await wait_for(lambda: nothing_pending(rt, a))
    stop.set()
    await task_b
    assert set(effects) == set(ids)
    assert all(count == 1 for count in effects.values())
    assert await processed(rt, "test.worker") == 20


async def test_a_batch_committed_but_not_acknowledged_is_redelivered_and_changes_nothing(rt: Runtime) -> None:
    """The crash window of batch acknowledgement: the consumer's transaction committed, then the process
    died before its one XACK. Every entry of the batch stays pending, another consumer reclaims them,
    and ``processed_events`` turns the redelivery into a no-op."""
    broker = rt.broker
    assert isinstance(broker, RedisStreamsBroker)
    runs: collections.Counter[str] = collections.Counter()

    async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
        runs[event.id] += 1

    rt.bus.subscribe("test.acked", "test.acker")(handler)
    ids = await publish_events(rt, "test.acked", [{"n": n} for n in range(12)])
    consumer = consumer_of(rt, "test.acked", "test.acker")
    options: dict[str, Any] = {"batch_size": 50, "min_idle_ms": 200, "reclaim_every": 0.05, "block_ms": 50}
    a = broker.stream_consumer(consumer, name="A", **options)
    xacks: list[int] = []

    async def crash_before_ack(*entry_ids: Any) -> None:
        xacks.append(len(entry_ids))
        raise ConnectionError("process died before XACK")

    a.ack = crash_before_ack  # type: ignore[method-assign]
    entries = await a.read()
    assert len(entries) == 12
    with pytest.raises(ConnectionError):
        await a.handle_batch(entries, asyncio.Event())
    assert xacks == [12]  # one XACK for the whole batch, after the commit
    assert await processed(rt, "test.acker") == 12 and set(runs) == set(ids)
    pending = await rt.redis.xpending(a.stream, a.group)  # type: ignore[union-attr]
    assert pending["pending"] == 12

    b = broker.stream_consumer(consumer, name="B", **options)
    stop = asyncio.Event()
    task_b = asyncio.create_task(b.run(stop))
    await wait_for(lambda: nothing_pending(rt, a))
    stop.set()
    await task_b
    assert all(runs[i] == 1 for i in ids)  # redelivered, not re-run
    assert await processed(rt, "test.acker") == 12


async def test_a_failing_entry_does_not_hold_back_or_duplicate_its_batch(rt: Runtime) -> None:
    """One handler failure rolls the batch back; the entries before it commit again, the failing one
    is retried alone (in order), the rest go on in a batch; each committed exactly once."""
    broker = rt.broker
    assert isinstance(broker, RedisStreamsBroker)
    committed: list[int] = []
    failures = 0

    async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
        nonlocal failures
        n = event.data["n"]
        if n == 4 and failures < 2:
            failures += 1
            raise ConnectionError("database blip")

        async def record() -> None:
            committed.append(n)

        after_commit(session, record)

    rt.bus.subscribe("test.blip", "test.blipper")(handler)
    await publish_events(rt, "test.blip", [{"n": n} for n in range(10)])
    consumer = consumer_of(rt, "test.blip", "test.blipper")
    sc = broker.stream_consumer(consumer, name="only", batch_size=50, block_ms=50, reclaim_every=60)
    assert await sc.handle_batch(await sc.read(), asyncio.Event())
    assert committed == list(range(10))  # in stream order, none twice
    assert failures == 2  # the batch attempt and one retry alone; the third attempt succeeded
    assert await processed(rt, "test.blipper") == 10
    assert await nothing_pending(rt, sc)


async def nothing_pending(rt: Runtime, sc: StreamConsumer) -> bool:
    info = await rt.redis.xpending(sc.stream, sc.group)  # type: ignore[union-attr]
    return int(info["pending"]) == 0


async def test_poison_message_is_dead_lettered_and_replays(rt: Runtime, client: httpx.AsyncClient) -> None:
    broker = rt.broker
    assert isinstance(broker, RedisStreamsBroker)
    handled: list[int] = []
    broken = True

    async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
        if broken and event.data["n"] == 1:
            raise RuntimeError("cannot handle n=1")
        n = event.data["n"]

        async def record() -> None:  # counted once committed (a rolled-back batch counts nothing)
            handled.append(n)

        after_commit(session, record)

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
