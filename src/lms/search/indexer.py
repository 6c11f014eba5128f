"""Keeps the search read model in step with courses, inside the caller's transaction.

The courses service calls ``index_course``/``remove_course`` after each change (so the index follows
at once). Being called by courses, this module reads the courses tables itself instead of importing
``lms.courses.service`` (that would be an import cycle); it is the projection of courses into search.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import nh3
from sqlalchemy import Executable, delete, func, insert, select, tuple_, update
from sqlalchemy import text as text_clause
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.db import Base, dialect_name
from lms.courses.models import Course, CourseInstructor, CourseStatus, Lesson, Section
from lms.search import text
from lms.search.models import CatalogGroup, CourseSearch, SearchTerm, SearchTitleWord
from lms.users.models import User

PUBLISHED = CourseStatus.PUBLISHED.value


@dataclass
class Document:
    course_id: str
    title: str
    subtitle: str
    tags: str
    body: str
    status: str
    # The course's filter, facet and sort columns (copied so a search reads one table).
    category_id: str | None = None
    level: str = "all_levels"
    language: str = "en"
    price_amount: int = 0
    published_at: datetime | None = None

    @property
    def title_norm(self) -> str:
        return text.title_norm(self.title)

    def terms(self) -> set[str]:
        """Vocabulary contribution: only published courses' words may be suggested to anyone."""
        if self.status != PUBLISHED:
            return set()
        return text.index_terms(f"{self.title} {self.subtitle} {self.tags} {self.body}")

    def group(self) -> GroupKey | None:
        return group_of(self.status, self.category_id, self.level, self.language, self.price_amount)

    def title_words(self) -> set[str]:
        return {w[:100] for w in text.words(self.title)}

    def row(self) -> dict[str, object]:
        return {
            "course_id": self.course_id,
            "title": self.title,
            "subtitle": self.subtitle,
            "tags": self.tags,
            "body": self.body,
            "title_norm": self.title_norm,
            "status": self.status,
            "category_id": self.category_id,
            "level": self.level,
            "language": self.language,
            "price_amount": self.price_amount,
            "published_at": self.published_at,
        }


# (category id or '', level, language, is free): a ``CatalogGroup`` key.
GroupKey = tuple[str, str, str, bool]


def group_of(status: str, category_id: str | None, level: str, language: str, price_amount: int) -> GroupKey | None:
    """The catalog group a course counts in, or None when it is not published (it counts nowhere)."""
    if status != PUBLISHED:
        return None
    return (category_id or "", level, language, price_amount == 0)


def _indexed_group(doc: CourseSearch) -> GroupKey | None:
    return group_of(doc.status, doc.category_id, doc.level, doc.language, doc.price_amount)


def plain_text(description_html: str) -> str:
    """The words of rendered Markdown without its markup."""
    return html.unescape(nh3.clean(description_html or "", tags=set()))


def make_document(course: Course, instructor_names: Iterable[str], outline_titles: Iterable[str]) -> Document:
    body = "\n".join([plain_text(course.description_html), " ".join(instructor_names), *outline_titles])
    return Document(
        course_id=course.id,
        title=course.title,
        subtitle=course.subtitle or "",
        tags=" ".join(str(t) for t in course.tags or []),
        body=body,
        status=course.status,
        category_id=course.category_id,
        level=course.level,
        language=course.language,
        price_amount=course.price_amount,
        published_at=course.published_at,
    )


