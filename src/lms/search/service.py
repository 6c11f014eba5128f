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
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, or_, select
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


def _statement(session: AsyncSession, query: _Query, filters: SearchFilters) -> tuple[Select[Any, Any], list[Any]]:
    """Published courses matching the query and ``filters``, with the rank keys (higher is better)."""
    catalog = courses_service.CatalogFilters(**dataclasses.asdict(filters))
    stmt: Select[Any, Any] = courses_service.catalog_statement(catalog, None)
    # An inner join when matching, so MariaDB drives the query from its FULLTEXT index.
    on = CourseSearch.course_id == Course.id
    stmt = stmt.join(CourseSearch, on) if query.tokens else stmt.outerjoin(CourseSearch, on)
    rank: list[Any] = []
    if query.tokens:
        stmt, rank = repository.apply_match(stmt, dialect_name(session), query.tokens)
    for word in query.title_words:
        stmt = stmt.where(Course.id.in_(select(SearchTitleWord.course_id).where(SearchTitleWord.word == word)))
    return stmt, rank


FACETS = ("category", "level", "language", "price")


class _Match(NamedTuple):
    """One matching course: what its facets, the facet filters and every sort need (no text)."""

    id: str
    category_id: str | None
    category_slug: str | None
    category_name: str | None
    level: str
    language: str
    price_amount: int
    published_at: datetime | None
    enrollment_count: int
    rating_average: int
    rating_count: int
    rank: tuple[float, ...]

    @property
    def price(self) -> str:
        return "free" if self.price_amount == 0 else "paid"


class _Group(NamedTuple):
    """The matches sharing every facet value, and how many there are."""

    category_id: str | None
    category_slug: str | None
    category_name: str | None
    level: str
    language: str
    price: str
    n: int


def _facet_key(name: str, group: _Group) -> tuple[str, str] | None:
    """The (value, label) a facet shows for one group, or None (uncategorized courses)."""
    if name == "category":
        return None if group.category_slug is None else (group.category_slug, group.category_name or "")
    if name == "level":
        return group.level, LEVEL_LABELS.get(group.level, group.level)
    if name == "language":
        return group.language, LANGUAGE_LABELS.get(group.language, group.language)
    return group.price, PRICE_LABELS[group.price]


def _passes(name: str, item: _Group | _Match, filters: SearchFilters) -> bool:
    """Whether a group or match meets the filter of facet ``name`` (the same tests as the catalog query's)."""
    if name == "category":
        return filters.category is None or filters.category in (item.category_id, item.category_slug)
    if name == "level":
        return filters.level is None or item.level == filters.level
    if name == "language":
        return filters.language is None or item.language == filters.language
    return filters.price is None or item.price == filters.price


def _facets(matches: list[_Match], filters: SearchFilters) -> dict[str, list[tuple[str, str, int]]]:
    """Each facet counts the matches passing every other facet's filter: a facet ignores its own, so it
    shows the alternatives. Counted over groups of matches with the same facet values (a few dozen)."""
    counted = Counter((m.category_id, m.category_slug, m.category_name, m.level, m.language, m.price) for m in matches)
    groups = [_Group(*values, n) for values, n in counted.items()]
    facets: dict[str, list[tuple[str, str, int]]] = {}
    for name in FACETS:
        counts: Counter[tuple[str, str]] = Counter()
        for group in groups:
            key = _facet_key(name, group)
            if key is not None and all(_passes(other, group, filters) for other in FACETS if other != name):
                counts[key] += group.n
        facets[name] = sorted(((v, lb, n) for (v, lb), n in counts.items()), key=lambda f: (-f[2], f[1]))
    return facets


_NEVER = datetime.min.replace(tzinfo=UTC)  # stored datetimes come back aware (UTC)


def _sort_key(sort: str, ranked: bool) -> Callable[[_Match], tuple[Any, ...]]:
    """The order of a sort as a key where higher comes first, ending with the catalog's tie-breaks
    (newest, then the highest id)."""
    if sort == "relevance" and ranked:
        return lambda m: (*m.rank, m.published_at or _NEVER, m.id)
    if sort == "popular":
        return lambda m: (m.enrollment_count, m.published_at or _NEVER, m.id)
    if sort == "rating":
        return lambda m: (m.rating_average, m.rating_count, m.id)
    if sort == "price":
        return lambda m: (-m.price_amount, m.published_at or _NEVER, m.id)
    return lambda m: (m.published_at or _NEVER, m.id)


async def _run(
    session: AsyncSession, query: _Query, filters: SearchFilters, page: PageParams
) -> tuple[list[SearchHit], int, Facets]:
    """One full-text pass: the small columns of every match of the query and the non-facet filters come
    back, and the facets, the facet filters, the sort and the page are done on them here; then the page's
    cards are read by id. (Two passes, a GROUP BY for the facets and a ranked page query, cost MariaDB
    twice the full-text work: 15 ms against 7 for "data" over 10,000 courses.)"""
    stmt, rank = _statement(
        session, query, dataclasses.replace(filters, category=None, level=None, language=None, price=None)
    )
    columns = (
        Course.id, Category.id, Category.slug, Category.name, Course.level, Course.language, Course.price_amount,
        Course.published_at, Course.enrollment_count, Course.rating_average, Course.rating_count,
    )  # fmt: skip
    width = len(columns)
    result = await session.execute(stmt.with_only_columns(*columns, *rank))
    matches = [_Match._make((*row[:width], tuple(row[width:]))) for row in result]
    facets = _facets(matches, filters)
    narrowing = [name for name in FACETS if getattr(filters, name) is not None]
    chosen = [m for m in matches if all(_passes(name, m, filters) for name in narrowing)]
    chosen.sort(key=_sort_key(filters.sort, bool(rank)), reverse=True)
    page_ids = [m.id for m in chosen[page.offset : page.offset + page.page_size]]
    hits: list[SearchHit] = []
    if page_ids:
        cards = (
            select(Course, Category, CourseSearch.body)
            .outerjoin(Category, Category.id == Course.category_id)
            .outerjoin(CourseSearch, CourseSearch.course_id == Course.id)
            .where(Course.id.in_(page_ids))
            .options(*courses_service.CARD_ONLY)
        )
        by_id = {course.id: (course, category, body) for course, category, body in await session.execute(cards)}
        instructors = await courses_service.instructors_for(session, page_ids)
        marks = query.tokens or query.title_words
        for course, category, body in (by_id[i] for i in page_ids if i in by_id):
            # Built from the card's fields directly: a CourseCard dumped and validated again cost 1 ms a page.
            fields = courses_service.card_fields(course, category, instructors.get(course.id, []))
            snippet = text.snippet(body or course.subtitle, marks)
            highlight = Highlight(title=text.mark(course.title, marks), snippet=snippet)
            hits.append(SearchHit(**fields, highlight=highlight))
    return (
        hits,
        len(chosen),
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
