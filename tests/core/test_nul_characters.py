"""The NUL character (U+0000) in an API request is a 422 on every backend and changes nothing.

PostgreSQL cannot store it in text: before the guard, a course titled "a\\u0000b", a catalog filter
``?category=a%00b`` or a course slug with %00 were 500s there (found by fuzzing the API on PostgreSQL).
"""

from __future__ import annotations

import json

import httpx
from sqlalchemy import func, select
from starlette.types import Message, Receive, Scope, Send

from lms.core.middleware import NulCharacterGuard
from lms.core.runtime import Runtime
from lms.courses.models import Course
from lms.users.models import Role
from tests.factories import signed_in


async def _course_count(rt: Runtime) -> int:
    async with rt.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Course)) or 0)


def _assert_refused(resp: httpx.Response, where: str) -> None:
    assert resp.status_code == 422, resp.text
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["code"] == "validation_error"
    assert body["errors"] == [{"field": where, "message": "The NUL character (U+0000) is not allowed."}]


async def test_nul_in_a_json_body_is_refused_and_creates_nothing(rt: Runtime, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    before = await _course_count(rt)
    for course in ({"title": "Nul\x00title", "description": "x"}, {"title": "Fine", "description": "x\x00y"}):
        resp = await client.post("/api/v1/courses", json=course, headers=teacher.headers)
        _assert_refused(resp, "body")
    # Escaped after a literal backslash ("\\\u0000": a backslash, then NUL) is still a NUL.
    raw = b'{"title": "Back\\\\\\u0000slash", "description": "x"}'
    assert json.loads(raw)["title"] == "Back\\\x00slash"
    resp = await client.post(
        "/api/v1/courses", content=raw, headers={**teacher.headers, "content-type": "application/json"}
    )
    _assert_refused(resp, "body")
    assert await _course_count(rt) == before


async def test_the_text_backslash_u0000_is_not_a_nul(rt: Runtime, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    title = "Escapes: \\u0000 in C strings"
    resp = await client.post("/api/v1/courses", json={"title": title, "description": "x"}, headers=teacher.headers)
    assert resp.status_code == 201, resp.text
    assert resp.json()["title"] == title
    assert (await client.get(f"/api/v1/courses/{resp.json()['id']}", headers=teacher.headers)).json()["title"] == title


async def test_nul_in_the_path_or_query_is_refused(rt: Runtime, client: httpx.AsyncClient) -> None:
    _assert_refused(await client.get("/api/v1/courses", params={"category": "a\x00b"}), "query")
    _assert_refused(await client.get("/api/v1/courses", params={"instructor": "a\x00b"}), "query")
    _assert_refused(await client.get("/api/v1/search/courses", params={"q": "data\x00"}), "query")
    _assert_refused(await client.get("/api/v1/courses/ab%00c"), "path")
    # Other requests are untouched: a JSON body without NUL, a query without it.
    assert (await client.get("/api/v1/courses", params={"category": "a-b"})).status_code == 200


async def test_a_client_gone_while_the_body_is_read_is_told_to_the_app() -> None:
    # The guard reads a JSON body before the app does; a disconnect in the middle reaches the app as such.
    seen: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(await receive())

    incoming: list[Message] = [
        {"type": "http.request", "body": b'{"title": "half', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        raise AssertionError(f"nothing is sent to a client that left: {message}")

    json_type = [(b"content-type", b"application/json")]
    scope = {"type": "http", "path": "/api/v1/courses", "query_string": b"", "headers": json_type}
    await NulCharacterGuard(app)(scope, receive, send)
    assert seen == [{"type": "http.disconnect"}]
