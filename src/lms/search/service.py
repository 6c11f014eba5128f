"""Search: full-text course search with the catalog's filters and facets, autocomplete, did-you-mean,
and rebuilding the index.

Public functions: ``search_courses``, ``suggest``, ``reindex``, and (re-exported from the indexer,
which the courses service calls in its own transaction) ``index_course`` and ``remove_course``.
"""

from __future__ import annotations

import dataclasses
import functools
import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.core.cache import LocalCache, mark_changed
from lms.core.db import dialect_name
from lms.core.pagination import PageParams
from lms.courses import service as courses_service
from lms.courses.models import Category, Course, CourseInstructor, CourseLevel, CourseStatus
from lms.search import indexer, repository, text
from lms.search.models import CatalogGroup, CourseSearch, SearchTerm, SearchTitleWord
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


PUBLISHED = CourseStatus.PUBLISHED.value


class _Shape(NamedTuple):
    """What decides the text of the matches statement; the words and filter values are its parameters."""

    dialect: str
    tokens: int
    title_words: int
    min_price: bool
    max_price: bool
    instructor: bool
    sort: str


def _shape_and_params(dialect: str, query: _Query, filters: SearchFilters) -> tuple[_Shape, dict[str, Any]]:
    shape = _Shape(
        dialect,
        len(query.tokens),
        len(query.title_words),
        filters.min_price is not None,
        filters.max_price is not None,
        bool(filters.instructor),
        filters.sort,
    )
    params: dict[str, Any] = repository.match_params(dialect, query.tokens) if query.tokens else {}
    params |= {f"title_word_{i}": word for i, word in enumerate(query.title_words)}
    params |= {"min_price": filters.min_price, "max_price": filters.max_price, "instructor": filters.instructor}
    return shape, params


# Built once per shape (a few dozen in practice): building one and deriving its cache key took 0.3-0.5 ms of
# every search.
@functools.lru_cache(maxsize=256)
def _matching(shape: _Shape) -> tuple[Select[Any, Any], tuple[Any, ...]]:
    """Published courses matching the query and the filters that are not facets, read from
    ``course_search`` (and ``courses`` for the popular and rating sorts), without columns yet; and the rank
    keys (higher is better; none without words). The facets' own filters (category, level, language,
    price) are applied later, as each facet counts without its own."""
    stmt: Select[Any, Any] = select().select_from(CourseSearch).where(CourseSearch.status == PUBLISHED)
    if shape.min_price:
        stmt = stmt.where(CourseSearch.price_amount >= bindparam("min_price"))
    if shape.max_price:
        stmt = stmt.where(CourseSearch.price_amount <= bindparam("max_price"))
    if shape.instructor:
        taught = select(CourseInstructor.course_id).where(CourseInstructor.user_id == bindparam("instructor"))
        stmt = stmt.where(CourseSearch.course_id.in_(taught))
    rank: tuple[Any, ...] = ()
    if shape.tokens:
        stmt, ranks = repository.apply_match(stmt, shape.dialect, shape.tokens)
        rank = tuple(ranks)
    for i in range(shape.title_words):
        titled = select(SearchTitleWord.course_id).where(SearchTitleWord.word == bindparam(f"title_word_{i}"))
        stmt = stmt.where(CourseSearch.course_id.in_(titled))
    if shape.sort in ("popular", "rating"):
        stmt = stmt.join(Course, Course.id == CourseSearch.course_id)
    return stmt, rank


@functools.lru_cache(maxsize=256)
def _every_match_statement(shape: _Shape) -> Select[Any, Any]:
    """One pass: the columns of ``_match_columns`` of every match, then the sort's keys."""
    stmt, rank = _matching(shape)
    return stmt.with_only_columns(*_match_columns(), *_sort_columns(shape.sort, rank))


@functools.lru_cache(maxsize=256)
def _groups_statement(shape: _Shape) -> Select[Any, Any]:
    """Two passes, the first: how many matches share each combination of facet values. (Built from the
    newest sort's shape: the popular and rating sorts would join ``courses`` for nothing.)"""
    stmt, _ = _matching(shape._replace(sort="newest"))
    facet_columns = _facet_columns()
    # By position: the free/paid CASE repeated would hold parameters of its own, which PostgreSQL cannot
    # tell are the selected expression.
    by_position: list[Any] = [literal_column(str(n)) for n in range(1, len(facet_columns) + 1)]
    return stmt.with_only_columns(*facet_columns, func.count()).group_by(*by_position)


