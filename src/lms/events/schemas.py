"""Event delivery as administrators see it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class Backlog(BaseModel):
    broker: str
    pending: int
    oldest_pending_age_seconds: float | None
    dead: int
    published_last_hour: int


class ConsumerLagRead(BaseModel):
    consumer: str
    event_type: str
    pending: int | None
    lag: int | None


class DeadLetterRead(BaseModel):
    id: str
    source: str  # "outbox" or the broker's name
    event_type: str | None
    event_id: str | None
    consumer: str | None
    error: str
    attempts: int
    failed_at: datetime | None
    data: dict[str, Any] | None


class ReplayResult(BaseModel):
    id: str
    replayed: bool
