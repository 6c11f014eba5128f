"""Object-level rules for sections and lessons, archived courses, and unknown ids."""

from __future__ import annotations

import httpx

from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.courses.helpers import build_course
from tests.factories import signed_in


async def test_sections_and_lessons_of_another_instructor_are_not_found(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, published=False)
    other = await signed_in(rt, client, Role.INSTRUCTOR)
    admin = await signed_in(rt, client, Role.ADMIN)
    section, lesson = fx.section_ids[0], fx.lesson_ids[0]
    attempts = [
        ("PATCH", f"/sections/{section}", {"title": "x"}),
        ("DELETE", f"/sections/{section}", None),
        ("POST", f"/sections/{section}/lessons", {"title": "x", "kind": "text"}),
        ("PATCH", f"/lessons/{lesson}", {"title": "x"}),
        ("DELETE", f"/lessons/{lesson}", None),
        ("GET", f"/lessons/{lesson}", None),
        ("PUT", f"/courses/{fx.id}/sections/order", {"section_ids": [section]}),
        ("GET", f"/courses/{fx.id}/reviews", None),
    ]
    for method, path, body in attempts:
        resp = await client.request(method, f"/api/v1{path}", json=body, headers=other.headers)
        assert resp.status_code == 404, (method, path, resp.text)
        assert resp.json()["code"] == "not_found"
    for method, path, body in (
        ("PATCH", "/sections/nope", {"title": "x"}),
        ("DELETE", "/lessons/nope", None),
        ("POST", "/sections/nope/lessons", {"title": "x", "kind": "text"}),
        ("PUT", "/sections/nope/lessons/order", {"lesson_ids": []}),
        ("PATCH", "/courses/nope", {"title": "x"}),
        ("POST", "/courses/nope/publish", None),
        ("GET", "/courses/" + "x" * 200, None),
    ):
        resp = await client.request(method, f"/api/v1{path}", json=body, headers=admin.headers)
        assert resp.status_code == 404, (method, path, resp.text)
    # Admins edit any course.
    resp = await client.patch(f"/api/v1/sections/{section}", json={"title": "Renamed"}, headers=admin.headers)
    assert resp.status_code == 200 and resp.json()["title"] == "Renamed"
    resp = await client.patch(f"/api/v1/sections/{section}", json={"title": "x", "position": 3}, headers=admin.headers)
    assert resp.status_code == 422


async def test_archived_courses_stay_open_to_their_students(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, lessons=2)
    student = await signed_in(rt, client)
    newcomer = await signed_in(rt, client)
    await client.post("/api/v1/enrollments", json={"course_id": fx.id}, headers=student.headers)
    assert (await client.post(f"/api/v1/courses/{fx.id}/archive", headers=fx.instructor.headers)).status_code == 200
    assert (await client.get(f"/api/v1/courses/{fx.id}", headers=student.headers)).status_code == 200
    assert (await client.get(f"/api/v1/lessons/{fx.lesson_ids[1]}", headers=student.headers)).status_code == 200
    assert (
        await client.post(f"/api/v1/lessons/{fx.lesson_ids[1]}/complete", headers=student.headers)
    ).status_code == 200
    assert (await client.get(f"/api/v1/courses/{fx.id}", headers=newcomer.headers)).status_code == 404
    assert (await client.get(f"/api/v1/lessons/{fx.lesson_ids[0]}", headers=newcomer.headers)).status_code == 404
    resp = await client.post("/api/v1/enrollments", json={"course_id": fx.id}, headers=newcomer.headers)
    assert resp.status_code == 404
    # Publishing again brings it back to the catalog.
    assert (await client.post(f"/api/v1/courses/{fx.id}/publish", headers=fx.instructor.headers)).status_code == 200
    assert (await client.get("/api/v1/courses")).json()["total"] == 1


async def test_returning_students_keep_their_progress(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, lessons=2)
    student = await signed_in(rt, client)
    enrollment = (await client.post("/api/v1/enrollments", json={"course_id": fx.id}, headers=student.headers)).json()
    await client.post(f"/api/v1/lessons/{fx.lesson_ids[0]}/complete", headers=student.headers)
    await client.delete(f"/api/v1/enrollments/{enrollment['id']}", headers=student.headers)
    resp = await client.post(f"/api/v1/lessons/{fx.lesson_ids[1]}/complete", headers=student.headers)
    assert resp.status_code == 404
    again = await client.post("/api/v1/enrollments", json={"course_id": fx.id}, headers=student.headers)
    assert again.status_code == 201 and again.json()["id"] == enrollment["id"]
    assert await rt.relay.drain() >= 1
    progress = (await client.get(f"/api/v1/courses/{fx.id}/progress", headers=student.headers)).json()
    assert progress["percent"] == 50 and progress["completed_lesson_ids"] == [fx.lesson_ids[0]]
