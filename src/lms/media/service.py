"""Media rules: who may upload what, how it is stored, and who may read it back.

Uploads are streamed to disk in chunks (hashing and counting as they go) and checked by their content,
not by the name or type the browser claims: only known-safe formats are kept (video, audio, images,
PDF, office documents, zip, plain text), so nobody can host HTML or SVG with script on the LMS's origin.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.config import Settings
from lms.core.errors import NotFound, PayloadTooLarge, UnsupportedMedia
from lms.core.ids import new_id
from lms.courses import service as courses_service
from lms.media import links
from lms.media.models import MediaFile
from lms.users.models import User

CHUNK = 1024 * 1024

# What may be uploaded, by sniffed MIME type: shown inline in the browser, or offered as a download.
INLINE_TYPES = {
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "audio/x-wav",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
}
DOWNLOAD_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/zip",
    "text/plain",
    "text/csv",
}
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
TEXT_EXTENSIONS = {".txt": "text/plain", ".md": "text/plain", ".csv": "text/csv", ".py": "text/plain"}


@dataclass(frozen=True)
class Download:
    path: Path
    filename: str
    content_type: str
    inline: bool


def safe_filename(name: str | None) -> str:
    """A display name that is safe in a Content-Disposition header and on any disk."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[\x00-\x1f\x7f\"<>:|?*/]", "", base).strip(" .")
    return base[:200] or "file"


def sniff(head: bytes, filename: str) -> str | None:
    """The content's real type if it is one we accept, else None."""
    kind = filetype.guess(head)
    if kind is not None:
        mime = str(kind.mime)
        if mime == "audio/x-m4a":
            mime = "audio/mp4"
        return mime if mime in INLINE_TYPES or mime in DOWNLOAD_TYPES else None
    ext = os.path.splitext(filename)[1].lower()
    if ext in TEXT_EXTENSIONS:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sniffed chunk is still text.
            if exc.start < len(head) - 4:
                return None
        lowered = head[:1024].lower()
        if b"<script" in lowered or b"<html" in lowered:
            return None
        return TEXT_EXTENSIONS[ext]
    return None


def _path(settings: Settings, course_id: str, media_id: str) -> Path:
    return settings.media_dir / course_id / media_id


def _copy_to_disk(source: BinaryIO, target: Path, max_bytes: int) -> tuple[int, str, bytes]:
    """Copy the upload to ``target`` (blocking; run in a thread). Returns (size, sha256, first bytes)."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    target.parent.mkdir(parents=True, exist_ok=True)
    source.seek(0)
    with open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            if not head:
                head = chunk[:8192]
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"Files may be at most {max_bytes // (1024 * 1024)} MB.")
            digest.update(chunk)
            out.write(chunk)
    return size, digest.hexdigest(), head


async def upload(
    session: AsyncSession,
    settings: Settings,
    *,
    course_id: str,
    actor: User,
    source: BinaryIO,
    filename: str | None,
    public: bool,
) -> MediaFile:
    """Store one file for a course the actor edits. Public files must be images (course thumbnails)."""
    course = await courses_service.get_editable_course(session, course_id, actor)
    name = safe_filename(filename)
    media_id = new_id()
    target = _path(settings, course.id, media_id)
    partial = target.with_name(f"{media_id}.part")
    try:
        size, sha256, head = await asyncio.to_thread(_copy_to_disk, source, partial, settings.media_max_bytes)
        if size == 0:
            raise UnsupportedMedia("The file is empty.")
        content_type = sniff(head, name)
        if content_type is None:
            raise UnsupportedMedia(
                "This kind of file cannot be uploaded. Use video (MP4, WebM), audio, images, PDF, "
                "office documents, zip or plain text."
            )
        if public and content_type not in IMAGE_TYPES:
            raise UnsupportedMedia("Only images can be public (course thumbnails).")
        row = MediaFile(
            id=media_id,
            course_id=course.id,
            uploaded_by=actor.id,
            filename=name,
            content_type=content_type,
            size_bytes=size,
            sha256=sha256,
            is_public=public,
        )
        session.add(row)
        await session.flush()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return row


async def list_for_course(session: AsyncSession, *, course_id: str, actor: User) -> list[MediaFile]:
    await courses_service.get_editable_course(session, course_id, actor)
    return list(
        await session.scalars(
            select(MediaFile).where(MediaFile.course_id == course_id).order_by(MediaFile.created_at.desc())
        )
    )


async def delete(session: AsyncSession, settings: Settings, *, media_id: str, actor: User) -> None:
    row = await session.get(MediaFile, media_id)
    if row is None:
        raise NotFound("No such file.")
    await courses_service.get_editable_course(session, row.course_id, actor)
    path = _path(settings, row.course_id, row.id)
    await session.delete(row)
    await session.flush()
    path.unlink(missing_ok=True)


async def open_download(
    session: AsyncSession, settings: Settings, *, secret: str, media_id: str, expires: int | None, sig: str | None
) -> Download:
    """The file behind a signed link (or a public file). Anything else looks like a missing file."""
    row = await session.get(MediaFile, media_id)
    if row is None:
        raise NotFound("No such file.")
    signed = expires is not None and sig is not None and links.verify(secret, media_id, expires, sig)
    if not row.is_public and not signed:
        raise NotFound("This link is not valid or has expired; open the lesson again for a fresh one.")
    path = _path(settings, row.course_id, row.id)
    if not path.is_file():
        raise NotFound("No such file.")
    return Download(path, row.filename, row.content_type, row.content_type in INLINE_TYPES)
