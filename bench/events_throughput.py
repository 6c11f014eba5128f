"""Event throughput: outbox -> relay -> broker -> consumer, Redis Streams vs the in-process bus.

    .venv/bin/python bench/events_throughput.py --events 100000 --broker both \
        [--database-url postgresql://postgres@127.0.0.1:5432/bench] [--redis-url redis://127.0.0.1:6379/0]

A producer commits events to the outbox in transactions of ``--batch`` events, as fast as it can, while
the relay and the consumers run (in this process, as `make run` does; `lms worker` runs the same loops).
Each event is handled by ``--consumers`` consumers of one group (Redis) through ``EventBus.run``, i.e. with
the real per-event transaction and ``processed_events`` record. Reports events/s end to end (first commit
to last consumer commit) and the delay from the producer's commit to the consumer's handler.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from lms import migrate
from lms.config import Settings, to_async_url
from lms.core.brokers.redis_streams import RedisStreamsBroker
from lms.core.events import Event, publish
from lms.core.runtime import Runtime, build_runtime


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
        event_batch_size=args.relay_batch,
        log_level="WARNING",
    )
    rt: Runtime = build_runtime(settings)
    rt.relay.batch_size = args.relay_batch
    delays: list[float] = []
    done = asyncio.Event()

    async def consumer(rt: Runtime, session: AsyncSession, event: Event) -> None:
        delays.append(time.time() - event.data["committed"])
        if len(delays) >= args.events:
            done.set()

    rt.bus.subscribe("bench.happened", "bench.consumer")(consumer)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(rt.relay.run(stop))]
    if isinstance(rt.broker, RedisStreamsBroker):
        await rt.broker.ensure_groups()
        sub = rt.bus.consumers["bench.happened"][0]
        tasks += [
            asyncio.create_task(rt.broker.stream_consumer(sub, name=f"bench-{i}").run(stop))
            for i in range(args.consumers)
        ]

    started = time.perf_counter()
    sent = 0
    while sent < args.events:
        n = min(args.batch, args.events - sent)
        async with rt.sessionmaker() as session, session.begin():
            # "committed" is stamped just before the commit: the delay includes the commit itself.
            now = time.time()
            for i in range(n):
                publish(session, "bench.happened", {"n": sent + i, "committed": now}, key=str((sent + i) % 97))
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
    if rt.redis is not None:
        keys = [k async for k in rt.redis.scan_iter(match=f"{settings.redis_prefix}*")]
        if keys:
            await rt.redis.delete(*keys)
    await rt.close()
    await drop_database(args.database_url or "", db_name)
    return {
        "broker": broker,
        "events": args.events,
        "produce_s": produced,
        "total_s": elapsed,
        "events_per_s": args.events / elapsed,
        "p50_ms": pct(delays, 50) * 1000,
        "p95_ms": pct(delays, 95) * 1000,
        "p99_ms": pct(delays, 99) * 1000,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--broker", choices=["inprocess", "redis", "both"], default="both")
    parser.add_argument("--database-url", default=None, help="server URL (scratch db created)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--batch", type=int, default=200, help="events per producer transaction")
    parser.add_argument("--relay-batch", type=int, default=500, help="outbox rows per relay claim")
    parser.add_argument("--consumers", type=int, default=4, help="Redis: consumers in the group")
    parser.add_argument("--rate", type=float, default=0, help="events/s the producer is held to (0: flat out)")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    brokers = ["inprocess", "redis"] if args.broker == "both" else [args.broker]
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    db = (args.database_url or "sqlite").split("://")[0]
    rate = f"{args.rate:.0f}/s" if args.rate else "flat out"
    print(f"{args.events} events ({rate}), database {db}, producer batch {args.batch}, relay batch {args.relay_batch}")
    print(f"{'broker':<10} {'events/s':>9} {'total s':>8} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    try:
        for broker in brokers:
            r = await run(broker, args, tmp)
            print(
                f"{r['broker']:<10} {r['events_per_s']:>9.0f} {r['total_s']:>8.1f} "
                f"{r['p50_ms']:>9.1f} {r['p95_ms']:>9.1f} {r['p99_ms']:>9.1f}",
                flush=True,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
