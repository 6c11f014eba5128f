"""Course test data built through the API (so every rule the API enforces holds for the data too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from lms.core.events import OutboxEvent
from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.factories import Account, signed_in


@dataclass
class CourseFixture:
    instructor: Account
    course: dict[str, Any]
    section_ids: list[str] = field(default_factory=list)
    lesson_ids: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.course["id"])


async def create_course(client: httpx.AsyncClient, instructor: Account, **fields: Any) -> dict[str, Any]:
    body = {"title": "Data Structures", "description": "Arrays, lists and trees."} | fields
    resp = await client.post("/api/v1/courses", json=body, headers=instructor.headers)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def add_section(client: httpx.AsyncClient, instructor: Account, course_id: str, title: str = "Unit 1") -> str:
    resp = await client.post(f"/api/v1/courses/{course_id}/sections", json={"title": title}, headers=instructor.headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def add_lesson(client: httpx.AsyncClient, instructor: Account, section_id: str, **fields: Any) -> dict[str, Any]:
    body = {"title": "Lesson", "kind": "text", "content": "Read *this*.", "duration_seconds": 600} | fields
    resp = await client.post(f"/api/v1/sections/{section_id}/lessons", json=body, headers=instructor.headers)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def publish(client: httpx.AsyncClient, instructor: Account, course_id: str) -> dict[str, Any]:
    resp = await client.post(f"/api/v1/courses/{course_id}/publish", headers=instructor.headers)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def build_course(
    rt: Runtime,
    client: httpx.AsyncClient,
    *,
    instructor: Account | None = None,
    lessons: int = 2,
    preview_first: bool = True,
    published: bool = True,
    **fields: Any,
) -> CourseFixture:
    """A course with one section of ``lessons`` text lessons (the first a preview), published by default."""
    instructor = instructor or await signed_in(rt, client, Role.INSTRUCTOR, full_name="Prof. Rao")
    course = await create_course(client, instructor, **fields)
    fixture = CourseFixture(instructor, course)
    if lessons:
        section_id = await add_section(client, instructor, course["id"])
        fixture.section_ids.append(section_id)
        for n in range(lessons):
            lesson = await add_lesson(
                client, instructor, section_id, title=f"Lesson {n + 1}", is_preview=preview_first and n == 0
            )
            fixture.lesson_ids.append(lesson["id"])
    if published:
        fixture.course = await publish(client, instructor, course["id"])
    return fixture


async def events(rt: Runtime, type_: str) -> list[dict[str, Any]]:
    """Data of the outbox events of one type, oldest first."""
    async with rt.sessionmaker() as session:
        rows = await session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))
        return [dict(r.data) for r in rows]
