"""HTTP face of quizzes: quiz settings, the question bank, attempts, grading and reports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from lms.auth.dependencies import CurrentUser, InstructorUser
from lms.core.deps import RuntimeDep, SessionDep
from lms.quizzes import service
from lms.quizzes.models import Attempt, AttemptStatus, Quiz
from lms.quizzes.schemas import (
    AnswersIn,
    AttemptRead,
    GiftImport,
    GradeIn,
    ImportResult,
    JsonImport,
    PublicQuestion,
    QuestionCreate,
    QuestionRead,
    QuestionResult,
    QuestionUpdate,
    QueueItem,
    QuizCreate,
    QuizRead,
    QuizReport,
    QuizUpdate,
    RegradeResult,
    ReorderIn,
)
from lms.users.models import User

router = APIRouter(tags=["quizzes"])
QuizIdFilter = Annotated[str | None, Query(max_length=36, description="Only the questions of this quiz")]


async def _quiz_read(session: Any, quiz: Quiz, user: User, editor: bool) -> QuizRead:
    count, points = (await service.quiz_stats(session, [quiz.id])).get(quiz.id, (0, 0))
    data = QuizRead.model_validate(quiz, from_attributes=True)
    if editor:
        data.question_count, data.total_points = count, points
    else:
        data.question_count, data.total_points = service.drawn_points(quiz, count, points)
        used, best, passed = await service.student_summary(session, quiz, user.id)
        data.attempts_used, data.best_percent, data.passed = used, best, passed
    return data


def _attempt_read(
    attempt: Attempt, view: service.AttemptView | None = None, *, with_questions: bool = True
) -> AttemptRead:
    finished = attempt.status != "in_progress"
    data = AttemptRead(
        id=attempt.id,
        quiz_id=attempt.quiz_id,
        course_id=attempt.course_id,
        user_id=attempt.user_id,
        attempt_no=attempt.attempt_no,
        status=AttemptStatus(attempt.status),
        started_at=attempt.started_at,
        deadline_at=attempt.deadline_at,
        submitted_at=attempt.submitted_at,
        graded_at=attempt.graded_at,
        auto_submitted=attempt.auto_submitted,
        score=attempt.score if finished else None,
        max_score=attempt.max_score if finished else None,
        score_percent=attempt.score_percent if finished else None,
        passed=attempt.passed if finished else None,
    )
    if view is not None:
        data.seconds_left = view.seconds_left
        data.review_available = view.review
        data.answers = dict(attempt.answers)
        if with_questions:
            data.questions = [PublicQuestion.model_validate(q) for q in view.questions]
        if view.results is not None:
            data.results = [QuestionResult.model_validate(r) for r in view.results]
    return data


# ----------------------------------------------------------------------------------------------- quizzes


@router.post("/courses/{course_id}/quizzes", status_code=201, response_model=QuizRead)
async def create_quiz(course_id: str, body: QuizCreate, session: SessionDep, user: InstructorUser) -> QuizRead:
    """Create a quiz in your course. `section_id` adds its quiz lesson to the syllabus; `lesson_id` fills one."""
    quiz = await service.create_quiz(session, actor=user, course_id=course_id, data=body.model_dump())
    return await _quiz_read(session, quiz, user, True)


@router.get("/courses/{course_id}/quizzes", response_model=list[QuizRead])
async def list_quizzes(course_id: str, session: SessionDep, user: CurrentUser) -> list[QuizRead]:
    quizzes, editor = await service.list_course_quizzes(session, course_id=course_id, user=user)
    return [await _quiz_read(session, q, user, editor) for q in quizzes]


@router.get("/quizzes/{quiz_id}", response_model=QuizRead)
async def get_quiz(quiz_id: str, session: SessionDep, user: CurrentUser) -> QuizRead:
    quiz, editor = await service.get_quiz_for(session, quiz_id, user)
    return await _quiz_read(session, quiz, user, editor)


@router.get("/lessons/{lesson_id}/quiz", response_model=QuizRead)
async def lesson_quiz(lesson_id: str, session: SessionDep, user: CurrentUser) -> QuizRead:
    """The quiz behind a syllabus lesson of kind quiz."""
    quiz, editor = await service.quiz_for_lesson(session, lesson_id=lesson_id, user=user)
    return await _quiz_read(session, quiz, user, editor)


@router.patch("/quizzes/{quiz_id}", response_model=QuizRead)
async def update_quiz(quiz_id: str, body: QuizUpdate, session: SessionDep, user: InstructorUser) -> QuizRead:
    quiz = await service.update_quiz(session, actor=user, quiz_id=quiz_id, changes=body.model_dump(exclude_unset=True))
    return await _quiz_read(session, quiz, user, True)


@router.delete("/quizzes/{quiz_id}", status_code=204)
async def delete_quiz(quiz_id: str, session: SessionDep, user: InstructorUser) -> Response:
    await service.delete_quiz(session, actor=user, quiz_id=quiz_id)
    return Response(status_code=204)


# --------------------------------------------------------------------------------------- question bank


@router.get("/courses/{course_id}/questions", response_model=list[QuestionRead])
async def list_questions(
    course_id: str, session: SessionDep, user: InstructorUser, quiz_id: QuizIdFilter = None
) -> list[dict[str, Any]]:
    """The course's question bank, key included (its editors only)."""
    return [
        service.question_fields(q)
        for q in await service.list_bank(session, actor=user, course_id=course_id, quiz_id=quiz_id)
    ]