@functools.lru_cache(maxsize=1024)
def _page_statement(shape: _Shape, active: tuple[bool, ...]) -> Select[str]:
    """Two passes, the second: the page's course ids among the matches passing the facet filters that are
    ``active`` (in FACETS order; values ``facet_0``..``facet_3``), in ``_sort_key``'s order, the
    ``page_offset`` and ``page_size`` parameters."""
    stmt, rank = _matching(shape)
    for i, column in enumerate(_facet_columns()):
        if active[i]:
            stmt = stmt.where(column == bindparam(f"facet_{i}"))
    return (
        stmt.with_only_columns(CourseSearch.course_id)
        .order_by(*_sql_order(shape.dialect, shape.sort, rank))
        .offset(bindparam("page_offset", type_=Integer))
        .limit(bindparam("page_size", type_=Integer))
    )


def _sql_order(dialect: str, sort: str, rank: Sequence[Any]) -> list[Any]:
    """``_sort_key``'s order in SQL: the same keys, and a course never published after every dated one."""
    newest = CourseSearch.published_at.desc()
    if dialect == "postgresql":
        newest = newest.nulls_last()  # PostgreSQL puts NULLs first when descending; the others last
    # Ids compare by code point, as in Python (PostgreSQL would otherwise use the database's collation).
    course_id = CourseSearch.course_id.collate("C") if dialect == "postgresql" else CourseSearch.course_id
    if (sort == "relevance" and rank) or sort == "popular":
        keys = rank if sort == "relevance" else [Course.enrollment_count]
        return [*(k.desc() for k in keys), newest, course_id.desc()]
    if sort == "rating":
        return [Course.rating_average.desc(), Course.rating_count.desc(), course_id.desc()]
    if sort == "price":
        return [CourseSearch.price_amount.asc(), newest, course_id.desc()]
    if sort == "price_desc":
        return [CourseSearch.price_amount.desc(), newest, course_id.desc()]
    if sort == "title":
        return [CourseSearch.title_norm.asc(), course_id.desc()]
    return [newest, course_id.desc()]


FACETS = ("category", "level", "language", "price")


# Each match comes back as a row of these columns, then the sort's own keys (``_sort_columns``). Rows are
# used as they are, by position: at ~1,000 matches, building an object per match and testing filters
# through helper calls cost more (5.5 ms) than everything done with them here (1.5 ms). The four facet
# values travel as one string (``_group_key``): one value to decode and count per match instead of four.
_ID, _GROUP, _PUBLISHED, _KEYS = range(4)
_Row = Sequence[Any]
_Categories = dict[str, tuple[str, str]]  # id -> (slug, name)
_SEPARATOR = "\x1f"  # ASCII unit separator: in no category id, level or price kind


def _price_kind() -> ColumnElement[str]:
    return case((CourseSearch.price_amount == 0, "free"), else_="paid")


def _facet_columns() -> tuple[Any, ...]:
    """A match's facet values, in FACETS order (NULL category: uncategorized)."""
    return (CourseSearch.category_id, CourseSearch.level, CourseSearch.language, _price_kind())


def _group_key() -> ColumnElement[str]:
    """The facet values joined by ``_SEPARATOR`` ('' for no category); ``_facet_values`` splits them."""
    sep = literal(_SEPARATOR, String)
    category = func.coalesce(CourseSearch.category_id, literal("", String))
    return category + sep + CourseSearch.level + sep + CourseSearch.language + sep + _price_kind()


def _facet_values(key: str) -> tuple[str | None, ...]:
    category, level, rest = key.split(_SEPARATOR, 2)
    language, price = rest.rsplit(_SEPARATOR, 1)  # from the right: a language is free text
    return category or None, level, language, price


