"""Response and request models of certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from lms.certificates.models import CertificateStatus


class CertificateRead(BaseModel):
    id: str
    code: str
    course_id: str
    course_title: str
    student_name: str
    instructor_names: list[str]
    completed_at: datetime
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    verify_url: str = ""
    pdf_url: str = ""


class SignatureRead(BaseModel):
    algorithm: str
    key_id: str
    value: str
    encoding: str


class VerificationRead(BaseModel):
    code: str
    valid: bool
    status: str
    student_name: str
    course_title: str
    course_id: str
    instructors: list[str]
    completed_at: datetime
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    issuer: str
    verify_url: str
    signature: SignatureRead
    signed_payload: dict[str, Any]
    canonical_payload: str
    public_key_url: str


class PublicKeyRead(BaseModel):
    algorithm: str
    key_id: str
    jwk: dict[str, str]
    pem: str
    did: str
    canonicalization: str


class RevokeIn(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


class CertificateStudent(BaseModel):
    id: str
    name: str = Field(description="The name printed on the certificate")
    email: str


class CertificateCourse(BaseModel):
    id: str
    title: str = Field(description="The course title printed on the certificate")


class AdminCertificateRead(BaseModel):
    id: str
    code: str
    status: CertificateStatus
    student: CertificateStudent
    course: CertificateCourse
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
