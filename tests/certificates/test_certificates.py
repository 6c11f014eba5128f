"""Certificates: issued once on completion, signed and verifiable offline, PDF, VC export, revocation."""

from __future__ import annotations

import hashlib
import json
import stat

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.certificates.signing import b64url_decode, base58btc, canonical_json
from lms.core.events import publish
from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.courses.helpers import events
from tests.factories import signed_in
from tests.quizzes.helpers import QUESTIONS, build_quiz, enrolled_student, right_answers


def _b58decode(text: str) -> bytes:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n = 0
    for ch in text:
        n = n * 58 + alphabet.index(ch)
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


async def _certificates(rt: Runtime) -> list[Certificate]:
    async with rt.sessionmaker() as session:
        return list(await session.scalars(select(Certificate)))


async def test_passing_the_last_required_quiz_issues_one_signed_certificate(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    fx = await build_quiz(rt, client, questions=[QUESTIONS[0]])
    student = await enrolled_student(rt, client, fx.course.id, full_name="Sai Priya Reddy")
    attempt = (await client.post(f"/api/v1/quizzes/{fx.id}/attempts", headers=student.headers)).json()
    answers = right_answers(attempt, fx.questions)
    await client.put(f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers}, headers=student.headers)
    assert (await client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=student.headers)).json()["passed"]
    await rt.relay.drain()
    certs = await _certificates(rt)
    assert len(certs) == 1
    cert = certs[0]
    assert await events(rt, "certificate.issued") == [
        {"certificate_id": cert.id, "code": cert.code, "user_id": student.user.id, "course_id": fx.course.id}
    ]
    # A redelivered or repeated completion issues nothing more.
    async with rt.sessionmaker() as session, session.begin():
        publish(session, "course.completed", {"user_id": student.user.id, "course_id": fx.course.id})
    await rt.relay.drain()
    assert len(await _certificates(rt)) == 1 and len(await events(rt, "certificate.issued")) == 1
    key_file = rt.settings.keys_dir / "certificate_ed25519.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    mine = (await client.get("/api/v1/certificates/me", headers=student.headers)).json()
    assert [c["code"] for c in mine] == [cert.code]
    assert mine[0]["course_title"] == "Algorithms" and mine[0]["instructor_names"] == ["Prof. Rao"]
    assert mine[0]["verify_url"] == f"http://lms.test/verify/{cert.code}"

    # Public verification, no sign-in; a third party checks the signature with the published key.
    verified = (await client.get(f"/api/v1/certificates/verify/{cert.code.lower()}")).json()
    assert verified["valid"] is True and verified["status"] == "valid"
    assert verified["student_name"] == "Sai Priya Reddy" and verified["course_title"] == "Algorithms"
    key = (await client.get("/api/v1/certificates/public-key")).json()
    assert key["jwk"]["kty"] == "OKP" and key["jwk"]["crv"] == "Ed25519" and "PRIVATE" not in json.dumps(key)
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(key["jwk"]["x"]))
    assert verified["canonical_payload"] == canonical_json(verified["signed_payload"]).decode()
    public.verify(b64url_decode(verified["signature"]["value"]), verified["canonical_payload"].encode())
    payload = verified["signed_payload"]
    assert payload["code"] == cert.code and payload["recipient"]["name"] == "Sai Priya Reddy"
    assert payload["course"]["instructors"] == ["Prof. Rao"] and payload["key_id"] == key["key_id"]

    # The W3C VC / Open Badges 3.0 export carries an eddsa-jcs-2022 proof by the same key.
    vc = (await client.get(f"/api/v1/certificates/{cert.code}/credential.json")).json()
    assert "OpenBadgeCredential" in vc["type"] and vc["credentialSubject"]["achievement"]["name"] == "Algorithms"
    proof = vc.pop("proof")
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    digest = hashlib.sha256(canonical_json(config)).digest() + hashlib.sha256(canonical_json(vc)).digest()
    public.verify(_b58decode(proof["proofValue"][1:]), digest)
    assert proof["verificationMethod"].startswith(key["did"]) and key["did"] == "did:key:z" + base58btc(
        b"\xed\x01" + b64url_decode(key["jwk"]["x"])
    )

    # The PDF: the owner and admins; anyone else sees nothing.
    resp = await client.get(f"/api/v1/certificates/{cert.code}/pdf", headers=student.headers)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF") and len(resp.content) > 2000
    admin = await signed_in(rt, client, Role.ADMIN)
    assert (await client.get(f"/api/v1/certificates/{cert.code}/pdf", headers=admin.headers)).status_code == 200
    classmate = await signed_in(rt, client)
    assert (await client.get(f"/api/v1/certificates/{cert.code}/pdf", headers=classmate.headers)).status_code == 404
    assert (await client.get(f"/api/v1/certificates/{cert.code}/pdf")).status_code == 401
    assert (await client.get("/api/v1/certificates/me", headers=classmate.headers)).json() == []

    # Revocation: admins only, with a reason; verification then says so.
    path = f"/api/v1/admin/certificates/{cert.code}/revoke"
    assert (await client.post(path, json={"reason": "Plagiarism"}, headers=student.headers)).status_code == 403
    assert (await client.post(path, json={"reason": ""}, headers=admin.headers)).status_code == 422
    assert (await client.get(f"/api/v1/certificates/verify/{cert.code}")).json()["valid"] is True
    resp = await client.post(path, json={"reason": "Academic misconduct"}, headers=admin.headers)
    assert resp.status_code == 200 and resp.json()["revoked_reason"] == "Academic misconduct"
    again = await client.post(path, json={"reason": "Twice"}, headers=admin.headers)
    assert again.status_code == 409 and again.json()["code"] == "already_revoked"
    verified = (await client.get(f"/api/v1/certificates/verify/{cert.code}")).json()
    assert verified["valid"] is False and verified["status"] == "revoked"
    assert verified["revoked_reason"] == "Academic misconduct"
    assert len(await events(rt, "certificate.revoked")) == 1


async def test_unknown_and_forged_codes(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    for code in ("JNTUGV-0000-0000-0000", "not a code", "JNTUGV-' OR 1=1 --", "x" * 500, "%00"):
        for path in (f"/api/v1/certificates/verify/{code}", f"/api/v1/certificates/{code}/credential.json"):
            resp = await client.get(path)
            assert resp.status_code == 404, (path, resp.text)
            assert resp.headers["content-type"].startswith("application/problem+json")
            assert "signature" not in resp.text and "BEGIN" not in resp.text
        resp = await client.post(
            f"/api/v1/admin/certificates/{code}/revoke", json={"reason": "x" * 5}, headers=admin.headers
        )
        assert resp.status_code == 404
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count(Certificate.id))) == 0
