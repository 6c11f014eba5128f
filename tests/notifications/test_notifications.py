from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from lms.core.db import utcnow
from lms.core.events import Event
from lms.core.runtime import Runtime
from lms.notifications import handlers
from lms.notifications.models import Notification
from lms.users.models import Role
from tests.factories import create_user, signed_in
from tests.notifications.helpers import emit, redeliver_all


async def _rows(rt: Runtime, user_id: str) -> list[Notification]:
    async with rt.sessionmaker() as session:
        return list((await session.scalars(select(Notification).where(Notification.user_id == user_id))).all())


async def _emit_all_kinds(rt: Runtime, user_id: str) -> None:
    await emit(rt, "user.registered", {"user_id": user_id, "email": "x@example.edu", "full_name": "Asha"})
    await emit(
        rt,
        "enrollment.created",
        {"enrollment_id": "e1", "user_id": user_id, "course_id": "c1", "source": "free", "course_title": "Algebra"},
    )
    await emit(
        rt,
        "payment.success",
        {"order_id": "o1", "user_id": user_id, "course_id": "c1", "amount": 49900, "currency": "INR"},
    )
    await emit(
        rt,
        "quiz.graded",
        {
            "attempt_id": "a1",
            "user_id": user_id,
            "quiz_id": "q1",
            "course_id": "c1",
            "score_percent": 80,
            "passed": True,
        },
    )
    await emit(
        rt, "certificate.issued", {"certificate_id": "z1", "code": "JNTU-ABC", "user_id": user_id, "course_id": "c1"}
    )
    await emit(rt, "course.completed", {"user_id": user_id, "course_id": "c1"})


async def test_consumers_create_one_notification_per_event(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await signed_in(rt, client)
    await _emit_all_kinds(rt, acct.user.id)

    resp = await client.get("/api/v1/notifications", headers=acct.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == 6 and body["page"] == 1 and body["page_size"] == 20
    kinds = [n["kind"] for n in body["items"]]
    assert sorted(kinds) == sorted(
        ["welcome", "enrollment", "payment", "quiz_graded", "certificate", "course_completed"]
    )
    by_kind = {n["kind"]: n for n in body["items"]}
    assert by_kind["welcome"]["title"] == f"Welcome to {rt.settings.site_name}"
    assert by_kind["enrollment"]["title"] == "You are enrolled in Algebra"
    assert by_kind["enrollment"]["link"] == "/courses/c1"
    assert by_kind["enrollment"]["data"] == {
        "enrollment_id": "e1",
        "course_id": "c1",
        "course_title": "Algebra",
        "source": "free",
    }
    assert "INR 499.00" in by_kind["payment"]["body"]
    assert by_kind["quiz_graded"]["body"] == "You scored 80%. You passed."
    assert by_kind["certificate"]["link"] == "/certificates/JNTU-ABC"
    assert all(n["read_at"] is None for n in body["items"])

    count = await client.get("/api/v1/notifications/unread-count", headers=acct.headers)
    assert count.status_code == 200 and count.json() == {"unread_count": 6}

    # Redelivery of every event (as after a relay crash) adds nothing.
    assert await redeliver_all(rt) == 6
    assert len(await _rows(rt, acct.user.id)) == 6


async def test_consumer_called_twice_for_one_event_creates_one(rt: Runtime, app: FastAPI) -> None:
    acct = await create_user(rt)
    data = {"user_id": acct.user.id, "course_id": "c9"}
    event_id = await emit(rt, "course.completed", data)
    event = Event(event_id, "course.completed", utcnow(), 1, None, data)
    assert await rt.bus.dispatch(rt, event) == []
    assert await rt.bus.dispatch(rt, event) == []
    rows = await _rows(rt, acct.user.id)
    assert [r.event_id for r in rows] == [event_id]


async def test_events_without_a_known_user_create_nothing(rt: Runtime, app: FastAPI) -> None:
    await emit(rt, "course.completed", {"course_id": "c1"})
    await emit(rt, "payment.success", {"user_id": "no-such-user", "amount": "lots", "currency": None})
    await emit(rt, "quiz.graded", {"user_id": 12345, "score_percent": "NaN"})
    async with rt.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(Notification))).scalar_one() == 0