@router.post("/courses/{course_id}/questions", status_code=201, response_model=QuestionRead)
async def create_question(
    course_id: str, body: QuestionCreate, session: SessionDep, user: InstructorUser, rt: RuntimeDep
) -> dict[str, Any]:
    data = body.model_dump(mode="json", exclude={"quiz_id"})
    (q,) = await service.create_questions(
        session, actor=user, course_id=course_id, items=[data], quiz_id=body.quiz_id, settings=rt.settings
    )
    return service.question_fields(q)


@router.put("/questions/{question_id}", response_model=QuestionRead)
async def update_question(
    question_id: str, body: QuestionUpdate, session: SessionDep, user: InstructorUser, rt: RuntimeDep
) -> dict[str, Any]:
    q = await service.update_question(
        session, actor=user, question_id=question_id, data=body.model_dump(mode="json"), settings=rt.settings
    )
    return service.question_fields(q)


@router.delete("/questions/{question_id}", status_code=204)
async def delete_question(question_id: str, session: SessionDep, user: InstructorUser) -> Response:
    await service.delete_question(session, actor=user, question_id=question_id)
    return Response(status_code=204)


@router.put("/quizzes/{quiz_id}/questions/order", response_model=list[QuestionRead])
async def reorder_questions(
    quiz_id: str, body: ReorderIn, session: SessionDep, user: InstructorUser
) -> list[dict[str, Any]]:
    """Reorder a quiz's questions in one call: the list must name each of them once."""
    questions = await service.reorder_questions(session, actor=user, quiz_id=quiz_id, question_ids=body.question_ids)
    return [service.question_fields(q) for q in questions]


@router.post("/courses/{course_id}/questions/import/json", status_code=201, response_model=ImportResult)
async def import_json(
    course_id: str, body: JsonImport, session: SessionDep, user: InstructorUser, rt: RuntimeDep
) -> ImportResult:
    items = [q.model_dump(mode="json") for q in body.questions]
    created = await service.create_questions(
        session, actor=user, course_id=course_id, items=items, quiz_id=body.quiz_id, settings=rt.settings
    )
    return ImportResult(created=len(created), question_ids=[q.id for q in created])


@router.post("/courses/{course_id}/questions/import/gift", status_code=201, response_model=ImportResult)
async def import_gift(
    course_id: str, body: GiftImport, session: SessionDep, user: InstructorUser, rt: RuntimeDep
) -> ImportResult:
    """Import Moodle GIFT text; matching questions (no equivalent kind) are reported as skipped."""
    created, skipped = await service.import_gift(
        session, actor=user, course_id=course_id, quiz_id=body.quiz_id, text=body.text, settings=rt.settings
    )
    return ImportResult(created=len(created), question_ids=[q.id for q in created], skipped=skipped)


@router.get("/courses/{course_id}/questions/export", response_model=None)
async def export_questions(
    course_id: str,
    session: SessionDep,
    user: InstructorUser,
    quiz_id: QuizIdFilter = None,
    format: Literal["json", "gift"] = "json",
) -> Response:
    questions = await service.export_questions(session, actor=user, course_id=course_id, quiz_id=quiz_id)
    if format == "gift":
        text, skipped = service.to_gift_export(questions)
        headers = {
            "Content-Disposition": 'attachment; filename="questions.gift.txt"',
            "X-Skipped-Questions": str(len(skipped)),
        }
        return PlainTextResponse(text, headers=headers)
    return JSONResponse(
        service.to_json_export(questions), headers={"Content-Disposition": 'attachment; filename="questions.json"'}
    )


