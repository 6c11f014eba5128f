"""Grading and definition rules of every question kind (pure functions, no database)."""

from __future__ import annotations

from typing import Any

import pytest

from lms.quizzes import grading
from lms.quizzes.grading import AnswerError, DefinitionError, QuestionKey


def key(data: dict[str, Any], points: int = 2) -> QuestionKey:
    d = grading.build_definition(data, regex_max_length=200)
    return QuestionKey("q1", d["kind"], points, d["options"], d["answer"], d["partial_credit"])


def ids(k: QuestionKey, *correct: bool) -> list[str]:
    return [o["id"] for o in k.options if o["correct"] in correct]


def test_single_choice() -> None:
    k = key({"kind": "single", "options": [{"text": "a", "correct": True}, {"text": "b"}]})
    assert grading.grade(k, ids(k, True)[0]) == {"score": 2.0, "max": 2.0, "correct": True, "pending": False}
    assert grading.grade(k, ids(k, False)[0])["score"] == 0
    assert grading.grade(k, None)["score"] == 0
    with pytest.raises(AnswerError):
        grading.validate_answer(k, "not-an-option", max_chars=100)
    with pytest.raises(AnswerError):
        grading.validate_answer(k, ["a"], max_chars=100)


def test_multiple_choice_partial_credit_and_all_or_nothing() -> None:
    options = [{"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c"}, {"text": "d"}]
    partial = key({"kind": "multiple", "options": options, "partial_credit": True}, points=4)
    right, wrong = ids(partial, True), ids(partial, False)
    assert grading.grade(partial, right)["score"] == 4
    assert grading.grade(partial, right[:1]) == {"score": 2.0, "max": 4.0, "correct": False, "pending": False}
    assert grading.grade(partial, [right[0], wrong[0]])["score"] == 0  # a wrong pick cancels a right one
    assert grading.grade(partial, wrong)["score"] == 0  # never negative
    strict = key({"kind": "multiple", "options": options}, points=4)
    assert grading.grade(strict, ids(strict, True)[:1])["score"] == 0
    assert grading.grade(strict, sorted(ids(strict, True)))["score"] == 4
    with pytest.raises(AnswerError):
        grading.validate_answer(partial, [right[0], right[0]], max_chars=100)


def test_true_false_short_numeric_essay() -> None:
    tf = key({"kind": "true_false", "correct": False})
    assert grading.grade(tf, False)["correct"] and not grading.grade(tf, True)["correct"]
    with pytest.raises(AnswerError):
        grading.validate_answer(tf, "false", max_chars=100)

    short = key({"kind": "short", "accepted_answers": ["Binary  Search Tree"], "regex": r"bst|b\.s\.t\."})
    for given in ("binary search tree", "  BINARY\tsearch   tree ", "BST", "b.s.t."):
        assert grading.grade(short, given)["correct"], given
    assert not grading.grade(short, "binary tree")["correct"]
    sensitive = key({"kind": "short", "accepted_answers": ["NaCl"], "case_sensitive": True})
    assert grading.grade(sensitive, "NaCl")["correct"] and not grading.grade(sensitive, "nacl")["correct"]

    num = key({"kind": "numeric", "value": 9.81, "tolerance": 0.01})
    assert grading.grade(num, 9.8)["correct"] and grading.grade(num, 9.82)["correct"]
    assert not grading.grade(num, 9.83)["correct"]
    assert grading.validate_answer(num, " 9.8 ", max_chars=100) == 9.8
    exact = key({"kind": "numeric", "value": 0.3})
    assert grading.grade(exact, 0.1 + 0.2)["correct"]
    for bad in ("abc", True, [1], float("nan")):
        with pytest.raises(AnswerError):
            grading.validate_answer(num, bad, max_chars=100)

    essay = key({"kind": "essay"}, points=5)
    assert grading.grade(essay, "My essay") == {"score": 0.0, "max": 5.0, "correct": None, "pending": True}
    assert grading.grade(essay, None)["pending"] is False  # nothing to grade by hand
    with pytest.raises(AnswerError):
        grading.validate_answer(essay, "x" * 101, max_chars=100)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "single", "options": [{"text": "a"}, {"text": "b"}]}, "options"),
        ({"kind": "single", "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]}, "options"),
        ({"kind": "multiple", "options": [{"text": "a", "correct": True}]}, "options"),
        ({"kind": "true_false"}, "correct"),
        ({"kind": "short", "accepted_answers": ["  "]}, "accepted_answers"),
        ({"kind": "short", "regex": "([a-z"}, "regex"),
        ({"kind": "short", "regex": "(a+)+$"}, "regex"),
        ({"kind": "short", "regex": "(a|aa)*"}, "regex"),
        ({"kind": "short", "regex": r"(\w)\1"}, "regex"),
        ({"kind": "short", "regex": "a" * 201}, "regex"),
        ({"kind": "numeric", "value": 1, "tolerance": -0.1}, "tolerance"),
        ({"kind": "numeric"}, "value"),
        ({"kind": "numeric", "value": float("inf")}, "value"),
    ],
)
def test_invalid_definitions(data: dict[str, Any], field: str) -> None:
    with pytest.raises(DefinitionError) as info:
        grading.build_definition(data, regex_max_length=200)
    assert info.value.field == field


def test_option_ids_are_random_and_kept_on_edit() -> None:
    first = grading.build_definition(
        {"kind": "single", "options": [{"text": "a", "correct": True}, {"text": "b"}]}, regex_max_length=200
    )
    again = grading.build_definition(
        {"kind": "single", "options": [{"text": "a", "correct": True}, {"text": "b"}]}, regex_max_length=200
    )
    assert {o["id"] for o in first["options"]}.isdisjoint({o["id"] for o in again["options"]})
    edited = grading.build_definition(
        {
            "kind": "single",
            "options": [{"id": first["options"][1]["id"], "text": "b!", "correct": True}, {"text": "c"}],
        },
        regex_max_length=200,
        existing_options=first["options"],
    )
    assert edited["options"][0]["id"] == first["options"][1]["id"]
    assert (
        "<script"
        not in grading.build_definition(
            {"kind": "single", "options": [{"text": "<script>x</script>", "correct": True}, {"text": "b"}]},
            regex_max_length=200,
        )["options"][0]["text_html"]
    )