async def test_malformed_payload_fields_are_tolerated(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await signed_in(rt, client)
    await emit(rt, "payment.success", {"user_id": acct.user.id, "amount": "49900", "currency": 5})
    await emit(rt, "quiz.graded", {"user_id": acct.user.id, "passed": "yes"})
    items = (await client.get("/api/v1/notifications", headers=acct.headers)).json()["items"]
    assert {n["kind"]: n["body"] for n in items} == {
        "payment": "We received your payment. Thank you!",
        "quiz_graded": "Your result is available.",
    }


async def test_unread_filter_pagination_and_marking_read(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await signed_in(rt, client)
    for i in range(5):
        await emit(rt, "course.completed", {"user_id": acct.user.id, "course_id": f"c{i}"})

    page = await client.get("/api/v1/notifications?page=2&page_size=2", headers=acct.headers)
    assert page.status_code == 200
    assert page.json()["total"] == 5 and len(page.json()["items"]) == 2

    newest = (await client.get("/api/v1/notifications?page_size=1", headers=acct.headers)).json()["items"][0]
    assert newest["data"] == {"course_id": "c4"}
    read = await client.post(f"/api/v1/notifications/{newest['id']}/read", headers=acct.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    first_read_at = read.json()["read_at"]
    again = await client.post(f"/api/v1/notifications/{newest['id']}/read", headers=acct.headers)
    assert again.status_code == 200 and again.json()["read_at"] == first_read_at

    unread = await client.get("/api/v1/notifications?unread=true", headers=acct.headers)
    assert unread.json()["total"] == 4 and newest["id"] not in {n["id"] for n in unread.json()["items"]}
    assert (await client.get("/api/v1/notifications/unread-count", headers=acct.headers)).json() == {"unread_count": 4}

    all_read = await client.post("/api/v1/notifications/read-all", headers=acct.headers)
    assert all_read.status_code == 200 and all_read.json() == {"marked_read": 4, "unread_count": 0}
    assert all(n.read_at is not None for n in await _rows(rt, acct.user.id))
    assert (await client.post("/api/v1/notifications/read-all", headers=acct.headers)).json()["marked_read"] == 0


async def test_only_the_owner_sees_and_marks_a_notification(rt: Runtime, client: httpx.AsyncClient) -> None:
    owner = await signed_in(rt, client)
    other = await signed_in(rt, client)
    admin = await signed_in(rt, client, role=Role.ADMIN)
    await emit(rt, "course.completed", {"user_id": owner.user.id, "course_id": "c1"})
    [row] = await _rows(rt, owner.user.id)

    assert (await client.get("/api/v1/notifications", headers=other.headers)).json()["total"] == 0
    for intruder in (other, admin):
        resp = await client.post(f"/api/v1/notifications/{row.id}/read", headers=intruder.headers)
        assert resp.status_code == 404
        assert resp.json()["code"] == "not_found"
    assert (await client.post("/api/v1/notifications/read-all", headers=other.headers)).json()["marked_read"] == 0
    [after] = await _rows(rt, owner.user.id)
    assert after.read_at is None

    assert (await client.post("/api/v1/notifications/nope/read", headers=owner.headers)).status_code == 404


async def test_notifications_require_sign_in(client: httpx.AsyncClient) -> None:
    for method, path in [
        ("GET", "/api/v1/notifications"),
        ("GET", "/api/v1/notifications/unread-count"),
        ("POST", "/api/v1/notifications/read-all"),
        ("POST", "/api/v1/notifications/x/read"),
    ]:
        resp = await client.request(method, path)
        assert resp.status_code == 401, path
        assert resp.headers["content-type"].startswith("application/problem+json")


def test_money_is_formatted_by_currency_exponent() -> None:
    assert handlers.format_money(49900, "INR") == "INR 499.00"
    assert handlers.format_money(1500, "jpy") == "JPY 1,500"
    assert handlers.format_money(1234567, "KWD") == "KWD 1,234.567"
