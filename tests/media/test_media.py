"""Course media: uploads checked by content, stored on disk, served only through signed links."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import httpx
from sqlalchemy import func, select

from lms.core.runtime import Runtime
from lms.courses.models import Lesson
from lms.media import links
from lms.media.models import MediaFile
from lms.users.models import Role
from tests.courses.helpers import add_lesson, add_section, create_course, publish
from tests.factories import Account, signed_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n" + b"x" * 5000 + b"\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 40
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


async def upload(
    client: httpx.AsyncClient, who: Account, course_id: str, name: str, data: bytes, **form: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/courses/{course_id}/media",
        files={"file": (name, data, "application/octet-stream")},
        data={k: str(v).lower() for k, v in form.items()},
        headers=who.headers,
    )


async def media_rows(rt: Runtime) -> int:
    async with rt.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(MediaFile)) or 0)


def stored_files(rt: Runtime) -> list[str]:
    root = rt.settings.media_dir
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def test_lesson_attachment_is_served_to_enrolled_students_by_signed_link(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    course = await create_course(client, teacher)
    section = await add_section(client, teacher, course["id"])

    resp = await upload(client, teacher, course["id"], "../Week 1 notes.pdf", PDF)
    assert resp.status_code == 201, resp.text
    media = resp.json()
    assert media["content_type"] == "application/pdf" and media["filename"] == "Week 1 notes.pdf"
    assert media["size_bytes"] == len(PDF) and media["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert media["path"] == f"/api/v1/media/{media['id']}/content" and "sig=" in media["url"]
    assert (rt.settings.media_dir / course["id"] / media["id"]).read_bytes() == PDF

    lesson = await add_lesson(client, teacher, section, title="Notes", kind="file", file_url=media["path"])
    await add_lesson(client, teacher, section, title="Intro", is_preview=True)
    await publish(client, teacher, course["id"])

    # Not enrolled: the lesson (and so its link) stays hidden, and the bare path serves nothing.
    outsider = await signed_in(rt, client)
    assert (await client.get(f"/api/v1/lessons/{lesson['id']}", headers=outsider.headers)).status_code in (403, 404)
    bare = await client.get(media["path"])
    assert bare.status_code == 404 and bare.json()["code"] == "not_found"

    student = await signed_in(rt, client)
    resp = await client.post("/api/v1/enrollments", json={"course_id": course["id"]}, headers=student.headers)
    assert resp.status_code == 201
    shown = (await client.get(f"/api/v1/lessons/{lesson['id']}", headers=student.headers)).json()
    assert shown["file_url"].startswith(media["path"] + "?exp=")
    got = await client.get(shown["file_url"])  # no bearer token: the link carries its own proof
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("inline")
    assert got.headers["x-content-type-options"] == "nosniff"

    # An editor saving the lesson as shown (signed link included) stores the bare path again.
    resp = await client.patch(
        f"/api/v1/lessons/{lesson['id']}", json={"file_url": media["url"], "title": "Notes"}, headers=teacher.headers
    )
    assert resp.status_code == 200 and resp.json()["file_url"].startswith(media["path"] + "?exp=")
    async with rt.sessionmaker() as session:
        stored = await session.scalar(select(Lesson.file_url).where(Lesson.id == lesson["id"]))
    assert stored == media["path"]

    tampered = shown["file_url"][:-1] + ("0" if shown["file_url"][-1] != "0" else "1")
    assert (await client.get(tampered)).status_code == 404
    expired = links.signed_url(rt.email_secret, media["id"], 60, now=time.time() - 3600)
    assert (await client.get(expired)).status_code == 404
    other = links.signed_url(rt.email_secret, "someone-elses-file", 60).replace("someone-elses-file", media["id"])
    assert (await client.get(other)).status_code == 404


async def test_video_supports_range_requests_and_thumbnails_can_be_public(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    course = await create_course(client, teacher)
    video = (await upload(client, teacher, course["id"], "lecture.mp4", MP4)).json()
    assert video["content_type"] == "video/mp4"
    part = await client.get(video["url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == MP4[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(MP4)}"

    thumb = await upload(client, teacher, course["id"], "cover.png", PNG, public=True)
    assert thumb.status_code == 201 and thumb.json()["url"] == thumb.json()["path"]
    assert (await client.get(thumb.json()["path"])).content == PNG  # anyone, no signature

    listed = (await client.get(f"/api/v1/courses/{course['id']}/media", headers=teacher.headers)).json()["items"]
    assert {m["id"] for m in listed} == {video["id"], thumb.json()["id"]}


async def test_bad_uploads_are_refused_and_leave_nothing_behind(rt: Runtime, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    course = await create_course(client, teacher)
    cases = [
        ("page.html", b"<!doctype html><html><script>alert(1)</script></html>", {}),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', {}),
        ("notes.pdf", b"<script>alert(1)</script>", {}),  # the name lies; the content decides
        ("tricky.txt", b"<html><script>alert(1)</script></html>", {}),
        ("empty.pdf", b"", {}),
        ("notes.pdf", PDF, {"public": True}),  # only images may be public
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 100, {}),
    ]
    for name, data, form in cases:
        resp = await upload(client, teacher, course["id"], name, data, **form)
        assert resp.status_code == 415, (name, resp.text)
        assert resp.json()["code"] == "unsupported_media"

    rt.settings.media_max_bytes = 4096
    resp = await upload(client, teacher, course["id"], "big.pdf", PDF)
    assert resp.status_code == 413 and resp.json()["code"] == "body_too_large"

    other_teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    assert (await upload(client, other_teacher, course["id"], "a.pdf", PDF[:3000])).status_code == 404
    student = await signed_in(rt, client)
    assert (await upload(client, student, course["id"], "a.pdf", PDF[:3000])).status_code == 403
    assert (await client.post(f"/api/v1/courses/{course['id']}/media")).status_code == 401
    resp = await client.post(f"/api/v1/courses/{course['id']}/media", headers=teacher.headers)
    assert resp.status_code == 422  # no file part

    assert await media_rows(rt) == 0 and stored_files(rt) == []


async def test_only_editors_delete_media_and_the_file_goes_with_it(rt: Runtime, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    course = await create_course(client, teacher)
    media = (await upload(client, teacher, course["id"], "notes.txt", "Namaste — notes\n".encode())).json()
    assert media["content_type"] == "text/plain"
    got = await client.get(media["url"])
    assert got.status_code == 200 and got.headers["content-disposition"].startswith("attachment")

    other_teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    assert (await client.delete(f"/api/v1/media/{media['id']}", headers=other_teacher.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/media/{media['id']}", headers=teacher.headers)).status_code == 204
    assert (await client.get(media["url"])).status_code == 404
    assert await media_rows(rt) == 0 and stored_files(rt) == []


async def test_a_non_ascii_signature_is_just_an_invalid_link(rt: Runtime, client: httpx.AsyncClient) -> None:
    teacher = await signed_in(rt, client, Role.INSTRUCTOR)
    course = await create_course(client, teacher)
    media = (await upload(client, teacher, course["id"], "notes.pdf", PDF)).json()
    resp = await client.get(f"{media['path']}?exp=9999999999&sig=%C3%BC%C3%BC")
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
