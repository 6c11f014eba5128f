"""HTTP face of media: upload to a course, list and delete (editors), and the content behind a link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import FileResponse, Response

from lms.auth.dependencies import InstructorUser
from lms.core.deps import RuntimeDep, SessionDep
from lms.core.runtime import Runtime
from lms.media import links, service
from lms.media.models import MediaFile
from lms.media.schemas import MediaList, MediaRead

router = APIRouter(tags=["media"])


def _read(rt: Runtime, row: MediaFile) -> MediaRead:
    path = links.content_path(row.id)
    url = path if row.is_public else links.signed_url(rt.email_secret, row.id, rt.settings.media_link_ttl_seconds)
    return MediaRead(
        id=row.id,
        course_id=row.course_id,
        filename=row.filename,
        content_type=row.content_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        is_public=row.is_public,
        created_at=row.created_at,
        path=path,
        url=url,
    )


@router.post("/courses/{course_id}/media", response_model=MediaRead, status_code=status.HTTP_201_CREATED)
async def upload_media(
    course_id: str,
    file: Annotated[UploadFile, File(description="Video, audio, image, PDF, office document, zip or text")],
    session: SessionDep,
    rt: RuntimeDep,
    user: InstructorUser,
    public: Annotated[bool, Form(description="Anyone may see it (course thumbnails; images only)")] = False,
) -> MediaRead:
    """Upload a file for a course you edit. Its type is checked from its content (415 otherwise)."""
    row = await service.upload(
        session, rt.settings, course_id=course_id, actor=user, source=file.file, filename=file.filename, public=public
    )
    return _read(rt, row)


@router.get("/courses/{course_id}/media", response_model=MediaList)
async def list_media(course_id: str, session: SessionDep, rt: RuntimeDep, user: InstructorUser) -> MediaList:
    """The course's uploaded files, newest first (its editors only)."""
    return MediaList(
        items=[_read(rt, r) for r in await service.list_for_course(session, course_id=course_id, actor=user)]
    )


@router.delete("/media/{media_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_media(media_id: str, session: SessionDep, rt: RuntimeDep, user: InstructorUser) -> Response:
    await service.delete(session, rt.settings, media_id=media_id, actor=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/media/{media_id}/content", response_class=FileResponse)
async def media_content(
    media_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    exp: Annotated[int | None, Query(description="Expiry of a signed link (Unix time)")] = None,
    sig: Annotated[str | None, Query(max_length=64, description="Signature of a signed link")] = None,
) -> FileResponse:
    """The file's bytes (Range requests supported, so videos seek). Private files need a signed link,
    which lessons carry for whoever may see them."""
    found = await service.open_download(
        session, rt.settings, secret=rt.email_secret, media_id=media_id, expires=exp, sig=sig
    )
    return FileResponse(
        found.path,
        media_type=found.content_type,
        filename=found.filename,
        content_disposition_type="inline" if found.inline else "attachment",
        headers={
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
