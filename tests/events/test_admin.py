"""Admin endpoints of event delivery with the in-process bus (the outbox is the queue)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import utcnow
from lms.core.events import Event, OutboxEvent, publish
from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.factories import signed_in


async def test_backlog_lag_dead_letters_and_replay(rt: Runtime, client: httpx.AsyncClient) -> None:
    handled: list[str] = []
    broken = True

    async def handler(rt: Runtime, session: AsyncSession, event: Event) -> None:
        if broken:
            raise ValueError("downstream unavailable")
        handled.append(event.id)

    rt.bus.subscribe("test.thing", "test.thing_consumer")(handler)
    admin = await signed_in(rt, client, role=Role.ADMIN)
    async with rt.sessionmaker() as session, session.begin():
        failing = publish(session, "test.thing", {"n": 1})
        publish(session, "test.thing", {"n": 2}).occurred_at = utcnow() - timedelta(minutes=5)

    backlog = (await client.get("/api/v1/admin/events/backlog", headers=admin.headers)).json()
    assert backlog["broker"] == "inprocess" and backlog["pending"] == 2 and backlog["dead"] == 0
    assert backlog["oldest_pending_age_seconds"] >= 299
    lag = (await client.get("/api/v1/admin/events/consumers", headers=admin.headers)).json()
    assert {"consumer": "test.thing_consumer", "event_type": "test.thing", "pending": None, "lag": 2} in lag

    await rt.relay.drain()
    async with rt.sessionmaker() as session, session.begin():  # as if every retry had failed
        await session.execute(update(OutboxEvent).where(OutboxEvent.id == failing.id).values(dead_at=utcnow()))
    letters = (await client.get("/api/v1/admin/events/dead-letters", headers=admin.headers)).json()
    assert letters["total"] == 1
    [letter] = letters["items"]
    assert letter["id"] == f"outbox:{failing.id}" and "downstream unavailable" in letter["error"]

    broken = False
    resp = await client.post(f"/api/v1/admin/events/dead-letters/{letter['id']}/replay", headers=admin.headers)
    assert resp.status_code == 202
    await rt.relay.drain()
    assert failing.id in handled
    backlog = (await client.get("/api/v1/admin/events/backlog", headers=admin.headers)).json()
    assert backlog["dead"] == 0
    missing = await client.post(f"/api/v1/admin/events/dead-letters/{letter['id']}/replay", headers=admin.headers)
    assert missing.status_code == 404
    assert (
        await client.post("/api/v1/admin/events/dead-letters/nope/replay", headers=admin.headers)
    ).status_code == 404


async def test_admin_only(rt: Runtime, client: httpx.AsyncClient) -> None:
    student = await signed_in(rt, client)
    for path in ("backlog", "consumers", "dead-letters"):
        assert (await client.get(f"/api/v1/admin/events/{path}", headers=student.headers)).status_code == 403
        assert (await client.get(f"/api/v1/admin/events/{path}")).status_code == 401