def _match_columns() -> tuple[Any, ...]:
    return (
        CourseSearch.course_id,
        _group_key(),
        type_coerce(CourseSearch.published_at, DateTime()),  # naive UTC, without a conversion per row
    )


def _sort_columns(sort: str, rank: Sequence[Any]) -> list[Any]:
    """The columns only one sort needs (a match's keys from ``_KEYS`` on)."""
    if sort == "relevance":
        return list(rank)
    if sort == "popular":
        return [Course.enrollment_count]
    if sort == "rating":
        return [Course.rating_average, Course.rating_count]
    if sort in ("price", "price_desc"):
        return [CourseSearch.price_amount]
    if sort == "title":
        return [CourseSearch.title_norm]
    return []


def _facet_label(name: str, value: str | None, categories: _Categories) -> tuple[str, str] | None:
    """The (value, label) a facet shows for a value, or None (uncategorized courses)."""
    if name == "category":
        return categories.get(value) if value else None
    if value is None:
        return None
    labels = {"level": LEVEL_LABELS, "language": LANGUAGE_LABELS, "price": PRICE_LABELS}[name]
    return value, labels.get(value, value)


_Groups = Counter[tuple[Any, ...]]  # (category id, level, language, "free"/"paid") -> how many courses


def _passes(values: tuple[Any, ...], wanted: tuple[str | None, ...]) -> bool:
    return all(value is None or values[j] == value for j, value in enumerate(wanted))


def _facets(
    groups: _Groups, wanted: tuple[str | None, ...], categories: _Categories
) -> dict[str, list[tuple[str, str, int]]]:
    """Each facet counts the courses passing every other facet's filter (``wanted``, in FACETS order;
    None is no filter): a facet ignores its own, so it shows the alternatives. Counted over groups of
    courses with the same facet values (a few dozen)."""
    facets: dict[str, list[tuple[str, str, int]]] = {}
    for i, name in enumerate(FACETS):
        others = [(j, value) for j, value in enumerate(wanted) if j != i and value is not None]
        counts: Counter[tuple[str, str]] = Counter()
        for values, n in groups.items():
            if all(values[j] == value for j, value in others) and (key := _facet_label(name, values[i], categories)):
                counts[key] += n
        facets[name] = sorted(((v, lb, n) for (v, lb), n in counts.items()), key=lambda f: (-f[2], f[1]))
    return facets


def _narrowed(
    matches: Sequence[_Row], keys: dict[str, tuple[str | None, ...]], wanted: tuple[str | None, ...]
) -> list[_Row]:
    """The matches passing every facet filter (``keys``: each group key's facet values)."""
    if all(value is None for value in wanted):
        return list(matches)
    passing = {key for key, values in keys.items() if _passes(values, wanted)}
    return [m for m in matches if m[_GROUP] in passing]


_NEVER = datetime.min  # published_at is read as naive UTC


def _sort_key(sort: str, ranked: bool) -> Callable[[_Row], tuple[Any, ...]]:
    """The order of a sort as a key where higher comes first, ending with the catalog's tie-breaks
    (newest, then the highest id)."""
    if (sort == "relevance" and ranked) or sort == "popular":
        return lambda m: (*m[_KEYS:], m[_PUBLISHED] or _NEVER, m[_ID])
    if sort == "rating":
        return lambda m: (*m[_KEYS:], m[_ID])
    if sort == "price":
        return lambda m: (-m[_KEYS], m[_PUBLISHED] or _NEVER, m[_ID])
    if sort == "price_desc":
        return lambda m: (m[_KEYS], m[_PUBLISHED] or _NEVER, m[_ID])
    return lambda m: (m[_PUBLISHED] or _NEVER, m[_ID])


def _first(matches: Sequence[_Row], sort: str, ranked: bool, n: int) -> list[_Row]:
    """The first ``n`` matches in the sort's order. Only the pages up to the one asked for are ordered: a
    partial heap sort (the same order as a full sort, as the keys end with the unique id) cost 0.7 ms
    instead of 2 for 4,301 matches, 1.5 instead of 4.6 for 10,000."""
    if sort == "title":
        # A to Z by the normalized title (the same order on every backend), then the highest id: no one key
        # puts both first, so two stable sorts.
        by_id = sorted(matches, key=itemgetter(_ID), reverse=True)
        return sorted(by_id, key=itemgetter(_KEYS))[:n]
    return heapq.nlargest(n, matches, key=_sort_key(sort, ranked))


