from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from lms.core.db import utcnow
from lms.core.runtime import Runtime
from lms.courses.models import Course
from lms.enrollments import service as enrollments_service
from lms.enrollments.models import Enrollment
from lms.users import service as users_service
from lms.users.models import Role
from tests.conftest import Backend
from tests.courses.helpers import build_course, events
from tests.factories import signed_in


async def _enroll(client: httpx.AsyncClient, headers: dict[str, str], course_id: str) -> httpx.Response:
    return await client.post("/api/v1/enrollments", json={"course_id": course_id}, headers=headers)


async def _course_row(rt: Runtime, course_id: str) -> Course:
    async with rt.sessionmaker() as session:
        course = await session.get(Course, course_id)
        assert course is not None
        return course


async def test_free_enrollment_is_created_once_and_emits_an_event(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, capacity=5)
    student = await signed_in(rt, client)
    first = await _enroll(client, student.headers, fx.id)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "active" and body["source"] == "free" and body["progress_percent"] == 0
    again = await _enroll(client, student.headers, fx.course["slug"])
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    assert await events(rt, "enrollment.created") == [
        {"enrollment_id": body["id"], "user_id": student.user.id, "course_id": fx.id, "source": "free"}
    ]
    course = await _course_row(rt, fx.id)
    assert course.enrollment_count == 1

    detail = (await client.get(f"/api/v1/courses/{fx.id}", headers=student.headers)).json()
    assert detail["viewer"]["enrolled"] is True and detail["viewer"]["enrollment_id"] == body["id"]
    assert detail["seats_left"] == 4
    # Enrolled students read every lesson.
    assert (await client.get(f"/api/v1/lessons/{fx.lesson_ids[1]}", headers=student.headers)).status_code == 200

    mine = (await client.get("/api/v1/enrollments/me", headers=student.headers)).json()
    assert mine["total"] == 1
    assert mine["items"][0]["course"]["title"] == "Data Structures"
    assert mine["items"][0]["last_lesson_id"] == fx.lesson_ids[1]


async def test_enrollment_checks(rt: Runtime, client: httpx.AsyncClient) -> None:
    student = await signed_in(rt, client)
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    draft = await build_course(rt, client, instructor=teacher, published=False)
    assert (await _enroll(client, student.headers, draft.id)).status_code == 404
    assert (await _enroll(client, student.headers, "no-such-course")).status_code == 404
    assert (await _enroll(client, student.headers, "x" * 37)).status_code == 422
    assert (
        await client.post("/api/v1/enrollments", json={"course_id": draft.id, "x": 1}, headers=student.headers)
    ).status_code == 422
    assert (await _enroll(client, {}, draft.id)).status_code == 401

    later = await build_course(
        rt, client, instructor=teacher, enrollment_opens_at=(utcnow() + timedelta(days=3)).isoformat()
    )
    resp = await _enroll(client, student.headers, later.id)
    assert resp.status_code == 409 and resp.json()["code"] == "enrollment_closed"
    closed = await build_course(
        rt,
        client,
        instructor=teacher,
        enrollment_opens_at=(utcnow() - timedelta(days=3)).isoformat(),
        enrollment_closes_at=(utcnow() - timedelta(days=1)).isoformat(),
    )
    assert (await _enroll(client, student.headers, closed.id)).json()["code"] == "enrollment_closed"

    basics = await build_course(rt, client, instructor=teacher, title="Programming Basics")
    advanced = await build_course(rt, client, instructor=teacher, title="Compilers", prerequisite_ids=[basics.id])
    # The course page lists them (an empty list for a course without any), found by id or by slug.
    for course_id, expected in ((advanced.id, [basics.id]), (basics.id, [])):
        page = (await client.get(f"/api/v1/courses/{course_id}")).json()
        assert [p["id"] for p in page["prerequisites"]] == expected
    slug = (await client.get(f"/api/v1/courses/{advanced.id}")).json()["slug"]
    listed = (await client.get(f"/api/v1/courses/{slug}")).json()["prerequisites"]
    assert [(p["id"], p["title"]) for p in listed] == [(basics.id, "Programming Basics")]
    # Several are listed by title, A to Z whatever the case, on the page read and on an edit's answer.
    automata = await build_course(rt, client, instructor=teacher, title="automata Theory")
    logic = await build_course(rt, client, instructor=teacher, title="Logic Design")
    resp = await client.patch(
        f"/api/v1/courses/{advanced.id}",
        json={"prerequisite_ids": [basics.id, logic.id, automata.id]},
        headers=teacher.headers,
    )
    titles = ["automata Theory", "Logic Design", "Programming Basics"]
    assert [p["title"] for p in resp.json()["prerequisites"]] == titles
    page = (await client.get(f"/api/v1/courses/{slug}")).json()
    assert [p["title"] for p in page["prerequisites"]] == titles
    assert page["prerequisites"][0] == {"id": automata.id, "slug": automata.course["slug"], "title": "automata Theory"}
    await client.patch(
        f"/api/v1/courses/{advanced.id}", json={"prerequisite_ids": [basics.id]}, headers=teacher.headers
    )
    resp = await _enroll(client, student.headers, advanced.id)
    assert resp.status_code == 409
    assert resp.json()["code"] == "prerequisites_not_met"
    assert resp.json()["missing_course_ids"] == [basics.id]
    async with rt.sessionmaker() as session, session.begin():
        await enrollments_service.admin_enroll(
            session, admin=teacher.user, user_id=student.user.id, course_id=basics.id
        )
        await enrollments_service.record_progress(
            session, user_id=student.user.id, course_id=basics.id, percent=100, completed_at=utcnow()
        )
    assert (await _enroll(client, student.headers, advanced.id)).status_code == 201

    full = await build_course(rt, client, instructor=teacher, capacity=1)
    assert (await _enroll(client, (await signed_in(rt, client)).headers, full.id)).status_code == 201
    resp = await _enroll(client, student.headers, full.id)
    assert resp.status_code == 409 and resp.json()["code"] == "course_full"

    paid = await build_course(rt, client, instructor=teacher, price={"amount": 49900, "currency": "INR"})
    resp = await _enroll(client, student.headers, paid.id)
    assert resp.status_code == 402
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "payment_required"
    assert resp.json()["checkout_url"] == f"/checkout/{paid.id}"
    assert resp.json()["price"] == {"amount": 49900, "currency": "INR"}
    async with rt.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Enrollment).where(Enrollment.user_id == student.user.id)
        )
        assert count == 2


