"""Wire format and broker configuration (no broker needed): envelope encoding, Kafka adapter."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from lms.config import Settings
from lms.core.brokers.base import backoff_delay
from lms.core.brokers.kafka import KafkaBroker
from lms.core.events import Event, EventBus, MalformedEvent


def event(**kw: Any) -> Event:
    values: dict[str, Any] = {
        "id": "0190a1b2-0000-7000-8000-000000000001",
        "type": "enrollment.created",
        "occurred_at": datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
        "version": 1,
        "actor_id": "u1",
        "data": {"enrollment_id": "e1", "user_id": "u1", "course_id": "c1", "note": "ఆంధ్ర"},
        "key": "e1",
    }
    values.update(kw)
    return Event(**values)


def test_envelope_round_trips() -> None:
    e = event()
    raw = e.encode()
    assert json.loads(raw)["occurred_at"] == "2026-11-25T09:30:00+00:00"
    assert Event.decode(raw) == e


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"id": "x", "type": "t", "occurred_at": "2026-11-25T09:30:00+00:00"}',
        b'{"id": "x", "type": "t", "occurred_at": "2026-11-25T09:30:00", "data": {}}',
        b'{"id": 5, "type": "t", "occurred_at": "2026-11-25T09:30:00+00:00", "data": {}}',
        b'{"id": "x", "type": "t", "occurred_at": "yesterday", "data": {}}',
        b'{"id": "x", "type": "t", "occurred_at": "2026-11-25T09:30:00+00:00", "data": {}, "version": "2"}',
        b"\xff\xfe",
    ],
)
def test_malformed_envelopes_are_rejected(raw: bytes) -> None:
    with pytest.raises(MalformedEvent):
        Event.decode(raw)


def test_backoff_is_exponential_and_capped() -> None:
    assert [backoff_delay(n, 0.5, 3) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def kafka_broker(**overrides: Any) -> KafkaBroker:
    settings = Settings(event_broker="kafka", kafka_bootstrap_servers="k1:9092,k2:9092", **overrides)
    bus = EventBus()

    async def noop(*_: Any) -> None:
        return None

    bus.subscribe("enrollment.created", "emails.enrollment_confirmation")(noop)
    bus.subscribe("user.registered", "emails.welcome")(noop)
    bus.subscribe("enrollment.created", "analytics.rollup")(noop)
    return KafkaBroker(SimpleNamespace(settings=settings, bus=bus))  # type: ignore[arg-type]


def test_kafka_one_topic_per_type_keyed_by_entity() -> None:
    broker = kafka_broker()
    topic, key, value, headers = broker.encode(event())
    assert topic == "enrollment.created"  # the seed's topic names
    assert key == b"e1"  # same entity -> same partition -> kept in order
    assert Event.decode(value) == event()
    assert dict(headers) == {"type": b"enrollment.created", "version": b"1"}
    assert broker.encode(event(key=None))[1] is None
    assert broker.topics_by_group() == {
        "emails.enrollment_confirmation": ["enrollment.created"],
        "emails.welcome": ["user.registered"],
        "analytics.rollup": ["enrollment.created"],
    }
    assert kafka_broker(kafka_topic_prefix="lms.").topic("payment.success") == "lms.payment.success"


async def test_kafka_client_configuration() -> None:
    broker = kafka_broker()
    producer = broker.producer_config()
    assert producer["acks"] == "all" and producer["enable_idempotence"] is True
    assert producer["bootstrap_servers"] == "k1:9092,k2:9092"
    consumer = broker.consumer_config("emails.welcome")
    assert consumer["group_id"] == "emails.welcome" and consumer["enable_auto_commit"] is False
    # aiokafka accepts them (constructing a client does not connect)
    AIOKafkaProducer(**producer)
    AIOKafkaConsumer("user.registered", **consumer)
    bus_consumer = broker.rt.bus.consumers["user.registered"][0]
    headers = dict(broker.dead_letter_headers(bus_consumer, "boom", 5))
    assert headers["consumer"] == b"emails.welcome" and headers["error"] == b"boom" and headers["attempts"] == b"5"
    assert broker.dead_letter_topic == "events.dead-letter"
