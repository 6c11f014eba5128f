"""Everything a process wires once at start-up: settings, database, Redis, mail, tokens, events."""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass, field

from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lms.config import Settings
from lms.core.brokers import Broker, make_broker
from lms.core.cache import KeyValueStore, LocalCache, MemoryStore, RedisStore
from lms.core.db import create_engine, create_sessionmaker
from lms.core.events import EventBus, OutboxRelay
from lms.core.mail import MailRenderer, MailSender, make_sender
from lms.core.metrics import Metrics
from lms.core.ratelimit import MemoryCounterStore, RateLimiter, RedisCounterStore
from lms.core.scheduler import Scheduler
from lms.core.tokens import JWTSigner, load_or_create_private_key


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis | None
    kv: KeyValueStore
    limiter: RateLimiter
    signer: JWTSigner
    mail: MailSender
    mail_renderer: MailRenderer
    bus: EventBus
    metrics: Metrics
    email_secret: str = ""
    relay: OutboxRelay = field(init=False)
    broker: Broker = field(init=False)
    scheduler: Scheduler = field(init=False)
    # Public catalog/search answers and totals (process-local; see Settings.catalog_cache_seconds).
    catalog_cache: LocalCache = field(init=False)

    def __post_init__(self) -> None:
        self.catalog_cache = LocalCache(self.settings.catalog_cache_seconds, max_entries=2000)
        self.broker = make_broker(self)
        self.relay = OutboxRelay(self)
        self.scheduler = Scheduler(owner=f"{socket.gethostname()}:{os.getpid()}")
        # Wake the relay as soon as a transaction that wrote events commits.
        self.sessionmaker.kw["info"] = {"on_events_committed": self.relay.wake}

    async def close(self) -> None:
        await self.broker.close()
        await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def build_runtime(settings: Settings) -> Runtime:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.async_database_url, echo=settings.database_echo)
    # A blocking pool: a burst beyond the pool size waits for a connection instead of failing
    # (redis-py's default pool raises MaxConnectionsError past 100 connections).
    redis = (
        Redis(connection_pool=BlockingConnectionPool.from_url(settings.redis_url, max_connections=100, timeout=20))
        if settings.redis_url
        else None
    )
    kv: KeyValueStore = RedisStore(redis, settings.redis_prefix) if redis else MemoryStore()
    counters = RedisCounterStore(redis, settings.redis_prefix) if redis else MemoryCounterStore()
    pem = load_or_create_private_key(settings.jwt_private_key_file, settings.keys_dir)
    signer = JWTSigner(pem, settings.jwt_issuer, settings.jwt_audience, settings.access_token_ttl_seconds)
    return Runtime(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        redis=redis,
        kv=kv,
        limiter=RateLimiter(counters),
        signer=signer,
        mail=make_sender(settings),
        mail_renderer=MailRenderer(settings),
        bus=EventBus(),
        metrics=Metrics(),
        # Unsubscribe links must survive restarts: derive their key from the persistent JWT key.
        email_secret=settings.email_secret or hashlib.sha256(b"lms-email-links\0" + pem).hexdigest(),
    )
