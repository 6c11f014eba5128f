"""Question definitions and grading: pure functions, no database.

A question's key lives in ``options[*].correct`` and ``answer``; nothing here that builds what a student
sees (``public_question``) reads either of them except to copy option text.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from typing import Any

from lms.core.markdown import render_markdown
from lms.quizzes.models import QuestionKind

CHOICE_KINDS = {QuestionKind.SINGLE.value, QuestionKind.MULTIPLE.value}
MAX_SHORT_ANSWER_CHARS = 500


class DefinitionError(ValueError):
    """An invalid question definition: which field, and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class AnswerError(ValueError):
    pass


def new_option_id() -> str:
    # Random, so an option's id says nothing about its position in the key.
    return secrets.token_urlsafe(6)


def normalize_text(text: str, *, case_sensitive: bool = False) -> str:
    collapsed = " ".join(text.split())
    return collapsed if case_sensitive else collapsed.casefold()


def _has_nested_quantifier(pattern: str) -> bool:
    """True for shapes that can backtrack catastrophically: a quantified group that itself contains a
    quantifier or an alternation, e.g. ``(a+)+``, ``(a|aa)*``, ``(\\w*){2,}``, or a backreference."""
    stack: list[bool] = []  # per open group: does it contain a quantifier/alternation?
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 < n and pattern[i + 1].isdigit():
                return True
            if stack and i + 2 < n and pattern[i + 2] in "*+?{":
                stack[-1] = True
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
                if stack and i + 1 < n and pattern[i + 1] in "*+{":
                    stack[-1] = True
            i += 1
            continue
        if c == "[":
            in_class = True
        elif c == "(":
            stack.append(False)
        elif c == ")":
            risky = stack.pop() if stack else False
            quantified = i + 1 < n and pattern[i + 1] in "*+{"
            if risky and quantified:
                return True
            if stack and (risky or quantified):
                stack[-1] = True
        elif c in "*+{|" and stack:
            stack[-1] = True
        i += 1
    return False


def compile_regex(pattern: str, *, case_sensitive: bool, max_length: int) -> re.Pattern[str]:
    if len(pattern) > max_length:
        raise DefinitionError("regex", f"must be at most {max_length} characters")
    if _has_nested_quantifier(pattern):
        raise DefinitionError(
            "regex", "nested quantifiers, alternations under a quantifier and backreferences are not allowed"
        )
    try:
        return re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        raise DefinitionError("regex", f"not a valid regular expression: {exc}") from None