_CATEGORIES = select(Category.id, Category.slug, Category.name)


async def _categories(session: AsyncSession) -> _Categories:
    """Every category's slug and name (a few dozen rows: cheaper than joining them to every match)."""
    rows = await (await session.connection()).execute(_CATEGORIES)
    return {id_: (slug, name) for id_, slug, name in rows}


@functools.cache  # built once per backend
def _cards_statement(dialect: str) -> Select[Any]:
    """A page's cards by id (the ``ids`` parameter) as rows, with their instructors (a JSON column) and the
    document's body for the snippet: one statement."""
    return (
        select(
            *courses_service.CARD_COLUMNS,
            CourseSearch.body,
            courses_service.instructor_list(dialect).label("instructors"),
        )
        .outerjoin(Category, Category.id == Course.category_id)
        .outerjoin(CourseSearch, CourseSearch.course_id == Course.id)
        .where(Course.id.in_(bindparam("ids", expanding=True)))
    )


def _category_id(wanted: str | None, categories: _Categories) -> str | None:
    """The id of the category a filter names by id or slug; an unknown one stays as given (it then
    matches no course, as in the catalog)."""
    if wanted is None or wanted in categories:
        return wanted
    return next((id_ for id_, (slug, _) in categories.items() if slug == wanted), wanted)


# How many documents each token's prefix is found in (summed over the vocabulary's terms), per process. It
# only orders MariaDB's boolean query, never decides a match, so an hour-old count does no harm.
_PREFIX_FREQUENCIES = LocalCache(ttl_seconds=3600, max_entries=20_000)


async def _prefix_frequencies(session: AsyncSession, tokens: list[str]) -> dict[str, int]:
    """For each token, in how many documents its prefix is found (summed over the vocabulary's terms, so
    at least the documents it matches), read once per process and hour."""
    missing = [t for t in tokens if _PREFIX_FREQUENCIES.get(t) is None]
    if missing:
        counts = union_all(
            *(
                select(literal(t), func.coalesce(func.sum(SearchTerm.doc_freq), 0)).where(
                    repository.starts_with(SearchTerm.term, t)
                )
                for t in missing
            )
        )
        for token, count in await session.execute(counts):
            _PREFIX_FREQUENCIES.set(token, int(count))
    return {t: _PREFIX_FREQUENCIES.get(t) or 0 for t in tokens}


def _rarest_first(tokens: list[str], frequencies: dict[str, int]) -> list[str]:
    """The tokens, rarest prefix first (stable: equal counts keep the typed order). For MariaDB, which
    intersects the words' document lists in the order written: "+management* +project*" reads 0.7 ms
    less than the other way round when "project" is in 78% of the catalog (2.8 against 3.5 ms). Other
    backends plan the order themselves."""
    return sorted(tokens, key=lambda t: frequencies[t])


def _two_passes(dialect: str) -> bool:
    """Whether to ask the database for the facet groups and then the page in the sort's order, rather than
    for every match. PostgreSQL's index finds the matches for a fraction of what reading them costs:
    "data" (1,194 matches) took 11.6-12.1 ms in process against 13.9-14.2, "unit" (every course) 48-51
    against 55-59. MariaDB's full-text search costs most of its time, and doing it twice did not pay even
    for "unit" (89 ms against 73); SQLite, embedded, reads the matches without a round trip."""
    return dialect == "postgresql"


def _is_browse(query: _Query, filters: SearchFilters) -> bool:
    """No words to match (an empty query, or only stopwords) and only filters the catalog groups are keyed
    by: every published course qualifies, and the facets are the catalog groups themselves."""
    words = query.tokens or query.title_words
    return not words and not filters.instructor and filters.min_price is None and filters.max_price is None


