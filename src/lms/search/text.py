"""Text handling shared by every backend: normalization, tokenizing, highlighting, edit distance.

Queries are never passed to a full-text engine as typed: they are cut into words here and the
backend query is built from those words only, so operators (quotes, ``*``, ``NEAR``, ``-``, ``+``,
``~``, ``@``, parentheses) are plain punctuation to us.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

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


def _matches(word: str, tokens: Iterable[str]) -> bool:
    norm = normalize(word)
    return any(norm.startswith(t) for t in tokens)


def mark(text: str, tokens: list[str]) -> str:
    """HTML-escaped text with <mark> around every word that a query token matches (as a prefix)."""
    out: list[str] = []
    for i, part in enumerate(_SPLIT.split(text)):
        escaped = html.escape(part, quote=True)
        out.append(f"<mark>{escaped}</mark>" if i % 2 == 1 and tokens and _matches(part, tokens) else escaped)
    return "".join(out)


def snippet(text: str, tokens: list[str], *, width: int = 30) -> str:
    """About ``width`` words of ``text`` around the densest cluster of matches, escaped and marked."""
    parts = text.split()
    if not parts:
        return ""
    hits = [i for i, p in enumerate(parts) if tokens and any(_matches(w, tokens) for w in _SPLIT.findall(p))]
    start = 0
    if hits:
        best, best_count = hits[0], 0
        for h in hits:
            count = sum(1 for x in hits if h <= x < h + width)
            if count > best_count:
                best, best_count = h, count
        start = max(0, min(best - width // 4, len(parts) - width))
    window = parts[start : start + width]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(parts) else ""
    return prefix + mark(" ".join(window), tokens) + suffix


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
