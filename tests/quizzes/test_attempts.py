"""Attempts: start without the key, autosave, submit and grade, deadlines, limits under concurrency."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update

from lms.core.db import utcnow
from lms.core.runtime import Runtime
from lms.progress.models import CourseProgress
from lms.quizzes import jobs
from lms.quizzes.models import Attempt
from lms.users.models import Role
from tests.courses.helpers import events
from tests.factories import signed_in
from tests.quizzes.helpers import build_quiz, enrolled_student, right_answers

KEY_WORDS = ("correct", "accepted", "tolerance", "regex", "feedback", "partial_credit", "value")


def _keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


async def _attempt_row(rt: Runtime, attempt_id: str) -> Attempt:
    async with rt.sessionmaker() as session:
        row = await session.get(Attempt, attempt_id)
        assert row is not None
        return row


async def test_attempt_hides_the_key_autosaves_grades_and_completes_the_course(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    fx = await build_quiz(rt, client, shuffle_options=True, passing_percent=80)
    student = await enrolled_student(rt, client, fx.course.id)
    h = student.headers

    resp = await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=h)
    assert resp.status_code == 201, resp.text
    attempt = resp.json()
    assert attempt["status"] == "in_progress" and attempt["attempt_no"] == 1 and len(attempt["questions"]) == 5
    # Nothing in the response hints at the key: no such field anywhere, option ids random.
    assert not any(word in key for key in _keys(attempt) for word in KEY_WORDS), _keys(attempt)
    raw = json.dumps(attempt)
    for secret in ("stack", "call[ -]?stack", "3.14", "0.005", "It was, until 2024", "Amaravati is the capital"):
        assert secret not in raw
    single = next(q for q in attempt["questions"] if q["kind"] == "single")
    assert len(single["options"]) == 3 and all(len(o["id"]) == 8 for o in single["options"])
    assert attempt["score"] is None and attempt["results"] is None

    # Starting again resumes the same attempt with the same layout.
    again = await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=h)
    assert again.status_code == 200 and again.json()["id"] == attempt["id"]
    assert again.json()["questions"] == attempt["questions"]

    answers = right_answers(attempt, fx.questions)
    ids = list(answers)
    resp = await client.put(
        f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": {ids[0]: answers[ids[0]]}}, headers=h
    )
    assert resp.status_code == 200 and resp.json()["answers"] == {ids[0]: answers[ids[0]]}
    rest = {k: answers[k] for k in ids[1:]}
    resp = await client.put(f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": rest}, headers=h)
    assert resp.status_code == 200 and len(resp.json()["answers"]) == 5
    # A reconnecting student gets everything back.
    state = (await client.get(f"/api/v1/attempts/{attempt['id']}", headers=h)).json()
    assert len(state["answers"]) == 5 and state["questions"] == attempt["questions"]

    resp = await client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=h)
    assert resp.status_code == 200, resp.text
    result = resp.json()
    assert result["status"] == "graded" and result["score"] == 5 and result["score_percent"] == 100
    assert result["passed"] is True and result["review_available"] is True
    assert all(r["correct"] for r in result["results"])
    numeric = next(r for r in result["results"] if r["your_answer"] == 3.141)
    assert numeric["correct_answer"] == {"value": 3.14, "tolerance": 0.005}

    # Submitting twice changes nothing and announces nothing more.
    again = await client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=h)
    assert again.status_code == 200 and again.json()["submitted_at"] == result["submitted_at"]
    submitted = await events(rt, "quiz.submitted")
    assert submitted == [
        {
            "attempt_id": attempt["id"],
            "user_id": student.user.id,
            "quiz_id": fx.id,
            "course_id": fx.course.id,
            "score_percent": 100.0,
            "passed": True,
        }
    ]
    assert (await _attempt_row(rt, attempt["id"])).grade_count == 1
    resp = await client.put(f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": {}}, headers=h)
    assert resp.status_code == 409 and resp.json()["code"] == "attempt_closed"

    # The passed required quiz completed its lesson, hence the course.
    assert len(await events(rt, "lesson.completed")) == 1
    assert [e["user_id"] for e in await events(rt, "course.completed")] == [student.user.id]
    async with rt.sessionmaker() as session:
        progress = await session.get(CourseProgress, (student.user.id, fx.course.id))
        assert progress is not None and progress.percent == 100
    mine = (await client.get(f"/api/v1/quizzes/{fx.id}/attempts/me", headers=h)).json()
    assert [a["score_percent"] for a in mine] == [100.0]
    summary = (await client.get(f"/api/v1/quizzes/{fx.id}", headers=h)).json()
    assert summary["attempts_used"] == 1 and summary["best_percent"] == 100 and summary["passed"] is True


async def test_bad_answers_change_nothing(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_quiz(rt, client, pool_size=3)
    student = await enrolled_student(rt, client, fx.course.id)
    attempt = (await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=student.headers)).json()
    assert len(attempt["questions"]) == 3  # drawn 3 of 5
    in_attempt = {q["id"]: q for q in attempt["questions"]}
    outside = next(q["id"] for q in fx.questions if q["id"] not in in_attempt)
    good = right_answers(attempt, fx.questions)
    first = next(iter(good))
    saved = await client.put(
        f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": {first: good[first]}}, headers=student.headers
    )
    stored = saved.json()["answers"]

    by_kind = {q["kind"]: q["id"] for q in attempt["questions"]}
    wrong_types: dict[str, Any] = {"single": ["x"], "multiple": "x", "true_false": "yes", "short": 42, "numeric": "abc"}
    bad_bodies = [
        {"answers": {outside: None}},
        {"answers": {"no-such-question": "x"}},
        *({"answers": {qid: wrong_types[kind]}} for kind, qid in by_kind.items()),
        {"answers": {first: good[first], outside: None}},  # one bad answer spoils the batch
        {"answers": [1, 2]},
        {"nope": {}},
    ]
    for body in bad_bodies:
        resp = await client.put(f"/api/v1/attempts/{attempt['id']}/answers", json=body, headers=student.headers)
        assert resp.status_code == 422, (body, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
    row = await _attempt_row(rt, attempt["id"])
    assert row.answers == stored and row.status == "in_progress"

    # Another student's attempt looks like no attempt at all; an unenrolled student cannot start.
    other = await enrolled_student(rt, client, fx.course.id)
    for method, path in (
        ("GET", f"/api/v1/attempts/{attempt['id']}"),
        ("PUT", f"/api/v1/attempts/{attempt['id']}/answers"),
        ("POST", f"/api/v1/attempts/{attempt['id']}/submit"),
        ("GET", "/api/v1/attempts/unknown-attempt"),
    ):
        resp = await client.request(method, path, json={"answers": {}}, headers=other.headers)
        assert resp.status_code == 404, (method, path)
        assert "answers" not in resp.json()
    outsider = await signed_in(rt, client)
    resp = await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=outsider.headers)
    assert resp.status_code == 404 and resp.json()["code"] == "not_enrolled"
    assert (await client.post(f"/api/v1/quizzes/{fx.id}/attempts")).status_code == 401
    # The course's instructor may look at the attempt (with the key), never change it.
    seen = await client.get(f"/api/v1/attempts/{attempt['id']}", headers=fx.instructor.headers)
    assert seen.status_code == 200 and seen.json()["results"] is not None
    resp = await client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=fx.instructor.headers)
    assert resp.status_code == 404
    assert (await _attempt_row(rt, attempt["id"])).status == "in_progress"
    assert await events(rt, "quiz.submitted") == []


async def test_deadline_is_enforced_and_expired_attempts_close_themselves(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    fx = await build_quiz(rt, client, time_limit_seconds=60, attempts_allowed=3)
    student = await enrolled_student(rt, client, fx.course.id)
    h = student.headers

    async def start() -> dict[str, Any]:
        resp = await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=h)
        assert resp.status_code == 201, resp.text
        assert 0 < resp.json()["seconds_left"] <= 60
        return dict(resp.json())

    async def expire(attempt_id: str) -> None:
        async with rt.sessionmaker() as session, session.begin():
            await session.execute(
                update(Attempt).where(Attempt.id == attempt_id).values(deadline_at=utcnow() - timedelta(seconds=30))
            )

    # 1. Answers after the deadline are refused; the attempt is graded with what was saved in time.
    a1 = await start()
    good = right_answers(a1, fx.questions)
    first = next(iter(good))
    await client.put(f"/api/v1/attempts/{a1['id']}/answers", json={"answers": {first: good[first]}}, headers=h)
    await expire(a1["id"])
    resp = await client.put(f"/api/v1/attempts/{a1['id']}/answers", json={"answers": good}, headers=h)
    assert resp.status_code == 409 and resp.json()["code"] == "attempt_closed"
    row = await _attempt_row(rt, a1["id"])
    assert row.status == "graded" and row.auto_submitted and row.answers == {first: good[first]} and row.score == 1
    assert (await client.post(f"/api/v1/attempts/{a1['id']}/submit", headers=h)).json()["score"] == 1

    # 2. Submitting after the deadline: refused as such, graded once with the saved answers.
    a2 = await start()
    await expire(a2["id"])
    resp = await client.post(f"/api/v1/attempts/{a2['id']}/submit", headers=h)
    assert resp.status_code == 409 and resp.json()["code"] == "attempt_closed"
    again = await client.post(f"/api/v1/attempts/{a2['id']}/submit", headers=h)
    assert again.status_code == 200 and again.json()["score"] == 0 and again.json()["auto_submitted"] is True

    # 3. Nobody touches it: the sweep closes it (once, however often it runs).
    a3 = await start()
    await expire(a3["id"])
    assert await jobs.sweep_expired_attempts(rt) == 1
    assert await jobs.sweep_expired_attempts(rt) == 0
    row = await _attempt_row(rt, a3["id"])
    assert row.status == "graded" and row.grade_count == 1
    graded_ids = [e["attempt_id"] for e in await events(rt, "quiz.submitted")]
    assert sorted(graded_ids) == sorted([a1["id"], a2["id"], a3["id"]])

    # All three attempts are used up.
    resp = await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=h)
    assert resp.status_code == 409 and resp.json()["code"] == "attempts_exhausted"


async def test_window_and_limit(rt: Runtime, client: httpx.AsyncClient) -> None:
    soon = (utcnow() + timedelta(days=1)).isoformat()
    fx = await build_quiz(rt, client, available_from=soon)
    student = await enrolled_student(rt, client, fx.course.id)
    resp = await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=student.headers)
    assert resp.status_code == 409 and resp.json()["code"] == "quiz_not_available"
    await client.patch(
        f"/api/v1/quizzes/{fx.id}", json={"available_from": None, "attempts_allowed": 1}, headers=fx.instructor.headers
    )
    attempt = (await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=student.headers)).json()
    await client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=student.headers)
    resp = await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=student.headers)
    assert resp.status_code == 409 and resp.json()["code"] == "attempts_exhausted"
    assert (await events(rt, "quiz.submitted"))[0]["passed"] is False


async def test_concurrent_starts_make_exactly_one_attempt(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_quiz(rt, client, attempts_allowed=1)
    student = await enrolled_student(rt, client, fx.course.id)
    responses = await asyncio.gather(
        *(client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=student.headers) for _ in range(20))
    )
    assert sorted(r.status_code for r in responses) == [200] * 19 + [201], [
        r.text for r in responses if r.status_code >= 300
    ]
    assert len({r.json()["id"] for r in responses}) == 1
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count(Attempt.id)).where(Attempt.quiz_id == fx.id)) == 1


async def test_review_never_shows_only_the_score(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_quiz(rt, client, review_policy="never")
    student = await enrolled_student(rt, client, fx.course.id)
    attempt = (await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=student.headers)).json()
    result = (await client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=student.headers)).json()
    assert result["score"] == 0 and result["max_score"] == 5 and result["results"] is None
    assert result["review_available"] is False
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    assert (await client.get(f"/api/v1/attempts/{attempt['id']}", headers=teacher.headers)).status_code == 404
