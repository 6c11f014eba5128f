"""Certificates: issued once on completion, signed and verifiable offline, PDF, VC export, revocation."""

from __future__ import annotations

import hashlib
import json
import stat
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select

from lms.certificates import service
from lms.certificates.models import Certificate
from lms.certificates.signing import b64url_decode, base58btc, canonical_json
from lms.core.events import publish
from lms.core.runtime import Runtime
from lms.users.models import Role
from tests.courses.helpers import build_course, events
from tests.factories import create_user, signed_in
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
    # A NUL character is refused before any lookup (422, as everywhere in the API); the rest are unknown codes.
    for code, status in [(c, 404) for c in ("JNTUGV-0000-0000-0000", "not a code", "JNTUGV-' OR 1=1 --", "x" * 500)] + [
        ("%00", 422)
    ]:
        for path in (f"/api/v1/certificates/verify/{code}", f"/api/v1/certificates/{code}/credential.json"):
            resp = await client.get(path)
            assert resp.status_code == status, (path, resp.text)
            assert resp.headers["content-type"].startswith("application/problem+json")
            assert "signature" not in resp.text and "BEGIN" not in resp.text
        resp = await client.post(
            f"/api/v1/admin/certificates/{code}/revoke", json={"reason": "x" * 5}, headers=admin.headers
        )
        assert resp.status_code == status
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count(Certificate.id))) == 0


async def _issue(rt: Runtime, user_id: str, course_id: str) -> Certificate:
    async with rt.sessionmaker() as session, session.begin():
        cert = await service.issue_for_completion(session, settings=rt.settings, user_id=user_id, course_id=course_id)
    assert cert is not None
    return cert


async def test_admins_find_certificates_by_code_student_or_course_and_by_status(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    algorithms = await build_course(rt, client, title="Algorithms")
    networks = await build_course(rt, client, instructor=algorithms.instructor, title="Computer Networks 100%")
    priya = await create_user(rt, full_name="Sai Priya Reddy", email="priya@example.edu")
    arjun = await create_user(rt, full_name="Arjun Varma", email="arjun_v@example.edu")
    first = await _issue(rt, priya.user.id, algorithms.id)
    second = await _issue(rt, arjun.user.id, algorithms.id)
    third = await _issue(rt, priya.user.id, networks.id)
    admin = await signed_in(rt, client, Role.ADMIN)

    async def listed(**params: object) -> dict[str, Any]:
        resp = await client.get("/api/v1/admin/certificates", params=params, headers=admin.headers)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    everything = await listed()
    assert everything["total"] == 3 and everything["page"] == 1 and everything["page_size"] == 20
    assert {c["code"] for c in everything["items"]} == {first.code, second.code, third.code}
    row = next(c for c in everything["items"] if c["code"] == second.code)
    assert row["student"] == {"id": arjun.user.id, "name": "Arjun Varma", "email": "arjun_v@example.edu"}
    assert row["course"] == {"id": algorithms.id, "title": "Algorithms"}
    assert row["status"] == "valid" and row["revoked_at"] is None and row["revoked_reason"] is None
    assert row["issued_at"]

    codes = lambda page: sorted(c["code"] for c in page["items"])  # noqa: E731
    assert codes(await listed(q=first.code.lower())) == [first.code]  # the code, any case
    assert codes(await listed(q=first.code[-9:])) == [first.code]  # part of it
    assert codes(await listed(q="priya")) == sorted([first.code, third.code])  # the student's name
    assert codes(await listed(q="ARJUN_V@")) == [second.code]  # the email ("_" is literal, not a wildcard)
    assert codes(await listed(q="networks")) == [third.code]  # the course title
    assert codes(await listed(q="100%")) == [third.code]  # "%" is literal too
    assert (await listed(q="nobody-matches"))["items"] == []

    # Paginated like every list: page 2 of 2 by 2 holds the oldest.
    page_one, page_two = await listed(page_size=2), await listed(page=2, page_size=2)
    assert page_one["total"] == page_two["total"] == 3
    assert len(page_one["items"]) == 2 and len(page_two["items"]) == 1
    assert {c["code"] for c in page_one["items"] + page_two["items"]} == {first.code, second.code, third.code}

    path = f"/api/v1/admin/certificates/{second.code}/revoke"
    resp = await client.post(path, json={"reason": "Academic misconduct"}, headers=admin.headers)
    assert resp.status_code == 200
    revoked = await listed(status="revoked")
    assert [c["code"] for c in revoked["items"]] == [second.code] and revoked["total"] == 1
    assert revoked["items"][0]["status"] == "revoked"
    assert revoked["items"][0]["revoked_reason"] == "Academic misconduct" and revoked["items"][0]["revoked_at"]
    assert codes(await listed(status="valid")) == sorted([first.code, third.code])
    assert codes(await listed(status="valid", q="priya")) == sorted([first.code, third.code])
    assert (await listed(status="revoked", q="priya"))["total"] == 0


async def test_only_admins_list_certificates(rt: Runtime, client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/admin/certificates")).status_code == 401
    for role in (Role.STUDENT, Role.INSTRUCTOR):
        user = await signed_in(rt, client, role)
        resp = await client.get("/api/v1/admin/certificates", headers=user.headers)
        assert resp.status_code == 403 and resp.headers["content-type"].startswith("application/problem+json")
    admin = await signed_in(rt, client, Role.ADMIN)
    for params in ({"status": "lost"}, {"page": 0}, {"page_size": 101}, {"q": "x" * 201}):
        resp = await client.get("/api/v1/admin/certificates", params=params, headers=admin.headers)
        assert resp.status_code == 422, params
        assert resp.headers["content-type"].startswith("application/problem+json")