async def build_documents(session: AsyncSession, course_ids: list[str]) -> list[Document]:
    """Documents for a batch of courses in four queries."""
    if not course_ids:
        return []
    courses = list(await session.scalars(select(Course).where(Course.id.in_(course_ids))))
    names: dict[str, list[str]] = {c.id: [] for c in courses}
    for course_id, name in await session.execute(
        select(CourseInstructor.course_id, User.full_name)
        .join(User, User.id == CourseInstructor.user_id)
        .where(CourseInstructor.course_id.in_(course_ids))
        .order_by(CourseInstructor.course_id, CourseInstructor.position)
    ):
        names[course_id].append(name)
    outline: dict[str, list[str]] = {c.id: [] for c in courses}
    for course_id, title in await session.execute(
        select(Section.course_id, Section.title)
        .where(Section.course_id.in_(course_ids))
        .order_by(Section.course_id, Section.position)
    ):
        outline[course_id].append(title)
    for course_id, title in await session.execute(
        select(Lesson.course_id, Lesson.title)
        .where(Lesson.course_id.in_(course_ids))
        .order_by(Lesson.course_id, Lesson.section_id, Lesson.position)
    ):
        outline[course_id].append(title)
    return [make_document(c, names[c.id], outline[c.id]) for c in courses]


async def index_course(session: AsyncSession, course_id: str) -> None:
    """Bring the course's search document, title words and vocabulary up to date (caller's transaction)."""
    docs = await build_documents(session, [course_id])
    if not docs:
        await remove_course(session, course_id)
        return
    doc = docs[0]
    # Locked: the old document decides which counts this change moves (terms, catalog group), so two
    # changes of one course must not both start from the same old document.
    existing = await session.scalar(select(CourseSearch).where(CourseSearch.course_id == course_id).with_for_update())
    old_terms: set[str] = set()
    old_group: GroupKey | None = None
    if existing is None:
        session.add(CourseSearch(**doc.row()))
        title_changed = True
    else:
        old = Document(
            existing.course_id, existing.title, existing.subtitle, existing.tags, existing.body, existing.status
        )
        old_terms = old.terms()
        old_group = _indexed_group(existing)
        title_changed = existing.title != doc.title
        for name, value in doc.row().items():
            setattr(existing, name, value)
    await session.flush()
    if title_changed:
        await _replace_title_words(session, {course_id: doc.title_words()})
    new_terms = doc.terms()
    await change_vocabulary(session, added=new_terms - old_terms, removed=old_terms - new_terms)
    await _move_between_groups(session, old_group, doc.group())


async def uncategorize(session: AsyncSession, category_id: str) -> None:
    """The category's courses became uncategorized (before the category is deleted). Documents before
    groups: the lock order of ``index_course``."""
    await session.execute(
        update(CourseSearch)
        .where(CourseSearch.category_id == category_id)
        .values(category_id=None)
        .execution_options(synchronize_session=False)
    )
    groups = await session.scalars(
        select(CatalogGroup).where(CatalogGroup.category_id == category_id).with_for_update()
    )
    moved = sorted(((g.level, g.language, g.is_free), g.courses) for g in groups)
    await session.execute(delete(CatalogGroup).where(CatalogGroup.category_id == category_id))
    for (level, language, is_free), n in moved:
        await _add_to_group(session, ("", level, language, is_free), n)


async def remove_course(session: AsyncSession, course_id: str) -> None:
    """Drop the course from the index (before it is deleted)."""
    existing = await session.scalar(select(CourseSearch).where(CourseSearch.course_id == course_id).with_for_update())
    if existing is None:
        return
    old = Document(existing.course_id, existing.title, existing.subtitle, existing.tags, existing.body, existing.status)
    old_group = _indexed_group(existing)
    await _replace_title_words(session, {course_id: set()})
    await session.delete(existing)
    await session.flush()
    await change_vocabulary(session, added=set(), removed=old.terms())
    await _move_between_groups(session, old_group, None)


