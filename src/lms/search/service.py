"""Search: full-text course search with the catalog's filters and facets, autocomplete, did-you-mean,
and rebuilding the index.

Public functions: ``search_courses``, ``suggest``, ``reindex``, and (re-exported from the indexer,
which the courses service calls in its own transaction) ``index_course`` and ``remove_course``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.core.cache import mark_changed
from lms.core.db import dialect_name
from lms.core.pagination import PageParams
from lms.courses import service as courses_service
from lms.courses.models import Category, Course, CourseLevel
from lms.search import indexer, repository, text
from lms.search.models import CourseSearch, SearchTerm, SearchTitleWord
from lms.search.schemas import Facets, FacetValue, Highlight, SearchHit, SearchResults, Suggestion

index_course = indexer.index_course
remove_course = indexer.remove_course

MAX_SUGGESTIONS = 8
LEVEL_LABELS = {
    CourseLevel.BEGINNER.value: "Beginner",
    CourseLevel.INTERMEDIATE.value: "Intermediate",
    CourseLevel.ADVANCED.value: "Advanced",
    CourseLevel.ALL_LEVELS.value: "All levels",
}
LANGUAGE_LABELS = {"en": "English", "te": "Telugu", "hi": "Hindi", "ta": "Tamil", "kn": "Kannada", "ur": "Urdu"}
PRICE_LABELS = {"free": "Free", "paid": "Paid"}


@dataclass
class SearchFilters:
    category: str | None = None
    level: str | None = None
    language: str | None = None
    price: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    instructor: str | None = None
    sort: str = "relevance"


@dataclass
class _Query:
    """What goes to the database: full-text tokens, or (with none) title words for short queries."""

    tokens: list[str]
    title_words: list[str]


def _plan(q: str) -> _Query:
    tokens = text.query_tokens(q)
    if tokens:
        return _Query(tokens, [])
    # Only short words ("C", "Go", "AI"): the full-text engines ignore them; match whole title words.
    short = [w for w in dict.fromkeys(text.query_words(q)) if w not in text.STOPWORDS][: text.MAX_QUERY_TOKENS]
    return _Query([], short)


def _statement(
    session: AsyncSession, query: _Query, filters: SearchFilters, *, drop: str | None = None
) -> tuple[Select[Any, Any], Any]:
    """Published courses matching the query and every filter except ``drop`` (a facet's own)."""
    values = {f.name: getattr(filters, f.name) for f in dataclasses.fields(filters)}
    if drop:
        values[drop] = None
    catalog = courses_service.CatalogFilters(**values)
    stmt: Select[Any, Any] = courses_service.catalog_statement(catalog, None)
    # An inner join when matching, so MariaDB drives the query from its FULLTEXT index.
    on = CourseSearch.course_id == Course.id
    stmt = stmt.join(CourseSearch, on) if query.tokens else stmt.outerjoin(CourseSearch, on)
    rank: Any = None
    if query.tokens:
        stmt, rank = repository.apply_match(stmt, dialect_name(session), query.tokens)
    for word in query.title_words:
        stmt = stmt.where(Course.id.in_(select(SearchTitleWord.course_id).where(SearchTitleWord.word == word)))
    return stmt, rank


_SORTS: dict[str, list[Any]] = {
    "newest": [Course.published_at.desc()],
    "popular": [Course.enrollment_count.desc(), Course.published_at.desc()],
    "rating": [Course.rating_average.desc(), Course.rating_count.desc()],
    "price": [Course.price_amount.asc(), Course.published_at.desc()],
}


FACETS = ("category", "level", "language", "price")


def _facet_key(name: str, group: Any) -> tuple[str, str] | None:
    """The (value, label) a facet shows for one group, or None (uncategorized courses)."""
    if name == "category":
        return None if group.category_slug is None else (group.category_slug, group.category_name)
    if name == "level":
        return group.level, LEVEL_LABELS.get(group.level, group.level)
    if name == "language":
        return group.language, LANGUAGE_LABELS.get(group.language, group.language)
    return group.price, PRICE_LABELS[group.price]


def _passes(name: str, group: Any, filters: SearchFilters) -> bool:
    """Whether a group meets the filter of facet ``name`` (the same tests as the catalog query's)."""
    if name == "category":
        return filters.category is None or filters.category in (group.category_id, group.category_slug)
    if name == "level":
        return filters.level is None or group.level == filters.level
    if name == "language":
        return filters.language is None or group.language == filters.language
    return filters.price is None or group.price == filters.price


async def _facets(
    session: AsyncSession, query: _Query, filters: SearchFilters
) -> tuple[dict[str, list[tuple[str, str, int]]], int]:
    """Every facet and the total from one GROUP BY over the matches of the non-facet filters: each
    facet counts the groups passing every other facet's filter (a facet ignores its own, so it shows
    the alternatives), and the total counts the groups passing them all."""
    stmt, _ = _statement(
        session, query, dataclasses.replace(filters, category=None, level=None, language=None, price=None)
    )
    price = case((Course.price_amount == 0, "free"), else_="paid").label("price")
    cols: list[Any] = [
        Category.id.label("category_id"),
        Category.slug.label("category_slug"),
        Category.name.label("category_name"),
        Course.level.label("level"),
        Course.language.label("language"),
        price,
    ]
    groups = list(
        await session.execute(stmt.with_only_columns(*cols, func.count(Course.id).label("n")).group_by(*cols))
    )
    facets: dict[str, list[tuple[str, str, int]]] = {}
    for name in FACETS:
        counts: Counter[tuple[str, str]] = Counter()
        for group in groups:
            key = _facet_key(name, group)
            if key is not None and all(_passes(other, group, filters) for other in FACETS if other != name):
                counts[key] += int(group.n)
        facets[name] = sorted(((v, lb, n) for (v, lb), n in counts.items()), key=lambda f: (-f[2], f[1]))
    total = sum(int(g.n) for g in groups if all(_passes(name, g, filters) for name in FACETS))
    return facets, total


async def _run(
    session: AsyncSession, query: _Query, filters: SearchFilters, page: PageParams
) -> tuple[list[SearchHit], int, Facets]:
    facets, total = await _facets(session, query, filters)
    hits: list[SearchHit] = []
    if total and page.offset < total:
        stmt, rank = _statement(session, query, filters)
        if filters.sort == "relevance" and rank is not None:
            order = [rank.desc(), Course.published_at.desc()]
        else:
            order = _SORTS.get(filters.sort, _SORTS["newest"])
        stmt = stmt.add_columns(CourseSearch.body).options(*courses_service.CARD_ONLY)
        stmt = stmt.order_by(*order, Course.id.desc())
        rows: list[Any] = list((await session.execute(stmt.offset(page.offset).limit(page.page_size))).all())
        instructors = await courses_service.instructors_for(session, [r[0].id for r in rows])
        marks = query.tokens or query.title_words
        for course, category, body in rows:
            # Built from the card's fields directly: a CourseCard dumped and validated again cost 1 ms a page.
            fields = courses_service.card_fields(course, category, instructors.get(course.id, []))
            snippet = text.snippet(body or course.subtitle, marks)
            highlight = Highlight(title=text.mark(course.title, marks), snippet=snippet)
            hits.append(SearchHit(**fields, highlight=highlight))
    return (
        hits,
        total,
        Facets(**{name: [FacetValue(value=v, label=lb, count=n) for v, lb, n in f] for name, f in facets.items()}),
    )


async def _corrections(session: AsyncSession, tokens: list[str]) -> dict[str, str]:
    """For each long token the vocabulary lacks, the most frequent term one edit away (if any)."""
    long = [t for t in tokens if len(t) >= text.TYPO_MIN_LENGTH]
    if not long:
        return {}
    known = set(
        await session.scalars(select(SearchTerm.term).where(SearchTerm.term.in_(long), SearchTerm.doc_freq > 0))
    )
    fixes: dict[str, str] = {}
    for token in long:
        if token in known:
            continue
        n = len(token)
        # Prefilter: same length ±1 and the same first letter, or the one edit is at the first letter
        # (substituted, inserted, deleted, swapped with the second).
        patterns = [
            repository.starts_with(SearchTerm.term, token[0]),
            repository.starts_with(SearchTerm.term, token[1:3]),
            repository.starts_with(SearchTerm.term, token[1] + token[0]),
            SearchTerm.term.like(f"_{token[1:3]}%"),
            SearchTerm.term.like(f"_{token[0:2]}%"),
        ]
        candidates = await session.execute(
            select(SearchTerm.term, SearchTerm.doc_freq).where(
                SearchTerm.length.between(n - 1, n + 1), SearchTerm.doc_freq > 0, or_(*patterns)
            )
        )
        best = max(
            ((term, freq) for term, freq in candidates if text.within_one_edit(token, term)),
            key=lambda c: (c[1], len(c[0]) == n, c[0]),
            default=None,
        )
        if best is not None:
            fixes[token] = best[0]
    return fixes


async def search_courses(session: AsyncSession, *, q: str, filters: SearchFilters, page: PageParams) -> SearchResults:
    """Published courses matching ``q`` with highlights and facets; a one-letter typo in a long word is
    corrected when the query as typed finds nothing (``did_you_mean`` then carries the correction)."""
    query = _plan(q)
    hits, total, facets = await _run(session, query, filters, page)
    did_you_mean: str | None = None
    if total == 0 and query.tokens:
        fixes = await _corrections(session, query.tokens)
        if fixes:
            corrected = _Query([fixes.get(t, t) for t in query.tokens], [])
            hits, total, facets = await _run(session, corrected, filters, page)
            if total:
                did_you_mean = " ".join(fixes.get(w, w) for w in text.query_words(q))
    return SearchResults(
        items=hits, total=total, page=page.page, page_size=page.page_size, facets=facets, did_you_mean=did_you_mean
    )


async def suggest(session: AsyncSession, *, q: str) -> list[Suggestion]:
    """Up to eight published courses whose title starts with ``q``, then whose title has, for each word of
    ``q``, a word starting with it (in any order); the most popular first."""
    prefix = text.title_norm(q[:200])
    if len(prefix) < 2:
        return []
    base = courses_service.catalog_statement(courses_service.CatalogFilters(), None).join(
        CourseSearch, CourseSearch.course_id == Course.id
    )
    popular = [Course.enrollment_count.desc(), Course.title]
    by_title = await session.execute(
        base.with_only_columns(Course.title, Course.slug)
        .where(repository.starts_with(CourseSearch.title_norm, prefix))
        .order_by(*popular)
        .limit(MAX_SUGGESTIONS)
    )
    found = {slug: title for title, slug in by_title}
    if len(found) < MAX_SUGGESTIONS:
        # Every word of the prefix starts a word of the title ("data s": Applied Data Structures). One
        # index range per word; a LIKE '%data%' on the titles instead read every title (24 ms against 4).
        published = courses_service.catalog_statement(courses_service.CatalogFilters(), None)
        stmt = published.with_only_columns(Course.title, Course.slug)
        for word in dict.fromkeys(prefix.split(" ")):
            words = select(SearchTitleWord.course_id).where(repository.starts_with(SearchTitleWord.word, word))
            stmt = stmt.where(Course.id.in_(words))
        for title, slug in await session.execute(stmt.order_by(*popular).limit(MAX_SUGGESTIONS)):
            if len(found) >= MAX_SUGGESTIONS:
                break
            found.setdefault(slug, title)
    return [Suggestion(title=title, slug=slug) for slug, title in found.items()]


async def reindex(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    batch_size: int = 500,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuild every document, title word and the vocabulary. Batches commit as they go, so search keeps
    answering meanwhile; returns the number of courses indexed."""
    async with sessionmaker() as session:
        ids = list(await session.scalars(select(Course.id).order_by(Course.id)))
    vocabulary: Counter[str] = Counter()
    for start in range(0, len(ids), batch_size):
        async with sessionmaker() as session, session.begin():
            docs = await indexer.build_documents(session, ids[start : start + batch_size])
            await indexer.write_documents(session, docs)
            mark_changed(session, courses_service.CATALOG_CACHE)  # cached search answers are stale
            for doc in docs:
                vocabulary.update(doc.terms())
        if on_progress:
            on_progress(min(start + batch_size, len(ids)), len(ids))
    async with sessionmaker() as session, session.begin():
        await session.execute(
            CourseSearch.__table__.delete().where(CourseSearch.course_id.not_in(select(Course.id)))  # type: ignore[attr-defined]
        )
        await indexer.replace_vocabulary(session, vocabulary)
        mark_changed(session, courses_service.CATALOG_CACHE)
    return len(ids)
