"""Essays: the grading queue and hand grading; regrading after a key change; reports and CSV."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import select

from lms.core.runtime import Runtime
from lms.quizzes.models import Attempt
from lms.users.models import Role
from tests.courses.helpers import events
from tests.factories import signed_in
from tests.quizzes.helpers import ESSAY, QUESTIONS, build_quiz, enrolled_student, right_answers


async def test_essay_queue_manual_grade_regrade_and_reports(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_quiz(rt, client, questions=[QUESTIONS[0], QUESTIONS[2], ESSAY], passing_percent=60)
    h = fx.instructor.headers
    single, tf, essay = fx.questions
    alice = await enrolled_student(rt, client, fx.course.id, full_name="Alice")
    bob = await enrolled_student(rt, client, fx.course.id, full_name='=HYPERLINK("x")')

    # Alice answers everything right; Bob gets the true/false wrong and writes no essay.
    a = (await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=alice.headers)).json()
    await client.put(
        f"/api/v1/attempts/{a['id']}/answers", json={"answers": right_answers(a, fx.questions)}, headers=alice.headers
    )
    result = (await client.post(f"/api/v1/attempts/{a['id']}/submit", headers=alice.headers)).json()
    assert result["status"] == "pending_review" and result["passed"] is None and result["score"] == 2
    essay_result = next(r for r in result["results"] if r["question_id"] == essay["id"])
    assert essay_result["pending"] is True and essay_result["score"] is None
    b = (await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=bob.headers)).json()
    answers = right_answers(b, fx.questions)
    answers[tf["id"]] = False
    del answers[essay["id"]]
    await client.put(f"/api/v1/attempts/{b['id']}/answers", json={"answers": answers}, headers=bob.headers)
    bob_result = (await client.post(f"/api/v1/attempts/{b['id']}/submit", headers=bob.headers)).json()
    assert bob_result["status"] == "graded" and bob_result["score"] == 1 and bob_result["passed"] is False

    # The queue shows Alice's essay to the course's instructor only.
    queue = (await client.get(f"/api/v1/courses/{fx.course.id}/grading-queue", headers=h)).json()
    assert [(i["attempt_id"], i["student_name"]) for i in queue] == [(a["id"], "Alice")]
    assert queue[0]["questions"][0]["answer"].startswith("Averaging")
    other = await signed_in(rt, client, Role.INSTRUCTOR)
    assert (await client.get(f"/api/v1/courses/{fx.course.id}/grading-queue", headers=other.headers)).status_code == 404
    grade = {"grades": [{"question_id": essay["id"], "score": 4, "feedback": "Good, add an example."}]}
    assert (
        await client.post(f"/api/v1/attempts/{a['id']}/grade", json=grade, headers=other.headers)
    ).status_code == 404
    assert (
        await client.post(f"/api/v1/attempts/{a['id']}/grade", json=grade, headers=alice.headers)
    ).status_code == 403
    bad_grades = [
        {"grades": [{"question_id": essay["id"], "score": 6}]},
        {"grades": [{"question_id": single["id"], "score": 1}]},
        {"grades": [{"question_id": essay["id"], "score": -1}]},
        {"grades": []},
    ]
    for bad in bad_grades:
        resp = await client.post(f"/api/v1/attempts/{a['id']}/grade", json=bad, headers=h)
        assert resp.status_code == 422, bad
    assert await events(rt, "quiz.graded") == []

    resp = await client.post(f"/api/v1/attempts/{a['id']}/grade", json=grade, headers=h)
    assert resp.status_code == 200, resp.text
    graded = resp.json()
    assert (
        graded["status"] == "graded" and graded["score"] == 6 and graded["score_percent"] == 85.71 and graded["passed"]
    )
    assert (await client.get(f"/api/v1/courses/{fx.course.id}/grading-queue", headers=h)).json() == []
    assert await events(rt, "quiz.graded") == [
        {
            "attempt_id": a["id"],
            "user_id": alice.user.id,
            "quiz_id": fx.id,
            "course_id": fx.course.id,
            "score_percent": 85.71,
            "passed": True,
        }
    ]
    assert [e["user_id"] for e in await events(rt, "course.completed")] == [alice.user.id]
    mine = (await client.get(f"/api/v1/attempts/{a['id']}", headers=alice.headers)).json()
    assert any(r["feedback"] == "Good, add an example." for r in mine["results"])

    # The key was wrong: the statement is false. Regrade flips both students; the hand grade stays.
    tf_edit = tf | {"correct": False}
    assert (await client.put(f"/api/v1/questions/{tf['id']}", json=tf_edit, headers=h)).status_code == 200
    assert (await client.post(f"/api/v1/quizzes/{fx.id}/regrade", headers=other.headers)).status_code == 404
    resp = await client.post(f"/api/v1/quizzes/{fx.id}/regrade", headers=h)
    assert resp.json() == {"attempts": 2, "changed": 2}
    async with rt.sessionmaker() as session:
        rows = {r.user_id: r for r in await session.scalars(select(Attempt))}
    assert rows[alice.user.id].score == 5 and rows[alice.user.id].results[essay["id"]]["manual"]
    assert rows[bob.user.id].score == 2 and rows[bob.user.id].passed is False  # 2 of 7
    assert (await client.post(f"/api/v1/quizzes/{fx.id}/regrade", headers=h)).json() == {"attempts": 2, "changed": 0}

    report = (await client.get(f"/api/v1/quizzes/{fx.id}/report", headers=h)).json()
    assert report["attempts"] == 2 and {s["student_name"] for s in report["students"]} == {"Alice", bob.user.full_name}
    assert sum(b["count"] for b in report["distribution"]) == 2
    stats = {q["question_id"]: q for q in report["questions"]}
    assert stats[single["id"]]["difficulty"] == 1.0 and stats[single["id"]]["discrimination"] is None
    assert stats[tf["id"]]["difficulty"] == 0.5 and stats[tf["id"]]["responses"] == 2
    assert (await client.get(f"/api/v1/quizzes/{fx.id}/report", headers=alice.headers)).status_code == 403

    resp = await client.get(f"/api/v1/quizzes/{fx.id}/grades.csv", headers=h)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows_csv = list(csv.DictReader(io.StringIO(resp.text)))
    assert {r["student_name"] for r in rows_csv} == {"Alice", '\'=HYPERLINK("x")'}  # no formula injection
    assert {r["score_percent"] for r in rows_csv} == {"71.43", "28.57"}
