"""HTTP face of certificates: mine, PDF, public verification, the public key, VC export, revocation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from lms.auth.dependencies import AdminUser, CurrentUser
from lms.certificates import service
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.schemas import (
    AdminCertificateRead,
    CertificateCourse,
    CertificateRead,
    CertificateStudent,
    PublicKeyRead,
    RevokeIn,
    VerificationRead,
)
from lms.config import Settings
from lms.core.deps import RuntimeDep, SessionDep
from lms.core.pagination import Page, PageParams, page_params

router = APIRouter(tags=["certificates"])


def _read(settings: Settings, cert: Certificate) -> CertificateRead:
    data = CertificateRead.model_validate(cert, from_attributes=True)
    data.verify_url = service.verify_url(settings, cert.code)
    data.pdf_url = f"/api/v1/certificates/{cert.code}/pdf"
    return data


@router.get("/certificates/me", response_model=list[CertificateRead])
async def my_certificates(session: SessionDep, user: CurrentUser, rt: RuntimeDep) -> list[CertificateRead]:
    return [_read(rt.settings, c) for c in await service.list_for_user(session, user_id=user.id)]


@router.get("/certificates/public-key", response_model=PublicKeyRead)
async def public_key(rt: RuntimeDep) -> JSONResponse:
    """The Ed25519 key that signs certificates (JWK, PEM and did:key), to verify them offline."""
    return JSONResponse(service.public_key(rt.settings), headers={"Cache-Control": "public, max-age=300"})


@router.get("/certificates/verify/{code}", response_model=VerificationRead)
async def verify(code: str, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    """Public, no sign-in: who completed what and when, whether it is valid or revoked, and the signed
    payload with its Ed25519 signature (verify `canonical_payload` with the public key)."""
    return service.verification(rt.settings, await service.get_by_code(session, code))


@router.get("/certificates/{code}/credential.json")
async def credential(code: str, session: SessionDep, rt: RuntimeDep) -> JSONResponse:
    """The certificate as an Open Badges 3.0 / W3C Verifiable Credential with an eddsa-jcs-2022 proof."""
    cert = await service.get_by_code(session, code)
    return JSONResponse(service.credential(rt.settings, cert), media_type="application/vc+ld+json")


@router.get("/certificates/{code}/pdf", response_class=Response)
async def pdf(code: str, session: SessionDep, user: CurrentUser, rt: RuntimeDep) -> Response:
    cert, content = await service.pdf_for(session, settings=rt.settings, user=user, code=code)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{cert.code}.pdf"'},
    )


def _admin_read(cert: Certificate, email: str) -> AdminCertificateRead:
    return AdminCertificateRead(
        id=cert.id,
        code=cert.code,
        status=CertificateStatus.REVOKED if cert.revoked_at is not None else CertificateStatus.VALID,
        student=CertificateStudent(id=cert.user_id, name=cert.student_name, email=email),
        course=CertificateCourse(id=cert.course_id, title=cert.course_title),
        issued_at=cert.issued_at,
        revoked_at=cert.revoked_at,
        revoked_reason=cert.revoked_reason,
    )


@router.get("/admin/certificates", response_model=Page[AdminCertificateRead])
async def admin_list(
    session: SessionDep,
    _admin: AdminUser,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[
        str | None, Query(max_length=200, description="Part of the code, student name or email, or course title")
    ] = None,
    cert_status: Annotated[CertificateStatus | None, Query(alias="status")] = None,
) -> Page[AdminCertificateRead]:
    """Every certificate, newest first, to find one to revoke (administrators)."""
    rows, total = await service.search(session, q=q, status=cert_status, page=page)
    return Page(
        items=[_admin_read(c, email) for c, email in rows], total=total, page=page.page, page_size=page.page_size
    )


@router.post("/admin/certificates/{code}/revoke", response_model=CertificateRead)
async def revoke(code: str, body: RevokeIn, session: SessionDep, admin: AdminUser, rt: RuntimeDep) -> CertificateRead:
    cert = await service.revoke(session, admin=admin, code=code, reason=body.reason)
    return _read(rt.settings, cert)
