"""The per-backend part of search: how a list of safe words becomes a full-text match and a rank.

Every backend matches all words, each as a prefix, case- and accent-insensitively, without stemming
(PostgreSQL uses the ``simple`` configuration), and ranks courses with more query words starting a title
word first, then by the engine's relevance (SQLite and PostgreSQL weight subtitle/tags over the body).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.mysql import match as mysql_match
from sqlalchemy.dialects.postgresql import REGCONFIG

from lms.search.models import CourseSearch

_FTS5 = table("course_search_fts", column("rowid"))
_MAX = "\U0010ffff"


def starts_with(col: Any, prefix: str) -> ColumnElement[bool]:
    """An index range scan for a prefix (the prefix columns use byte-order collations on every backend)."""
    return and_(col >= prefix, col < prefix + _MAX)


def fts5_query(tokens: list[str]) -> str:
    return " ".join(f'"{t}"*' for t in tokens)


def mysql_query(tokens: list[str]) -> str:
    return " ".join(f"+{t}*" for t in tokens)


def tsquery_text(tokens: list[str]) -> str:
    return " & ".join(f"'{t}':*" for t in tokens)


def title_hits(token_count: int) -> ColumnElement[int]:
    """How many tokens start a word of the title (the first rank key, so title matches come first on every
    backend). ``title_norm`` is the normalized title words joined by single spaces; the patterns
    (``match_params``) are built from normalized words, which hold no LIKE wildcard."""
    padded = literal(" ") + CourseSearch.title_norm
    hits = [case((padded.like(bindparam(f"title_like_{i}", type_=String)), 1), else_=0) for i in range(token_count)]
    total: ColumnElement[int] = hits[0]
    for hit in hits[1:]:
        total = total + hit
    return total


def match_params(dialect: str, tokens: list[str]) -> dict[str, str]:
    """The parameters of ``apply_match``'s statement for these tokens."""
    if dialect == "sqlite":
        fts_query = fts5_query(tokens)
    elif dialect in ("mysql", "mariadb"):
        fts_query = mysql_query(tokens)
    else:
        fts_query = tsquery_text(tokens)
    return {"fts_query": fts_query} | {f"title_like_{i}": f"% {t}%" for i, t in enumerate(tokens)}


def apply_match(stmt: Select[Any, Any], dialect: str, token_count: int) -> tuple[Select[Any, Any], list[Any]]:
    """Restrict a statement that already joins ``course_search`` to the documents matching every token;
    return it with its rank keys (higher is better): title hits, then the engine's own relevance. The
    tokens are parameters (``match_params``), so one statement serves every query of as many words."""
    fts_query = bindparam("fts_query", type_=String)
    if dialect == "sqlite":
        # bm25 is lower-is-better; column weights: title, subtitle, tags, body.
        bm25 = -func.bm25(literal_column("course_search_fts"), 10.0, 4.0, 4.0, 1.0)
        # A MATERIALIZED CTE, so the matches are found once, first. Joined directly, the planner (without
        # ANALYZE statistics) walked every published course and ran the MATCH once per course: seconds
        # per search at 10,000 courses instead of milliseconds.
        matches = (
            select(_FTS5.c.rowid.label("id"), bm25.label("rank"))
            .select_from(_FTS5)
            .where(text("course_search_fts MATCH :fts_query").bindparams(fts_query))
            .cte("fts_matches")
            .prefix_with("MATERIALIZED")
        )
        return stmt.join(matches, matches.c.id == CourseSearch.id), [title_hits(token_count), matches.c.rank]
    if dialect in ("mysql", "mariadb"):
        cs = CourseSearch.__table__.c
        everything = mysql_match(cs.title, cs.subtitle, cs.tags, cs.body, against=fts_query).in_boolean_mode()
        # One MATCH: each MATCH against another FULLTEXT index (title, subtitle+tags) is another full-text
        # search of its own; title_hits ranks the title first for a fraction of the cost.
        return stmt.where(everything), [title_hits(token_count), everything]
    if dialect == "postgresql":
        query = func.to_tsquery(cast(literal("simple"), REGCONFIG), fts_query)
        vector: ColumnElement[Any] = literal_column("course_search.search_vector")
        return stmt.where(vector.op("@@")(query)), [title_hits(token_count), func.ts_rank(vector, query)]
    raise NotImplementedError(dialect)
