"""The outbox: events commit with their change, consumers run once each, failures retry then go dead."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core import events
from lms.core.events import Event, OutboxEvent, ProcessedEvent
from lms.core.runtime import Runtime


async def _publish(rt: Runtime, type_: str, data: dict[str, object], *, commit: bool = True) -> str:
    async with rt.sessionmaker() as s:
        row = events.publish(s, type_, data, key="k1")
        if commit:
            await s.commit()
        else:
            await s.rollback()
        return row.id


async def test_consumers_run_once_even_when_redelivered(rt: Runtime) -> None:
    seen: list[str] = []

    async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
        seen.append(event.data["n"])  # type: ignore[arg-type]

    rt.bus.subscribe("test.happened", "test.recorder")(handler)
    event_id = await _publish(rt, "test.happened", {"n": "one"})
    assert await rt.relay.drain() == 1
    assert seen == ["one"]
    async with rt.sessionmaker() as s, s.begin():
        row = await s.get(OutboxEvent, event_id)
        assert row is not None and row.published_at is not None
        row.published_at = None  # simulate a relay that crashed before marking it
    assert await rt.relay.drain() == 1
    assert seen == ["one"]
    async with rt.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


async def test_rolled_back_changes_emit_nothing(rt: Runtime) -> None:
    await _publish(rt, "test.happened", {"n": "never"}, commit=False)
    assert await rt.relay.drain() == 0


async def test_failing_consumer_is_retried_without_rerunning_the_others(rt: Runtime) -> None:
    calls = {"good": 0, "flaky": 0}

    async def good(rt: Runtime, session: AsyncSession, event: Event) -> None:
        calls["good"] += 1

    async def flaky(rt: Runtime, session: AsyncSession, event: Event) -> None:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise ConnectionError("smtp down")

    rt.bus.subscribe("test.flaky", "test.good")(good)
    rt.bus.subscribe("test.flaky", "test.flaky")(flaky)
    event_id = await _publish(rt, "test.flaky", {})
    await rt.relay.drain()
    async with rt.sessionmaker() as s, s.begin():
        row = await s.get(OutboxEvent, event_id)
        assert row is not None and row.published_at is None and row.attempts == 1
        assert "smtp down" in (row.last_error or "")
        row.available_at = row.occurred_at  # make the retry due now
    await rt.relay.drain()
    assert calls == {"good": 1, "flaky": 2}
    async with rt.sessionmaker() as s:
        row = await s.get(OutboxEvent, event_id)
        assert row is not None and row.published_at is not None


class _MariaDBError(Exception):
    """What the MariaDB driver raises: the errno first, as asyncmy does."""


class _PgDeadlock(Exception):
    sqlstate = "40P01"


async def test_a_deadlock_victim_is_run_again_at_once(rt: Runtime) -> None:
    # Consumers running side by side upsert the same rows (analytics day totals); InnoDB resolves such a race
    # by rolling one transaction back. That consumer runs again in the same drain instead of waiting for
    # the relay's next retry (an analytics total was short by one until then).
    calls = {"mariadb": 0, "postgres": 0, "other": 0}

    def victim_of(kind: str, orig: Exception, failures: int) -> Any:
        async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
            calls[kind] += 1
            if calls[kind] <= failures:
                raise OperationalError("INSERT ...", {}, orig)

        return handler

    mariadb = _MariaDBError(1213, "Deadlock found")
    # Twice: in the relay's batch, then alone, where EventBus.run (also what the brokers call) runs it again.
    rt.bus.subscribe("test.contended", "test.mariadb")(victim_of("mariadb", mariadb, failures=2))
    rt.bus.subscribe("test.contended", "test.postgres")(victim_of("postgres", _PgDeadlock("deadlock"), failures=1))
    rt.bus.subscribe("test.contended", "test.other")(victim_of("other", _MariaDBError(2013, "Lost connection"), 1))
    event_id = await _publish(rt, "test.contended", {})
    await rt.relay.drain()
    # The deadlock victims ran again at once; any other database error waits for the relay's retry.
    assert calls == {"mariadb": 3, "postgres": 2, "other": 1}
    async with rt.sessionmaker() as s:
        row = await s.get(OutboxEvent, event_id)
        assert row is not None and row.published_at is None and row.attempts == 1
        assert "Lost connection" in (row.last_error or "") and "Deadlock found" not in (row.last_error or "")
        done = set(await s.scalars(select(ProcessedEvent.consumer).where(ProcessedEvent.event_id == event_id)))
    assert done == {"test.mariadb", "test.postgres"}


async def test_poison_event_goes_dead_after_max_attempts(rt: Runtime) -> None:
    async def poison(rt: Runtime, session: AsyncSession, event: Event) -> None:
        raise ValueError("cannot handle this payload")

    rt.bus.subscribe("test.poison", "test.poison")(poison)
    event_id = await _publish(rt, "test.poison", {"bad": True})
    for _ in range(events.MAX_ATTEMPTS):
        async with rt.sessionmaker() as s, s.begin():
            row = await s.get(OutboxEvent, event_id)
            assert row is not None
            row.available_at = row.occurred_at
        await rt.relay.drain()
    async with rt.sessionmaker() as s:
        row = await s.get(OutboxEvent, event_id)
    assert row is not None and row.dead_at is not None and row.published_at is None
    assert "cannot handle this payload" in (row.last_error or "")
    assert await rt.relay.drain() == 0


async def test_two_relays_never_deliver_the_same_row_twice(rt: Runtime) -> None:
    import asyncio

    delivered: list[str] = []

    async def record(rt: Runtime, session: AsyncSession, event: Event) -> None:
        delivered.append(event.id)

    rt.bus.subscribe("test.many", "test.many")(record)
    async with rt.sessionmaker() as s, s.begin():
        for i in range(30):
            events.publish(s, "test.many", {"i": i})
    from lms.core.events import OutboxRelay

    other = OutboxRelay(rt, batch_size=7)
    await asyncio.gather(rt.relay.drain(), other.drain())
    assert len(delivered) == 30 and len(set(delivered)) == 30


async def test_a_failing_event_in_a_relay_batch_holds_back_only_itself(rt: Runtime) -> None:
    """In-process, each consumer takes the relay's batch in one transaction; when one event fails, the
    others still commit once each and only the failing event is retried later."""
    committed: list[int] = []
    attempts: list[int] = []

    async def picky(rt: Runtime, session: AsyncSession, event: Event) -> None:
        n = event.data["n"]
        assert isinstance(n, int)
        attempts.append(n)
        if n == 2 and attempts.count(2) == 1:
            raise ConnectionError("database blip")

        async def record() -> None:
            committed.append(n)

        events.after_commit(session, record)

    rt.bus.subscribe("test.batch", "test.picky")(picky)
    async with rt.sessionmaker() as s, s.begin():
        ids = [events.publish(s, "test.batch", {"n": n}).id for n in range(5)]
    assert await rt.relay.drain() == 5
    assert committed == [0, 1, 3, 4]  # the failing batch attempt committed nothing; the rest once each
    async with rt.sessionmaker() as s, s.begin():
        rows = {r.id: r for r in await s.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(ids)))}
        assert [rows[i].published_at is not None for i in ids] == [True, True, False, True, True]
        assert rows[ids[2]].attempts == 1 and "database blip" in (rows[ids[2]].last_error or "")
        rows[ids[2]].available_at = rows[ids[2]].occurred_at  # make the retry due now
    assert await rt.relay.drain() == 1
    assert committed == [0, 1, 3, 4, 2]
    async with rt.sessionmaker() as s:
        assert await s.scalar(select(func.count()).where(ProcessedEvent.consumer == "test.picky")) == 5
