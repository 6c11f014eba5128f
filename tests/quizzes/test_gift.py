"""Moodle GIFT import and export with text as instructors have it (no database)."""

from __future__ import annotations

import pytest

from lms.quizzes import gift

MOODLE_EXPORT = r"""
// question: 1041  name: Grant's tomb
$CATEGORY: $course$/top/Default for DSA/Unit 1

::Grant's tomb::Who's buried in Grant's tomb?{
	~Grant#No, that is the general.
	~Jefferson
	=No one#Right: it is a mausoleum.
	####A tomb is below ground.
}

::Stable sort::[html]<p>Merge sort is <b>stable</b>.</p>{TRUE}

::Heap::Which structure gives O(1) access to the minimum? {=min-heap =binary heap =heap}

::Birth year::When was Ulysses S. Grant born?{#1822:5}

::Pi range:: What is pi to two places? {#3.14..3.15}

::Entombed::What two people are entombed in Grant's tomb?{
	~%-100%No one
	~%50%Grant
	~%50%Grant's wife
	~%-100%Grant's father
}

Moodle costs nothing. This is because Moodle is {~lots of money =free ~cheap} software.

::Essay::Write a short biography of Dag Hammarskjöld. {}

::Matching::Match the capitals. {=Andhra Pradesh -> Amaravati =Telangana -> Hyderabad}

::Escapes::Is 2 \= 1 + 1\: true\{\}? {=yes\: always ~no}

This line is only a description and has no answers.
"""


def test_import_realistic_gift() -> None:
    result = gift.parse(MOODLE_EXPORT)
    kinds = [(q["title"], q["kind"]) for q in result.questions]
    assert kinds == [
        ("Grant's tomb", "single"),
        ("Stable sort", "true_false"),
        ("Heap", "short"),
        ("Birth year", "numeric"),
        ("Pi range", "numeric"),
        ("Entombed", "multiple"),
        ("", "single"),
        ("Essay", "essay"),
        ("Escapes", "single"),
    ]
    tomb, tf, heap, year, pi, two, blank, essay, esc = result.questions
    assert [o["correct"] for o in tomb["options"]] == [False, False, True]
    assert (
        tomb["options"][0]["feedback"] == "No, that is the general." and tomb["feedback"] == "A tomb is below ground."
    )
    assert tf["stem"] == "Merge sort is stable." and tf["correct"] is True
    assert heap["accepted_answers"] == ["min-heap", "binary heap", "heap"]
    assert (year["value"], year["tolerance"]) == (1822, 5)
    assert pi["value"] == pytest.approx(3.145) and pi["tolerance"] == pytest.approx(0.005)
    assert two["partial_credit"] and [o["correct"] for o in two["options"]] == [False, True, True, False]
    assert blank["stem"] == "Moodle costs nothing. This is because Moodle is _____ software."
    assert essay["stem"] == "Write a short biography of Dag Hammarskjöld."
    assert esc["stem"] == "Is 2 = 1 + 1: true{}?" and esc["options"][0]["text"] == "yes: always"
    assert [s["index"] for s in result.skipped] == [8] and "matching" in result.skipped[0]["reason"]


def test_export_then_import_round_trips() -> None:
    parsed = gift.parse(MOODLE_EXPORT).questions
    text, skipped = gift.export(parsed)
    assert skipped == []
    again = gift.parse(text).questions
    assert len(again) == len(parsed)
    for a, b in zip(parsed, again, strict=True):
        assert (a["kind"], a["title"], a["stem"]) == (b["kind"], b["title"], b["stem"])
        assert [(o["text"], o["correct"]) for o in a.get("options", [])] == [
            (o["text"], o["correct"]) for o in b.get("options", [])
        ]
        for name in ("correct", "accepted_answers", "value", "tolerance"):
            assert (
                a.get(name) == pytest.approx(b.get(name))
                if isinstance(a.get(name), float)
                else a.get(name) == b.get(name)
            )


def test_regex_only_short_answers_are_not_exported() -> None:
    text, skipped = gift.export(
        [{"id": "q", "kind": "short", "title": "", "stem": "s", "accepted_answers": [], "feedback": ""}]
    )
    assert text == "" and skipped[0]["id"] == "q"


@pytest.mark.parametrize("bad", ["::Unclosed title {=a}", "What? {=a ~b", "When? {#abc}", "Q {~}"])
def test_malformed_gift_is_refused(bad: str) -> None:
    with pytest.raises(gift.GiftError):
        gift.parse(bad)
