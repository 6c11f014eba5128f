"""Certificates: issued once per completed course, signed (Ed25519 over canonical JSON), verifiable
publicly and offline, exportable as a W3C Verifiable Credential / Open Badges 3.0 document, revocable.

Public API for other domains: ``issue_for_completion`` (called by this domain's consumer of
``course.completed``), ``list_for_user``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.auth.dependencies import is_admin
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.pdf import CertificateFacts, render_pdf
from lms.certificates.signing import CertificateSigner, base58btc, canonical_json, load_signer
from lms.config import Settings
from lms.core.db import utcnow
from lms.core.errors import Conflict, ErrorCode, NotFound
from lms.core.events import publish
from lms.core.ids import new_id
from lms.core.pagination import PageParams
from lms.courses import service as courses_service
from lms.users import service as users_service
from lms.users.models import User

# Crockford base32 without look-alikes: codes are read aloud and typed from paper.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE = re.compile(r"^[A-Z0-9]{1,16}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
PAYLOAD_TYPE = "jntugv-lms/course-certificate"


def signer(settings: Settings) -> CertificateSigner:
    return load_signer(settings.certificate_signing_key_file, settings.keys_dir)


def new_code(prefix: str) -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))  # 60 random bits
    return f"{prefix}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def verify_url(settings: Settings, code: str) -> str:
    return f"{settings.public_url.rstrip('/')}/verify/{code}"


async def get_by_code(session: AsyncSession, code: str) -> Certificate:
    """A certificate by its code; malformed, forged and unknown codes all look the same (404)."""
    normalized = code.strip().upper()
    cert = (
        await session.scalar(select(Certificate).where(Certificate.code == normalized))
        if _CODE.match(normalized)
        else None
    )
    if cert is None:
        raise NotFound("No certificate has this code.")
    return cert


async def issue_for_completion(
    session: AsyncSession, *, settings: Settings, user_id: str, course_id: str, completed_at: datetime | None = None
) -> Certificate | None:
    """Issue the course's certificate to the user unless they have it; returns the new one (or None)."""
    existing = await session.scalar(
        select(Certificate.id).where(Certificate.user_id == user_id, Certificate.course_id == course_id)
    )
    if existing is not None:
        return None
    user = await users_service.get(session, user_id)
    course = await courses_service.get_course(session, course_id)
    if user is None or course is None:
        return None
    instructors = [name for _, name in (await courses_service.instructors_for(session, [course_id])).get(course_id, [])]
    key = signer(settings)
    now = utcnow()
    completed = completed_at or now
    cert = Certificate(
        code=new_code(settings.certificate_code_prefix),
        user_id=user.id,
        course_id=course.id,
        student_name=user.full_name,
        course_title=course.title,
        instructor_names=instructors,
        completed_at=completed,
        issued_at=now,
        key_id=key.key_id,
    )
    cert.id = new_id()
    payload = {
        "type": PAYLOAD_TYPE,
        "version": 1,
        "certificate_id": cert.id,
        "code": cert.code,
        "issuer": {"name": settings.institution_name, "url": settings.public_url},
        "recipient": {"id": user.id, "name": user.full_name},
        "course": {"id": course.id, "title": course.title, "instructors": instructors},
        "completed_at": _iso(completed),
        "issued_at": _iso(now),
        "key_id": key.key_id,
    }
    cert.payload = payload
    cert.signature = key.sign(payload)
    try:
        async with session.begin_nested():
            session.add(cert)
            await session.flush()
    except IntegrityError:  # issued concurrently (unique user+course): once is enough
        return None
    publish(
        session,
        "certificate.issued",
        {"certificate_id": cert.id, "code": cert.code, "user_id": user.id, "course_id": course.id},
        actor_id=user.id,
        key=cert.id,
    )
    return cert


async def list_for_user(session: AsyncSession, *, user_id: str) -> list[Certificate]:
    return list(
        await session.scalars(
            select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.issued_at.desc())
        )
    )


async def search(
    session: AsyncSession, *, q: str | None, status: CertificateStatus | None, page: PageParams
) -> tuple[list[tuple[Certificate, str]], int]:
    """Certificates for administrators, newest first, with the holder's email. ``q`` matches part of the
    code, the student's name (as printed) or email, or the course title (as printed)."""
    stmt = select(Certificate, User.email).join(User, User.id == Certificate.user_id)
    if q and q.strip():
        pattern = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(pattern, escape="\\")
                    for column in (Certificate.code, Certificate.student_name, User.email, Certificate.course_title)
                )
            )
        )
    if status is CertificateStatus.REVOKED:
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    elif status is CertificateStatus.VALID:
        stmt = stmt.where(Certificate.revoked_at.is_(None))
    total = await session.scalar(stmt.with_only_columns(func.count(Certificate.id)).order_by(None)) or 0
    rows = await session.execute(
        stmt.order_by(Certificate.issued_at.desc(), Certificate.id.desc()).offset(page.offset).limit(page.page_size)
    )
    return [(cert, email) for cert, email in rows], total


