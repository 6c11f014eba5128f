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


class _Matcher:
    """Whether a piece of text holds a word that a query token matches as a prefix. ASCII text (most of
    it) is tested by one regex call; other text word by word through ``normalize``."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        alternatives = "|".join(re.escape(t) for t in tokens)
        # A token at the start of a word: not preceded by a letter or digit (``_`` separates words).
        self.ascii = re.compile(rf"(?<![^\W_])(?:{alternatives})", re.ASCII | re.IGNORECASE) if tokens else None

    def __call__(self, text: str) -> bool:
        if self.ascii is None:
            return False
        if text.isascii():
            return self.ascii.search(text) is not None
        return any(any(normalize(w).startswith(t) for t in self.tokens) for w in _SPLIT.findall(text))


def _mark(text: str, matches: _Matcher) -> str:
    out: list[str] = []
    for i, part in enumerate(_SPLIT.split(text)):
        escaped = html.escape(part, quote=True)
        out.append(f"<mark>{escaped}</mark>" if i % 2 == 1 and matches(part) else escaped)
    return "".join(out)


def mark(text: str, tokens: list[str]) -> str:
    """HTML-escaped text with <mark> around every word that a query token matches (as a prefix)."""
    return _mark(text, _Matcher(tokens))


def snippet(text: str, tokens: list[str], *, width: int = 30) -> str:
    """About ``width`` words of ``text`` around the densest cluster of matches, escaped and marked."""
    parts = text.split()
    if not parts:
        return ""
    matches = _Matcher(tokens)
    hits = [i for i, p in enumerate(parts) if matches(p)]
    start = 0
    if hits:
        # The hit that starts the window of ``width`` words holding the most hits (a sliding window).
        best, best_count, end = hits[0], 0, 0
        for i, h in enumerate(hits):
            while end < len(hits) and hits[end] < h + width:
                end += 1
            if end - i > best_count:
                best, best_count = h, end - i
        start = max(0, min(best - width // 4, len(parts) - width))
    window = parts[start : start + width]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(parts) else ""
    return prefix + _mark(" ".join(window), matches) + suffix


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
