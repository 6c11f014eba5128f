from __future__ import annotations

import httpx
from sqlalchemy import func, select

from lms.core.runtime import Runtime
from lms.courses.models import Course, Lesson, Section
from lms.users.models import Role
from tests.courses.helpers import add_lesson, add_section, build_course, create_course, events, publish
from tests.factories import signed_in


async def test_create_course_renders_markdown_safely_and_makes_a_unique_slug(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR, full_name="Prof. Ravi")
    body = {
        "title": "Data Structures <script>alert(1)</script>",
        "description": "# Intro\n\n<script>alert('x')</script> **bold** [bad](javascript:alert(1))",
        "price": {"amount": 49900, "currency": "INR"},
        "tags": ["dsa", "dsa", "trees"],
        "capacity": 30,
    }
    first = await client.post("/api/v1/courses", json=body, headers=teacher.headers)
    assert first.status_code == 201, first.text
    course = first.json()
    assert course["title"] == body["title"]  # plain text is stored as given; clients escape it
    assert course["slug"] == "data-structures-script-alert-1-script"
    assert course["status"] == "draft"
    assert "<script>" not in course["description_html"]
    assert "<strong>bold</strong>" in course["description_html"]
    assert 'href="javascript' not in course["description_html"]
    assert course["price"] == {"amount": 49900, "currency": "INR"}
    assert course["is_free"] is False
    assert course["tags"] == ["dsa", "trees"]
    assert course["seats_left"] == 30
    assert [i["full_name"] for i in course["instructors"]] == ["Prof. Ravi"]
    assert course["viewer"]["can_edit"] is True

    second = await client.post("/api/v1/courses", json=body, headers=teacher.headers)
    assert second.json()["slug"] == "data-structures-script-alert-1-script-2"

    free = await create_course(client, teacher, title="తెలుగు సాహిత్యం", price=None)
    assert free["slug"] == "course"
    assert free["price"] is None and free["is_free"] is True


async def test_course_creation_rejects_bad_input(rt: Runtime, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    cases = [
        {"title": "X", "price": {"amount": -1, "currency": "INR"}},
        {"title": "X", "price": {"amount": 10**12, "currency": "INR"}},
        {"title": "X", "price": {"amount": 100, "currency": "EUR"}},
        {"title": "X", "description": "a" * 100_001},
        {"title": "X", "unknown_field": 1},
        {"title": ""},
        {"title": "X", "capacity": 0},
        {"title": "X", "thumbnail_url": "javascript:alert(1)"},
        {"title": "X", "enrollment_opens_at": "2026-01-02T00:00:00Z", "enrollment_closes_at": "2026-01-01T00:00:00Z"},
        {"title": "X", "enrollment_opens_at": "2026-01-02T00:00:00"},
    ]
    for body in cases:
        resp = await client.post("/api/v1/courses", json=body, headers=teacher.headers)
        assert resp.status_code == 422, (body, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
    for body in (
        {"title": "X", "category_id": "nope"},
        {"title": "X", "prerequisite_ids": ["nope"]},
        {"title": "X", "instructor_ids": ["nope"]},
    ):
        resp = await client.post("/api/v1/courses", json=body, headers=teacher.headers)
        assert resp.status_code == 400, (body, resp.text)
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Course)) == 0


async def test_only_instructors_and_admins_create_courses(rt: Runtime, client: httpx.AsyncClient) -> None:
    student = await signed_in(rt, client)
    resp = await client.post("/api/v1/courses", json={"title": "X"}, headers=student.headers)
    assert resp.status_code == 403
    resp = await client.post("/api/v1/courses", json={"title": "X"})
    assert resp.status_code == 401
    admin = await signed_in(rt, client, Role.ADMIN)
    teacher = await signed_in(rt, client, Role.INSTRUCTOR, full_name="Dr. Anitha")
    resp = await client.post(
        "/api/v1/courses", json={"title": "DBMS", "instructor_ids": [teacher.user.id]}, headers=admin.headers
    )
    assert resp.status_code == 201
    assert [i["id"] for i in resp.json()["instructors"]] == [teacher.user.id]
    resp = await client.post(
        "/api/v1/courses", json={"title": "DBMS", "instructor_ids": [student.user.id]}, headers=admin.headers
    )
    assert resp.status_code == 400


