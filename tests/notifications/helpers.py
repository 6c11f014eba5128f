"""Helpers for the notification tests: publish events, run a real server for WebSocket clients."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import orjson
import uvicorn
from fastapi import FastAPI
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection

from lms.core.events import OutboxEvent, publish
from lms.core.runtime import Runtime
from lms.notifications.realtime import hub_for


async def emit(rt: Runtime, type: str, data: dict[str, Any], *, actor_id: str | None = None) -> str:
    """Publish one event in its own unit of work and deliver everything due."""
    async with rt.sessionmaker() as session, session.begin():
        row = publish(session, type, data, actor_id=actor_id)
    await rt.relay.drain()
    await hub_for(rt).flush()
    return row.id


async def redeliver_all(rt: Runtime) -> int:
    """Mark every event unpublished again and drain: at-least-once delivery, as after a crash."""
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(update(OutboxEvent).values(published_at=None, claimed_until=None))
    return await rt.relay.drain()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Serve the app on a real port in this event loop (WebSockets need a real server)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/api/v1/ws"
    finally:
        server.should_exit = True
        await task


async def recv_json(ws: ClientConnection, *, skip_pings: bool = True, timeout: float = 5.0) -> dict[str, Any]:
    while True:
        frame = orjson.loads(await asyncio.wait_for(ws.recv(), timeout))
        assert isinstance(frame, dict)
        if skip_pings and frame.get("type") == "ping":
            continue
        return frame