async def _browse(
    session: AsyncSession, filters: SearchFilters, wanted: tuple[str | None, ...], page: PageParams
) -> tuple[_Groups, list[str]]:
    """The facet groups and the page's course ids of a search without words, from ``catalog_groups`` and the
    catalog's own page statement (its sort's index): reading every published course instead took 74 ms at
    10,000 courses. The catalog's orders are search's (``_sql_order``): the same keys (a course's
    ``title_key`` is its document's ``title_norm``); only equal publication times break differently (by
    creation time, then id), which published courses never share to the microsecond in practice."""
    groups: _Groups = Counter()
    g = CatalogGroup
    for category_id, group_level, group_language, is_free, n in await session.execute(
        select(g.category_id, g.level, g.language, g.is_free, g.courses).where(g.courses > 0)
    ):
        groups[(category_id or None, group_level, group_language, "free" if is_free else "paid")] += n
    category, level, language, price = wanted
    catalog_filters = courses_service.CatalogFilters(category=category, level=level, language=language, price=price)
    page_ids = await session.scalars(
        courses_service.catalog_statement(catalog_filters, None)
        .with_only_columns(Course.id)
        .order_by(*courses_service.catalog_order(filters.sort))
        .offset(page.offset)
        .limit(page.page_size)
    )
    return groups, list(page_ids)


async def _run(
    session: AsyncSession, query: _Query, filters: SearchFilters, page: PageParams, categories: _Categories
) -> tuple[list[SearchHit], int, Facets]:
    """The page's hits, the total and the facets. On MariaDB and SQLite one full-text pass over
    ``course_search`` returns the small columns of every match of the query and the non-facet filters,
    and the facets, the facet filters, the sort and the page are done on them here. (Two passes, a GROUP
    BY for the facets and a ranked page query, cost MariaDB twice the full-text work; so did one statement
    reading a CTE twice, and window functions over the matches cost the engines more than this Python.)
    PostgreSQL takes the two passes (``_two_passes``); without words the catalog answers (``_browse``).
    Then the page's cards are read by id."""
    dialect = dialect_name(session)
    if dialect in ("mysql", "mariadb") and len(query.tokens) > 1:
        frequencies = await _prefix_frequencies(session, query.tokens)
        query = dataclasses.replace(query, tokens=_rarest_first(query.tokens, frequencies))
    filters = dataclasses.replace(filters, category=_category_id(filters.category, categories))
    wanted = (filters.category, filters.level, filters.language, filters.price)
    if _is_browse(query, filters):
        groups, page_ids = await _browse(session, filters, wanted, page)
    else:
        groups, page_ids = await _matches(session, dialect, query, filters, wanted, page)
    total = sum(n for values, n in groups.items() if _passes(values, wanted))
    return await _hits(session, query, page_ids), total, _facet_lists(_facets(groups, wanted, categories))


async def _matches(
    session: AsyncSession,
    dialect: str,
    query: _Query,
    filters: SearchFilters,
    wanted: tuple[str | None, ...],
    page: PageParams,
) -> tuple[_Groups, list[str]]:
    """The facet groups and the page's course ids of a search with words, in one pass or two. (Two passes,
    like ``_browse``, are two statements under READ COMMITTED: a course published between them can count
    in the facets and be missing from the page, as with any page read apart from its total.)"""
    shape, params = _shape_and_params(dialect, query, filters)
    # Run on the connection (Core): plain rows, without the ORM's per-row loading (1-1.7 ms at 1,194 matches).
    connection = await session.connection()
    if _two_passes(dialect):
        groups = Counter(
            {tuple(values): n for *values, n in await connection.execute(_groups_statement(shape), params)}
        )
        active = tuple(value is not None for value in wanted)
        page_params: dict[str, Any] = {f"facet_{i}": value for i, value in enumerate(wanted) if value is not None}
        page_params |= {"page_offset": page.offset, "page_size": page.page_size}
        page_ids = list((await connection.execute(_page_statement(shape, active), params | page_params)).scalars())
    else:
        matches = (await connection.execute(_every_match_statement(shape), params)).all()
        counted = Counter(map(itemgetter(_GROUP), matches))
        keys = {key: _facet_values(key) for key in counted}
        groups = Counter({keys[key]: n for key, n in counted.items()})
        chosen = _narrowed(matches, keys, wanted)
        ranked = bool(query.tokens)
        page_ids = [m[_ID] for m in _first(chosen, filters.sort, ranked, page.offset + page.page_size)[page.offset :]]
    return groups, page_ids


