"""The catalog's totals come from ``catalog_groups`` for the category, level, language and price filters:
after every kind of course change they must equal a COUNT of the courses themselves."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.core.runtime import Runtime
from lms.courses.models import Course
from lms.search import indexer
from lms.search import service as search_service
from lms.search.models import CatalogGroup, CourseSearch, SearchTerm, SearchTitleWord
from lms.users.models import Role
from tests.conftest import Backend
from tests.courses.helpers import CourseFixture, build_course
from tests.factories import Account, signed_in

LEVELS = ("beginner", "advanced")
LANGUAGES = ("en", "te")


async def _count_published(rt: Runtime, **where: Any) -> int:
    """The published courses matching ``where``, counted on ``courses`` (the truth the groups must match)."""
    stmt = select(func.count()).select_from(Course).where(Course.status == "published")
    for name, value in where.items():
        if name == "price":
            stmt = stmt.where(Course.price_amount == 0 if value == "free" else Course.price_amount > 0)
        else:
            stmt = stmt.where(getattr(Course, name) == value)
    async with rt.sessionmaker() as session:
        return int(await session.scalar(stmt) or 0)


async def _assert_totals(rt: Runtime, client: httpx.AsyncClient, category_ids: list[str]) -> None:
    """Every filter combination's total, as the catalog answers it, equals the count on ``courses``."""
    combos: list[dict[str, Any]] = [{}]
    combos += [{"category_id": c} for c in category_ids]
    combos += [{"level": lv} for lv in LEVELS] + [{"language": lg} for lg in LANGUAGES]
    combos += [{"price": p} for p in ("free", "paid")]
    combos += [{"category_id": category_ids[0], "level": "beginner", "language": "en", "price": "free"}]
    combos += [{"category_id": category_ids[-1], "price": "paid", "language": "te"}]
    for combo in combos:
        params = {("category" if k == "category_id" else k): v for k, v in combo.items()}
        resp = await client.get("/api/v1/courses", params=params | {"page_size": 100})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        expected = await _count_published(rt, **combo)
        assert body["total"] == expected == len(body["items"]), (combo, body["total"], expected)


@dataclass
class RaceSetup:
    """Two categories and courses in one of them, spread over four instructors (for the race tests)."""

    admin: Account
    category_ids: list[str]
    teachers: list[Account]
    courses: list[CourseFixture]

    def teacher_of(self, i: int) -> Account:
        return self.teachers[i % len(self.teachers)]


async def _race_setup(
    rt: Runtime,
    client: httpx.AsyncClient,
    backend: Backend,
    names: tuple[str, str],
    *,
    title: str,
    home: int,
    n: int,
    published: bool = True,
    n_sqlite: int = 4,
) -> RaceSetup:
    """``n`` courses (``n_sqlite`` on SQLite, whose one writer serializes every race) in ``names[home]``."""
    admin = await signed_in(rt, client, Role.ADMIN)
    ids = [
        (await client.post("/api/v1/categories", json={"name": name}, headers=admin.headers)).json()["id"]
        for name in names
    ]
    teachers = [await signed_in(rt, client, Role.INSTRUCTOR) for _ in range(4)]
    count = n if backend.name != "sqlite" else n_sqlite
    courses = [
        await build_course(
            rt,
            client,
            instructor=teachers[i % 4],
            title=f"{title} {i}",
            category_id=ids[home],
            lessons=1,
            published=published,
        )
        for i in range(count)
    ]
    return RaceSetup(admin, ids, teachers, courses)


