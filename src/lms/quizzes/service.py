"""Quizzes: settings, the course question bank, attempts (start, autosave, submit, deadline), grading by
hand, regrading, reports.

Public API for other domains: ``close_expired_attempts`` (scheduled by the worker through
``lms.quizzes.jobs``), ``passed_quiz_ids``.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only
from sqlalchemy.orm.util import identity_key

from lms.config import Settings
from lms.core.db import utcnow
from lms.core.errors import BadRequest, Conflict, ErrorCode, NotFound
from lms.core.events import publish
from lms.core.markdown import render_markdown
from lms.courses import service as courses_service
from lms.courses.models import Course, CourseStatus
from lms.enrollments import service as enrollments_service
from lms.progress import service as progress_service
from lms.quizzes import gift, grading
from lms.quizzes.grading import AnswerError, DefinitionError, QuestionKey
from lms.quizzes.models import Attempt, AttemptStatus, Question, QuestionKind, Quiz, ReviewPolicy
from lms.users import service as users_service
from lms.users.models import User

_rng = random.SystemRandom()
FINISHED = (AttemptStatus.PENDING_REVIEW.value, AttemptStatus.GRADED.value)


def _invalid(message: str, errors: list[dict[str, str]], code: ErrorCode = ErrorCode.VALIDATION_ERROR) -> BadRequest:
    return BadRequest(message, code=code, status=422, title="Validation failed", extra={"errors": errors})


# ------------------------------------------------------------------------------------------------ access


async def _editable_course(session: AsyncSession, course_id: str, actor: User) -> Course:
    if len(course_id) > 36:
        raise NotFound("No such course.")
    return await courses_service.get_editable_course(session, course_id, actor)


async def _get_quiz(session: AsyncSession, quiz_id: str) -> Quiz:
    quiz = await session.get(Quiz, quiz_id) if len(quiz_id) <= 36 else None
    if quiz is None:
        raise NotFound("No such quiz.")
    return quiz


async def _is_editor(session: AsyncSession, course_id: str, user: User) -> bool:
    course = await courses_service.get_course(session, course_id)
    return course is not None and await courses_service.is_editor(session, course, user)


async def get_editable_quiz(session: AsyncSession, quiz_id: str, actor: User) -> Quiz:
    quiz = await _get_quiz(session, quiz_id)
    if not await _is_editor(session, quiz.course_id, actor):
        raise NotFound("No such quiz.")
    return quiz


async def _require_enrolled(session: AsyncSession, course_id: str, user: User) -> None:
    course = await courses_service.get_course(session, course_id)
    if course is None or course.status == CourseStatus.DRAFT.value:
        raise NotFound("No such quiz.")
    if not await enrollments_service.is_enrolled(session, user_id=user.id, course_id=course_id):
        raise NotFound("You are not enrolled in this quiz's course.", code=ErrorCode.NOT_ENROLLED)


async def get_quiz_for(session: AsyncSession, quiz_id: str, user: User) -> tuple[Quiz, bool]:
    """The quiz for its editors or its course's enrolled students; (quiz, is_editor)."""
    quiz = await _get_quiz(session, quiz_id)
    if await _is_editor(session, quiz.course_id, user):
        return quiz, True
    await _require_enrolled(session, quiz.course_id, user)
    return quiz, False


# --------------------------------------------------------------------------------------------- quizzes


def _check_window(quiz: Quiz) -> None:
    if quiz.available_from and quiz.available_until and quiz.available_until <= quiz.available_from:
        raise _invalid(
            "The window is empty.", [{"field": "available_until", "message": "must be after available_from"}]
        )


async def create_quiz(session: AsyncSession, *, actor: User, course_id: str, data: dict[str, Any]) -> Quiz:
    """Create a quiz in a course the actor edits, linked to a quiz lesson (existing, or new in a section)."""
    course = await _editable_course(session, course_id, actor)
    lesson_id: str | None = None
    if data.get("lesson_id"):
        lesson = await courses_service.get_lesson(session, data["lesson_id"])
        if lesson is None or lesson.course_id != course.id or not courses_service.is_quiz(lesson):
            raise _invalid(
                "No such quiz lesson.", [{"field": "lesson_id", "message": "not a quiz lesson of this course"}]
            )
        if await session.scalar(select(Quiz.id).where(Quiz.lesson_id == lesson.id)) is not None:
            raise Conflict("That lesson already has a quiz.")
        lesson_id = lesson.id
        await courses_service.update_lesson(
            session, lesson_id=lesson.id, actor=actor, changes={"is_required": bool(data.get("is_required", True))}
        )
    elif data.get("section_id"):
        try:
            lesson = await courses_service.add_lesson(
                session,
                section_id=data["section_id"],
                actor=actor,
                data={"title": data["title"], "kind": "quiz", "is_required": bool(data.get("is_required", True))},
            )
        except NotFound:
            raise _invalid("No such section.", [{"field": "section_id", "message": "unknown section"}]) from None
        if lesson.course_id != course.id:
            raise _invalid("No such section.", [{"field": "section_id", "message": "not a section of this course"}])
        lesson_id = lesson.id
    fields = {k: v for k, v in data.items() if k not in ("lesson_id", "section_id")}
    quiz = Quiz(course_id=course.id, lesson_id=lesson_id, **fields)
    quiz.review_policy = str(data.get("review_policy", ReviewPolicy.AFTER_SUBMISSION.value))
    quiz.description_html = render_markdown(quiz.description)
    session.add(quiz)
    await session.flush()
    return quiz