async def _add_to_group(session: AsyncSession, key: GroupKey, n: int) -> None:
    """Add ``n`` (may be negative) to a group's count, creating the group on its first course.

    An upsert even for a negative ``n``: on PostgreSQL an UPDATE that waited on a group row a reindex
    deleted and inserted afresh would match nothing and lose the change; the upsert finds the new row."""
    if n == 0:
        return
    category_id, level, language, is_free = key
    row = {"category_id": category_id, "level": level, "language": language, "is_free": is_free, "courses": max(n, 0)}
    stmt: Executable
    if dialect_name(session) in ("mysql", "mariadb"):
        stmt = mysql_insert(CatalogGroup).values(row).on_duplicate_key_update(courses=CatalogGroup.courses + n)
    else:
        stmt = (
            _conflict_insert(session, CatalogGroup)
            .values(row)
            .on_conflict_do_update(
                index_elements=["category_id", "level", "language", "is_free"],
                set_={"courses": CatalogGroup.courses + n},
            )
        )
    await session.execute(stmt)


async def _move_between_groups(session: AsyncSession, old: GroupKey | None, new: GroupKey | None) -> None:
    """One course leaves ``old`` and joins ``new`` (None: not published). Groups in key order, so
    concurrent writers lock rows alike."""
    if old == new:
        return
    for key, n in sorted((key, n) for key, n in ((old, -1), (new, 1)) if key is not None):
        await _add_to_group(session, key, n)


async def _lock_for_rebuild(session: AsyncSession, table: str) -> None:
    """Before a table is emptied and filled again: on PostgreSQL, keep out other rebuilds and changes
    until this transaction ends. Without it a second reindex's DELETE, which waited for the first one,
    missed the rows the first inserted (its snapshot predates them) and its INSERT hit their keys.
    MariaDB's locking DELETE reads the latest rows and SQLite has one writer, so they need nothing."""
    if dialect_name(session) == "postgresql":
        await session.execute(text_clause(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))


async def recount_groups(session: AsyncSession) -> None:
    """Count every catalog group afresh from the search documents (after a rebuild of the index).

    The groups are deleted before they are counted: the delete waits for course changes holding a group
    row, and changes arriving later wait for this transaction, then apply their move to the new counts
    (which do not include them yet)."""
    await _lock_for_rebuild(session, CatalogGroup.__tablename__)
    await session.execute(delete(CatalogGroup))
    category = func.coalesce(CourseSearch.category_id, "")
    is_free = CourseSearch.price_amount == 0
    counts = (
        select(category, CourseSearch.level, CourseSearch.language, is_free, func.count())
        .where(CourseSearch.status == PUBLISHED)
        .group_by(category, CourseSearch.level, CourseSearch.language, is_free)
    )
    rows = [
        {"category_id": c, "level": lv, "language": lg, "is_free": bool(free), "courses": n}
        for c, lv, lg, free, n in await session.execute(counts)
    ]
    if rows:
        await session.execute(insert(CatalogGroup), rows)


def _upsert_delta(session: AsyncSession, rows: list[dict[str, object]]) -> Executable:
    """Add each row's ``doc_freq`` (+1 or -1) to its term, inserting terms not seen before."""
    dialect = dialect_name(session)
    if dialect in ("mysql", "mariadb"):
        my = mysql_insert(SearchTerm).values(rows)
        return my.on_duplicate_key_update(doc_freq=func.greatest(SearchTerm.doc_freq + my.inserted.doc_freq, 0))
    lite = _conflict_insert(session, SearchTerm).values(rows)
    # SQLite's two-argument max() is its greatest().
    greatest = func.greatest if dialect == "postgresql" else func.max
    return lite.on_conflict_do_update(
        index_elements=["term"], set_={"doc_freq": greatest(SearchTerm.doc_freq + lite.excluded.doc_freq, 0)}
    )


async def change_vocabulary(session: AsyncSession, *, added: set[str], removed: set[str]) -> None:
    """Adjust document frequencies.

    One pass over the terms in key order, added and removed alike, so concurrent writers (and a
    reindex rebuilding the vocabulary) lock rows in the same order and cannot deadlock. A removed term
    the vocabulary lacks (it can only drift after a reindex raced an edit) is stored at -1: suggestions
    read terms with a positive frequency only."""
    deltas = sorted([(t, 1) for t in added] + [(t, -1) for t in removed])
    for start in range(0, len(deltas), 500):
        chunk = [{"term": t, "length": len(t), "doc_freq": n} for t, n in deltas[start : start + 500]]
        await session.execute(_upsert_delta(session, chunk))