async def test_catalog_totals_follow_every_course_change(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    categories = [
        (await client.post("/api/v1/categories", json={"name": n}, headers=admin.headers)).json()
        for n in ("CSE", "ECE", "Civil")
    ]
    ids = [c["id"] for c in categories]
    paid = {"amount": 49900, "currency": "INR"}
    courses = []
    for n in range(6):
        courses.append(
            await build_course(
                rt,
                client,
                instructor=teacher,
                title=f"Course {n}",
                category_id=ids[n % 3],
                level=LEVELS[n % 2],
                language=LANGUAGES[n // 3],
                price=paid if n % 2 else None,
                lessons=1,
            )
        )
    draft = await build_course(rt, client, instructor=teacher, title="Draft", category_id=ids[0], published=False)
    await _assert_totals(rt, client, ids)
    # A slug names a category as well as its id.
    resp = await client.get("/api/v1/courses", params={"category": categories[1]["slug"]})
    assert resp.json()["total"] == await _count_published(rt, category_id=ids[1]) == 2

    async def patch(course_id: str, **changes: Any) -> None:
        resp = await client.patch(f"/api/v1/courses/{course_id}", json=changes, headers=teacher.headers)
        assert resp.status_code == 200, resp.text

    await patch(courses[0].id, category_id=ids[1])
    await patch(courses[1].id, level="beginner", language="te")
    await patch(courses[2].id, price=paid)
    await patch(courses[3].id, price=None)
    await patch(courses[4].id, category_id=None)
    await patch(draft.id, level="advanced")  # a draft counts nowhere
    await _assert_totals(rt, client, ids)

    # A published course "deleted" is archived and leaves the catalog; the draft is really deleted.
    assert (await client.delete(f"/api/v1/courses/{courses[5].id}", headers=teacher.headers)).status_code == 204
    assert (await client.delete(f"/api/v1/courses/{draft.id}", headers=teacher.headers)).status_code == 204
    await _assert_totals(rt, client, ids)

    # Deleting a category leaves its courses uncategorized: they still count in the whole catalog.
    assert (await client.delete(f"/api/v1/categories/{ids[0]}", headers=admin.headers)).status_code == 204
    assert (await client.get("/api/v1/courses")).json()["total"] == 5
    await _assert_totals(rt, client, ids)

    # `lms search reindex` recounts them from nothing.
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(delete(CatalogGroup))
    await search_service.reindex(rt.sessionmaker)
    await _assert_totals(rt, client, ids)
    # A page past the last one has no rows to carry the total: it is counted on its own.
    body = (await client.get("/api/v1/courses", params={"page": 9, "page_size": 2, "level": "beginner"})).json()
    assert body["items"] == [] and body["total"] == await _count_published(rt, level="beginner") > 0
    body = (await client.get("/api/v1/courses", params={"page": 9, "page_size": 2, "min_price": 1})).json()
    assert body["items"] == [] and body["total"] == await _count_published(rt, price="paid") > 0
    # An unknown category matches nothing, as in the catalog's own filter.
    assert (await client.get("/api/v1/courses", params={"category": "no-such-category"})).json()["total"] == 0


async def test_catalog_totals_hold_under_concurrent_changes(
    rt: Runtime, client: httpx.AsyncClient, backend: Backend
) -> None:
    """Courses published and moved between categories at the same moment each count exactly once."""
    race = await _race_setup(rt, client, backend, ("Maths", "Physics"), title="Race", home=0, n=12, published=False)
    ids, drafts, n = race.category_ids, race.courses, len(race.courses)

    async def publish(i: int) -> int:
        resp = await client.post(f"/api/v1/courses/{drafts[i].id}/publish", headers=race.teacher_of(i).headers)
        return resp.status_code

    async def move(i: int, category_id: str) -> int:
        resp = await client.patch(
            f"/api/v1/courses/{drafts[i].id}", json={"category_id": category_id}, headers=race.teacher_of(i).headers
        )
        return resp.status_code

    assert set(await asyncio.gather(*(publish(i) for i in range(n)))) == {200}
    # The same course moved to both categories at once, every course at the same time.
    codes = await asyncio.gather(*(move(i, c) for i in range(n) for c in ids))
    assert set(codes) == {200}
    await _assert_totals(rt, client, ids)
    assert (await client.get("/api/v1/courses")).json()["total"] == n


async def test_courses_change_while_the_index_is_rebuilt(
    rt: Runtime, client: httpx.AsyncClient, backend: Backend
) -> None:
    """Edits during `lms search reindex` (and two reindexes at once) all succeed, and afterwards every
    search document and catalog total matches its course."""
    race = await _race_setup(rt, client, backend, ("Maths", "Physics"), title="Race", home=0, n=16, n_sqlite=6)
    ids, courses, n = race.category_ids, race.courses, len(race.courses)

    async def edit(i: int) -> int:
        changes: dict[str, Any] = {"category_id": ids[1], "title": f"Renamed {i}", "level": "advanced"}
        resp = await client.patch(f"/api/v1/courses/{courses[i].id}", json=changes, headers=race.teacher_of(i).headers)
        return resp.status_code

    results = await asyncio.gather(
        search_service.reindex(rt.sessionmaker, batch_size=3),
        search_service.reindex(rt.sessionmaker, batch_size=5),
        *(edit(i) for i in range(n)),
    )
    assert results[:2] == [n, n]
    assert set(results[2:]) == {200}
    await _assert_totals(rt, client, ids)
    async with rt.sessionmaker() as session:
        docs = {d.course_id: d for d in await session.scalars(select(CourseSearch))}
        titles = set(await session.scalars(select(SearchTitleWord.word).where(SearchTitleWord.word == "race")))
    assert len(docs) == n
    for i, fx in enumerate(courses):
        assert (docs[fx.id].title, docs[fx.id].category_id, docs[fx.id].level) == (f"Renamed {i}", ids[1], "advanced")
    assert titles == set()  # no title word of the old titles is left for autocomplete
    found = (await client.get("/api/v1/search/courses", params={"q": "renamed", "page_size": 100})).json()
    assert found["total"] == n
    # Rebuilds that reach their last step together: each empties and refills the vocabulary and groups.
    assert await asyncio.gather(*(search_service.reindex(rt.sessionmaker) for _ in range(3))) == [n, n, n]
    await _assert_totals(rt, client, ids)
    async with rt.sessionmaker() as session:
        frequencies = dict((await session.execute(select(SearchTerm.term, SearchTerm.doc_freq))).all())
    assert frequencies["renamed"] == n and "race" not in frequencies


async def test_rebuilds_that_overlap_leave_one_set_of_counts(
    rt: Runtime, client: httpx.AsyncClient, backend: Backend
) -> None:
    """A second rebuild of the groups and vocabulary that starts while the first is uncommitted waits for
    it and replaces its rows (on PostgreSQL its DELETE once missed them and its INSERT failed)."""
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    for i in range(3):
        await build_course(rt, client, instructor=teacher, title=f"Overlap {i}", level=LEVELS[i % 2], lessons=1)
    vocabulary = Counter({"overlap": 3, "lesson": 3})

    async def rebuild(session: AsyncSession) -> None:
        await indexer.replace_vocabulary(session, vocabulary)
        await indexer.recount_groups(session)

    async with rt.sessionmaker() as first:
        await first.begin()
        await rebuild(first)
        async with rt.sessionmaker() as second, second.begin():
            if backend.name == "sqlite":  # one writer at a time: the second starts after the first
                await first.commit()
                await rebuild(second)
            else:
                waiting = asyncio.ensure_future(rebuild(second))
                await asyncio.sleep(0.3)
                assert not waiting.done()  # it waits for the first rebuild's locks
                await first.commit()
                await waiting
    async with rt.sessionmaker() as session:
        groups = (await session.execute(select(CatalogGroup.level, CatalogGroup.courses))).all()
        terms = dict((await session.execute(select(SearchTerm.term, SearchTerm.doc_freq))).all())
    assert sorted(groups) == [("advanced", 1), ("beginner", 2)]
    assert terms == {"overlap": 3, "lesson": 3}


async def test_courses_moved_into_a_category_while_it_is_deleted(
    rt: Runtime, client: httpx.AsyncClient, backend: Backend
) -> None:
    """Each move either lands before the deletion (and the course ends uncategorized with it) or is
    refused as an unknown category; no course, search document or group is left in the deleted one."""
    race = await _race_setup(rt, client, backend, ("Going", "Staying"), title="Mover", home=1, n=12)
    ids, courses, n = race.category_ids, race.courses, len(race.courses)

    async def move(i: int) -> int:
        await asyncio.sleep(0.02 * i)  # spread out: some before the deletion, some during, some after
        resp = await client.patch(
            f"/api/v1/courses/{courses[i].id}", json={"category_id": ids[0]}, headers=race.teacher_of(i).headers
        )
        assert resp.status_code == 200 or resp.json()["code"] == "validation_error", resp.text
        return resp.status_code

    async def delete_going() -> int:
        await asyncio.sleep(0.02 * (n // 2))
        return (await client.delete(f"/api/v1/categories/{ids[0]}", headers=race.admin.headers)).status_code

    codes = await asyncio.gather(delete_going(), *(move(i) for i in range(n)))
    assert codes[0] == 204 and set(codes[1:]) <= {200, 400}
    async with rt.sessionmaker() as session:
        by_course = dict((await session.execute(select(Course.id, Course.category_id))).all())
        docs = dict((await session.execute(select(CourseSearch.course_id, CourseSearch.category_id))).all())
        groups = set(await session.scalars(select(CatalogGroup.category_id).where(CatalogGroup.courses > 0)))
    assert docs == by_course
    assert ids[0] not in set(by_course.values()) | groups
    await _assert_totals(rt, client, ids[1:])
    assert (await client.get("/api/v1/courses")).json()["total"] == n