async def update_quiz(session: AsyncSession, *, actor: User, quiz_id: str, changes: dict[str, Any]) -> Quiz:
    quiz = await get_editable_quiz(session, quiz_id, actor)
    for name, value in changes.items():
        setattr(quiz, name, str(value) if name == "review_policy" else value)
    if "description" in changes:
        quiz.description_html = render_markdown(quiz.description)
    _check_window(quiz)
    if quiz.lesson_id and ("is_required" in changes or "title" in changes):
        await courses_service.update_lesson(
            session,
            lesson_id=quiz.lesson_id,
            actor=actor,
            changes={"is_required": quiz.is_required, "title": quiz.title},
        )
    await session.flush()
    return quiz


async def delete_quiz(session: AsyncSession, *, actor: User, quiz_id: str) -> None:
    """Delete a quiz, its attempts and its syllabus lesson; its questions stay in the course's bank."""
    quiz = await get_editable_quiz(session, quiz_id, actor)
    lesson_id = quiz.lesson_id
    for q in await session.scalars(select(Question).where(Question.quiz_id == quiz.id)):
        q.quiz_id = None
    await session.flush()
    await session.delete(quiz)
    await session.flush()
    if lesson_id is not None:
        await courses_service.delete_lesson(session, lesson_id=lesson_id, actor=actor)


async def quiz_stats(session: AsyncSession, quiz_ids: list[str]) -> dict[str, tuple[int, int]]:
    """quiz id -> (number of questions, total points of the questions)."""
    if not quiz_ids:
        return {}
    rows = await session.execute(
        select(Question.quiz_id, func.count(Question.id), func.coalesce(func.sum(Question.points), 0))
        .where(Question.quiz_id.in_(quiz_ids))
        .group_by(Question.quiz_id)
    )
    return {str(qid): (int(n), int(p)) for qid, n, p in rows}


def drawn_points(quiz: Quiz, count: int, total: int) -> tuple[int, int]:
    """What a student sees of the quiz's size: the pool draw, not the bank."""
    if quiz.pool_size and quiz.pool_size < count:
        return quiz.pool_size, 0
    return count, total


async def list_course_quizzes(session: AsyncSession, *, course_id: str, user: User) -> tuple[list[Quiz], bool]:
    course = await courses_service.get_visible_course(session, course_id, user)
    editor = await courses_service.is_editor(session, course, user)
    if not editor:
        await _require_enrolled(session, course.id, user)
    quizzes = list(await session.scalars(select(Quiz).where(Quiz.course_id == course.id).order_by(Quiz.created_at)))
    return quizzes, editor


async def quiz_for_lesson(session: AsyncSession, *, lesson_id: str, user: User) -> tuple[Quiz, bool]:
    quiz_id = await session.scalar(select(Quiz.id).where(Quiz.lesson_id == lesson_id)) if len(lesson_id) <= 36 else None
    if quiz_id is None:
        raise NotFound("No quiz for that lesson.")
    return await get_quiz_for(session, quiz_id, user)


async def student_summary(session: AsyncSession, quiz: Quiz, user_id: str) -> tuple[int, float | None, bool]:
    rows = list(
        await session.execute(
            select(Attempt.score_percent, Attempt.passed, Attempt.status).where(
                Attempt.quiz_id == quiz.id, Attempt.user_id == user_id
            )
        )
    )
    scores = [float(s) for s, _, st in rows if s is not None and st in FINISHED]
    return len(rows), (max(scores) if scores else None), any(p for _, p, _ in rows)


# ------------------------------------------------------------------------------------------- questions


def _key(q: Question) -> QuestionKey:
    return QuestionKey(q.id, q.kind, q.points, list(q.options), dict(q.answer), q.partial_credit)


def question_fields(q: Question) -> dict[str, Any]:
    """Instructor view of a question, key included."""
    base = {
        "id": q.id,
        "course_id": q.course_id,
        "quiz_id": q.quiz_id,
        "kind": q.kind,
        "title": q.title,
        "stem": q.stem,
        "stem_html": q.stem_html,
        "points": q.points,
        "partial_credit": q.partial_credit,
        "feedback": q.feedback,
        "position": q.position,
    }
    return base | grading.definition_fields(q.kind, list(q.options), dict(q.answer))


async def _check_quiz_in_course(session: AsyncSession, quiz_id: str | None, course_id: str) -> None:
    if quiz_id is None:
        return
    quiz = await session.get(Quiz, quiz_id) if len(quiz_id) <= 36 else None
    if quiz is None or quiz.course_id != course_id:
        raise _invalid("No such quiz in this course.", [{"field": "quiz_id", "message": "not a quiz of this course"}])


def _definition(
    data: dict[str, Any], settings: Settings, existing: list[Any] | None = None, prefix: str = ""
) -> dict[str, Any]:
    try:
        return grading.build_definition(
            data, regex_max_length=settings.quiz_regex_max_length, existing_options=existing
        )
    except DefinitionError as exc:
        raise _invalid(
            f"Invalid question: {exc.message}.",
            [{"field": prefix + exc.field, "message": exc.message}],
            code=ErrorCode.INVALID_QUESTION,
        ) from None


async def _next_position(session: AsyncSession, course_id: str) -> int:
    last = await session.scalar(select(func.max(Question.position)).where(Question.course_id == course_id))
    return (last + 1) if last is not None else 0


