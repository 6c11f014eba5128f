"""Request and response models of quizzes, questions and attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lms.quizzes.models import AttemptStatus, QuestionKind, ReviewPolicy


class QuizBase(BaseModel):
    description: str = Field(default="", max_length=20_000)
    time_limit_seconds: int | None = Field(default=None, ge=10, le=7 * 24 * 3600)
    attempts_allowed: int | None = Field(default=1, ge=1, le=100)
    passing_percent: int = Field(default=50, ge=0, le=100)
    is_required: bool = True
    shuffle_questions: bool = False
    shuffle_options: bool = False
    pool_size: int | None = Field(default=None, ge=1, le=500)
    available_from: datetime | None = None
    available_until: datetime | None = None
    review_policy: ReviewPolicy = ReviewPolicy.AFTER_SUBMISSION

    @model_validator(mode="after")
    def _window(self) -> QuizBase:
        for name in ("available_from", "available_until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a timezone (e.g. 2026-12-01T09:00:00Z)")
        if self.available_from and self.available_until and self.available_until <= self.available_from:
            raise ValueError("available_until must be after available_from")
        return self


class QuizCreate(QuizBase):
    title: str = Field(min_length=1, max_length=200)
    # The syllabus entry: an existing lesson of kind quiz, or a section to add a quiz lesson to.
    lesson_id: str | None = Field(default=None, max_length=36)
    section_id: str | None = Field(default=None, max_length=36)


class QuizUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    time_limit_seconds: int | None = Field(default=None, ge=10, le=7 * 24 * 3600)
    attempts_allowed: int | None = Field(default=None, ge=1, le=100)
    passing_percent: int | None = Field(default=None, ge=0, le=100)
    is_required: bool | None = None
    shuffle_questions: bool | None = None
    shuffle_options: bool | None = None
    pool_size: int | None = Field(default=None, ge=1, le=500)
    available_from: datetime | None = None
    available_until: datetime | None = None
    review_policy: ReviewPolicy | None = None


class QuizRead(BaseModel):
    id: str
    course_id: str
    lesson_id: str | None
    title: str
    description: str
    description_html: str
    time_limit_seconds: int | None
    attempts_allowed: int | None
    passing_percent: int
    is_required: bool
    shuffle_questions: bool
    shuffle_options: bool
    pool_size: int | None
    available_from: datetime | None
    available_until: datetime | None
    review_policy: str
    question_count: int = 0
    total_points: int = 0
    # For a student: how many attempts they have used and their best score.
    attempts_used: int | None = None
    best_percent: float | None = None
    passed: bool | None = None


class OptionIn(BaseModel):
    id: str | None = Field(default=None, max_length=40)
    text: str = Field(min_length=1, max_length=5000)
    correct: bool = False
    feedback: str = Field(default="", max_length=5000)


class QuestionIn(BaseModel):
    kind: QuestionKind
    title: str = Field(default="", max_length=200)
    stem: str = Field(min_length=1, max_length=20_000)
    points: int = Field(default=1, ge=0, le=1000)
    options: list[OptionIn] = Field(default_factory=list, max_length=50)
    correct: bool | None = None
    accepted_answers: list[Annotated[str, Field(max_length=500)]] | None = Field(default=None, max_length=100)
    regex: str | None = Field(default=None, max_length=1000)
    case_sensitive: bool | None = None
    value: float | None = None
    tolerance: float | None = None
    partial_credit: bool = False
    feedback: str = Field(default="", max_length=5000)


class QuestionCreate(QuestionIn):
    quiz_id: str | None = Field(default=None, max_length=36)


class QuestionUpdate(QuestionIn):
    """A full replacement of the question's definition (options keep their ids when sent back)."""

    quiz_id: str | None = Field(default=None, max_length=36)


class OptionRead(BaseModel):
    id: str
    text: str
    correct: bool
    feedback: str


class QuestionRead(BaseModel):
    id: str
    course_id: str
    quiz_id: str | None
    kind: str
    title: str
    stem: str
    stem_html: str
    points: int
    options: list[OptionRead]
    correct: bool | None = None
    accepted_answers: list[str] | None = None
    regex: str | None = None
    case_sensitive: bool | None = None
    value: float | None = None
    tolerance: float | None = None
    partial_credit: bool
    feedback: str
    position: int


class ReorderIn(BaseModel):
    question_ids: list[str] = Field(max_length=1000)


class JsonImport(BaseModel):
    quiz_id: str | None = Field(default=None, max_length=36)
    questions: list[QuestionIn] = Field(min_length=1, max_length=500)


class GiftImport(BaseModel):
    quiz_id: str | None = Field(default=None, max_length=36)
    text: str = Field(min_length=1, max_length=500_000)


class ImportResult(BaseModel):
    created: int
    question_ids: list[str]
    skipped: list[dict[str, Any]] = Field(default_factory=list)


class PublicOption(BaseModel):
    id: str
    text_html: str


class PublicQuestion(BaseModel):
    id: str
    number: int
    kind: str
    stem_html: str
    points: int
    options: list[PublicOption]


class AnswersIn(BaseModel):
    # question id -> answer: option id (single), option ids (multiple), bool, text or number; null clears.
    answers: dict[str, Any] = Field(max_length=500)


class QuestionResult(BaseModel):
    question_id: str
    score: float | None = None
    max: float
    correct: bool | None = None
    pending: bool = False
    your_answer: Any = None
    correct_answer: Any = None
    feedback: str | None = None


class AttemptRead(BaseModel):
    id: str
    quiz_id: str
    course_id: str
    user_id: str
    attempt_no: int
    status: AttemptStatus
    started_at: datetime
    deadline_at: datetime | None
    submitted_at: datetime | None
    graded_at: datetime | None
    auto_submitted: bool
    seconds_left: int | None = None
    questions: list[PublicQuestion] | None = None
    answers: dict[str, Any] | None = None
    score: float | None = None
    max_score: float | None = None
    score_percent: float | None = None
    passed: bool | None = None
    review_available: bool = False
    results: list[QuestionResult] | None = None


class ManualGrade(BaseModel):
    question_id: str = Field(max_length=36)
    score: float = Field(ge=0)
    feedback: str = Field(default="", max_length=5000)


class GradeIn(BaseModel):
    grades: list[ManualGrade] = Field(min_length=1, max_length=500)


class QueueItem(BaseModel):
    attempt_id: str
    quiz_id: str
    quiz_title: str
    user_id: str
    student_name: str
    submitted_at: datetime | None
    questions: list[dict[str, Any]]


class RegradeResult(BaseModel):
    attempts: int
    changed: int


class StudentAttempts(BaseModel):
    user_id: str
    student_name: str
    attempts: int
    best_percent: float | None
    last_percent: float | None
    passed: bool


class QuestionStats(BaseModel):
    question_id: str
    title: str
    kind: str
    responses: int
    difficulty: float | None  # share of responses fully correct
    discrimination: float | None  # point-biserial correlation with the rest of the score


class QuizReport(BaseModel):
    quiz_id: str
    attempts: int
    students: list[StudentAttempts]
    distribution: list[dict[str, Any]]
    mean_percent: float | None
    questions: list[QuestionStats]
