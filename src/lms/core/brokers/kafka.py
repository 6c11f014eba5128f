"""Kafka (aiokafka): one topic per event type, keyed by the entity id.

A thin adapter over the same interface as Redis Streams. The message key is the outbox ``key`` (entity
id), so Kafka's default partitioner puts every event of one entity on one partition: per-entity order
holds in every consumer group. Each consumer name is a consumer group; offsets are committed only after
the handler's transaction commits (at least once; ``processed_events`` makes it exactly once in
effect). A handler that keeps failing is retried in place with backoff, then its message goes to the
``<prefix>events.dead-letter`` topic with the error in the headers.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from lms.core.brokers.base import ConsumerLag, DeadLetter, run_with_retries
from lms.core.events import Consumer, Event, MalformedEvent, describe_error

if TYPE_CHECKING:
    from lms.core.runtime import Runtime

log = structlog.get_logger("lms.events.kafka")


class KafkaBroker:
    name = "kafka"
    dispatches_inline = False

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.settings = rt.settings
        self._producer: AIOKafkaProducer | None = None

    # --- configuration and encoding (pure; tested without a broker) ---
    def topic(self, event_type: str) -> str:
        return f"{self.settings.kafka_topic_prefix}{event_type}"

    @property
    def dead_letter_topic(self) -> str:
        return f"{self.settings.kafka_topic_prefix}events.dead-letter"

    def producer_config(self) -> dict[str, Any]:
        return {
            "bootstrap_servers": self.settings.kafka_bootstrap_servers,
            "client_id": self.settings.kafka_client_id,
            "acks": "all",
            "enable_idempotence": True,  # no duplicates from producer retries, order kept per partition
            "linger_ms": self.settings.kafka_linger_ms,
        }

    def consumer_config(self, group: str) -> dict[str, Any]:
        return {
            "bootstrap_servers": self.settings.kafka_bootstrap_servers,
            "client_id": self.settings.kafka_client_id,
            "group_id": group,
            "enable_auto_commit": False,  # commit after the handler's transaction
            "auto_offset_reset": "earliest",
            "isolation_level": "read_committed",
        }

    def encode(self, event: Event) -> tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]:
        """(topic, key, value, headers) of one event."""
        headers = [("type", event.type.encode()), ("version", str(event.version).encode())]
        key = event.key.encode() if event.key else None
        return self.topic(event.type), key, event.encode(), headers

    def topics_by_group(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for c in self.rt.bus.subscriptions():
            groups[c.name].append(self.topic(c.event_type))
        return dict(groups)

    # --- I/O ---
    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(**self.producer_config())
            await producer.start()
            self._producer = producer
        return self._producer

    async def publish(self, events: list[Event]) -> None:
        producer = await self._get_producer()
        futures = []
        for event in events:
            topic, key, value, headers = self.encode(event)
            futures.append(await producer.send(topic, value=value, key=key, headers=headers))
        await asyncio.gather(*futures)

    async def consume(self, stop: asyncio.Event) -> None:
        by_name: dict[str, dict[str, Consumer]] = defaultdict(dict)
        for c in self.rt.bus.subscriptions():
            by_name[c.name][self.topic(c.event_type)] = c
        tasks = [asyncio.create_task(self._consume_group(name, subs, stop)) for name, subs in by_name.items()]
        if not tasks:
            await stop.wait()
            return
        try:
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()

    async def _consume_group(self, group: str, subs: dict[str, Consumer], stop: asyncio.Event) -> None:
        kafka = AIOKafkaConsumer(*subs, **self.consumer_config(group))
        await kafka.start()
        try:
            while not stop.is_set():
                batches = await kafka.getmany(timeout_ms=1000, max_records=self.settings.event_batch_size)
                for tp, messages in batches.items():
                    for msg in messages:
                        outcome = await self._handle(subs[tp.topic], msg.value, stop)
                        if outcome == "stopped":
                            return
                        await kafka.commit({TopicPartition(tp.topic, tp.partition): msg.offset + 1})
        finally:
            await kafka.stop()

    async def _handle(self, consumer: Consumer, value: bytes | None, stop: asyncio.Event) -> str:
        try:
            event = Event.decode(value or b"")
        except MalformedEvent as exc:
            await self._dead_letter(consumer, value, describe_error(exc), 0)
            return "dead"
        outcome, error, attempts = await run_with_retries(
            self.rt,
            consumer,
            event,
            stop=stop,
            max_attempts=self.settings.event_max_attempts,
            backoff_base=self.settings.event_backoff_base_seconds,
            backoff_cap=self.settings.event_backoff_max_seconds,
        )
        if outcome == "dead":
            await self._dead_letter(consumer, value, error or "", attempts)
        return outcome

    def dead_letter_headers(self, consumer: Consumer, error: str, attempts: int) -> list[tuple[str, bytes]]:
        return [
            ("consumer", consumer.name.encode()),
            ("source_topic", self.topic(consumer.event_type).encode()),
            ("error", error[:4000].encode()),
            ("attempts", str(attempts).encode()),
            ("failed_at", datetime.now(UTC).isoformat().encode()),
        ]

    async def _dead_letter(self, consumer: Consumer, value: bytes | None, error: str, attempts: int) -> None:
        log.error("event_dead_lettered", consumer=consumer.name, error=error)
        producer = await self._get_producer()
        await producer.send_and_wait(
            self.dead_letter_topic, value=value or b"", headers=self.dead_letter_headers(consumer, error, attempts)
        )

    async def consumer_lag(self) -> list[ConsumerLag]:
        return [ConsumerLag(c.name, c.event_type, None, None) for c in self.rt.bus.subscriptions()]

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        return []  # read the dead-letter topic with Kafka tooling

    async def replay_dead_letter(self, dead_letter_id: str) -> bool:
        return False

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
