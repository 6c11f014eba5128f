"""Quiz test data built through the API: a published course whose syllabus is one quiz lesson."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.courses.helpers import CourseFixture, add_section, create_course, publish
from tests.factories import Account, signed_in

# One question of every kind (auto-graded kinds first), 1 point each except the essay (5).
QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "single",
        "title": "Capital",
        "stem": "Which city is the capital of **Andhra Pradesh**?",
        "options": [
            {"text": "Amaravati", "correct": True, "feedback": "Yes."},
            {"text": "Hyderabad", "feedback": "It was, until 2024."},
            {"text": "Chennai"},
        ],
        "feedback": "Amaravati is the capital.",
    },
    {
        "kind": "multiple",
        "title": "Primes",
        "stem": "Select the primes.",
        "partial_credit": True,
        "options": [{"text": "2", "correct": True}, {"text": "3", "correct": True}, {"text": "4"}, {"text": "9"}],
    },
    {"kind": "true_false", "title": "Sorting", "stem": "Merge sort is stable.", "correct": True},
    {
        "kind": "short",
        "title": "Structure",
        "stem": "Name the LIFO structure.",
        "accepted_answers": ["stack"],
        "regex": "call[ -]?stack",
    },
    {"kind": "numeric", "title": "Pi", "stem": "Pi to two decimals?", "value": 3.14, "tolerance": 0.005},
]
ESSAY = {"kind": "essay", "title": "Essay", "stem": "Explain *amortized* analysis.", "points": 5}


@dataclass
class QuizFixture:
    course: CourseFixture
    quiz: dict[str, Any]
    questions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.quiz["id"])

    @property
    def instructor(self) -> Account:
        return self.course.instructor


async def build_quiz(
    rt: Runtime,
    client: httpx.AsyncClient,
    *,
    questions: list[dict[str, Any]] | None = None,
    instructor: Account | None = None,
    **settings: Any,
) -> QuizFixture:
    """A published course whose only lesson is a required quiz (so passing it completes the course)."""
    instructor = instructor or await signed_in(rt, client, Role.INSTRUCTOR, full_name="Prof. Rao")
    course = await create_course(client, instructor, title="Algorithms")
    section_id = await add_section(client, instructor, course["id"])
    body = {"title": "Unit test 1", "section_id": section_id, "attempts_allowed": None} | settings
    resp = await client.post(f"/api/v1/courses/{course['id']}/quizzes", json=body, headers=instructor.headers)
    assert resp.status_code == 201, resp.text
    quiz = resp.json()
    created = []
    for q in QUESTIONS if questions is None else questions:
        resp = await client.post(
            f"/api/v1/courses/{course['id']}/questions", json=q | {"quiz_id": quiz["id"]}, headers=instructor.headers
        )
        assert resp.status_code == 201, resp.text
        created.append(resp.json())
    fixture = CourseFixture(instructor, course, [section_id], [quiz["lesson_id"]])
    fixture.course = await publish(client, instructor, course["id"])
    return QuizFixture(fixture, quiz, created)


async def enrolled_student(rt: Runtime, client: httpx.AsyncClient, course_id: str, **kw: Any) -> Account:
    student = await signed_in(rt, client, **kw)
    resp = await client.post("/api/v1/enrollments", json={"course_id": course_id}, headers=student.headers)
    assert resp.status_code == 201, resp.text
    return student


def right_answers(attempt: dict[str, Any], bank: list[dict[str, Any]]) -> dict[str, Any]:
    """The correct answer to every auto-graded question of an attempt (from the instructor's bank view)."""
    by_id = {q["id"]: q for q in bank}
    answers: dict[str, Any] = {}
    for q in attempt["questions"]:
        key = by_id[q["id"]]
        correct = [o["id"] for o in key["options"] if o["correct"]]
        answers[q["id"]] = {
            "single": correct[0] if correct else None,
            "multiple": correct,
            "true_false": key.get("correct"),
            "short": "  STACK ",
            "numeric": "3.141",
            "essay": "Averaging the cost over a sequence of operations.",
        }[key["kind"]]
    return answers
