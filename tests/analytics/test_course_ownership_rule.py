"""The app wires the courses domain's ownership rule into course analytics."""

from __future__ import annotations

import httpx

from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.factories import signed_in


async def test_instructor_sees_only_analytics_of_courses_they_teach(rt: Runtime, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    other = await signed_in(rt, client, Role.INSTRUCTOR)
    created = await client.post(
        "/api/v1/courses",
        headers=teacher.headers,
        json={"title": "Signals and Systems", "description": "Fourier, Laplace, Z."},
    )
    assert created.status_code == 201, created.text
    path = f"/api/v1/analytics/instructor/courses/{created.json()['id']}?from=2026-11-01&to=2026-11-20"
    assert (await client.get(path, headers=teacher.headers)).status_code == 200
    assert (await client.get(path, headers=other.headers)).status_code == 404
