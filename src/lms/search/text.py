"""Text handling shared by every backend: normalization, tokenizing, highlighting, edit distance.

Queries are never passed to a full-text engine as typed: they are cut into words here and the
backend query is built from those words only, so operators (quotes, ``*``, ``NEAR``, ``-``, ``+``,
``~``, ``@``, parentheses) are plain punctuation to us.
"""

from __future__ import annotations

import html
import re
import unicodedata

MIN_TOKEN = 3  # MariaDB's innodb_ft_min_token_size; applied on every backend so they behave alike
MAX_TOKEN = 40
MAX_QUERY_TOKENS = 8
TYPO_MIN_LENGTH = 5

# InnoDB's default full-text stopwords: MariaDB never matches them, so no backend uses them.
STOPWORDS = frozenset(
    {
        "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how", "i", "in",
        "is", "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where", "who",
        "will", "with", "und", "www",
    }
)  # fmt: skip

_WORD = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """Lower case without diacritics (as SQLite's unicode61 remove_diacritics and MariaDB's _ci do)."""
    if text.isascii():  # most text: casefold is lower() and NFKD changes nothing (5x faster on snippets)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Every normalized word of a text, in order."""
    return _WORD.findall(normalize(text))


def index_terms(text: str) -> set[str]:
    """The words of a document that a query can match."""
    return {w for w in words(text) if is_searchable(w)}


def is_searchable(word: str) -> bool:
    return MIN_TOKEN <= len(word) <= MAX_TOKEN and word not in STOPWORDS


# Written in capitals these are operators to a user ("compilers AND parsing"): every word is required anyway.
OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "NEAR"})


def query_words(q: str) -> list[str]:
    """The normalized words of a query, without capitalized operator words."""
    return [normalize(w) for w in _WORD.findall(q[:1000]) if w not in OPERATOR_WORDS]


def query_tokens(q: str) -> list[str]:
    """The words of a query that go to the full-text engine (deduplicated, at most MAX_QUERY_TOKENS)."""
    return list(dict.fromkeys(w for w in query_words(q) if is_searchable(w)))[:MAX_QUERY_TOKENS]


def title_norm(title: str) -> str:
    """A title as one space-separated string of words, for title-prefix autocomplete."""
    return " ".join(words(title))[:200]


# ----------------------------------------------------------------------------------------- highlighting

_SPLIT = re.compile(r"([^\W_]+)")


_ASCII_WORD_REST = re.compile(r"[^\W_]*", re.ASCII)


class _Matcher:
    """Finds the words that a query token matches as a prefix. ASCII text (most of it) is searched with
    ``str.find`` per token; other text word by word through ``normalize`` (diacritics, compatibility
    forms)."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        # A non-ASCII token never starts a word of ASCII text.
        self.ascii_tokens = [t for t in tokens if t.isascii()]

    def word_matches(self, word: str) -> bool:
        norm = normalize(word)
        return any(norm.startswith(t) for t in self.tokens)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every matching word of ``text``, in order."""
        if not self.tokens:
            return []
        if text.isascii():
            # str.find runs in C; a regex tried at every position cost four times as much on course bodies.
            lowered = text.lower()
            starts: set[int] = set()
            for token in self.ascii_tokens:
                at = lowered.find(token)
                while at != -1:
                    if at == 0 or not lowered[at - 1].isalnum():  # a word start ("_" separates words)
                        starts.add(at)
                    at = lowered.find(token, at + 1)
            return [(start, _ASCII_WORD_REST.match(text, start).end()) for start in sorted(starts)]  # type: ignore[union-attr]
        return [m.span() for m in _SPLIT.finditer(text) if self.word_matches(m.group())]


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(html.escape(text[last:start], quote=True))
        out.append(f"<mark>{html.escape(text[start:end], quote=True)}</mark>")
        last = end
    out.append(html.escape(text[last:], quote=True))
    return "".join(out)


def mark(text: str, tokens: list[str]) -> str:
    """HTML-escaped text with <mark> around every word that a query token matches (as a prefix)."""
    return _mark(text, _Matcher(tokens).spans(text))


def snippet(text: str, tokens: list[str], *, width: int = 30) -> str:
    """About ``width`` words of ``text`` around the densest cluster of matches, escaped and marked."""
    parts = text.split()
    if not parts:
        return ""
    matcher = _Matcher(tokens)
    # The whitespace-separated part each match falls in (a part may hold several words: "pre_data"),
    # counted from one match to the next rather than by locating every part of the text.
    hits: list[int] = []
    index, counted_to = -1, 0
    for start, _ in matcher.spans(text):
        segment = text[counted_to : start + 1]
        parts_in_segment = len(segment.split())
        if counted_to and not text[counted_to - 1].isspace() and not segment[0].isspace():
            parts_in_segment -= 1  # the segment begins inside the part already counted
        index += parts_in_segment
        counted_to = start + 1
        if not hits or hits[-1] != index:
            hits.append(index)
    first = 0
    if hits:
        # The hit that starts the window of ``width`` words holding the most hits (a sliding window).
        best, best_count, end = hits[0], 0, 0
        for i, h in enumerate(hits):
            while end < len(hits) and hits[end] < h + width:
                end += 1
            if end - i > best_count:
                best, best_count = h, end - i
        first = max(0, min(best - width // 4, len(parts) - width))
    window = " ".join(parts[first : first + width])
    prefix = "… " if first > 0 else ""
    suffix = " …" if first + width < len(parts) else ""
    return prefix + _mark(window, matcher.spans(window)) + suffix


# ------------------------------------------------------------------------------------------ edit distance


def within_one_edit(a: str, b: str) -> bool:
    """True when b is a with at most one substitution, insertion, deletion or adjacent transposition."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]
