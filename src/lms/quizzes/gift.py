"""Moodle GIFT text format: import into question definitions and export from them.

Supported: multiple choice (one right answer → single; weighted answers → multiple with partial credit),
missing word, true/false, short answer, numeric (``value:tolerance`` and ``min..max``), essay (``{}``),
per-answer feedback (``#``) and general feedback (``####``), titles, ``[markdown]``/``[html]``/``[plain]``
formats, ``$CATEGORY`` lines and comments. Matching questions have no kind here and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import nh3

from lms.quizzes.models import QuestionKind

SPECIAL = "~=#{}:"


class GiftError(ValueError):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"question {index + 1}: {message}")
        self.index, self.message = index, message


@dataclass
class GiftResult:
    questions: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in SPECIAL:
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _split_unescaped(text: str, seps: str) -> list[tuple[str, str]]:
    """Split at unescaped separator characters; returns (separator, chunk) pairs (first sep is '')."""
    parts: list[tuple[str, str]] = []
    sep, buf, i = "", [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            buf.append(text[i : i + 2])
            i += 2
            continue
        if c in seps:
            parts.append((sep, "".join(buf)))
            sep, buf = c, []
        else:
            buf.append(c)
        i += 1
    parts.append((sep, "".join(buf)))
    return parts


def _find_unescaped(text: str, target: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def _blocks(text: str) -> list[str]:
    """Questions are separated by blank lines; comment lines and $CATEGORY lines are dropped."""
    blocks: list[str] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if line.startswith("//") or line.startswith("$CATEGORY"):
            continue
        if not line:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(raw.rstrip())
    if current:
        blocks.append("\n".join(current))
    return blocks


def _text(raw: str, fmt: str) -> str:
    value = unescape(raw.strip())
    if fmt == "html":
        value = nh3.clean(value, tags=set()).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return value.strip()


def _feedback(chunk: str) -> tuple[str, str]:
    parts = _split_unescaped(chunk, "#")
    return parts[0][1], "#".join(p for _, p in parts[1:])


def _weight(chunk: str) -> tuple[float | None, str]:
    m = re.match(r"\s*%(-?\d+(?:\.\d+)?)%", chunk)
    if not m:
        return None, chunk
    return float(m.group(1)), chunk[m.end() :]


def _number(text: str, index: int) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise GiftError(index, f"{text.strip()!r} is not a number") from None


def _parse_numeric(body: str, index: int) -> dict[str, Any]:
    body = body.strip()[1:]  # drop the leading '#'
    answers = [c for s, c in _split_unescaped(body, "=") if c.strip()] if "=" in body else [body]
    best: tuple[float, str] | None = None
    for chunk in answers:
        weight, rest = _weight(chunk)
        value, _feedback_text = _feedback(rest)
        if best is None or (weight if weight is not None else 100) > best[0]:
            best = (weight if weight is not None else 100.0, value)
    assert best is not None
    spec = best[1].strip()
    if ".." in spec:
        low, high = (_number(x, index) for x in spec.split("..", 1))
        return {"value": round((low + high) / 2, 10), "tolerance": round(abs(high - low) / 2, 10)}
    if ":" in spec:
        value, tolerance = spec.split(":", 1)
        return {"value": _number(value, index), "tolerance": _number(tolerance, index)}
    return {"value": _number(spec, index), "tolerance": 0.0}


def _parse_block(block: str, index: int) -> dict[str, Any] | None:
    """One GIFT question as a definition dict, or None for a description (no answer block)."""
    text = block.strip()
    title = ""
    if text.startswith("::"):
        end = _find_unescaped(text, "::", 2)
        if end < 0:
            raise GiftError(index, "unterminated ::title::")
        title, text = unescape(text[2:end]).strip(), text[end + 2 :].strip()
    fmt = "markdown"
    m = re.match(r"\[(markdown|html|moodle|plain)\]", text)
    if m:
        fmt, text = m.group(1), text[m.end() :]
    open_at = _find_unescaped(text, "{")
    if open_at < 0:
        return None
    close_at = _find_unescaped(text, "}", open_at)
    if close_at < 0:
        raise GiftError(index, "unterminated answer block: '{' without '}'")
    before, body, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
    stem = _text(before, fmt)
    if after.strip():  # missing-word format: the blank is where the answer block was
        stem = f"{stem} _____ {_text(after, fmt)}".strip()
    if not stem:
        raise GiftError(index, "the question text is empty")
    general = ""
    gpos = _find_unescaped(body, "####")
    if gpos >= 0:
        body, general = body[:gpos], _text(body[gpos + 4 :], fmt)
    q: dict[str, Any] = {"title": title[:200], "stem": stem, "feedback": general, "points": 1}
    stripped = body.strip()
    if stripped == "":
        return q | {"kind": QuestionKind.ESSAY.value}
    if "->" in stripped:
        raise _Skip("matching questions are not supported")
    tf = re.fullmatch(r"(T|F|TRUE|FALSE)\s*(#.*)?", stripped, flags=re.S)
    if tf:
        return q | {"kind": QuestionKind.TRUE_FALSE.value, "correct": tf.group(1) in ("T", "TRUE")}
    if stripped.startswith("#"):
        return q | {"kind": QuestionKind.NUMERIC.value, **_parse_numeric(stripped, index)}
    answers = [(s, c) for s, c in _split_unescaped(stripped, "=~") if s]
    if not answers:
        raise GiftError(index, "the answer block has no answers (start each with = or ~)")
    if all(s == "=" for s, _ in answers) and not any(_weight(c)[0] is not None for _, c in answers):
        accepted = [_text(_feedback(c)[0], "plain") for _, c in answers]
        return q | {"kind": QuestionKind.SHORT.value, "accepted_answers": [a for a in accepted if a]}
    options, weighted = [], False
    for sep, chunk in answers:
        weight, rest = _weight(chunk)
        weighted = weighted or weight is not None
        option_text, fb = _feedback(rest)
        correct = (weight is not None and weight > 0) or (weight is None and sep == "=")
        if not _text(option_text, fmt):
            raise GiftError(index, "an answer is empty")
        options.append({"text": _text(option_text, fmt), "correct": correct, "feedback": _text(fb, fmt)})
    correct_count = sum(1 for o in options if o["correct"])
    if weighted or correct_count > 1:
        return q | {"kind": QuestionKind.MULTIPLE.value, "options": options, "partial_credit": weighted}
    return q | {"kind": QuestionKind.SINGLE.value, "options": options}


class _Skip(Exception):
    pass


def parse(text: str) -> GiftResult:
    """Parse GIFT text. Raises GiftError on malformed input; unsupported kinds are listed as skipped."""
    result = GiftResult()
    for index, block in enumerate(_blocks(text)):
        try:
            question = _parse_block(block, index)
        except _Skip as skip:
            result.skipped.append({"index": index, "reason": str(skip), "text": block[:120]})
            continue
        if question is not None:
            result.questions.append(question)
    return result


def _fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def export(questions: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """GIFT text for definition dicts (as returned by the bank). Returns (text, skipped)."""
    chunks: list[str] = []
    skipped: list[dict[str, Any]] = []
    for q in questions:
        kind = q["kind"]
        head = (f"::{escape(q['title'])}::" if q.get("title") else "") + "[markdown]" + escape(q["stem"])
        general = f"\n####{escape(q['feedback'])}" if q.get("feedback") else ""
        if kind == QuestionKind.SINGLE.value:
            lines = [
                ("=" if o["correct"] else "~")
                + escape(o["text"])
                + (f"#{escape(o['feedback'])}" if o.get("feedback") else "")
                for o in q["options"]
            ]
            body = "\n\t" + "\n\t".join(lines) + general + "\n"
        elif kind == QuestionKind.MULTIPLE.value:
            right = sum(1 for o in q["options"] if o["correct"])
            wrong = len(q["options"]) - right
            good = _fmt_number(round(100 / right, 5))
            bad = _fmt_number(round(-100 / wrong, 5)) if wrong else "0"
            lines = [
                f"~%{good if o['correct'] else bad}%"
                + escape(o["text"])
                + (f"#{escape(o['feedback'])}" if o.get("feedback") else "")
                for o in q["options"]
            ]
            body = "\n\t" + "\n\t".join(lines) + general + "\n"
        elif kind == QuestionKind.TRUE_FALSE.value:
            body = ("TRUE" if q["correct"] else "FALSE") + general
        elif kind == QuestionKind.SHORT.value:
            if not q.get("accepted_answers"):
                skipped.append({"id": q.get("id"), "reason": "a regex-only short answer cannot be written in GIFT"})
                continue
            body = " ".join("=" + escape(a) for a in q["accepted_answers"]) + general
        elif kind == QuestionKind.NUMERIC.value:
            body = f"#{_fmt_number(q['value'])}:{_fmt_number(q.get('tolerance') or 0)}" + general
        elif kind == QuestionKind.ESSAY.value:
            body = general
        else:
            skipped.append({"id": q.get("id"), "reason": f"kind {kind} has no GIFT form"})
            continue
        chunks.append(f"{head} {{{body}}}")
    return "\n\n".join(chunks) + ("\n" if chunks else ""), skipped