def _facet_lists(facets: dict[str, list[tuple[str, str, int]]]) -> Facets:
    return Facets(**{name: [FacetValue(value=v, label=lb, count=n) for v, lb, n in f] for name, f in facets.items()})


async def _hits(session: AsyncSession, query: _Query, page_ids: list[str]) -> list[SearchHit]:
    """The page's cards, in ``page_ids`` order, with their highlights."""
    if not page_ids:
        return []
    cards = await (await session.connection()).execute(_cards_statement(dialect_name(session)), {"ids": page_ids})
    by_id = {card.id: card for card in cards}
    marks = query.tokens or query.title_words
    hits: list[SearchHit] = []
    for card in (by_id[i] for i in page_ids if i in by_id):
        # Built from the card's fields directly: a CourseCard dumped and validated again cost 1 ms a page.
        fields = courses_service.card_fields(
            card, courses_service.row_category(card), courses_service.listed_instructors(card.instructors)
        )
        snippet = text.snippet(card.body or card.subtitle, marks)
        highlight = Highlight(title=text.mark(card.title, marks), snippet=snippet)
        hits.append(SearchHit(**fields, highlight=highlight))
    return hits


async def _corrections(session: AsyncSession, tokens: list[str]) -> dict[str, str]:
    """For each long token the vocabulary lacks, the most frequent term one edit away (if any). One
    statement reads every long token's candidates, the token itself among them when it is known."""
    long = [t for t in tokens if len(t) >= text.TYPO_MIN_LENGTH]
    if not long:
        return {}

    def near(token: str) -> ColumnElement[bool]:
        # Prefilter: same length ±1 and the same first letter, or the one edit is at the first letter
        # (substituted, inserted, deleted, swapped with the second).
        n = len(token)
        return and_(
            SearchTerm.length.between(n - 1, n + 1),
            or_(
                repository.starts_with(SearchTerm.term, token[0]),
                repository.starts_with(SearchTerm.term, token[1:3]),
                repository.starts_with(SearchTerm.term, token[1] + token[0]),
                SearchTerm.term.like(f"_{token[1:3]}%"),
                SearchTerm.term.like(f"_{token[0:2]}%"),
            ),
        )

    candidates = list(
        await session.execute(
            select(SearchTerm.term, SearchTerm.doc_freq).where(SearchTerm.doc_freq > 0, or_(*map(near, long)))
        )
    )
    known = {term for term, _ in candidates}
    fixes: dict[str, str] = {}
    for token in long:
        if token in known:
            continue
        n = len(token)
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
    categories = await _categories(session)
    hits, total, facets = await _run(session, query, filters, page, categories)
    did_you_mean: str | None = None
    if total == 0 and query.tokens:
        fixes = await _corrections(session, query.tokens)
        if fixes:
            corrected = _Query([fixes.get(t, t) for t in query.tokens], [])
            hits, total, facets = await _run(session, corrected, filters, page, categories)
            if total:
                did_you_mean = " ".join(fixes.get(w, w) for w in text.query_words(q))
    return SearchResults(
        items=hits, total=total, page=page.page, page_size=page.page_size, facets=facets, did_you_mean=did_you_mean
    )


# The catalog's "popular" order down to the id: ix_courses_catalog_popular holds it, so a walk of that index
# can stop at the eighth matching title.
_POPULAR = courses_service.catalog_order("popular")
# From this many titles starting with the prefix, walking the courses by popularity finds eight sooner than
# reading every such title and sorting them: "in" (1,459 titles of 10,000) 1.4 ms against 10.4 on MariaDB,
# while for "da" (few titles) the walk reads the whole catalog, 23 ms against 0.6.
_COMMON_PREFIX = 300