async def test_instructors_edit_only_their_own_courses(rt: Runtime, client: httpx.AsyncClient) -> None:
    owner = await signed_in(rt, client, Role.INSTRUCTOR)
    other = await signed_in(rt, client, Role.INSTRUCTOR)
    admin = await signed_in(rt, client, Role.ADMIN)
    course = await create_course(client, owner, title="Digital Electronics")
    cid = course["id"]

    assert (
        await client.patch(f"/api/v1/courses/{cid}", json={"title": "Hacked"}, headers=other.headers)
    ).status_code == 404
    assert (await client.get(f"/api/v1/courses/{cid}", headers=other.headers)).status_code == 404
    assert (
        await client.post(f"/api/v1/courses/{cid}/sections", json={"title": "S"}, headers=other.headers)
    ).status_code == 404
    assert (await client.delete(f"/api/v1/courses/{cid}", headers=other.headers)).status_code == 404
    assert (await client.post(f"/api/v1/courses/{cid}/publish", headers=other.headers)).status_code == 404

    resp = await client.patch(
        f"/api/v1/courses/{cid}",
        json={"subtitle": "Gates and flip-flops", "price": {"amount": 9900}, "capacity": None},
        headers=owner.headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["subtitle"] == "Gates and flip-flops"
    assert resp.json()["price"] == {"amount": 9900, "currency": "INR"}
    assert resp.json()["title"] == "Digital Electronics"
    resp = await client.patch(f"/api/v1/courses/{cid}", json={"price": None}, headers=admin.headers)
    assert resp.status_code == 200
    assert resp.json()["price"] is None
    resp = await client.patch(f"/api/v1/courses/{cid}", json={"status": "published"}, headers=owner.headers)
    assert resp.status_code == 422
    resp = await client.patch(f"/api/v1/courses/{cid}", json={"prerequisite_ids": [cid]}, headers=owner.headers)
    assert resp.status_code == 400


async def test_publishing_needs_a_lesson_and_controls_visibility(rt: Runtime, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    student = await signed_in(rt, client)
    course = await create_course(client, teacher, title="Machine Learning")
    cid = course["id"]
    resp = await client.post(f"/api/v1/courses/{cid}/publish", headers=teacher.headers)
    assert resp.status_code == 409
    assert resp.json()["code"] == "course_not_publishable"

    # Drafts are invisible to students and anonymous visitors, by id and by slug.
    for headers in ({}, student.headers):
        assert (await client.get(f"/api/v1/courses/{cid}", headers=headers)).status_code == 404
        assert (await client.get(f"/api/v1/courses/{course['slug']}", headers=headers)).status_code == 404
    assert (await client.get("/api/v1/courses")).json()["total"] == 0

    section = await add_section(client, teacher, cid)
    await add_lesson(client, teacher, section)
    published = await publish(client, teacher, cid)
    assert published["status"] == "published"
    assert published["published_at"] is not None
    changes = [e["change"] for e in await events(rt, "course.changed") if e["course_id"] == cid]
    assert changes == ["created", "content", "content", "published"]
    resp = await client.get(f"/api/v1/courses/{course['slug']}")
    assert resp.status_code == 200
    assert resp.json()["viewer"] is None
    resp = await client.get(f"/api/v1/courses/{cid}", headers=student.headers)
    assert resp.json()["viewer"] == {
        "enrolled": False,
        "enrollment_id": None,
        "progress_percent": None,
        "completed_at": None,
        "last_lesson_id": None,
        "can_edit": False,
    }

    resp = await client.post(f"/api/v1/courses/{cid}/archive", headers=teacher.headers)
    assert resp.status_code == 200
    assert resp.json()["status"] == "archived"
    assert (await client.get(f"/api/v1/courses/{cid}")).status_code == 404
    assert (await client.get("/api/v1/courses")).json()["total"] == 0
    # Deleting a course that was published archives it; a never-published one disappears.
    assert (await client.delete(f"/api/v1/courses/{cid}", headers=teacher.headers)).status_code == 204
    async with rt.sessionmaker() as session:
        assert (await session.get(Course, cid)) is not None
    draft = await create_course(client, teacher, title="Scratch")
    assert (await client.delete(f"/api/v1/courses/{draft['id']}", headers=teacher.headers)).status_code == 204
    async with rt.sessionmaker() as session:
        assert (await session.get(Course, draft["id"])) is None


async def test_syllabus_order_counters_and_reordering(rt: Runtime, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    other = await signed_in(rt, client, Role.INSTRUCTOR)
    course = await create_course(client, teacher)
    cid = course["id"]
    s1 = await add_section(client, teacher, cid, "Arrays")
    s2 = await add_section(client, teacher, cid, "Trees")
    a = await add_lesson(client, teacher, s1, title="A", duration_seconds=100)
    b = await add_lesson(client, teacher, s1, title="B", kind="video", video_url="https://videos.example/b.mp4")
    c = await add_lesson(client, teacher, s1, title="C", duration_seconds=50, is_required=False)
    assert [a["position"], b["position"], c["position"]] == [0, 1, 2]
    assert c["is_required"] is False and a["is_required"] is True

    resp = await client.put(
        f"/api/v1/courses/{cid}/sections/order", json={"section_ids": [s2, s1]}, headers=teacher.headers
    )
    assert resp.status_code == 204
    resp = await client.put(
        f"/api/v1/sections/{s1}/lessons/order",
        json={"lesson_ids": [c["id"], a["id"], b["id"]]},
        headers=teacher.headers,
    )
    assert resp.status_code == 204
    detail = (await client.get(f"/api/v1/courses/{cid}", headers=teacher.headers)).json()
    assert [s["title"] for s in detail["sections"]] == ["Trees", "Arrays"]
    assert [x["title"] for x in detail["sections"][1]["lessons"]] == ["C", "A", "B"]
    assert detail["lesson_count"] == 3
    assert detail["duration_seconds"] == 100 + 600 + 50

    for bad in ([s1], [s1, s1], [s1, s2, "x"], []):
        resp = await client.put(
            f"/api/v1/courses/{cid}/sections/order", json={"section_ids": bad}, headers=teacher.headers
        )
        assert resp.status_code == 422, bad
        assert resp.json()["code"] == "invalid_order"
    resp = await client.put(
        f"/api/v1/sections/{s1}/lessons/order", json={"lesson_ids": [a["id"]]}, headers=teacher.headers
    )
    assert resp.status_code == 422
    resp = await client.put(
        f"/api/v1/sections/{s1}/lessons/order", json={"lesson_ids": [c["id"], a["id"], b["id"]]}, headers=other.headers
    )
    assert resp.status_code == 404

    assert (await client.delete(f"/api/v1/lessons/{c['id']}", headers=teacher.headers)).status_code == 204
    async with rt.sessionmaker() as session:
        positions = list(
            await session.scalars(select(Lesson.position).where(Lesson.section_id == s1).order_by(Lesson.position))
        )
        assert positions == [0, 1]
        course_row = await session.get(Course, cid)
        assert course_row is not None and course_row.lesson_count == 2 and course_row.duration_seconds == 700
    resp = await client.patch(f"/api/v1/lessons/{a['id']}", json={"duration_seconds": 1000}, headers=teacher.headers)
    assert resp.status_code == 200
    assert (await client.delete(f"/api/v1/sections/{s2}", headers=teacher.headers)).status_code == 204
    async with rt.sessionmaker() as session:
        assert list(await session.scalars(select(Section.position).where(Section.course_id == cid))) == [0]
        course_row = await session.get(Course, cid)
        assert course_row is not None and course_row.duration_seconds == 1600


async def test_lesson_visibility_previews_and_safe_content(rt: Runtime, client: httpx.AsyncClient) -> None:
    fx = await build_course(rt, client, lessons=2)
    preview, locked = fx.lesson_ids
    student = await signed_in(rt, client)
    resp = await client.get(f"/api/v1/lessons/{preview}")
    assert resp.status_code == 200
    assert resp.json()["content_html"] == "<p>Read <em>this</em>.</p>\n"
    assert (await client.get(f"/api/v1/lessons/{locked}")).status_code == 404
    assert (await client.get(f"/api/v1/lessons/{locked}", headers=student.headers)).status_code == 404
    assert (await client.get(f"/api/v1/lessons/{locked}", headers=fx.instructor.headers)).status_code == 200
    assert (await client.get("/api/v1/lessons/does-not-exist")).status_code == 404
    assert (await client.get("/api/v1/lessons/" + "x" * 300)).status_code == 404

    resp = await client.patch(
        f"/api/v1/lessons/{preview}",
        json={"content": "<img src=x onerror=alert(1)> <b>hi</b>", "video_url": "javascript:alert(1)"},
        headers=fx.instructor.headers,
    )
    assert resp.status_code == 422
    resp = await client.patch(
        f"/api/v1/lessons/{preview}",
        json={"content": "<img src=x onerror=alert(1)> <b>hi</b>"},
        headers=fx.instructor.headers,
    )
    assert resp.status_code == 200
    assert "<img" not in resp.json()["content_html"] and "<b>" not in resp.json()["content_html"]
    resp = await client.post(
        f"/api/v1/sections/{fx.section_ids[0]}/lessons",
        json={"title": "Q", "kind": "podcast"},
        headers=fx.instructor.headers,
    )
    assert resp.status_code == 422
    resp = await client.post(
        f"/api/v1/sections/{fx.section_ids[0]}/lessons",
        json={"title": "Q", "kind": "text", "content": "x" * 100_001},
        headers=fx.instructor.headers,
    )
    assert resp.status_code == 422
    resp = await client.post(
        f"/api/v1/sections/{fx.section_ids[0]}/lessons", json={"title": "Q", "kind": "text"}, headers=student.headers
    )
    assert resp.status_code == 403


async def test_categories_are_managed_by_admins(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    resp = await client.post("/api/v1/categories", json={"name": "Computer Science"}, headers=teacher.headers)
    assert resp.status_code == 403
    resp = await client.post("/api/v1/categories", json={"name": "Computer Science"}, headers=admin.headers)
    assert resp.status_code == 201
    cat = resp.json()
    assert cat["slug"] == "computer-science"
    resp = await client.post("/api/v1/categories", json={"name": "computer science"}, headers=admin.headers)
    assert resp.status_code == 409
    resp = await client.post("/api/v1/categories", json={"name": "Maths", "extra": 1}, headers=admin.headers)
    assert resp.status_code == 422
    resp = await client.patch(f"/api/v1/categories/{cat['id']}", json={"name": "CSE"}, headers=admin.headers)
    assert resp.json()["name"] == "CSE"
    assert (await client.patch("/api/v1/categories/nope", json={"name": "x"}, headers=admin.headers)).status_code == 404
    course = await create_course(client, teacher, category_id=cat["id"])
    assert course["category"] == {"id": cat["id"], "name": "CSE", "slug": "computer-science"}
    listed = await client.get("/api/v1/categories")
    assert [c["name"] for c in listed.json()] == ["CSE"]
    assert (await client.delete(f"/api/v1/categories/{cat['id']}", headers=admin.headers)).status_code == 204
    detail = await client.get(f"/api/v1/courses/{course['id']}", headers=teacher.headers)
    assert detail.json()["category"] is None


async def test_category_names_that_differ_only_beyond_ascii_case_conflict(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    """Found by schemathesis: SQLite's lower() ignores non-ASCII letters, so "Ó" slipped past the check
    and hit the unique index (a 500)."""
    admin = await signed_in(rt, client, Role.ADMIN)
    first = await client.post("/api/v1/categories", json={"name": "Ó"}, headers=admin.headers)
    assert first.status_code == 201, first.text
    for name in ("Ó", "ó"):
        again = await client.post("/api/v1/categories", json={"name": name, "slug": "other"}, headers=admin.headers)
        assert again.status_code == 409 and again.json()["code"] == "conflict", (name, again.text)
    listed = (await client.get("/api/v1/categories")).json()
    assert [c["name"] for c in (listed["items"] if isinstance(listed, dict) else listed)].count("Ó") == 1
