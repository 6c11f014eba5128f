"""Event throughput: outbox -> relay -> broker -> every consumer, Redis Streams vs the in-process bus.

    .venv/bin/python bench/events_throughput.py --events 100000 --broker both \
        [--scenario enrollments|noop] [--database-url postgresql://postgres@127.0.0.1:5432/test] \
        [--redis-url redis://127.0.0.1:6379/0]

Scenario ``enrollments`` (the default) is what a term's opening week looks like: ``--users`` seeded
students enrol in ``--courses`` seeded free courses (each with a few required lessons). A producer commits
the enrollment rows and their ``enrollment.created`` events (the payload ``enrollments.service`` emits)
in transactions of ``--batch``, as fast as it can, while the relay and the consumers run in this process
(as `make run` does; `lms worker` runs the same loops). The consumers are the real registered ones
(``lms.main.register_consumers``): for ``enrollment.created`` that is progress.initialize,
notifications.enrollment, analytics.record and emails.enrollment_confirmation, each through
``EventBus`` with its real transaction and ``processed_events`` record. The emails go to an SMTP
stand-in that accepts at once (the consumer still queues, renders and records every message).

Scenario ``noop`` is the old single test consumer (``bench.happened``), for the pure delivery cost.

Reports consumer deliveries (events x consumers) and events/s end to end (first producer commit to the
last consumer commit), and the delay from the producer's commit to each consumer's commit.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from lms import migrate
from lms.config import Settings, to_async_url
from lms.core.brokers.redis_streams import RedisStreamsBroker
from lms.core.db import utcnow
from lms.core.events import Consumer, Event, ProcessedEvent, publish
from lms.core.ids import new_id
from lms.core.mail import OutgoingMail
from lms.core.runtime import Runtime, build_runtime
from lms.courses.models import Course, Lesson, Section
from lms.enrollments.models import Enrollment
from lms.main import register_consumers
from lms.users.models import User


class AcceptingSMTP:
    """An SMTP relay that accepts every message at once (the bench measures the LMS, not a mail server)."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, mail: OutgoingMail) -> str:
        self.sent += 1
        return f"<{new_id()}@bench>"


async def fresh_database(url: str | None, tmp: Path) -> tuple[str, str | None]:
    if url is None or url.startswith("sqlite"):
        return f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}", None
    name = f"lms_bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(to_async_url(url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"CREATE DATABASE {name}"))
    await admin.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}", name


async def drop_database(url: str, name: str | None) -> None:
    if name is None:
        return
    admin = create_async_engine(to_async_url(url), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"DROP DATABASE IF EXISTS {name}" + (" WITH (FORCE)" if "postgres" in url else "")))
    await admin.dispose()


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=1000)[int(p * 10) - 1] if len(values) > 1 else values[0]


async def seed(rt: Runtime, n_users: int, n_courses: int) -> tuple[list[str], list[str]]:
    """Students and published free courses of 3 sections x 4 required lessons."""
    now = utcnow()
    user_ids = [new_id() for _ in range(n_users)]
    async with rt.engine.begin() as conn:
        for start in range(0, n_users, 2000):
            await conn.execute(
                insert(User),
                [
                    {
                        "id": user_ids[i],
                        "email": f"student{i}@bench.jntugv.edu.in",
                        "full_name": f"Student {i}",
                        "password_hash": "x",
                        "role": "student",
                        "is_active": True,
                        "email_verified_at": now,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(n_users, start + 2000))
                ],
            )
    course_ids: list[str] = []
    async with rt.sessionmaker() as session, session.begin():
        for c in range(n_courses):
            course = Course(
                title=f"Engineering Mathematics {c}",
                slug=f"engineering-mathematics-{c}",
                status="published",
                published_at=now,
                lesson_count=12,
            )
            session.add(course)
            await session.flush()
            course_ids.append(course.id)
            for s in range(3):
                section = Section(course_id=course.id, title=f"Unit {s + 1}", position=s)
                session.add(section)
                await session.flush()
                for p in range(4):
                    session.add(
                        Lesson(
                            section_id=section.id, course_id=course.id, title=f"Lesson {s}.{p}", kind="text", position=p
                        )
                    )
    return user_ids, course_ids


