from __future__ import annotations

import httpx
from sqlalchemy import select

from lms.core.runtime import Runtime
from lms.enrollments.models import Enrollment
from lms.progress import service as progress_service
from lms.progress.models import CourseProgress
from tests.courses.helpers import add_lesson, build_course, events
from tests.factories import signed_in


async def _progress(client: httpx.AsyncClient, headers: dict[str, str], course_id: str) -> dict[str, object]:
    resp = await client.get(f"/api/v1/courses/{course_id}/progress", headers=headers)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def test_progress_is_initialized_by_the_enrollment_event(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, lessons=2)
    student = await signed_in(rt, client)
    resp = await client.post("/api/v1/enrollments", json={"course_id": fx.id}, headers=student.headers)
    assert resp.status_code == 201
    await rt.relay.drain()
    async with rt.sessionmaker() as session:
        row = await session.get(CourseProgress, (student.user.id, fx.id))
        assert row is not None and row.required_total == 2 and row.percent == 0


async def test_completing_lessons_completes_the_course_once(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, lessons=2)
    optional = await add_lesson(client, fx.instructor, fx.section_ids[0], title="Extra", is_required=False)
    student = await signed_in(rt, client)
    outsider = await signed_in(rt, client)
    enrollment = (await client.post("/api/v1/enrollments", json={"course_id": fx.id}, headers=student.headers)).json()
    first, second = fx.lesson_ids

    # Only enrolled students record progress.
    for method, path in (("POST", f"/lessons/{first}/complete"), ("DELETE", f"/lessons/{first}/complete")):
        resp = await client.request(method, f"/api/v1{path}", headers=outsider.headers)
        assert resp.status_code == 404 and resp.json()["code"] == "not_enrolled"
    assert (await client.post(f"/api/v1/lessons/{first}/complete")).status_code == 401
    assert (await client.post("/api/v1/lessons/nope/complete", headers=student.headers)).status_code == 404
    assert (await client.get(f"/api/v1/courses/{fx.id}/progress", headers=outsider.headers)).status_code == 404

    for _ in range(2):  # idempotent
        resp = await client.post(f"/api/v1/lessons/{first}/complete", headers=student.headers)
        assert resp.status_code == 200 and resp.json()["completed"] is True
    assert len(await events(rt, "lesson.completed")) == 1
    progress = await _progress(client, student.headers, fx.id)
    assert progress["percent"] == 50 and progress["completed_lesson_ids"] == [first]
    assert progress["completed_at"] is None
    await client.post(f"/api/v1/lessons/{optional['id']}/complete", headers=student.headers)
    assert (await _progress(client, student.headers, fx.id))["percent"] == 50

    resp = await client.put(
        f"/api/v1/lessons/{second}/position", json={"position_seconds": 125}, headers=student.headers
    )
    assert resp.status_code == 200 and resp.json()["position_seconds"] == 125
    for bad in ({"position_seconds": -1}, {"position_seconds": 10**9}, {"position": 1}):
        resp = await client.put(f"/api/v1/lessons/{second}/position", json=bad, headers=student.headers)
        assert resp.status_code == 422
    progress = await _progress(client, student.headers, fx.id)
    assert progress["last_lesson_id"] == second

    assert (await client.post(f"/api/v1/lessons/{second}/complete", headers=student.headers)).status_code == 200
    progress = await _progress(client, student.headers, fx.id)
    assert progress["percent"] == 100 and progress["completed_at"] is not None
    completed = await events(rt, "course.completed")
    assert len(completed) == 1
    assert completed[0]["enrollment_id"] == enrollment["id"] and completed[0]["user_id"] == student.user.id

    # Unticking and ticking again does not announce completion twice.
    resp = await client.delete(f"/api/v1/lessons/{second}/complete", headers=student.headers)
    assert resp.status_code == 200 and resp.json()["completed"] is False
    assert (await _progress(client, student.headers, fx.id))["percent"] == 50
    await client.post(f"/api/v1/lessons/{second}/complete", headers=student.headers)
    assert len(await events(rt, "course.completed")) == 1
    async with rt.sessionmaker() as session:
        row = await session.scalar(select(Enrollment).where(Enrollment.id == enrollment["id"]))
        assert row is not None and row.progress_percent == 100 and row.completed_at is not None
    roster = (await client.get(f"/api/v1/courses/{fx.id}/roster", headers=fx.instructor.headers)).json()
    assert roster["items"][0]["progress_percent"] == 100
    detail = (await client.get(f"/api/v1/courses/{fx.id}", headers=student.headers)).json()
    assert detail["viewer"]["progress_percent"] == 100


async def test_quiz_lessons_are_completed_only_by_the_quiz_service(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, lessons=1)
    quiz = await add_lesson(client, fx.instructor, fx.section_ids[0], title="Unit test", kind="quiz")
    student = await signed_in(rt, client)
    await client.post("/api/v1/enrollments", json={"course_id": fx.id}, headers=student.headers)
    await client.post(f"/api/v1/lessons/{fx.lesson_ids[0]}/complete", headers=student.headers)
    resp = await client.post(f"/api/v1/lessons/{quiz['id']}/complete", headers=student.headers)
    assert resp.status_code == 409 and resp.json()["code"] == "completed_by_quiz"
    assert (await _progress(client, student.headers, fx.id))["percent"] == 50
    async with rt.sessionmaker() as session, session.begin():
        await progress_service.mark_lesson_complete(
            session, user_id=student.user.id, lesson_id=quiz["id"], by_quiz=True
        )
    progress = await _progress(client, student.headers, fx.id)
    assert progress["percent"] == 100 and progress["completed_at"] is not None
    assert len(await events(rt, "course.completed")) == 1
