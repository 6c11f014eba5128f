"""Login, access tokens (RS256 + JWKS), rotating refresh tokens, logout and password change."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from lms.auth.models import RefreshToken
from lms.core.runtime import Runtime
from lms.core.tokens import hash_token
from tests.conftest import read_mail
from tests.factories import create_user, login, signed_in

ME = "/api/v1/auth/me"


async def test_login_returns_tokens_cookie_and_user(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt, full_name="Kiran")
    resp = await client.post("/api/v1/auth/login", json={"email": acct.email.upper(), "password": acct.password})
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "user"}
    assert body["token_type"] == "bearer" and body["expires_in"] == rt.settings.access_token_ttl_seconds
    assert body["user"]["id"] == acct.user.id and "password_hash" not in body["user"]
    cookie = resp.headers["set-cookie"]
    assert "lms_refresh=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/api/v1/auth" in cookie

    jwks = (await client.get("/.well-known/jwks.json")).json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(
        body["access_token"],
        key,
        algorithms=["RS256"],
        audience=rt.settings.jwt_audience,
        issuer=rt.settings.jwt_issuer,
    )
    assert claims["sub"] == claims["user_id"] == acct.user.id
    assert claims["email"] == acct.email and claims["role"] == "student"
    assert {"iat", "exp", "jti", "iss", "aud"} <= set(claims)
    assert claims["exp"] - claims["iat"] == rt.settings.access_token_ttl_seconds
    async with rt.sessionmaker() as s:
        stored = await s.scalar(select(RefreshToken).where(RefreshToken.user_id == acct.user.id))
    assert stored is not None and stored.token_hash == hash_token(body["refresh_token"])  # only the hash is kept


async def test_wrong_password_and_unknown_email_look_the_same(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt)
    wrong = await client.post("/api/v1/auth/login", json={"email": acct.email, "password": "Wrong-password-1"})
    unknown = await client.post("/api/v1/auth/login", json={"email": "ghost@example.edu", "password": "Whatever-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert "WWW-Authenticate" in wrong.headers


async def test_password_longer_than_bcrypt_limit_is_not_truncated(rt: Runtime, client: httpx.AsyncClient) -> None:
    base = "Long-passphrase-" + "x" * 70  # > 72 bytes before the difference
    acct = await create_user(rt, password=base + "A")
    ok = await client.post("/api/v1/auth/login", json={"email": acct.email, "password": base + "A"})
    other = await client.post("/api/v1/auth/login", json={"email": acct.email, "password": base + "B"})
    assert ok.status_code == 200 and other.status_code == 401


async def test_refresh_rotates_and_reuse_revokes_the_family(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await signed_in(rt, client)
    first = acct.refresh_token
    r1 = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert r1.status_code == 200
    second = r1.json()["refresh_token"]
    assert second != first
    client.cookies.clear()
    reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert reuse.status_code == 401 and reuse.json()["code"] == "refresh_token_reused"
    # The thief's reuse signed the whole session out: the legitimate newer token is dead too.
    after = await client.post("/api/v1/auth/refresh", json={"refresh_token": second})
    assert after.status_code == 401
    async with rt.sessionmaker() as s:
        rows = list(await s.scalars(select(RefreshToken).where(RefreshToken.user_id == acct.user.id)))
    assert rows and all(r.revoked_at is not None for r in rows)


async def test_refresh_through_the_httponly_cookie(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt)
    await client.post("/api/v1/auth/login", json={"email": acct.email, "password": acct.password})
    resp = await client.post("/api/v1/auth/refresh")
    assert resp.status_code == 200 and resp.json()["user"]["id"] == acct.user.id
    client.cookies.clear()
    missing = await client.post("/api/v1/auth/refresh")
    assert missing.status_code == 401 and missing.json()["code"] == "invalid_refresh_token"


async def test_logout_ends_refresh_and_access_token(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await signed_in(rt, client)
    assert (await client.get(ME, headers=acct.headers)).status_code == 200
    out = await client.post("/api/v1/auth/logout", headers=acct.headers, json={"refresh_token": acct.refresh_token})
    assert out.status_code == 204
    assert (await client.get(ME, headers=acct.headers)).status_code == 401
    again = await client.post("/api/v1/auth/refresh", json={"refresh_token": acct.refresh_token})
    assert again.status_code == 401


async def test_change_password_signs_out_other_sessions(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await create_user(rt)
    laptop = await login(client, acct)
    laptop_refresh, laptop_access = laptop.refresh_token, laptop.access_token
    phone = await login(client, acct)
    await asyncio.sleep(1.05)  # access tokens carry whole seconds; the old one must predate the change
    resp = await client.post(
        "/api/v1/auth/change-password",
        headers=phone.headers,
        json={"current_password": acct.password, "new_password": "Brand-new-pass-77"},
    )
    assert resp.status_code == 200
    new_access = resp.json()["access_token"]
    assert (await client.get(ME, headers={"Authorization": f"Bearer {new_access}"})).status_code == 200
    assert (await client.get(ME, headers={"Authorization": f"Bearer {laptop_access}"})).status_code == 401
    assert (await client.post("/api/v1/auth/refresh", json={"refresh_token": laptop_refresh})).status_code == 401
    old = await client.post("/api/v1/auth/login", json={"email": acct.email, "password": acct.password})
    assert old.status_code == 401
    await rt.relay.drain()
    assert any("password was changed" in str(m["Subject"]) for m in read_mail(rt))


async def test_change_password_needs_the_current_one(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await signed_in(rt, client)
    resp = await client.post(
        "/api/v1/auth/change-password",
        headers=acct.headers,
        json={"current_password": "nope-nope-nope", "new_password": "Brand-new-pass-77"},
    )
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_credentials"
    ok = await client.post("/api/v1/auth/login", json={"email": acct.email, "password": acct.password})
    assert ok.status_code == 200


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "kind", ["expired", "other_key", "alg_none", "hs256_confusion", "garbage", "wrong_audience", "no_bearer"]
)
async def test_bad_access_tokens_are_401_problem_json(rt: Runtime, client: httpx.AsyncClient, kind: str) -> None:
    acct = await create_user(rt)
    now = int(time.time())
    claims = {
        "sub": acct.user.id,
        "user_id": acct.user.id,
        "email": acct.email,
        "role": "admin",
        "iat": now,
        "exp": now + 600,
        "iss": rt.settings.jwt_issuer,
        "aud": rt.settings.jwt_audience,
        "jti": "x",
    }
    private = serialization.load_pem_private_key(
        rt.settings.jwt_private_key_file.read_bytes(),  # type: ignore[union-attr]
        password=None,
    )
    if kind == "expired":
        token = jwt.encode({**claims, "iat": now - 3600, "exp": now - 60}, private, algorithm="RS256")  # type: ignore[arg-type]
    elif kind == "other_key":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = jwt.encode(claims, other, algorithm="RS256")
    elif kind == "alg_none":
        token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    elif kind == "hs256_confusion":
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        import hashlib
        import hmac

        signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}"
        sig = base64.urlsafe_b64encode(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
        token = f"{signing_input}.{sig.decode().rstrip('=')}"
    elif kind == "wrong_audience":
        token = jwt.encode({**claims, "aud": "another-service"}, private, algorithm="RS256")  # type: ignore[arg-type]
    else:
        token = "not.a.jwt"
    header = f"Token {token}" if kind == "no_bearer" else f"Bearer {token}"
    resp = await client.get(ME, headers={"Authorization": header})
    assert resp.status_code == 401
    assert resp.headers["content-type"] == "application/problem+json"
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert resp.json()["code"] == ("token_expired" if kind == "expired" else "invalid_token")


async def test_no_token_is_401_not_authenticated(rt: Runtime, client: httpx.AsyncClient) -> None:
    resp = await client.get(ME)
    assert resp.status_code == 401 and resp.json()["code"] == "not_authenticated"