async def run(broker: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    db_url, db_name = await fresh_database(args.database_url, tmp)
    await asyncio.to_thread(migrate.upgrade, db_url)
    settings = Settings(
        database_url=db_url,
        data_dir=tmp / "data",
        event_broker=broker,
        redis_url=args.redis_url if broker == "redis" else "",
        redis_prefix=f"lms-bench:{uuid.uuid4().hex[:8]}:",
        relay_poll_seconds=0.05,
        event_block_seconds=0.2,
        event_batch_size=args.consumer_batch,
        log_level="WARNING",
    )
    rt: Runtime = build_runtime(settings)
    rt.mail = AcceptingSMTP()
    rt.relay.batch_size = args.relay_batch
    committed_at: dict[str, float] = {}
    delays: list[float] = []
    seen: set[tuple[str, str]] = set()
    done = asyncio.Event()

    if args.scenario == "noop":
        event_type = "bench.happened"

        async def noop(rt: Runtime, session: AsyncSession, event: Event) -> None:
            return None

        rt.bus.subscribe(event_type, "bench.consumer")(noop)
        user_ids, course_ids = [], []
    else:
        event_type = "enrollment.created"
        register_consumers(rt.bus)
        user_ids, course_ids = await seed(rt, args.users, args.courses)
        if len(user_ids) * len(course_ids) < args.events:
            raise SystemExit("--users x --courses must be at least --events (one enrollment per pair)")
    fanout = len(rt.bus.consumers[event_type])
    expected = args.events * fanout

    def timed(consumer: Consumer) -> Callable[[Runtime, AsyncSession, Event], Awaitable[None]]:
        async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
            await consumer.handler(rt, session, event)

            async def record() -> None:
                if (consumer.name, event.id) in seen:
                    return  # a redelivery that ran again would be a bug; the count check catches it
                seen.add((consumer.name, event.id))
                delays.append(time.time() - committed_at[event.id])
                if len(seen) >= expected:
                    done.set()

            # First of the after-commit actions: the delay ends at the consumer's commit.
            session.info.setdefault("after_commit_actions", []).insert(0, record)

        return handler

    # Same consumers, each wrapped to time its commit (an after-commit action, like the domains' own:
    # a rolled-back attempt records nothing).
    for etype, consumers in rt.bus.consumers.items():
        rt.bus.consumers[etype] = [Consumer(c.name, c.event_type, timed(c)) for c in consumers]

    stop = asyncio.Event()
    tasks = [asyncio.create_task(rt.relay.run(stop))]
    if isinstance(rt.broker, RedisStreamsBroker):
        await rt.broker.ensure_groups()
        if args.scenario == "noop":
            sub = rt.bus.consumers[event_type][0]
            tasks += [
                asyncio.create_task(rt.broker.stream_consumer(sub, name=f"bench-{i}").run(stop))
                for i in range(args.consumers)
            ]
        else:
            tasks.append(asyncio.create_task(rt.broker.consume(stop)))  # what `lms worker` runs

    pairs = ((u, c) for c in course_ids for u in user_ids)  # course by course: several students per course
    started = time.perf_counter()
    sent = 0
    while sent < args.events:
        n = min(args.batch, args.events - sent)
        ids: list[str] = []
        async with rt.sessionmaker() as session, session.begin():
            if args.scenario == "noop":
                ids = [publish(session, event_type, {"n": sent + i}, key=str((sent + i) % 97)).id for i in range(n)]
            else:
                now = utcnow()
                rows = []
                for user_id, course_id in itertools.islice(pairs, n):
                    enrollment_id = new_id()
                    rows.append(
                        {
                            "id": enrollment_id,
                            "user_id": user_id,
                            "course_id": course_id,
                            "status": "active",
                            "source": "free",
                            "enrolled_at": now,
                            "progress_percent": 0,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    payload = {"enrollment_id": enrollment_id, "user_id": user_id, "course_id": course_id}
                    ids.append(
                        publish(
                            session, event_type, payload | {"source": "free"}, actor_id=user_id, key=enrollment_id
                        ).id
                    )
                await session.execute(insert(Enrollment), rows)
        stamp = time.time()  # the commit has returned: delays start here
        for event_id in ids:
            committed_at[event_id] = stamp
        sent += n
        if args.rate:  # paced: measure the delay below saturation
            await asyncio.sleep(max(0.0, started + sent / args.rate - time.perf_counter()))
        else:
            await asyncio.sleep(0)  # let the relay and consumers interleave with the producer
    produced = time.perf_counter() - started
    await asyncio.wait_for(done.wait(), timeout=args.timeout)
    elapsed = time.perf_counter() - started
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    async with rt.sessionmaker() as session:
        recorded = await session.scalar(select(func.count()).select_from(ProcessedEvent)) or 0
    assert recorded == expected, f"processed_events has {recorded} rows, expected {expected}"
    if rt.redis is not None:
        keys = [k async for k in rt.redis.scan_iter(match=f"{settings.redis_prefix}*")]
        if keys:
            await rt.redis.delete(*keys)
    await rt.close()
    await drop_database(args.database_url or "", db_name)
    return {
        "broker": broker,
        "events": args.events,
        "fanout": fanout,
        "produce_s": produced,
        "total_s": elapsed,
        "events_per_s": args.events / elapsed,
        "deliveries_per_s": expected / elapsed,
        "p50_ms": pct(delays, 50) * 1000,
        "p95_ms": pct(delays, 95) * 1000,
        "p99_ms": pct(delays, 99) * 1000,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--scenario", choices=["enrollments", "noop"], default="enrollments")
    parser.add_argument("--broker", choices=["inprocess", "redis", "both"], default="both")
    parser.add_argument("--database-url", default=None, help="server URL (scratch db created)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--users", type=int, default=5000, help="enrollments: seeded students")
    parser.add_argument("--courses", type=int, default=40, help="enrollments: seeded courses")
    parser.add_argument("--batch", type=int, default=200, help="events per producer transaction")
    parser.add_argument("--relay-batch", type=int, default=500, help="outbox rows per relay claim")
    parser.add_argument("--consumer-batch", type=int, default=100, help="Redis: entries per XREADGROUP")
    parser.add_argument("--consumers", type=int, default=4, help="noop on Redis: consumers in the group")
    parser.add_argument("--rate", type=float, default=0, help="events/s the producer is held to (0: flat out)")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    brokers = ["inprocess", "redis"] if args.broker == "both" else [args.broker]
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    db = (args.database_url or "sqlite").split("://")[0]
    rate = f"{args.rate:.0f}/s" if args.rate else "flat out"
    print(
        f"{args.scenario}: {args.events} events ({rate}), database {db}, producer batch {args.batch}, "
        f"relay batch {args.relay_batch}, consumer batch {args.consumer_batch}"
    )
    print(
        f"{'broker':<10} {'consumers':>9} {'events/s':>9} {'deliv/s':>8} {'total s':>8} "
        f"{'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}"
    )
    try:
        for broker in brokers:
            r = await run(broker, args, tmp)
            print(
                f"{r['broker']:<10} {r['fanout']:>9} {r['events_per_s']:>9.0f} {r['deliveries_per_s']:>8.0f} "
                f"{r['total_s']:>8.1f} {r['p50_ms']:>9.1f} {r['p95_ms']:>9.1f} {r['p99_ms']:>9.1f}",
                flush=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
