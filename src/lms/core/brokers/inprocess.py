"""In-process delivery: the relay runs the consumers itself (the default; `make run` needs nothing)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lms.core.brokers.base import ConsumerLag, DeadLetter
from lms.core.events import Event

if TYPE_CHECKING:
    from lms.core.runtime import Runtime


class InProcessBroker:
    """Failed consumers are retried by the relay with backoff; dead events stay in the outbox."""

    name = "inprocess"
    dispatches_inline = True

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def publish(self, events: list[Event]) -> None:
        await self.rt.bus.dispatch_batch(self.rt, events)

    async def consume(self, stop: asyncio.Event) -> None:
        await stop.wait()  # the relay delivers; nothing to pull from

    async def consumer_lag(self) -> list[ConsumerLag]:
        return []  # the outbox backlog is the lag; the admin service counts it per event type

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        return []  # dead events are the outbox rows with dead_at

    async def replay_dead_letter(self, dead_letter_id: str) -> bool:
        return False

    async def close(self) -> None:
        return None