async def rebuild_documents(session: AsyncSession, course_ids: list[str]) -> list[Document]:
    """Rebuild a batch's documents and title words in place (bulk; the vocabulary and the catalog groups
    are recounted separately). Returns the documents written.

    Lock order as ``index_course``: the batch's documents first (in course-id order), then title words.
    The documents are read from the courses after the lock, so an edit that is still running indexes its
    change after this batch commits, and one that committed is read here. Documents are updated in place,
    never deleted and inserted again: an edit waiting on the row still finds it."""
    if not course_ids:
        return []
    locked = (
        select(CourseSearch.course_id, CourseSearch.id)
        .where(CourseSearch.course_id.in_(course_ids))
        .order_by(CourseSearch.course_id)
        .with_for_update()
    )
    existing = {course_id: id_ for course_id, id_ in await session.execute(locked)}
    docs = await build_documents(session, course_ids)
    if updates := [{"id": existing[d.course_id], **d.row()} for d in docs if d.course_id in existing]:
        await session.execute(update(CourseSearch), updates)
    if inserts := [d.row() for d in docs if d.course_id not in existing]:
        await session.execute(_insert_ignoring_existing(session, CourseSearch), inserts)
    await _replace_title_words(session, {d.course_id: d.title_words() for d in docs})
    return docs


async def _replace_title_words(session: AsyncSession, words_by_course: dict[str, set[str]]) -> None:
    """Make the courses' title words these, touching only the words that changed.

    Rows are deleted by their whole primary key, never "every word of a course": on MariaDB a delete
    through the course_id index also locks the gap up to the next course's words, and concurrent edits
    and reindex batches inserting there deadlocked on it."""
    stored = select(SearchTitleWord.word, SearchTitleWord.course_id).where(
        SearchTitleWord.course_id.in_(list(words_by_course))
    )
    old = {(word, course_id) for word, course_id in await session.execute(stored)}
    new = {(word, course_id) for course_id, words in words_by_course.items() for word in words}
    if removed := sorted(old - new):
        await session.execute(
            delete(SearchTitleWord).where(tuple_(SearchTitleWord.word, SearchTitleWord.course_id).in_(removed))
        )
    if added := sorted(new - old):
        await session.execute(
            _insert_ignoring_existing(session, SearchTitleWord), [{"word": w, "course_id": c} for w, c in added]
        )


def _insert_ignoring_existing(session: AsyncSession, model: type[CourseSearch] | type[SearchTitleWord]) -> Executable:
    """INSERT that skips rows a concurrent change inserted first (theirs is as fresh as ours)."""
    if dialect_name(session) in ("mysql", "mariadb"):
        # A no-op update rather than INSERT IGNORE, which would also turn data errors into warnings.
        return mysql_insert(model).on_duplicate_key_update(course_id=model.course_id)
    return _conflict_insert(session, model).on_conflict_do_nothing()


def _conflict_insert(session: AsyncSession, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """PostgreSQL's or SQLite's INSERT, which share ``ON CONFLICT`` (MariaDB has its own upsert)."""
    return (pg_insert if dialect_name(session) == "postgresql" else sqlite_insert)(model)


async def replace_vocabulary(session: AsyncSession, counts: Counter[str]) -> None:
    await _lock_for_rebuild(session, SearchTerm.__tablename__)
    await session.execute(delete(SearchTerm))
    rows = [{"term": t, "length": len(t), "doc_freq": n} for t, n in sorted(counts.items())]
    for start in range(0, len(rows), 5000):
        await session.execute(insert(SearchTerm), rows[start : start + 5000])