async def _is_common_title_prefix(session: AsyncSession, prefix: str) -> bool:
    """Whether at least ``_COMMON_PREFIX`` titles start with ``prefix`` (counted on the index, up to that)."""
    some = select(CourseSearch.id).where(repository.starts_with(CourseSearch.title_norm, prefix)).limit(_COMMON_PREFIX)
    return (await session.scalar(select(func.count()).select_from(some.subquery())) or 0) >= _COMMON_PREFIX


async def suggest(session: AsyncSession, *, q: str) -> list[Suggestion]:
    """Up to eight published courses whose title starts with ``q``, then whose title has, for each word of
    ``q``, a word starting with it (in any order); the most popular first (then the newest)."""
    prefix = text.title_norm(q[:200])
    if len(prefix) < 2:
        return []
    base = courses_service.catalog_statement(courses_service.CatalogFilters(), None).join(
        CourseSearch, CourseSearch.course_id == Course.id
    )
    by_title_stmt = (
        base.with_only_columns(Course.title, Course.slug)
        .where(repository.starts_with(CourseSearch.title_norm, prefix))
        .order_by(*_POPULAR)
        .limit(MAX_SUGGESTIONS)
    )
    # PostgreSQL's planner makes this choice itself from its statistics; MariaDB kept reading every title
    # with the prefix, so it is told to walk the courses first when the prefix is common.
    if dialect_name(session) in ("mysql", "mariadb") and await _is_common_title_prefix(session, prefix):
        by_title_stmt = by_title_stmt.prefix_with("STRAIGHT_JOIN")
    found = {slug: title for title, slug in await session.execute(by_title_stmt)}
    if len(found) < MAX_SUGGESTIONS:
        # Every word of the prefix starts a word of the title ("data s": Applied Data Structures). One
        # index range per word; a LIKE '%data%' on the titles instead read every title (24 ms against 4).
        published = courses_service.catalog_statement(courses_service.CatalogFilters(), None)
        stmt = published.with_only_columns(Course.title, Course.slug)
        words = list(dict.fromkeys(prefix.split(" ")))
        if dialect_name(session) == "postgresql":
            # PostgreSQL walked every course by popularity, probing each one's title words, even for a
            # word few titles have ("py", 133 titles: 5 ms against 1.3 looking those courses up by id).
            # The longest word is the likeliest to be rare; when it is, its courses are the candidates.
            # (MariaDB plans this well itself, and a long IN list cost it more.)
            longest = max(words, key=len)
            titled = await session.scalars(
                select(SearchTitleWord.course_id)
                .where(repository.starts_with(SearchTitleWord.word, longest))
                .limit(_COMMON_PREFIX)
            )
            candidates = list(titled)
            if not candidates:
                return [Suggestion(title=title, slug=slug) for slug, title in found.items()]
            if len(candidates) < _COMMON_PREFIX:
                stmt = stmt.where(Course.id.in_(candidates))
                words.remove(longest)
        for word in words:
            with_word = select(SearchTitleWord.course_id).where(repository.starts_with(SearchTitleWord.word, word))
            stmt = stmt.where(Course.id.in_(with_word))
        for title, slug in await session.execute(stmt.order_by(*_POPULAR).limit(MAX_SUGGESTIONS)):
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
            docs = await indexer.rebuild_documents(session, ids[start : start + batch_size])
            mark_changed(session, courses_service.CATALOG_CACHE)  # cached search answers are stale
            for doc in docs:
                vocabulary.update(doc.terms())
        if on_progress:
            on_progress(min(start + batch_size, len(ids)), len(ids))
    async with sessionmaker() as session, session.begin():
        # Documents of courses deleted meanwhile (normally none). Found by a plain read and deleted by id:
        # a locking scan of every document would wait on, and deadlock with, edits in flight.
        orphans = list(
            await session.scalars(
                select(CourseSearch.course_id).where(CourseSearch.course_id.not_in(select(Course.id)))
            )
        )
        if orphans:
            await session.execute(delete(CourseSearch).where(CourseSearch.course_id.in_(orphans)))
    async with sessionmaker() as session, session.begin():
        # Terms, then groups: the order a course change locks them in.
        await indexer.replace_vocabulary(session, vocabulary)
        await indexer.recount_groups(session)
        mark_changed(session, courses_service.CATALOG_CACHE)
    return len(ids)