def _apply(q: Question, data: dict[str, Any], definition: dict[str, Any]) -> None:
    q.kind = definition["kind"]
    q.title = str(data.get("title") or "")
    q.stem = str(data["stem"])
    q.stem_html = render_markdown(q.stem)
    q.points = int(data.get("points", 1))
    q.options = definition["options"]
    q.answer = definition["answer"]
    q.partial_credit = definition["partial_credit"]
    q.feedback = str(data.get("feedback") or "")


async def list_bank(session: AsyncSession, *, actor: User, course_id: str, quiz_id: str | None) -> list[Question]:
    course = await _editable_course(session, course_id, actor)
    stmt = select(Question).where(Question.course_id == course.id)
    if quiz_id is not None:
        stmt = stmt.where(Question.quiz_id == quiz_id)
    return list(await session.scalars(stmt.order_by(Question.position, Question.id)))


async def create_questions(
    session: AsyncSession,
    *,
    actor: User,
    course_id: str,
    items: list[dict[str, Any]],
    quiz_id: str | None,
    settings: Settings,
) -> list[Question]:
    """Add questions to a course's bank (and a quiz's pool); all are validated before any is saved."""
    course = await _editable_course(session, course_id, actor)
    await _check_quiz_in_course(session, quiz_id, course.id)
    many = len(items) > 1
    definitions = [
        _definition(item, settings, prefix=f"questions.{n}." if many else "") for n, item in enumerate(items)
    ]
    position = await _next_position(session, course.id)
    created = []
    for n, (item, definition) in enumerate(zip(items, definitions, strict=True)):
        q = Question(course_id=course.id, quiz_id=quiz_id, position=position + n)
        _apply(q, item, definition)
        session.add(q)
        created.append(q)
    await session.flush()
    if quiz_id is not None:
        await _bump_key(session, quiz_id)
    return created


async def _editable_question(session: AsyncSession, question_id: str, actor: User) -> Question:
    q = await session.get(Question, question_id) if len(question_id) <= 36 else None
    if q is None or not await _is_editor(session, q.course_id, actor):
        raise NotFound("No such question.")
    return q


async def _bump_key(session: AsyncSession, quiz_id: str | None) -> None:
    if quiz_id is None:
        return
    quiz = await session.get(Quiz, quiz_id)
    if quiz is not None:
        quiz.key_version += 1


async def update_question(
    session: AsyncSession, *, actor: User, question_id: str, data: dict[str, Any], settings: Settings
) -> Question:
    """Replace a question's definition. Past attempts keep their scores until the quiz is regraded."""
    q = await _editable_question(session, question_id, actor)
    await _check_quiz_in_course(session, data.get("quiz_id"), q.course_id)
    definition = _definition(data, settings, existing=list(q.options))
    before = (q.kind, q.points, q.options, q.answer, q.partial_credit, q.quiz_id)
    _apply(q, data, definition)
    q.quiz_id = data.get("quiz_id")
    if before != (q.kind, q.points, q.options, q.answer, q.partial_credit, q.quiz_id):
        await _bump_key(session, before[5])
        if q.quiz_id != before[5]:
            await _bump_key(session, q.quiz_id)
    await session.flush()
    return q


async def delete_question(session: AsyncSession, *, actor: User, question_id: str) -> None:
    q = await _editable_question(session, question_id, actor)
    await _bump_key(session, q.quiz_id)
    await session.delete(q)
    await session.flush()


async def reorder_questions(
    session: AsyncSession, *, actor: User, quiz_id: str, question_ids: list[str]
) -> list[Question]:
    quiz = await get_editable_quiz(session, quiz_id, actor)
    questions = {q.id: q for q in await session.scalars(select(Question).where(Question.quiz_id == quiz.id))}
    if len(question_ids) != len(set(question_ids)) or set(question_ids) != set(questions):
        raise BadRequest(
            "The list must contain every question of this quiz exactly once.", code=ErrorCode.INVALID_ORDER, status=422
        )
    positions = sorted(q.position for q in questions.values())
    for position, qid in zip(positions, question_ids, strict=True):
        questions[qid].position = position
    await session.flush()
    return [questions[qid] for qid in question_ids]


async def import_gift(
    session: AsyncSession, *, actor: User, course_id: str, quiz_id: str | None, text: str, settings: Settings
) -> tuple[list[Question], list[dict[str, Any]]]:
    try:
        parsed = gift.parse(text)
    except gift.GiftError as exc:
        raise _invalid(
            f"GIFT: {exc}",
            [{"field": f"text.question.{exc.index + 1}", "message": exc.message}],
            ErrorCode.IMPORT_FAILED,
        ) from None
    if not parsed.questions:
        raise _invalid(
            "No questions found in the GIFT text.",
            [{"field": "text", "message": "no questions"}],
            ErrorCode.IMPORT_FAILED,
        )
    created = await create_questions(
        session, actor=actor, course_id=course_id, items=parsed.questions, quiz_id=quiz_id, settings=settings
    )
    return created, parsed.skipped


async def export_questions(
    session: AsyncSession, *, actor: User, course_id: str, quiz_id: str | None
) -> list[dict[str, Any]]:
    return [question_fields(q) for q in await list_bank(session, actor=actor, course_id=course_id, quiz_id=quiz_id)]


