"""Registration, email verification and the no-enumeration rule."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from lms.core.events import OutboxEvent
from lms.core.runtime import Runtime
from lms.users.models import User
from tests.conftest import mail_text, read_mail
from tests.factories import create_user

REGISTER = "/api/v1/auth/register"


def _token_from(text: str, path: str) -> str:
    match = re.search(rf"{path}\?token=([A-Za-z0-9_\-]+)", text)
    assert match, text
    return match.group(1)


async def _count_users(rt: Runtime, email: str) -> int:
    async with rt.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(User).where(User.email == email)) or 0)


async def test_register_creates_student_emits_event_and_emails_a_working_link(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    resp = await client.post(
        REGISTER, json={"email": "Asha@Example.edu", "password": "Gurajada-2026!", "full_name": "Asha Rani"}
    )
    assert resp.status_code == 202
    assert resp.json()["email"] == "asha@example.edu"
    async with rt.sessionmaker() as s:
        user = await s.scalar(select(User).where(User.email == "asha@example.edu"))
        assert user is not None and user.role == "student" and not user.email_verified
        assert user.password_hash.startswith("$lms-bcrypt-sha256$")
        events = list(await s.scalars(select(OutboxEvent).where(OutboxEvent.type == "user.registered")))
    assert [e.data["user_id"] for e in events] == [user.id]
    assert read_mail(rt) == []  # email is sent by a consumer, never inside the request

    await rt.relay.drain()
    mails = [m for m in read_mail(rt) if "Confirm your email" in str(m["Subject"])]
    assert len(mails) == 1 and mails[0]["To"] == "asha@example.edu"
    assert mails[0].get_body(preferencelist=("html",)) is not None
    token = _token_from(mail_text(mails[0]), "/verify-email")

    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200 and verified.json()["email_verified"] is True
    again = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 400 and again.json()["code"] == "invalid_one_time_token"


async def test_registering_a_taken_email_answers_the_same_and_tells_the_owner(
    rt: Runtime, client: httpx.AsyncClient
) -> None:
    owner = await create_user(rt, email="taken@example.edu", full_name="Owner")
    fresh = await client.post(
        REGISTER, json={"email": "new@example.edu", "password": "Gurajada-2026!", "full_name": "X"}
    )
    taken = await client.post(
        REGISTER, json={"email": "TAKEN@example.edu", "password": "Gurajada-2026!", "full_name": "X"}
    )
    assert fresh.status_code == taken.status_code == 202
    assert fresh.json()["message"] == taken.json()["message"]
    assert await _count_users(rt, owner.email) == 1
    await rt.relay.drain()
    to_owner = [m for m in read_mail(rt) if m["To"] == owner.email]
    assert len(to_owner) == 1 and "already has one" in mail_text(to_owner[0])


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1!", "at least 8"),
        ("x" * 129, "at most 128"),
        ("password123", "commonly used"),
        ("Qwerty123", "commonly used"),
        ("aaaaaaaaaaaa", "repetitive"),
    ],
)
async def test_weak_passwords_are_refused_and_nothing_is_created(
    rt: Runtime, client: httpx.AsyncClient, password: str, fragment: str
) -> None:
    resp = await client.post(REGISTER, json={"email": "weak@example.edu", "password": password, "full_name": "W"})
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "weak_password" and fragment in body["detail"]
    assert resp.headers["content-type"] == "application/problem+json"
    assert await _count_users(rt, "weak@example.edu") == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not-an-email", "password": "Gurajada-2026!", "full_name": "X"},
        {"email": "a@example.edu", "password": "Gurajada-2026!"},
        {"email": "a@example.edu", "password": "Gurajada-2026!", "full_name": "X", "role": "admin"},
        {"email": ["a@example.edu"], "password": "Gurajada-2026!", "full_name": "X"},
        {"email": "a@example.edu", "password": 12345678, "full_name": "X"},
    ],
)
async def test_malformed_registrations_are_422_with_field_errors(
    rt: Runtime, client: httpx.AsyncClient, payload: dict[str, object]
) -> None:
    resp = await client.post(REGISTER, json=payload)
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "validation_error" and body["errors"]
    assert all({"field", "message"} <= set(e) for e in body["errors"])
    assert await _count_users(rt, "a@example.edu") == 0


async def test_sql_and_html_in_names_are_stored_verbatim_not_executed(rt: Runtime, client: httpx.AsyncClient) -> None:
    name = "Robert'); DROP TABLE users;-- <script>alert(1)</script>"
    resp = await client.post(
        REGISTER, json={"email": "bobby@example.edu", "password": "Gurajada-2026!", "full_name": name}
    )
    assert resp.status_code == 202
    async with rt.sessionmaker() as s:
        user = await s.scalar(select(User).where(User.email == "bobby@example.edu"))
    assert user is not None and user.full_name == name
    await rt.relay.drain()
    html = next(m for m in read_mail(rt) if "Confirm" in str(m["Subject"])).get_body(preferencelist=("html",))
    assert html is not None and "<script>" not in str(html.get_content())


async def test_verification_can_be_resent_and_expired_links_fail(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt, verified=False)
    login = await client.post("/api/v1/auth/login", json={"email": acct.email, "password": acct.password})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert login.json()["user"]["email_verified"] is False
    assert (await client.post("/api/v1/auth/verify-email/resend", headers=headers)).status_code == 202
    rt.settings.email_verify_ttl_seconds = -1  # the next link is born expired
    await rt.relay.drain()
    token = _token_from(mail_text(read_mail(rt)[-1]), "/verify-email")
    resp = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_one_time_token"