def _finite(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
        raise DefinitionError(field, "must be a finite number")
    return float(value)


def build_definition(
    data: dict[str, Any], *, regex_max_length: int, existing_options: list[Any] | None = None
) -> dict[str, Any]:
    """Validate a question as given by an instructor and return the stored fields (options with ids and
    rendered HTML, the kind-specific key). Raises DefinitionError."""
    kind = str(data["kind"])
    options: list[dict[str, Any]] = []
    answer: dict[str, Any] = {}
    known_ids = {str(o["id"]) for o in existing_options or []}
    if kind in CHOICE_KINDS:
        raw = data.get("options") or []
        if len(raw) < 2:
            raise DefinitionError("options", "a choice question needs at least two options")
        seen: set[str] = set()
        for n, opt in enumerate(raw):
            text = str(opt.get("text") or "").strip()
            if not text:
                raise DefinitionError(f"options.{n}.text", "must not be empty")
            option_id = str(opt.get("id") or "")
            if option_id not in known_ids or option_id in seen:
                option_id = new_option_id()
            seen.add(option_id)
            options.append(
                {
                    "id": option_id,
                    "text": text,
                    "text_html": render_markdown(text),
                    "correct": bool(opt.get("correct")),
                    "feedback": str(opt.get("feedback") or ""),
                }
            )
        correct = sum(1 for o in options if o["correct"])
        if correct == 0:
            raise DefinitionError("options", "mark at least one option correct")
        if kind == QuestionKind.SINGLE.value and correct != 1:
            raise DefinitionError("options", "a single-choice question has exactly one correct option")
    elif kind == QuestionKind.TRUE_FALSE.value:
        if not isinstance(data.get("correct"), bool):
            raise DefinitionError("correct", "a true/false question needs correct: true or false")
        answer = {"correct": data["correct"]}
    elif kind == QuestionKind.SHORT.value:
        case_sensitive = bool(data.get("case_sensitive", False))
        accepted = [" ".join(str(a).split()) for a in data.get("accepted_answers") or []]
        accepted = [a for a in accepted if a]
        regex = data.get("regex") or None
        if regex is not None:
            compile_regex(str(regex), case_sensitive=case_sensitive, max_length=regex_max_length)
        if not accepted and regex is None:
            raise DefinitionError("accepted_answers", "give at least one accepted answer or a regex")
        answer = {"accepted": accepted, "regex": regex, "case_sensitive": case_sensitive}
    elif kind == QuestionKind.NUMERIC.value:
        if data.get("value") is None:
            raise DefinitionError("value", "a numeric question needs the correct value")
        value = _finite(data["value"], "value")
        tolerance = _finite(data.get("tolerance") or 0, "tolerance")
        if tolerance < 0:
            raise DefinitionError("tolerance", "must be zero or more")
        answer = {"value": value, "tolerance": tolerance}
    elif kind == QuestionKind.ESSAY.value:
        answer = {}
    else:
        raise DefinitionError("kind", f"unknown question kind {kind!r}")
    return {
        "kind": kind,
        "options": options,
        "answer": answer,
        "partial_credit": bool(data.get("partial_credit", False)) and kind == QuestionKind.MULTIPLE.value,
    }


def definition_fields(kind: str, options: list[Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The instructor-facing key fields of a stored question (inverse of build_definition)."""
    out: dict[str, Any] = {
        "options": [
            {"id": o["id"], "text": o["text"], "correct": o["correct"], "feedback": o["feedback"]} for o in options
        ]
    }
    if kind == QuestionKind.TRUE_FALSE.value:
        out["correct"] = answer.get("correct")
    elif kind == QuestionKind.SHORT.value:
        out["accepted_answers"] = list(answer.get("accepted", []))
        out["regex"] = answer.get("regex")
        out["case_sensitive"] = bool(answer.get("case_sensitive", False))
    elif kind == QuestionKind.NUMERIC.value:
        out["value"] = answer.get("value")
        out["tolerance"] = answer.get("tolerance", 0.0)
    return out


@dataclass(frozen=True)
class QuestionKey:
    """What grading needs of a question (a snapshot, so pure functions can grade)."""

    id: str
    kind: str
    points: int
    options: list[dict[str, Any]]
    answer: dict[str, Any]
    partial_credit: bool


def public_question(q: Any, option_order: list[str], index: int) -> dict[str, Any]:
    """A question as a student taking the quiz sees it: text and option ids only, in the attempt's order."""
    by_id = {o["id"]: o for o in q.options}
    return {
        "id": q.id,
        "number": index + 1,
        "kind": q.kind,
        "stem_html": q.stem_html,
        "points": q.points,
        "options": [{"id": oid, "text_html": by_id[oid]["text_html"]} for oid in option_order if oid in by_id],
    }


def validate_answer(key: QuestionKey, value: Any, *, max_chars: int) -> Any:
    """Check an answer's type and shape for its question; returns the value to store (None clears)."""
    if value is None:
        return None
    kind = key.kind
    option_ids = {o["id"] for o in key.options}
    if kind == QuestionKind.SINGLE.value:
        if not isinstance(value, str) or value not in option_ids:
            raise AnswerError("expected the id of one of the question's options")
        return value
    if kind == QuestionKind.MULTIPLE.value:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnswerError("expected a list of option ids")
        if len(set(value)) != len(value) or not set(value) <= option_ids:
            raise AnswerError("expected distinct ids of the question's options")
        return sorted(value)
    if kind == QuestionKind.TRUE_FALSE.value:
        if not isinstance(value, bool):
            raise AnswerError("expected true or false")
        return value
    if kind == QuestionKind.NUMERIC.value:
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", ""))
            except ValueError:
                raise AnswerError("expected a number") from None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
            raise AnswerError("expected a finite number")
        return float(value)
    if not isinstance(value, str):
        raise AnswerError("expected text")
    limit = MAX_SHORT_ANSWER_CHARS if kind == QuestionKind.SHORT.value else max_chars
    if len(value) > limit:
        raise AnswerError(f"at most {limit} characters")
    return value


def grade(key: QuestionKey, value: Any, *, regex_max_length: int = 1000) -> dict[str, Any]:
    """Score one answer: {"score", "max", "correct", "pending"}. Essays are pending until graded by hand."""
    points = float(key.points)
    result: dict[str, Any] = {"score": 0.0, "max": points, "correct": False, "pending": False}
    kind = key.kind
    if kind == QuestionKind.ESSAY.value:
        result.update(correct=None, pending=value is not None and str(value).strip() != "")
        return result
    if value is None:
        return result
    fraction = 0.0
    if kind == QuestionKind.SINGLE.value:
        fraction = 1.0 if any(o["id"] == value and o["correct"] for o in key.options) else 0.0
    elif kind == QuestionKind.MULTIPLE.value:
        correct = {o["id"] for o in key.options if o["correct"]}
        chosen = set(value)
        if key.partial_credit:
            fraction = max(0.0, (len(chosen & correct) - len(chosen - correct)) / len(correct))
        else:
            fraction = 1.0 if chosen == correct else 0.0
    elif kind == QuestionKind.TRUE_FALSE.value:
        fraction = 1.0 if value is key.answer.get("correct") else 0.0
    elif kind == QuestionKind.SHORT.value:
        case_sensitive = bool(key.answer.get("case_sensitive"))
        given = normalize_text(str(value), case_sensitive=case_sensitive)
        accepted = {normalize_text(a, case_sensitive=case_sensitive) for a in key.answer.get("accepted", [])}
        ok = given in accepted
        pattern = key.answer.get("regex")
        if not ok and pattern:
            try:
                compiled = compile_regex(pattern, case_sensitive=case_sensitive, max_length=regex_max_length)
            except DefinitionError:
                compiled = None
            ok = (
                compiled is not None
                and compiled.fullmatch(" ".join(str(value).split())[:MAX_SHORT_ANSWER_CHARS]) is not None
            )
        fraction = 1.0 if ok else 0.0
    elif kind == QuestionKind.NUMERIC.value:
        target, tolerance = float(key.answer["value"]), float(key.answer.get("tolerance", 0))
        # A little slack for binary floating point (0.1 + 0.2 style answers).
        fraction = 1.0 if abs(float(value) - target) <= tolerance + 1e-9 * max(1.0, abs(target)) else 0.0
    result["score"] = round(fraction * points, 4)
    result["correct"] = fraction == 1.0
    return result


def correct_answer(key: QuestionKey) -> Any:
    """The key in the shape of an answer, for review after submission (never while attempting)."""
    if key.kind == QuestionKind.SINGLE.value:
        return next((o["id"] for o in key.options if o["correct"]), None)
    if key.kind == QuestionKind.MULTIPLE.value:
        return sorted(o["id"] for o in key.options if o["correct"])
    if key.kind == QuestionKind.TRUE_FALSE.value:
        return key.answer.get("correct")
    if key.kind == QuestionKind.SHORT.value:
        return list(key.answer.get("accepted", []))
    if key.kind == QuestionKind.NUMERIC.value:
        return {"value": key.answer.get("value"), "tolerance": key.answer.get("tolerance")}
    return None