def public_key(settings: Settings) -> dict[str, Any]:
    key = signer(settings)
    return {
        "algorithm": "Ed25519",
        "key_id": key.key_id,
        "jwk": key.jwk(),
        "pem": key.public_pem(),
        "did": key.did_key(),
        "canonicalization": "JSON with keys sorted, no whitespace, UTF-8 (RFC 8785 for these documents)",
    }


def verification(settings: Settings, cert: Certificate) -> dict[str, Any]:
    """Everything a third party needs: the facts, the status, and the signed bytes with the signature."""
    key = signer(settings)
    signature_ok = cert.key_id == key.key_id and key.verify(cert.payload, cert.signature)
    revoked = cert.revoked_at is not None
    return {
        "code": cert.code,
        "valid": signature_ok and not revoked,
        "status": "revoked" if revoked else ("valid" if signature_ok else "invalid_signature"),
        "student_name": cert.student_name,
        "course_title": cert.course_title,
        "course_id": cert.course_id,
        "instructors": list(cert.instructor_names),
        "completed_at": cert.completed_at,
        "issued_at": cert.issued_at,
        "revoked_at": cert.revoked_at,
        "revoked_reason": cert.revoked_reason,
        "issuer": settings.institution_name,
        "verify_url": verify_url(settings, cert.code),
        "signature": {"algorithm": "Ed25519", "key_id": cert.key_id, "value": cert.signature, "encoding": "base64url"},
        "signed_payload": cert.payload,
        "canonical_payload": canonical_json(cert.payload).decode("utf-8"),
        "public_key_url": "/api/v1/certificates/public-key",
    }


def credential(settings: Settings, cert: Certificate) -> dict[str, Any]:
    """An Open Badges 3.0 / W3C VC 2.0 shaped credential with a Data Integrity proof (eddsa-jcs-2022)."""
    key = signer(settings)
    did = key.did_key()
    url = verify_url(settings, cert.code)
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Certificate of Completion: {cert.course_title}",
        "issuer": {"id": did, "type": ["Profile"], "name": settings.institution_name, "url": settings.public_url},
        "validFrom": _iso(cert.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": cert.student_name,
            "activityEndDate": _iso(cert.completed_at),
            "achievement": {
                "id": f"{settings.public_url.rstrip('/')}/courses/{cert.course_id}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": cert.course_title,
                "description": f"Completed the course {cert.course_title}"
                + (f" taught by {', '.join(cert.instructor_names)}" if cert.instructor_names else "")
                + ".",
                "criteria": {"narrative": "Completed every required lesson and passed every required quiz."},
            },
        },
        "evidence": [{"id": url, "type": ["Evidence"], "name": f"Certificate code {cert.code}"}],
    }
    proof_config = {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": _iso(cert.issued_at),
        "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
    }
    hash_data = (
        hashlib.sha256(canonical_json(proof_config)).digest() + hashlib.sha256(canonical_json(document)).digest()
    )
    proof = proof_config | {"proofValue": "z" + base58btc(key.sign_bytes(hash_data))}
    return document | {"proof": proof}


async def pdf_for(session: AsyncSession, *, settings: Settings, user: User, code: str) -> tuple[Certificate, bytes]:
    """The PDF for its owner or an administrator; anyone else gets a 404."""
    cert = await get_by_code(session, code)
    if cert.user_id != user.id and not is_admin(user):
        raise NotFound("No certificate has this code.")
    facts = CertificateFacts(
        institution=settings.institution_name,
        site_name=settings.site_name,
        student_name=cert.student_name,
        course_title=cert.course_title,
        instructors=list(cert.instructor_names),
        completed_at=cert.completed_at,
        code=cert.code,
        verify_url=verify_url(settings, cert.code),
        key_id=cert.key_id,
    )
    return cert, render_pdf(facts)


async def revoke(session: AsyncSession, *, admin: User, code: str, reason: str) -> Certificate:
    cert = await get_by_code(session, code)
    if cert.revoked_at is not None:
        raise Conflict("This certificate is already revoked.", code=ErrorCode.ALREADY_REVOKED)
    cert.revoked_at = utcnow()
    cert.revoked_reason = reason
    cert.revoked_by_id = admin.id
    await session.flush()
    publish(
        session,
        "certificate.revoked",
        {
            "certificate_id": cert.id,
            "code": cert.code,
            "user_id": cert.user_id,
            "course_id": cert.course_id,
            "reason": reason,
        },
        actor_id=admin.id,
        key=cert.id,
    )
    return cert