async def test_paid_activation_drop_and_reenroll(rt: Runtime, client: httpx.AsyncClient) -> None:
    paid = await build_course(rt, client, price={"amount": 99900, "currency": "INR"}, capacity=1)
    student = await signed_in(rt, client)
    other = await signed_in(rt, client)
    async with rt.sessionmaker() as session, session.begin():
        first = await enrollments_service.activate_paid_enrollment(
            session, user_id=other.user.id, course_id=paid.id, order_id="order-1"
        )
        # A paying student gets in even when the course is full; activation is idempotent.
        mine = await enrollments_service.activate_paid_enrollment(
            session, user_id=student.user.id, course_id=paid.id, order_id="order-2"
        )
        again = await enrollments_service.activate_paid_enrollment(
            session, user_id=student.user.id, course_id=paid.id, order_id="order-2"
        )
        assert mine.id == again.id and first.id != mine.id
        assert mine.source == "payment" and mine.order_id == "order-2"
    assert (await _course_row(rt, paid.id)).enrollment_count == 2
    assert (await _enroll(client, student.headers, paid.id)).status_code == 200

    assert (await client.delete(f"/api/v1/enrollments/{mine.id}", headers=other.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/enrollments/{mine.id}", headers=student.headers)).status_code == 204
    assert (await client.delete(f"/api/v1/enrollments/{mine.id}", headers=student.headers)).status_code == 204
    assert (await client.delete("/api/v1/enrollments/nope", headers=student.headers)).status_code == 404
    assert (await _course_row(rt, paid.id)).enrollment_count == 1
    ended = await events(rt, "enrollment.ended")
    assert [e["status"] for e in ended] == ["dropped"]
    # Non-preview lessons close again after dropping.
    assert (await client.get(f"/api/v1/lessons/{paid.lesson_ids[1]}", headers=student.headers)).status_code == 404
    mine_list = (
        await client.get("/api/v1/enrollments/me", params={"status": "dropped"}, headers=student.headers)
    ).json()
    assert [e["status"] for e in mine_list["items"]] == ["dropped"]

    async with rt.sessionmaker() as session, session.begin():
        ended_row = await enrollments_service.end_enrollment(session, enrollment_id=first.id, reason="refund")
        assert ended_row.status == "ended"
        back = await enrollments_service.activate_paid_enrollment(
            session, user_id=student.user.id, course_id=paid.id, order_id="order-3"
        )
        assert back.id == mine.id and back.status == "active" and back.order_id == "order-3"
    assert (await _course_row(rt, paid.id)).enrollment_count == 1
    assert len(await events(rt, "enrollment.created")) == 3


async def test_roster_and_admin_enroll_remove(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, capacity=1)
    other_teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    admin = await signed_in(rt, client, Role.ADMIN)
    asha = await signed_in(rt, client, full_name="Asha")
    bala = await signed_in(rt, client, full_name="Bala")
    assert (await _enroll(client, asha.headers, fx.id)).status_code == 201
    resp = await client.post(
        "/api/v1/admin/enrollments", json={"user_id": bala.user.id, "course_id": fx.id}, headers=admin.headers
    )
    assert resp.status_code == 201 and resp.json()["source"] == "admin"
    bala_enrollment = resp.json()["id"]
    resp = await client.post(
        "/api/v1/admin/enrollments", json={"user_id": bala.user.id, "course_id": fx.id}, headers=admin.headers
    )
    assert resp.status_code == 200
    for body in ({"user_id": "nope", "course_id": fx.id}, {"user_id": bala.user.id, "course_id": "nope"}):
        assert (await client.post("/api/v1/admin/enrollments", json=body, headers=admin.headers)).status_code == 404
    resp = await client.post(
        "/api/v1/admin/enrollments", json={"user_id": bala.user.id, "course_id": fx.id}, headers=fx.instructor.headers
    )
    assert resp.status_code == 403

    roster = await client.get(f"/api/v1/courses/{fx.id}/roster", headers=fx.instructor.headers)
    assert roster.status_code == 200
    assert [(e["student"]["full_name"], e["progress_percent"]) for e in roster.json()["items"]] == [
        ("Asha", 0),
        ("Bala", 0),
    ]
    assert (await client.get(f"/api/v1/courses/{fx.id}/roster", headers=other_teacher.headers)).status_code == 404
    assert (await client.get(f"/api/v1/courses/{fx.id}/roster", headers=asha.headers)).status_code == 403

    assert (
        await client.delete(f"/api/v1/admin/enrollments/{bala_enrollment}", headers=admin.headers)
    ).status_code == 204
    assert (await client.delete("/api/v1/admin/enrollments/nope", headers=admin.headers)).status_code == 404
    roster = await client.get(f"/api/v1/courses/{fx.id}/roster", headers=admin.headers)
    assert [e["student"]["full_name"] for e in roster.json()["items"]] == ["Asha"]
    removed = await client.get(f"/api/v1/courses/{fx.id}/roster", params={"status": "removed"}, headers=admin.headers)
    assert [e["student"]["full_name"] for e in removed.json()["items"]] == ["Bala"]
    assert (await _course_row(rt, fx.id)).enrollment_count == 1


async def test_capacity_holds_under_concurrency(rt: Runtime, client: httpx.AsyncClient, backend: Backend) -> None:
    """200 students race for the last 10 seats (fewer on SQLite, which serializes writes anyway)."""
    students, seats = (200, 10) if backend.name != "sqlite" else (40, 5)
    fx = await build_course(rt, client, capacity=seats + 2)
    async with rt.sessionmaker() as session, session.begin():
        users = [
            await users_service.create(
                session, email=f"racer{n}@example.edu", full_name=f"Racer {n}", password_hash="x"
            )
            for n in range(students + 2)
        ]
        for early in users[:2]:
            await enrollments_service.admin_enroll(session, admin=early, user_id=early.id, course_id=fx.id)
    tokens = [rt.signer.issue(user_id=u.id, email=u.email, role=u.role, session_id=None)[0] for u in users[2:]]
    responses = await asyncio.gather(*(_enroll(client, {"Authorization": f"Bearer {t}"}, fx.id) for t in tokens))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == seats, codes
    assert codes.count(409) == students - seats, codes
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"course_full"}
    async with rt.sessionmaker() as session:
        active = await session.scalar(
            select(func.count())
            .select_from(Enrollment)
            .where(Enrollment.course_id == fx.id, Enrollment.status == "active")
        )
        assert active == seats + 2
    course = await _course_row(rt, fx.id)
    assert course.enrollment_count == seats + 2
    assert len(await events(rt, "enrollment.created")) == seats + 2


async def test_one_student_racing_with_themselves_takes_one_seat(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, capacity=5)
    student = await signed_in(rt, client)
    responses = await asyncio.gather(*(_enroll(client, student.headers, fx.id) for _ in range(8)))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert (await _course_row(rt, fx.id)).enrollment_count == 1
    enrollment_id = responses[0].json()["id"]
    drops = await asyncio.gather(
        *(client.delete(f"/api/v1/enrollments/{enrollment_id}", headers=student.headers) for _ in range(5))
    )
    assert {r.status_code for r in drops} == {204}
    assert (await _course_row(rt, fx.id)).enrollment_count == 0
    assert len(await events(rt, "enrollment.ended")) == 1
