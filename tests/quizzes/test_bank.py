"""Quiz settings and the course question bank: CRUD, reorder, JSON and GIFT import/export, who may."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from lms.core.runtime import Runtime
from lms.courses.models import Lesson
from lms.quizzes.models import Question, Quiz
from lms.users.models import Role
from tests.factories import signed_in
from tests.quizzes.helpers import ESSAY, QUESTIONS, build_quiz, enrolled_student
from tests.quizzes.test_gift import MOODLE_EXPORT


async def _count(rt: Runtime) -> int:
    async with rt.sessionmaker() as session:
        return int(await session.scalar(select(func.count(Question.id))) or 0)


async def test_quiz_settings_and_syllabus_lesson(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_quiz(rt, client, time_limit_seconds=600, pool_size=3, review_policy="never")
    h = fx.instructor.headers
    quiz = (await client.get(f"/api/v1/quizzes/{fx.id}", headers=h)).json()
    assert quiz["question_count"] == 5 and quiz["time_limit_seconds"] == 600 and quiz["review_policy"] == "never"
    async with rt.sessionmaker() as session:
        lesson = await session.get(Lesson, quiz["lesson_id"])
        assert lesson is not None and lesson.kind == "quiz" and lesson.is_required
    resp = await client.patch(
        f"/api/v1/quizzes/{fx.id}", json={"is_required": False, "passing_percent": 80, "title": "Midterm"}, headers=h
    )
    assert resp.status_code == 200 and resp.json()["passing_percent"] == 80
    async with rt.sessionmaker() as session:
        lesson = await session.get(Lesson, quiz["lesson_id"])
        assert lesson is not None and not lesson.is_required and lesson.title == "Midterm"

    student = await enrolled_student(rt, client, fx.course.id)
    seen = (await client.get(f"/api/v1/lessons/{quiz['lesson_id']}/quiz", headers=student.headers)).json()
    assert seen["id"] == fx.id and seen["question_count"] == 3 and seen["attempts_used"] == 0
    listed = (await client.get(f"/api/v1/courses/{fx.course.id}/quizzes", headers=student.headers)).json()
    assert [q["id"] for q in listed] == [fx.id]

    # Bad settings, other people's quizzes, students and outsiders.
    for bad in ({"passing_percent": 101}, {"time_limit_seconds": 0}, {"attempts_allowed": 0}, {"pool_size": 0},
                {"available_from": "2026-12-02T00:00:00Z", "available_until": "2026-12-01T00:00:00Z"}):  # fmt: skip
        resp = await client.patch(f"/api/v1/quizzes/{fx.id}", json=bad, headers=h)
        assert resp.status_code == 422, bad
        assert resp.headers["content-type"].startswith("application/problem+json")
    other = await signed_in(rt, client, Role.INSTRUCTOR)
    outsider = await signed_in(rt, client)
    assert (
        await client.patch(f"/api/v1/quizzes/{fx.id}", json={"title": "x"}, headers=other.headers)
    ).status_code == 404
    assert (
        await client.patch(f"/api/v1/quizzes/{fx.id}", json={"title": "x"}, headers=student.headers)
    ).status_code == 403
    resp = await client.get(f"/api/v1/quizzes/{fx.id}", headers=outsider.headers)
    assert resp.status_code == 404 and resp.json()["code"] == "not_enrolled"
    resp = await client.post(f"/api/v1/courses/{fx.course.id}/quizzes", json={"title": "x"}, headers=other.headers)
    assert resp.status_code == 404
    resp = await client.post(
        f"/api/v1/courses/{fx.course.id}/quizzes", json={"title": "x", "lesson_id": quiz["lesson_id"]}, headers=h
    )
    assert resp.status_code == 409  # that lesson already has its quiz
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count(Quiz.id))) == 1


async def test_question_bank_crud_reorder_and_invalid_definitions(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_quiz(rt, client)
    h, course_id = fx.instructor.headers, fx.course.id
    bank = (await client.get(f"/api/v1/courses/{course_id}/questions", headers=h)).json()
    assert [q["kind"] for q in bank] == ["single", "multiple", "true_false", "short", "numeric"]
    assert bank[0]["options"][0]["correct"] is True and "<strong>Andhra Pradesh</strong>" in bank[0]["stem_html"]

    invalid = [
        {"kind": "single", "stem": "No key", "options": [{"text": "a"}, {"text": "b"}]},
        {"kind": "numeric", "stem": "Negative", "value": 1, "tolerance": -1},
        {"kind": "short", "stem": "Bad regex", "regex": "(unclosed"},
        {"kind": "short", "stem": "Evil regex", "regex": "(a+)+b"},
        {"kind": "true_false", "stem": "No key"},
    ]
    before = await _count(rt)
    for body in invalid:
        resp = await client.post(f"/api/v1/courses/{course_id}/questions", json=body, headers=h)
        assert resp.status_code == 422, body
        problem = resp.json()
        assert problem["code"] == "invalid_question" and problem["errors"][0]["field"], problem
    for body in (
        {"kind": "riddle", "stem": "?"},
        {"kind": "essay", "stem": ""},
        {"kind": "essay", "stem": "x", "points": -1},
    ):
        assert (await client.post(f"/api/v1/courses/{course_id}/questions", json=body, headers=h)).status_code == 422
    assert await _count(rt) == before

    essay = (
        await client.post(f"/api/v1/courses/{course_id}/questions", json=ESSAY | {"quiz_id": fx.id}, headers=h)
    ).json()
    first = bank[0]
    edited = first | {"stem": "Capital of AP?", "options": first["options"][:2]}
    resp = await client.put(f"/api/v1/questions/{first['id']}", json=edited, headers=h)
    assert resp.status_code == 200
    assert [o["id"] for o in resp.json()["options"]] == [o["id"] for o in first["options"][:2]]  # ids kept

    order = [essay["id"], *reversed([q["id"] for q in bank])]
    resp = await client.put(f"/api/v1/quizzes/{fx.id}/questions/order", json={"question_ids": order}, headers=h)
    assert resp.status_code == 200 and [q["id"] for q in resp.json()] == order
    resp = await client.put(f"/api/v1/quizzes/{fx.id}/questions/order", json={"question_ids": order[:2]}, headers=h)
    assert resp.status_code == 422 and resp.json()["code"] == "invalid_order"

    other = await signed_in(rt, client, Role.INSTRUCTOR)
    student = await enrolled_student(rt, client, course_id)
    assert (await client.get(f"/api/v1/courses/{course_id}/questions", headers=other.headers)).status_code == 404
    assert (await client.get(f"/api/v1/courses/{course_id}/questions", headers=student.headers)).status_code == 403
    assert (await client.delete(f"/api/v1/questions/{essay['id']}", headers=other.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/questions/{essay['id']}", headers=h)).status_code == 204
    assert await _count(rt) == before


async def test_json_and_gift_import_export(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_quiz(rt, client, questions=[*QUESTIONS, ESSAY])
    h, course_id = fx.instructor.headers, fx.course.id
    exported = (await client.get(f"/api/v1/courses/{course_id}/questions/export?quiz_id={fx.id}", headers=h)).json()
    assert exported["format"] == "jntugv-lms-questions" and len(exported["questions"]) == 6

    # A second course imports the export and ends up with the same questions.
    fx2 = await build_quiz(rt, client, questions=[], instructor=fx.instructor)
    resp = await client.post(
        f"/api/v1/courses/{fx2.course.id}/questions/import/json",
        json={"quiz_id": fx2.id, "questions": exported["questions"]},
        headers=h,
    )
    assert resp.status_code == 201 and resp.json()["created"] == 6
    again = (await client.get(f"/api/v1/courses/{fx2.course.id}/questions/export", headers=h)).json()
    assert again["questions"] == exported["questions"]

    # One invalid question rejects the whole import.
    before = await _count(rt)
    broken = [*exported["questions"], {"kind": "numeric", "stem": "x", "value": 1, "tolerance": -2}]
    resp = await client.post(
        f"/api/v1/courses/{course_id}/questions/import/json", json={"questions": broken}, headers=h
    )
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "questions.6.tolerance"
    assert await _count(rt) == before

    resp = await client.post(
        f"/api/v1/courses/{course_id}/questions/import/gift", json={"text": MOODLE_EXPORT}, headers=h
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["created"] == 9 and body["skipped"][0]["reason"] == "matching questions are not supported"
    resp = await client.post(
        f"/api/v1/courses/{course_id}/questions/import/gift", json={"text": "Broken {=a ~b"}, headers=h
    )
    assert resp.status_code == 422 and resp.json()["code"] == "import_failed"
    resp = await client.post(
        f"/api/v1/courses/{course_id}/questions/import/gift",
        json={"text": "::T:: Q {=a}", "quiz_id": fx2.id},
        headers=h,
    )
    assert resp.status_code == 422  # a quiz of another course

    resp = await client.get(f"/api/v1/courses/{course_id}/questions/export?format=gift&quiz_id={fx.id}", headers=h)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    assert "::Capital::[markdown]Which city is the capital of **Andhra Pradesh**?" in resp.text
    assert "{#3.14:0.005}" in resp.text and "=Amaravati#Yes." in resp.text
    assert resp.headers["x-skipped-questions"] == "0"
