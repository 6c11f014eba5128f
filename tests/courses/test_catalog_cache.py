"""The short-lived cache of anonymous catalog, course page, search and autocomplete answers: reused
while nothing changes, never stale after a change made through the services, shared with signed-in callers
only where the answer is the same for everyone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from lms.core.cache import CacheVersion
from lms.core.runtime import Runtime
from lms.courses.models import Course
from lms.users.models import Role
from tests.courses.helpers import build_course
from tests.factories import signed_in


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # Long enough that no entry expires during the test: only versions decide freshness here.
    return {"catalog_cache_seconds": 3600}


async def _answers(client: httpx.AsyncClient, slug: str) -> dict[str, Any]:
    return {
        "catalog": (await client.get("/api/v1/courses")).json(),
        "page": (await client.get(f"/api/v1/courses/{slug}")).json(),
        "search": (await client.get("/api/v1/search/courses", params={"q": "hydraulics"})).json(),
        "suggest": (await client.get("/api/v1/search/suggest", params={"q": "hydr"})).json(),
    }


async def _version(rt: Runtime) -> int:
    async with rt.sessionmaker() as session:
        return int(await session.scalar(select(CacheVersion.version).where(CacheVersion.name == "catalog")) or 0)


async def _rename_behind_the_api(rt: Runtime, course_id: str, title: str) -> None:
    """A change that bypasses the services (as a bulk load would): no cache version bump."""
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(update(Course).where(Course.id == course_id).values(title=title))


async def test_answers_are_reused_until_a_course_changes(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, title="Hydraulics", lessons=1)
    slug = fx.course["slug"]
    before = await _answers(client, slug)
    assert before["catalog"]["total"] == 1 and before["catalog"]["items"][0]["title"] == "Hydraulics"
    assert before["page"]["title"] == "Hydraulics" and before["search"]["total"] == 1
    assert before["suggest"]["suggestions"] == [{"title": "Hydraulics", "slug": slug}]
    version = await _version(rt)
    assert version > 0

    # Reused: a change that no service made is not seen by anonymous callers...
    await _rename_behind_the_api(rt, fx.id, "Hydraulics (renamed in SQL)")
    assert await _answers(client, slug) == before
    # Signed-in callers share the answers that are the same for everyone (public catalog, search, suggest)...
    student = await signed_in(rt, client, Role.STUDENT)
    assert (await client.get("/api/v1/courses", headers=student.headers)).json() == before["catalog"]
    search = await client.get("/api/v1/search/courses", params={"q": "hydraulics"}, headers=student.headers)
    assert search.json() == before["search"]
    suggest = await client.get("/api/v1/search/suggest", params={"q": "hydr"}, headers=student.headers)
    assert suggest.json() == before["suggest"]
    # ...but get a fresh answer wherever it depends on who asks: the course page (its viewer block) and an
    # instructor's own courses.
    page = (await client.get(f"/api/v1/courses/{slug}", headers=student.headers)).json()
    assert page["title"] == "Hydraulics (renamed in SQL)" and page["viewer"] is not None
    mine = await client.get("/api/v1/courses", params={"mine": "true"}, headers=fx.instructor.headers)
    assert [c["title"] for c in mine.json()["items"]] == ["Hydraulics (renamed in SQL)"]

    # An edit through the API bumps the version in its transaction: the next anonymous request sees it.
    resp = await client.patch(
        f"/api/v1/courses/{fx.id}", json={"title": "Hydraulics II"}, headers=fx.instructor.headers
    )
    assert resp.status_code == 200
    assert await _version(rt) == version + 1
    after = await _answers(client, slug)
    assert after["catalog"]["items"][0]["title"] == "Hydraulics II"
    assert after["page"]["title"] == "Hydraulics II"
    assert after["search"]["items"][0]["title"] == "Hydraulics II"
    assert after["suggest"]["suggestions"] == [{"title": "Hydraulics II", "slug": slug}]

    # Publishing another course: it appears in the catalog (and its total) and in search at once.
    other = await build_course(rt, client, title="Hydraulics Lab", lessons=1)
    catalog = (await client.get("/api/v1/courses")).json()
    assert catalog["total"] == 2 and {c["title"] for c in catalog["items"]} == {"Hydraulics II", "Hydraulics Lab"}
    search = (await client.get("/api/v1/search/courses", params={"q": "hydraulics"})).json()
    assert search["total"] == 2

    # Archiving: it leaves the catalog, search and autocomplete, and its page is gone for anonymous callers.
    resp = await client.post(f"/api/v1/courses/{other.id}/archive", headers=other.instructor.headers)
    assert resp.status_code == 200
    catalog = (await client.get("/api/v1/courses")).json()
    assert catalog["total"] == 1 and [c["title"] for c in catalog["items"]] == ["Hydraulics II"]
    assert (await client.get("/api/v1/search/courses", params={"q": "lab"})).json()["total"] == 0
    suggestions = (await client.get("/api/v1/search/suggest", params={"q": "hydr"})).json()["suggestions"]
    assert [s["title"] for s in suggestions] == ["Hydraulics II"]
    assert (await client.get(f"/api/v1/courses/{other.course['slug']}")).status_code == 404

    # Content changes show on the course page at once too.
    resp = await client.post(
        f"/api/v1/sections/{fx.section_ids[0]}/lessons",
        json={"title": "Pipe flow", "kind": "text", "content": "Darcy."},
        headers=fx.instructor.headers,
    )
    assert resp.status_code == 201
    page = (await client.get(f"/api/v1/courses/{slug}")).json()
    assert [x["title"] for x in page["sections"][0]["lessons"]] == ["Lesson 1", "Pipe flow"]
    assert page["lesson_count"] == 2


async def test_category_changes_invalidate_the_catalog(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    resp = await client.post("/api/v1/categories", json={"name": "Civil"}, headers=admin.headers)
    assert resp.status_code == 201
    category = resp.json()
    fx = await build_course(rt, client, title="Surveying", lessons=1, category_id=category["id"])
    listing = (await client.get("/api/v1/courses", params={"category": "civil"})).json()
    assert listing["total"] == 1 and listing["items"][0]["category"]["name"] == "Civil"

    resp = await client.patch(
        f"/api/v1/categories/{category['id']}", json={"name": "Civil Engineering"}, headers=admin.headers
    )
    assert resp.status_code == 200
    listing = (await client.get("/api/v1/courses", params={"category": "civil"})).json()
    assert listing["items"][0]["category"]["name"] == "Civil Engineering"
    assert (await client.get(f"/api/v1/courses/{fx.course['slug']}")).json()["category"]["name"] == (
        "Civil Engineering"
    )

    resp = await client.delete(f"/api/v1/categories/{category['id']}", headers=admin.headers)
    assert resp.status_code == 204
    listing = (await client.get("/api/v1/courses", params={"category": "civil"})).json()
    assert listing["total"] == 0 and listing["items"] == []
    assert (await client.get("/api/v1/courses")).json()["items"][0]["category"] is None


@pytest.mark.parametrize("settings_overrides", [{"catalog_cache_seconds": 0}])
async def test_cache_can_be_turned_off(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, title="Hydraulics", lessons=1)
    await client.get("/api/v1/courses")
    await _rename_behind_the_api(rt, fx.id, "Open Channel Flow")
    assert (await client.get("/api/v1/courses")).json()["items"][0]["title"] == "Open Channel Flow"
    assert (await client.get(f"/api/v1/courses/{fx.course['slug']}")).json()["title"] == "Open Channel Flow"
