"""The broker interface and the retry loop every out-of-process broker shares."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import structlog

from lms.core.events import Consumer, Event, MalformedEvent, describe_error

if TYPE_CHECKING:
    from lms.core.runtime import Runtime

log = structlog.get_logger("lms.events")


@dataclass(frozen=True)
class ConsumerLag:
    consumer: str
    event_type: str
    pending: int | None  # delivered to a consumer, not yet acknowledged
    lag: int | None  # in the stream, not yet delivered to the group


@dataclass(frozen=True)
class DeadLetter:
    id: str
    event_type: str | None
    event_id: str | None
    consumer: str | None
    error: str
    attempts: int
    failed_at: datetime | None
    data: dict[str, Any] | None


class Broker(Protocol):
    name: str
    # True: the relay runs the consumers itself (in-process). False: the relay only publishes.
    dispatches_inline: bool

    async def publish(self, events: list[Event]) -> None:
        """Hand committed events to the broker; raise if it did not take all of them."""

    async def consume(self, stop: asyncio.Event) -> None:
        """Run every consumer of the bus from the broker until ``stop`` is set."""

    async def consumer_lag(self) -> list[ConsumerLag]: ...

    async def dead_letters(self, limit: int) -> list[DeadLetter]: ...

    async def replay_dead_letter(self, dead_letter_id: str) -> bool:
        """Put a dead letter back on its stream; False when there is no such dead letter."""

    async def close(self) -> None: ...


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff: base, 2*base, 4*base, ... capped."""
    return float(min(cap, base * (2 ** max(0, attempt - 1))))


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep; True when ``stop`` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


async def run_with_retries(
    rt: Runtime,
    consumer: Consumer,
    event: Event,
    *,
    stop: asyncio.Event,
    max_attempts: int,
    backoff_base: float,
    backoff_cap: float,
    before_retry: Callable[[], Awaitable[None]] | None = None,
    failed_once: BaseException | None = None,
) -> tuple[str, str | None, int]:
    """Run a consumer until it succeeds, gives up or the process stops.

    Returns ``(outcome, error, attempts)`` with outcome ``done`` (acknowledge), ``dead`` (dead-letter
    and acknowledge) or ``stopped`` (leave unacknowledged: another consumer will reclaim it).
    Retrying in place, rather than moving on, keeps one consumer's order within its stream.
    ``failed_once``: the handler already failed on this event (in a batch); that was attempt 1.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            if failed_once is not None:
                exc_once, failed_once = failed_once, None
                raise exc_once
            await rt.bus.run(rt, consumer, event)
            return "done", None, attempt
        except MalformedEvent as exc:
            return "dead", describe_error(exc), attempt
        except Exception as exc:
            error = describe_error(exc)
            rt.metrics.handler_failures.labels(consumer.name).inc()
            log.warning("consumer_failed", consumer=consumer.name, event_id=event.id, attempt=attempt, error=repr(exc))
            if attempt >= max_attempts:
                return "dead", error, attempt
        if before_retry is not None:
            await before_retry()
        if await _sleep_or_stop(stop, backoff_delay(attempt, backoff_base, backoff_cap)):
            return "stopped", None, attempt
