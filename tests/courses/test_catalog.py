from __future__ import annotations

import httpx

from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.courses.helpers import build_course
from tests.factories import signed_in


async def test_catalog_filters_sorts_and_paginates(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    cs = (await client.post("/api/v1/categories", json={"name": "CSE"}, headers=admin.headers)).json()
    ece = (await client.post("/api/v1/categories", json={"name": "ECE"}, headers=admin.headers)).json()
    rao = await signed_in(rt, client, Role.INSTRUCTOR, full_name="Prof. Rao")
    devi = await signed_in(rt, client, Role.INSTRUCTOR, full_name="Dr. Devi")
    dsa = await build_course(
        rt, client, instructor=rao, title="Data Structures", category_id=cs["id"], level="beginner", lessons=1
    )
    ml = await build_course(
        rt,
        client,
        instructor=devi,
        title="Machine Learning",
        category_id=cs["id"],
        level="advanced",
        price={"amount": 99900, "currency": "INR"},
        lessons=3,
        tags=["ai", "python"],
    )
    de = await build_course(
        rt,
        client,
        instructor=rao,
        title="Digital Electronics",
        category_id=ece["id"],
        language="te",
        price={"amount": 29900, "currency": "INR"},
        lessons=2,
    )
    await build_course(rt, client, instructor=rao, title="Unpublished", published=False)

    async def titles(**params: object) -> list[str]:
        resp = await client.get("/api/v1/courses", params=params)
        assert resp.status_code == 200, resp.text
        return [c["title"] for c in resp.json()["items"]]

    assert await titles() == ["Digital Electronics", "Machine Learning", "Data Structures"]
    assert await titles(sort="newest") == ["Digital Electronics", "Machine Learning", "Data Structures"]
    assert await titles(category=cs["slug"]) == ["Machine Learning", "Data Structures"]
    assert await titles(category=ece["id"]) == ["Digital Electronics"]
    assert await titles(level="advanced") == ["Machine Learning"]
    assert await titles(language="te") == ["Digital Electronics"]
    assert await titles(price="free") == ["Data Structures"]
    assert await titles(price="paid", sort="price") == ["Digital Electronics", "Machine Learning"]
    assert await titles(sort="price_desc") == ["Machine Learning", "Digital Electronics", "Data Structures"]
    assert await titles(min_price=10000, max_price=50000) == ["Digital Electronics"]
    assert await titles(instructor=devi.user.id) == ["Machine Learning"]
    assert await titles(q="learn") == ["Machine Learning"]
    assert await titles(q="100%_\"' OR 1=1") == []
    assert await titles(tag="ai") == ["Machine Learning"]
    assert await titles(sort="title") == ["Data Structures", "Digital Electronics", "Machine Learning"]

    resp = await client.get("/api/v1/courses", params={"page": 2, "page_size": 2, "sort": "title"})
    body = resp.json()
    assert body["total"] == 3 and body["page"] == 2 and body["page_size"] == 2
    assert [c["title"] for c in body["items"]] == ["Machine Learning"]
    card = next(c for c in (await client.get("/api/v1/courses")).json()["items"] if c["id"] == ml.id)
    assert card["instructors"] == [{"id": devi.user.id, "full_name": "Dr. Devi"}]
    assert card["price"] == {"amount": 99900, "currency": "INR"}
    assert card["rating"] == {"average": 0.0, "count": 0}
    assert card["lesson_count"] == 3 and card["duration_seconds"] == 1800
    assert card["category"]["slug"] == cs["slug"]
    assert card["tags"] == ["ai", "python"]
    assert card["enrollment_count"] == 0
    assert {dsa.id, de.id} <= {c["id"] for c in (await client.get("/api/v1/courses")).json()["items"]}

    for bad in (
        {"page_size": 0},
        {"page_size": 101},
        {"page": 0},
        {"sort": "cheapest"},
        {"level": "expert"},
        {"price": "cheap"},
        {"min_price": -1},
        {"page": "x"},
    ):
        resp = await client.get("/api/v1/courses", params=bad)
        assert resp.status_code == 422, bad

    # Instructors list their own courses in any status.
    resp = await client.get("/api/v1/courses", params={"mine": "true"}, headers=rao.headers)
    assert {c["title"] for c in resp.json()["items"]} == {"Data Structures", "Digital Electronics", "Unpublished"}
    resp = await client.get("/api/v1/courses", params={"mine": "true", "status": "draft"}, headers=rao.headers)
    assert [c["title"] for c in resp.json()["items"]] == ["Unpublished"]
    assert (await client.get("/api/v1/courses", params={"mine": "true"})).status_code == 401
    # Only admins may list other statuses without mine; others still see only published courses.
    resp = await client.get("/api/v1/courses", params={"status": "draft"}, headers=admin.headers)
    assert [c["title"] for c in resp.json()["items"]] == ["Unpublished"]
    resp = await client.get("/api/v1/courses", params={"status": "draft"}, headers=devi.headers)
    assert "Unpublished" not in [c["title"] for c in resp.json()["items"]]


async def test_the_title_sort_is_a_to_z_ignoring_case_accents_and_punctuation(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    """The same order on every backend (a database collation put "iOS" after "Zoology" on PostgreSQL and
    SQLite), in the public catalog, an instructor's own list with drafts, and search with or without words;
    a renamed course moves at once."""
    rao = await signed_in(rt, client, Role.INSTRUCTOR, full_name="Prof. Rao")
    titles = ["Zoology Basics", "iOS Development", "C++ Basics", "data Structures", "Éclairs and Pastry"]
    built = {t: await build_course(rt, client, instructor=rao, title=t) for t in titles}
    await build_course(rt, client, instructor=rao, title="c Programming", published=False)
    a_to_z = ["C++ Basics", "data Structures", "Éclairs and Pastry", "iOS Development", "Zoology Basics"]

    async def listed(path: str = "/api/v1/courses", **params: object) -> list[str]:
        resp = await client.get(path, params={"sort": "title"} | params, headers=rao.headers)
        assert resp.status_code == 200, resp.text
        return [c["title"] for c in resp.json()["items"]]

    assert await listed() == a_to_z
    assert await listed(page=2, page_size=2) == a_to_z[2:4]
    assert await listed(mine="true") == ["C++ Basics", "c Programming", *a_to_z[1:]]
    assert await listed("/api/v1/search/courses", q="") == a_to_z
    assert await listed("/api/v1/search/courses", q="lesson") == a_to_z  # every course's lesson titles

    resp = await client.patch(
        f"/api/v1/courses/{built['Zoology Basics'].id}", json={"title": "Anatomy"}, headers=rao.headers
    )
    assert resp.status_code == 200, resp.text
    assert (await listed())[:2] == ["Anatomy", "C++ Basics"]


async def test_cards_list_a_courses_instructors_in_their_order(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    rao = await signed_in(rt, client, Role.INSTRUCTOR, full_name="Prof. Rao")
    devi = await signed_in(rt, client, Role.INSTRUCTOR, full_name="Dr. Devi")
    kumar = await signed_in(rt, client, Role.INSTRUCTOR, full_name="Dr. Kumar")
    shared = await build_course(rt, client, instructor=rao, title="Signals and Systems")
    alone = await build_course(rt, client, instructor=devi, title="Control Systems")
    order = [kumar.user.id, rao.user.id, devi.user.id]
    resp = await client.patch(f"/api/v1/courses/{shared.id}", json={"instructor_ids": order}, headers=admin.headers)
    assert resp.status_code == 200, resp.text

    async def card_instructors() -> dict[str, list[str]]:
        items = (await client.get("/api/v1/courses", params={"sort": "title"})).json()["items"]
        return {c["id"]: [i["full_name"] for i in c["instructors"]] for c in items}

    assert await card_instructors() == {
        shared.id: ["Dr. Kumar", "Prof. Rao", "Dr. Devi"],
        alone.id: ["Dr. Devi"],
    }
    order.reverse()
    resp = await client.patch(f"/api/v1/courses/{shared.id}", json={"instructor_ids": order}, headers=admin.headers)
    assert resp.status_code == 200, resp.text
    assert (await card_instructors())[shared.id] == ["Dr. Devi", "Prof. Rao", "Dr. Kumar"]
    # The course page (its own statement) agrees with the card.
    page = (await client.get(f"/api/v1/courses/{shared.id}")).json()
    assert [i["full_name"] for i in page["instructors"]] == ["Dr. Devi", "Prof. Rao", "Dr. Kumar"]
    # So do search hits (the same column on their own statement).
    hits = (await client.get("/api/v1/search/courses", params={"q": "signals"})).json()["items"]
    assert [[i["full_name"] for i in h["instructors"]] for h in hits] == [["Dr. Devi", "Prof. Rao", "Dr. Kumar"]]
