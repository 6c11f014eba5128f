"""The background side of the LMS: outbox relay, broker consumers and scheduled jobs.

``lms worker`` runs it as its own process; the web app's lifespan runs the same in-process when
``LMS_RUN_RELAY_IN_PROCESS`` is true (the `make run` default).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

import structlog

from lms.core.runtime import Runtime

log = structlog.get_logger("lms.worker")


def start(
    rt: Runtime, stop: asyncio.Event, *, relay: bool = True, consumers: bool = True, scheduler: bool = True
) -> list[asyncio.Task[None]]:
    """Start the chosen loops; each returns once ``stop`` is set."""
    tasks: list[asyncio.Task[None]] = []
    if relay:
        tasks.append(asyncio.create_task(rt.relay.run(stop), name="outbox-relay"))
    if consumers and not rt.broker.dispatches_inline:
        tasks.append(asyncio.create_task(rt.broker.consume(stop), name="broker-consumers"))
    if scheduler:
        tasks.append(asyncio.create_task(rt.scheduler.run(rt, stop), name="scheduler"))
    return tasks


async def finish(tasks: list[asyncio.Task[None]], timeout: float = 30) -> None:
    """Wait for the loops to wind down after ``stop``; cancel what is still running after ``timeout``."""
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def run(rt: Runtime, *, relay: bool = True, consumers: bool = True, scheduler: bool = True) -> None:
    """Run until SIGTERM or SIGINT, then finish the work in hand and return."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info(
        "worker_started",
        broker=rt.broker.name,
        relay=relay,
        consumers=consumers,
        scheduler=scheduler,
        jobs=sorted(rt.scheduler.jobs),
        subscriptions=len(rt.bus.subscriptions()),
    )
    tasks = start(rt, stop, relay=relay, consumers=consumers, scheduler=scheduler)
    await stop.wait()
    log.info("worker_stopping")
    await finish(tasks)
    log.info("worker_stopped")
