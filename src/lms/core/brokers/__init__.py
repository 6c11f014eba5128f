"""Event brokers behind one publish/consume interface: in-process (default), Redis Streams, Kafka.

``LMS_EVENT_BROKER`` picks one. The outbox relay publishes committed outbox rows to it; the consumers
registered on the ``EventBus`` run from it, each idempotent through ``processed_events``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lms.core.brokers.base import Broker, ConsumerLag, DeadLetter
from lms.core.brokers.inprocess import InProcessBroker

if TYPE_CHECKING:
    from lms.core.runtime import Runtime

__all__ = ["Broker", "ConsumerLag", "DeadLetter", "InProcessBroker", "make_broker"]


def make_broker(rt: Runtime) -> Broker:
    kind = rt.settings.event_broker
    if kind == "redis":
        from lms.core.brokers.redis_streams import RedisStreamsBroker

        return RedisStreamsBroker(rt)
    if kind == "kafka":
        from lms.core.brokers.kafka import KafkaBroker

        return KafkaBroker(rt)
    return InProcessBroker(rt)