def to_gift_export(questions: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """GIFT text of bank questions; the ones GIFT cannot express are returned as skipped."""
    return gift.export(questions)


def to_json_export(questions: list[dict[str, Any]]) -> dict[str, Any]:
    keep = ("kind", "title", "stem", "points", "correct", "accepted_answers", "regex", "case_sensitive", "value",
            "tolerance", "partial_credit", "feedback")  # fmt: skip
    out = []
    for q in questions:
        item = {k: q[k] for k in keep if q.get(k) is not None}
        if q["options"]:
            item["options"] = [{k: o[k] for k in ("text", "correct", "feedback")} for o in q["options"]]
        out.append(item)
    return {"format": "jntugv-lms-questions", "version": 1, "questions": out}


# -------------------------------------------------------------------------------------------- attempts


def _deadline(quiz: Quiz, started: datetime) -> datetime | None:
    candidates = []
    if quiz.time_limit_seconds:
        candidates.append(started + timedelta(seconds=quiz.time_limit_seconds))
    if quiz.available_until is not None:
        candidates.append(quiz.available_until)
    return min(candidates) if candidates else None


def _expired(attempt: Attempt, settings: Settings, now: datetime | None = None) -> bool:
    if attempt.deadline_at is None or attempt.status != AttemptStatus.IN_PROGRESS.value:
        return False
    return (now or utcnow()) > attempt.deadline_at + timedelta(seconds=settings.quiz_deadline_grace_seconds)


async def _lock_attempt(session: AsyncSession, attempt_id: str) -> Attempt | None:
    if len(attempt_id) > 36:
        return None
    stmt = select(Attempt).where(Attempt.id == attempt_id).with_for_update().execution_options(populate_existing=True)
    return await session.scalar(stmt)


_ATTEMPT_COLUMNS = (
    Question.id,
    Question.kind,
    Question.points,
    Question.options,
    Question.answer,
    Question.partial_credit,
    Question.stem_html,
    Question.feedback,
    Question.position,
)


async def _questions(session: AsyncSession, ids: list[str]) -> dict[str, Question]:
    """Questions by id with only what attempts need (their JSON columns are the cost of a request);
    the ones this session already holds are not loaded again."""
    found: dict[str, Question] = {}
    identity_map = session.sync_session.identity_map
    for qid in ids:
        obj = identity_map.get(identity_key(Question, qid))
        if isinstance(obj, Question):
            found[qid] = obj
    missing = [qid for qid in ids if qid not in found]
    if missing:
        stmt = select(Question).where(Question.id.in_(missing)).options(load_only(*_ATTEMPT_COLUMNS))
        loaded = list(await session.scalars(stmt))
        _hold(session, loaded)
        found.update({q.id: q for q in loaded})
    return found


_HELD_QUESTIONS = "quizzes.held_questions"


def _hold(session: AsyncSession, questions: list[Question]) -> None:
    """Keep loaded questions referenced for the rest of the request. The identity map holds objects only
    weakly, so without this the response's view (start, submit) would load the 20 questions again."""
    held: list[Question] = session.info.setdefault(_HELD_QUESTIONS, [])
    held.extend(questions)


def _layout(quiz: Quiz, questions: list[Question]) -> list[dict[str, Any]]:
    chosen = list(questions)
    if quiz.pool_size and quiz.pool_size < len(chosen):
        picked = set(id(q) for q in _rng.sample(chosen, quiz.pool_size))
        chosen = [q for q in chosen if id(q) in picked]
    if quiz.shuffle_questions:
        _rng.shuffle(chosen)
    layout = []
    for q in chosen:
        order = [o["id"] for o in q.options]
        if quiz.shuffle_options:
            _rng.shuffle(order)
        layout.append({"q": q.id, "o": order})
    return layout


async def start_attempt(
    session: AsyncSession, *, user: User, quiz_id: str, settings: Settings
) -> tuple[Attempt, Quiz, bool]:
    """Start an attempt, or return the one in progress (a second click resumes). (attempt, quiz, created)."""
    quiz = await _get_quiz(session, quiz_id)
    await _require_enrolled(session, quiz.course_id, user)
    now = utcnow()
    if (quiz.available_from and now < quiz.available_from) or (quiz.available_until and now >= quiz.available_until):
        raise Conflict("This quiz is not open now.", code=ErrorCode.QUIZ_NOT_AVAILABLE)
    for _ in range(3):
        # One round trip for both questions: is one in progress, and how many were started.
        mine = list(
            await session.execute(
                select(Attempt.id, Attempt.status, Attempt.attempt_no).where(
                    Attempt.quiz_id == quiz.id, Attempt.user_id == user.id
                )
            )
        )
        current = next((a for a in mine if a.status == AttemptStatus.IN_PROGRESS.value), None)
        if current is not None:
            locked = await _lock_attempt(session, current.id)
            assert locked is not None
            if not _expired(locked, settings, now):
                return locked, quiz, False
            await _finalize(session, locked, quiz, settings, auto=True)
        used = max((a.attempt_no for a in mine), default=0)
        if quiz.attempts_allowed is not None and used >= quiz.attempts_allowed:
            if await _in_progress_exists(session, quiz.id, user.id):
                # A concurrent start committed between the two reads above (READ COMMITTED): resume it.
                continue
            raise Conflict(
                f"You have used all {quiz.attempts_allowed} attempt(s) of this quiz.", code=ErrorCode.ATTEMPTS_EXHAUSTED
            )
        pool = list(
            await session.scalars(
                select(Question)
                .where(Question.quiz_id == quiz.id)
                .options(load_only(*_ATTEMPT_COLUMNS))
                .order_by(Question.position, Question.id)
            )
        )
        if not pool:
            raise Conflict("This quiz has no questions yet.", code=ErrorCode.QUIZ_NOT_AVAILABLE)
        _hold(session, pool)  # the response shows them
        attempt = Attempt(
            quiz_id=quiz.id,
            user_id=user.id,
            course_id=quiz.course_id,
            attempt_no=used + 1,
            status=AttemptStatus.IN_PROGRESS.value,
            started_at=now,
            deadline_at=_deadline(quiz, now),
            layout=_layout(quiz, pool),
            answers={},
            results={},
            key_version=quiz.key_version,
        )
        try:
            # The unique (quiz, user, attempt_no) makes concurrent starts collide instead of exceeding the limit.
            async with session.begin_nested():
                session.add(attempt)
                await session.flush()
        except IntegrityError:
            continue  # another start of the same student won: look again (it is committed by now)
        return attempt, quiz, True
    raise Conflict("Another attempt was started at the same moment; try again.")


async def _in_progress_exists(session: AsyncSession, quiz_id: str, user_id: str) -> bool:
    found = await session.scalar(
        select(Attempt.id).where(
            Attempt.quiz_id == quiz_id, Attempt.user_id == user_id, Attempt.status == AttemptStatus.IN_PROGRESS.value
        )
    )
    return found is not None


async def _owned_attempt(session: AsyncSession, attempt_id: str, user: User) -> Attempt:
    attempt = await _lock_attempt(session, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("No such attempt.")
    return attempt


class AttemptClosed(Conflict):
    code = ErrorCode.ATTEMPT_CLOSED
    title = "Attempt closed"
    commit_changes = True  # the auto-submission that found the attempt expired is kept


async def save_answers(
    session: AsyncSession, *, user: User, attempt_id: str, answers: dict[str, Any], settings: Settings
) -> Attempt:
    """Merge answers into an attempt in progress. Either every answer is valid and saved, or none."""
    attempt = await _owned_attempt(session, attempt_id, user)
    if attempt.status != AttemptStatus.IN_PROGRESS.value:
        raise Conflict("This attempt has been submitted; answers can no longer change.", code=ErrorCode.ATTEMPT_CLOSED)
    if _expired(attempt, settings):
        quiz = await _get_quiz(session, attempt.quiz_id)
        await _finalize(session, attempt, quiz, settings, auto=True)
        raise AttemptClosed("Time is up: the attempt was submitted with the answers saved before the deadline.")
    in_attempt = {item["q"] for item in attempt.layout}
    questions = await _questions(session, [qid for qid in answers if qid in in_attempt])
    errors, clean = [], {}
    for qid, value in answers.items():
        q = questions.get(qid)
        if q is None:
            errors.append({"field": f"answers.{qid[:40]}", "message": "not a question of this attempt"})
            continue
        try:
            clean[qid] = grading.validate_answer(_key(q), value, max_chars=settings.quiz_answer_max_chars)
        except AnswerError as exc:
            errors.append({"field": f"answers.{qid}", "message": str(exc)})
    if errors:
        raise _invalid("Some answers were not accepted; nothing was saved.", errors, ErrorCode.INVALID_ANSWER)
    merged = dict(attempt.answers)
    for qid, value in clean.items():
        if value is None:
            merged.pop(qid, None)
        else:
            merged[qid] = value
    attempt.answers = merged
    await session.flush()
    return attempt


def _score(attempt: Attempt, quiz: Quiz) -> None:
    results = attempt.results
    score = sum(float(r["score"]) for r in results.values() if not r.get("pending"))
    max_score = sum(float(r["max"]) for r in results.values())
    pending = any(r.get("pending") for r in results.values())
    attempt.score = round(score, 4)
    attempt.max_score = round(max_score, 4)
    attempt.score_percent = round(score * 100 / max_score, 2) if max_score > 0 else 100.0
    if pending:
        attempt.status = AttemptStatus.PENDING_REVIEW.value
        attempt.passed = None
    else:
        attempt.status = AttemptStatus.GRADED.value
        attempt.graded_at = utcnow()
        attempt.passed = attempt.score_percent >= quiz.passing_percent


def _grade_all(attempt: Attempt, questions: dict[str, Question], settings: Settings) -> dict[str, Any]:
    results: dict[str, Any] = {}
    previous = attempt.results or {}
    for item in attempt.layout:
        qid = item["q"]
        if previous.get(qid, {}).get("manual"):
            results[qid] = previous[qid]  # an instructor's grade survives a regrade
            continue
        q = questions.get(qid)
        if q is None:  # deleted from the bank since: it counts for nothing
            results[qid] = {"score": 0.0, "max": 0.0, "correct": None, "pending": False}
            continue
        results[qid] = grading.grade(_key(q), attempt.answers.get(qid), regex_max_length=settings.quiz_regex_max_length)
    return results


def _event(attempt: Attempt) -> dict[str, Any]:
    return {
        "attempt_id": attempt.id,
        "user_id": attempt.user_id,
        "quiz_id": attempt.quiz_id,
        "course_id": attempt.course_id,
        "score_percent": attempt.score_percent,
        "passed": attempt.passed,
    }


async def _on_passed(session: AsyncSession, attempt: Attempt, quiz: Quiz) -> None:
    """A passed quiz completes its syllabus lesson (progress then decides whether the course is complete)."""
    if not attempt.passed or quiz.lesson_id is None:
        return
    if not await enrollments_service.is_enrolled(session, user_id=attempt.user_id, course_id=quiz.course_id):
        return
    await progress_service.mark_lesson_complete(
        session, user_id=attempt.user_id, lesson_id=quiz.lesson_id, by_quiz=True
    )


async def _finalize(session: AsyncSession, attempt: Attempt, quiz: Quiz, settings: Settings, *, auto: bool) -> None:
    """Grade a locked in-progress attempt (exactly once: the caller holds its row lock) and announce it."""
    now = utcnow()
    questions = await _questions(session, [item["q"] for item in attempt.layout])
    attempt.results = _grade_all(attempt, questions, settings)
    attempt.submitted_at = min(now, attempt.deadline_at) if auto and attempt.deadline_at else now
    attempt.auto_submitted = auto
    attempt.key_version = quiz.key_version
    attempt.grade_count += 1
    _score(attempt, quiz)
    await session.flush()
    publish(session, "quiz.submitted", _event(attempt), actor_id=attempt.user_id, key=attempt.id)
    await _on_passed(session, attempt, quiz)


async def submit(session: AsyncSession, *, user: User, attempt_id: str, settings: Settings) -> tuple[Attempt, Quiz]:
    """Submit and grade. Submitting a finished attempt again returns it unchanged."""
    attempt = await _owned_attempt(session, attempt_id, user)
    quiz = await _get_quiz(session, attempt.quiz_id)
    if attempt.status != AttemptStatus.IN_PROGRESS.value:
        return attempt, quiz
    if _expired(attempt, settings):
        await _finalize(session, attempt, quiz, settings, auto=True)
        raise AttemptClosed("Time is up: the attempt was submitted with the answers saved before the deadline.")
    await _finalize(session, attempt, quiz, settings, auto=False)
    return attempt, quiz


async def get_attempt(
    session: AsyncSession, *, user: User, attempt_id: str, settings: Settings
) -> tuple[Attempt, Quiz, bool]:
    """The attempt for its student or the course's editors; an expired one is closed first."""
    attempt = await session.get(Attempt, attempt_id) if len(attempt_id) <= 36 else None
    if attempt is None:
        raise NotFound("No such attempt.")
    editor = attempt.user_id != user.id and await _is_editor(session, attempt.course_id, user)
    if attempt.user_id != user.id and not editor:
        raise NotFound("No such attempt.")
    quiz = await _get_quiz(session, attempt.quiz_id)
    if _expired(attempt, settings):
        locked = await _lock_attempt(session, attempt.id)
        assert locked is not None
        if _expired(locked, settings):
            await _finalize(session, locked, quiz, settings, auto=True)
        attempt = locked
    return attempt, quiz, editor


async def my_attempts(session: AsyncSession, *, user: User, quiz_id: str) -> list[Attempt]:
    quiz, _ = await get_quiz_for(session, quiz_id, user)
    return list(
        await session.scalars(
            select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id).order_by(Attempt.attempt_no)
        )
    )


def review_available(quiz: Quiz, attempt: Attempt, now: datetime | None = None) -> bool:
    if attempt.status == AttemptStatus.IN_PROGRESS.value:
        return False
    if quiz.review_policy == ReviewPolicy.AFTER_SUBMISSION.value:
        return True
    if quiz.review_policy == ReviewPolicy.AFTER_CLOSE.value:
        return quiz.available_until is not None and (now or utcnow()) >= quiz.available_until
    return False


def seconds_left(attempt: Attempt) -> int | None:
    if attempt.status != AttemptStatus.IN_PROGRESS.value or attempt.deadline_at is None:
        return None
    return max(0, math.ceil((attempt.deadline_at - utcnow()).total_seconds()))


@dataclass
class AttemptView:
    attempt: Attempt
    questions: list[dict[str, Any]]
    results: list[dict[str, Any]] | None
    review: bool
    seconds_left: int | None


async def attempt_view(
    session: AsyncSession, attempt: Attempt, quiz: Quiz, *, full_review: bool = False
) -> AttemptView:
    """What the student sees: the questions (no key), their answers, and feedback when the review setting allows."""
    ordered = [item["q"] for item in attempt.layout]
    questions = await _questions(session, ordered)
    public = [
        grading.public_question(questions[item["q"]], item["o"], n)
        for n, item in enumerate(attempt.layout)
        if item["q"] in questions
    ]
    review = full_review or review_available(quiz, attempt)
    results = None
    if review:
        results = []
        for qid in ordered:
            r = attempt.results.get(qid, {})
            q = questions.get(qid)
            option_feedback = ""
            if q is not None and q.kind in grading.CHOICE_KINDS:
                chosen = attempt.answers.get(qid)
                chosen_ids = set(chosen if isinstance(chosen, list) else [chosen])
                option_feedback = " ".join(o["feedback"] for o in q.options if o["id"] in chosen_ids and o["feedback"])
            results.append(
                {
                    "question_id": qid,
                    "score": None if r.get("pending") else r.get("score"),
                    "max": r.get("max", 0.0),
                    "correct": r.get("correct"),
                    "pending": bool(r.get("pending")),
                    "your_answer": attempt.answers.get(qid),
                    "correct_answer": grading.correct_answer(_key(q)) if q is not None else None,
                    "feedback": " ".join(
                        x for x in (option_feedback, r.get("feedback") or "", q.feedback if q else "") if x
                    )
                    or None,
                }
            )
    return AttemptView(attempt, public, results, review, seconds_left(attempt))


async def close_expired_attempts(session: AsyncSession, *, settings: Settings, limit: int = 200) -> int:
    """Submit and grade attempts whose deadline (plus grace) has passed. Safe to run from several workers."""
    cutoff = utcnow() - timedelta(seconds=settings.quiz_deadline_grace_seconds)
    ids = list(
        await session.scalars(
            select(Attempt.id)
            .where(Attempt.status == AttemptStatus.IN_PROGRESS.value, Attempt.deadline_at < cutoff)
            .order_by(Attempt.id)
            .limit(limit)
        )
    )
    closed = 0
    for attempt_id in ids:
        attempt = await _lock_attempt(session, attempt_id)
        if attempt is None or not _expired(attempt, settings):
            continue
        await _finalize(session, attempt, await _get_quiz(session, attempt.quiz_id), settings, auto=True)
        closed += 1
    return closed


# ------------------------------------------------------------------------------------- manual grading


async def grading_queue(session: AsyncSession, *, actor: User, course_id: str) -> list[dict[str, Any]]:
    course = await _editable_course(session, course_id, actor)
    attempts = list(
        await session.scalars(
            select(Attempt)
            .where(Attempt.course_id == course.id, Attempt.status == AttemptStatus.PENDING_REVIEW.value)
            .order_by(Attempt.submitted_at, Attempt.id)
        )
    )
    quizzes = {q.id: q for q in await session.scalars(select(Quiz).where(Quiz.course_id == course.id))}
    pending_ids = {qid for a in attempts for qid, r in a.results.items() if r.get("pending")}
    questions = await _questions(session, list(pending_ids))
    items = []
    for a in attempts:
        student = await users_service.get(session, a.user_id)
        items.append(
            {
                "attempt_id": a.id,
                "quiz_id": a.quiz_id,
                "quiz_title": quizzes[a.quiz_id].title if a.quiz_id in quizzes else "",
                "user_id": a.user_id,
                "student_name": student.full_name if student else "",
                "submitted_at": a.submitted_at,
                "questions": [
                    {
                        "question_id": qid,
                        "stem_html": questions[qid].stem_html if qid in questions else "",
                        "max": r["max"],
                        "answer": a.answers.get(qid),
                    }
                    for qid, r in a.results.items()
                    if r.get("pending")
                ],
            }
        )
    return items


async def grade_manually(
    session: AsyncSession, *, actor: User, attempt_id: str, grades: list[dict[str, Any]]
) -> Attempt:
    """Record an instructor's marks for essay answers; when none is pending the attempt is graded."""
    attempt = await _lock_attempt(session, attempt_id)
    if attempt is None or not await _is_editor(session, attempt.course_id, actor):
        raise NotFound("No such attempt.")
    if attempt.status not in FINISHED:
        raise Conflict("The attempt has not been submitted yet.", code=ErrorCode.ATTEMPT_CLOSED)
    quiz = await _get_quiz(session, attempt.quiz_id)
    questions = await _questions(session, [item["q"] for item in attempt.layout])
    results = {k: dict(v) for k, v in attempt.results.items()}
    errors = []
    for n, g in enumerate(grades):
        q = questions.get(g["question_id"])
        if q is None or g["question_id"] not in results or q.kind != QuestionKind.ESSAY.value:
            errors.append({"field": f"grades.{n}.question_id", "message": "not an essay question of this attempt"})
            continue
        maximum = float(results[q.id]["max"])
        if g["score"] > maximum:
            errors.append({"field": f"grades.{n}.score", "message": f"at most {maximum:g}"})
            continue
        results[q.id] = {
            "score": float(g["score"]),
            "max": maximum,
            "correct": float(g["score"]) == maximum,
            "pending": False,
            "manual": True,
            "feedback": g.get("feedback") or "",
            "graded_by": actor.id,
        }
    if errors:
        raise _invalid("Some grades were not accepted; nothing was saved.", errors)
    was_pending = attempt.status == AttemptStatus.PENDING_REVIEW.value
    attempt.results = results
    _score(attempt, quiz)
    attempt.grade_count += 1
    await session.flush()
    if attempt.status == AttemptStatus.GRADED.value:
        publish(session, "quiz.graded", _event(attempt), actor_id=actor.id, key=attempt.id)
        if was_pending or attempt.passed:
            await _on_passed(session, attempt, quiz)
    return attempt


async def regrade(session: AsyncSession, *, actor: User, quiz_id: str, settings: Settings) -> tuple[int, int]:
    """Grade every finished attempt again with the current key (hand grades are kept). (attempts, changed)."""
    quiz = await get_editable_quiz(session, quiz_id, actor)
    ids = list(
        await session.scalars(
            select(Attempt.id).where(Attempt.quiz_id == quiz.id, Attempt.status.in_(FINISHED)).order_by(Attempt.id)
        )
    )
    changed = 0
    for attempt_id in ids:
        attempt = await _lock_attempt(session, attempt_id)
        if attempt is None or attempt.status not in FINISHED:
            continue
        questions = await _questions(session, [item["q"] for item in attempt.layout])
        before = (attempt.score, attempt.passed, attempt.status)
        attempt.results = _grade_all(attempt, questions, settings)
        attempt.key_version = quiz.key_version
        _score(attempt, quiz)
        if (attempt.score, attempt.passed, attempt.status) != before:
            changed += 1
            attempt.grade_count += 1
            if attempt.status == AttemptStatus.GRADED.value:
                publish(session, "quiz.graded", _event(attempt), actor_id=actor.id, key=attempt.id)
                await _on_passed(session, attempt, quiz)
    await session.flush()
    return len(ids), changed


# --------------------------------------------------------------------------------------------- reports


def _point_biserial(item: list[float], rest: list[float]) -> float | None:
    """Correlation between getting an item right (0..1) and the score on the other items."""
    n = len(item)
    if n < 2:
        return None
    mean_i, mean_r = sum(item) / n, sum(rest) / n
    var_i = sum((x - mean_i) ** 2 for x in item)
    var_r = sum((y - mean_r) ** 2 for y in rest)
    if var_i == 0 or var_r == 0:
        return None
    cov = sum((x - mean_i) * (y - mean_r) for x, y in zip(item, rest, strict=True))
    return round(cov / math.sqrt(var_i * var_r), 4)


async def _finished_attempts(session: AsyncSession, quiz: Quiz) -> list[Attempt]:
    return list(
        await session.scalars(
            select(Attempt)
            .where(Attempt.quiz_id == quiz.id, Attempt.status.in_(FINISHED))
            .order_by(Attempt.user_id, Attempt.attempt_no)
        )
    )


async def _names(session: AsyncSession, user_ids: set[str]) -> dict[str, User]:
    users = {}
    for uid in sorted(user_ids):
        u = await users_service.get(session, uid)
        if u is not None:
            users[uid] = u
    return users


async def report(session: AsyncSession, *, actor: User, quiz_id: str) -> dict[str, Any]:
    """Attempts per student, score distribution, per-question difficulty and discrimination."""
    quiz = await get_editable_quiz(session, quiz_id, actor)
    attempts = await _finished_attempts(session, quiz)
    users = await _names(session, {a.user_id for a in attempts})
    per_student: dict[str, list[Attempt]] = defaultdict(list)
    for a in attempts:
        per_student[a.user_id].append(a)
    students: list[dict[str, Any]] = []
    for uid, items in per_student.items():
        scores = [a.score_percent for a in items if a.score_percent is not None]
        students.append(
            {
                "user_id": uid,
                "student_name": users[uid].full_name if uid in users else "",
                "attempts": len(items),
                "best_percent": max(scores) if scores else None,
                "last_percent": items[-1].score_percent,
                "passed": any(a.passed for a in items),
            }
        )
    students.sort(key=lambda s: str(s["student_name"]))
    buckets = [0] * 10
    graded = [a for a in attempts if a.status == AttemptStatus.GRADED.value and a.score_percent is not None]
    for a in graded:
        buckets[min(9, int((a.score_percent or 0) // 10))] += 1
    distribution = [{"from": n * 10, "to": n * 10 + 10 if n < 9 else 100, "count": c} for n, c in enumerate(buckets)]
    pool = list(await session.scalars(select(Question).where(Question.quiz_id == quiz.id).order_by(Question.position)))
    stats = []
    for q in pool:
        item, rest, full = [], [], 0
        for a in graded:
            r = a.results.get(q.id)
            if r is None or not r.get("max"):
                continue
            fraction = float(r["score"]) / float(r["max"])
            item.append(fraction)
            rest.append(float(a.score or 0) - float(r["score"]))
            full += 1 if r.get("correct") else 0
        stats.append(
            {
                "question_id": q.id,
                "title": q.title or q.stem[:80],
                "kind": q.kind,
                "responses": len(item),
                "difficulty": round(full / len(item), 4) if item else None,
                "discrimination": _point_biserial(item, rest),
            }
        )
    mean = round(sum(a.score_percent or 0 for a in graded) / len(graded), 2) if graded else None
    return {
        "quiz_id": quiz.id,
        "attempts": len(attempts),
        "students": students,
        "distribution": distribution,
        "mean_percent": mean,
        "questions": stats,
    }


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a cell starting with = + - @ is shown as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def grades_csv(session: AsyncSession, *, actor: User, quiz_id: str) -> str:
    quiz = await get_editable_quiz(session, quiz_id, actor)
    attempts = list(
        await session.scalars(
            select(Attempt).where(Attempt.quiz_id == quiz.id).order_by(Attempt.user_id, Attempt.attempt_no)
        )
    )
    users = await _names(session, {a.user_id for a in attempts})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student_name", "email", "attempt_no", "status", "started_at", "submitted_at", "score",
                     "max_score", "score_percent", "passed"])  # fmt: skip
    rows = sorted(attempts, key=lambda a: (users[a.user_id].full_name if a.user_id in users else "", a.attempt_no))
    for a in rows:
        u = users.get(a.user_id)
        writer.writerow(
            [
                _csv_cell(x)
                for x in (
                    u.full_name if u else "",
                    u.email if u else "",
                    a.attempt_no,
                    a.status,
                    a.started_at.isoformat(),
                    a.submitted_at.isoformat() if a.submitted_at else "",
                    a.score,
                    a.max_score,
                    a.score_percent,
                    "" if a.passed is None else ("yes" if a.passed else "no"),
                )
            ]
        )
    return out.getvalue()
