"""Forgotten password: emailed single-use token that expires; no account discovery."""

from __future__ import annotations

import re

import httpx

from lms.core.runtime import Runtime
from tests.conftest import mail_text, read_mail
from tests.factories import create_user, login

REQUEST = "/api/v1/auth/password-reset/request"
CONFIRM = "/api/v1/auth/password-reset/confirm"


def _reset_token(rt: Runtime) -> str:
    match = re.search(r"/reset-password\?token=([A-Za-z0-9_\-]+)", mail_text(read_mail(rt)[-1]))
    assert match
    return match.group(1)


async def test_reset_flow_changes_password_once_and_signs_out(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await login(client, await create_user(rt))
    resp = await client.post(REQUEST, json={"email": acct.email})
    assert resp.status_code == 202
    await rt.relay.drain()
    token = _reset_token(rt)

    done = await client.post(CONFIRM, json={"token": token, "new_password": "Fresh-start-2026"})
    assert done.status_code == 204
    assert (await client.post("/api/v1/auth/refresh", json={"refresh_token": acct.refresh_token})).status_code == 401
    new_login = await client.post("/api/v1/auth/login", json={"email": acct.email, "password": "Fresh-start-2026"})
    assert new_login.status_code == 200
    reused = await client.post(CONFIRM, json={"token": token, "new_password": "Another-one-2026"})
    assert reused.status_code == 400 and reused.json()["code"] == "invalid_one_time_token"
    still = await client.post("/api/v1/auth/login", json={"email": acct.email, "password": "Fresh-start-2026"})
    assert still.status_code == 200


async def test_unknown_email_gets_the_same_answer_and_no_mail(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt)
    known = await client.post(REQUEST, json={"email": acct.email})
    unknown = await client.post(REQUEST, json={"email": "nobody@example.edu"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    await rt.relay.drain()
    assert [m["To"] for m in read_mail(rt)] == [acct.email]


async def test_expired_and_forged_tokens_are_refused(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt)
    rt.settings.password_reset_ttl_seconds = -1
    await client.post(REQUEST, json={"email": acct.email})
    await rt.relay.drain()
    expired = await client.post(CONFIRM, json={"token": _reset_token(rt), "new_password": "Fresh-start-2026"})
    assert expired.status_code == 400 and expired.json()["code"] == "invalid_one_time_token"
    forged = await client.post(CONFIRM, json={"token": "A" * 43, "new_password": "Fresh-start-2026"})
    assert forged.status_code == 400
    old = await client.post("/api/v1/auth/login", json={"email": acct.email, "password": acct.password})
    assert old.status_code == 200


async def test_weak_new_password_keeps_the_token_usable(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt)
    await client.post(REQUEST, json={"email": acct.email})
    await rt.relay.drain()
    token = _reset_token(rt)
    weak = await client.post(CONFIRM, json={"token": token, "new_password": "password123"})
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    good = await client.post(CONFIRM, json={"token": token, "new_password": "Fresh-start-2026"})
    assert good.status_code == 204
