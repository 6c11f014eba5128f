"""Per-process connection manager: delivers notification frames to every open socket of a user.

With Redis configured, a frame is published on the user's channel (``<prefix>notifications:user:<id>``)
and every process that holds a socket of that user is subscribed to it, so a consumer running in one
replica reaches a browser tab connected to another. Without Redis, frames go to this process's sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import orjson
import structlog
from redis.asyncio.client import PubSub

if TYPE_CHECKING:
    from lms.core.runtime import Runtime

log = structlog.get_logger("lms.notifications.realtime")
QUEUE_SIZE = 256
_HUB_ATTR = "notification_hub"


class Connection:
    """One open socket: frames wait in a bounded queue that the socket's own loop writes out."""

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, frame: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            # A tab that does not read is not allowed to hold memory; it refetches on reconnect.
            log.warning("ws_queue_full", user_id=self.user_id)


class NotificationHub:
    def __init__(self, rt: Runtime) -> None:
        self.redis = rt.redis
        self.prefix = rt.settings.redis_prefix
        self.local: dict[str, set[Connection]] = defaultdict(set)
        self._pubsub: PubSub | None = None
        self._listener: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()

    def channel(self, user_id: str) -> str:
        return f"{self.prefix}notifications:user:{user_id}"

    async def connect(self, user_id: str) -> Connection:
        conn = Connection(user_id)
        async with self._lock:
            first = not self.local.get(user_id)
            self.local[user_id].add(conn)
            if first and self.redis is not None:
                if self._pubsub is None:
                    self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                await self._pubsub.subscribe(self.channel(user_id))
                if self._listener is None or self._listener.done():
                    self._listener = asyncio.create_task(self._listen(self._pubsub))
        return conn

    async def disconnect(self, conn: Connection) -> None:
        async with self._lock:
            conns = self.local.get(conn.user_id)
            if conns is None:
                return
            conns.discard(conn)
            if not conns:
                del self.local[conn.user_id]
                if self._pubsub is not None:
                    with contextlib.suppress(Exception):
                        await self._pubsub.unsubscribe(self.channel(conn.user_id))

    async def publish(self, user_id: str, frame: dict[str, Any]) -> None:
        """Send a frame to every socket of the user, in every replica."""
        if self.redis is None:
            self._deliver(user_id, frame)
            return
        await self.redis.publish(self.channel(user_id), orjson.dumps({"user_id": user_id, "frame": frame}))

    def publish_soon(self, user_id: str, frame: dict[str, Any]) -> None:
        """Publish from synchronous code (an after-commit hook) without blocking it."""
        task = asyncio.get_running_loop().create_task(self._publish_logged(user_id, frame))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish_logged(self, user_id: str, frame: dict[str, Any]) -> None:
        try:
            await self.publish(user_id, frame)
        except Exception as exc:
            # The notification is stored; a tab that missed the push sees it on its next fetch.
            log.warning("ws_publish_failed", user_id=user_id, error=repr(exc))

    def _deliver(self, user_id: str, frame: dict[str, Any]) -> None:
        for conn in list(self.local.get(user_id, ())):
            conn.offer(frame)

    async def _listen(self, pubsub: PubSub) -> None:
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("ws_pubsub_error", error=repr(exc))
                await asyncio.sleep(1.0)
                continue
            if message is None or message.get("type") != "message":
                continue
            try:
                payload = orjson.loads(message["data"])
                self._deliver(str(payload["user_id"]), dict(payload["frame"]))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                log.warning("ws_bad_pubsub_message", error=repr(exc))

    async def flush(self) -> None:
        """Wait for publishes scheduled so far (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.flush()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            self._pubsub = None


def hub_for(rt: Runtime) -> NotificationHub:
    """The process's hub, created on first use and kept on the runtime it serves."""
    hub = vars(rt).get(_HUB_ATTR)
    if hub is None:
        hub = NotificationHub(rt)
        vars(rt)[_HUB_ATTR] = hub
    assert isinstance(hub, NotificationHub)
    return hub


async def close_hub(rt: Runtime) -> None:
    hub = vars(rt).pop(_HUB_ATTR, None)
    if isinstance(hub, NotificationHub):
        await hub.close()