# -------------------------------------------------------------------------------------------- attempts


@router.post("/quizzes/{quiz_id}/attempts", response_model=AttemptRead, status_code=201)
async def start_attempt(
    quiz_id: str, session: SessionDep, user: CurrentUser, rt: RuntimeDep, response: Response
) -> AttemptRead:
    """Start an attempt (201) or resume the one in progress (200). The questions carry no answer key."""
    attempt, quiz, created = await service.start_attempt(session, user=user, quiz_id=quiz_id, settings=rt.settings)
    if not created:
        response.status_code = 200
    return _attempt_read(attempt, await service.attempt_view(session, attempt, quiz))


@router.get("/quizzes/{quiz_id}/attempts/me", response_model=list[AttemptRead])
async def my_attempts(quiz_id: str, session: SessionDep, user: CurrentUser) -> list[AttemptRead]:
    return [_attempt_read(a) for a in await service.my_attempts(session, user=user, quiz_id=quiz_id)]


@router.get("/attempts/{attempt_id}", response_model=AttemptRead)
async def get_attempt(attempt_id: str, session: SessionDep, user: CurrentUser, rt: RuntimeDep) -> AttemptRead:
    attempt, quiz, editor = await service.get_attempt(session, user=user, attempt_id=attempt_id, settings=rt.settings)
    return _attempt_read(attempt, await service.attempt_view(session, attempt, quiz, full_review=editor))


@router.put("/attempts/{attempt_id}/answers", response_model=AttemptRead)
async def save_answers(
    attempt_id: str, body: AnswersIn, session: SessionDep, user: CurrentUser, rt: RuntimeDep
) -> AttemptRead:
    """Autosave: merge these answers into the attempt (null clears one). All valid, or nothing saved."""
    attempt = await service.save_answers(
        session, user=user, attempt_id=attempt_id, answers=body.answers, settings=rt.settings
    )
    data = _attempt_read(attempt)
    data.answers = dict(attempt.answers)
    data.seconds_left = service.seconds_left(attempt)
    return data


@router.post("/attempts/{attempt_id}/submit", response_model=AttemptRead)
async def submit_attempt(attempt_id: str, session: SessionDep, user: CurrentUser, rt: RuntimeDep) -> AttemptRead:
    """Submit and grade; submitting again returns the same result."""
    attempt, quiz = await service.submit(session, user=user, attempt_id=attempt_id, settings=rt.settings)
    return _attempt_read(attempt, await service.attempt_view(session, attempt, quiz), with_questions=False)


# ----------------------------------------------------------------------------------- grading, reports


@router.get("/courses/{course_id}/grading-queue", response_model=list[QueueItem])
async def grading_queue(course_id: str, session: SessionDep, user: InstructorUser) -> list[dict[str, Any]]:
    """Submitted attempts whose essay answers wait for a grade, oldest first."""
    return await service.grading_queue(session, actor=user, course_id=course_id)


@router.post("/attempts/{attempt_id}/grade", response_model=AttemptRead)
async def grade_attempt(attempt_id: str, body: GradeIn, session: SessionDep, user: InstructorUser) -> AttemptRead:
    attempt = await service.grade_manually(
        session, actor=user, attempt_id=attempt_id, grades=[g.model_dump() for g in body.grades]
    )
    quiz = await service.get_editable_quiz(session, attempt.quiz_id, user)
    return _attempt_read(
        attempt, await service.attempt_view(session, attempt, quiz, full_review=True), with_questions=False
    )


@router.post("/quizzes/{quiz_id}/regrade", response_model=RegradeResult)
async def regrade(quiz_id: str, session: SessionDep, user: InstructorUser, rt: RuntimeDep) -> RegradeResult:
    """Grade every submitted attempt again with the current answer key (hand grades are kept)."""
    attempts, changed = await service.regrade(session, actor=user, quiz_id=quiz_id, settings=rt.settings)
    return RegradeResult(attempts=attempts, changed=changed)


@router.get("/quizzes/{quiz_id}/report", response_model=QuizReport)
async def quiz_report(quiz_id: str, session: SessionDep, user: InstructorUser) -> dict[str, Any]:
    return await service.report(session, actor=user, quiz_id=quiz_id)


@router.get("/quizzes/{quiz_id}/grades.csv", response_class=PlainTextResponse)
async def grades_csv(quiz_id: str, session: SessionDep, user: InstructorUser) -> Response:
    text = await service.grades_csv(session, actor=user, quiz_id=quiz_id)
    return Response(
        text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": 'attachment; filename="grades.csv"'}
    )
