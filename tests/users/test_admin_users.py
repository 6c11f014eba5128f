"""Administrators list, search, promote and deactivate users; nobody else can."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from lms.core.runtime import Runtime
from lms.users.models import Role, User
from tests.factories import create_user, login, signed_in

USERS = "/api/v1/admin/users"


async def test_admin_lists_and_searches_users(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN, full_name="Root Admin")
    await create_user(rt, email="ravi.kumar@example.edu", full_name="Ravi Kumar", role=Role.INSTRUCTOR)
    await create_user(rt, email="sita@example.edu", full_name="Sita Devi")
    everyone = await client.get(USERS, headers=admin.headers)
    assert everyone.status_code == 200
    assert everyone.json()["total"] == 3 and everyone.json()["page"] == 1
    found = await client.get(USERS, params={"q": "ravi"}, headers=admin.headers)
    assert [u["email"] for u in found.json()["items"]] == ["ravi.kumar@example.edu"]
    by_role = await client.get(USERS, params={"role": "instructor"}, headers=admin.headers)
    assert [u["full_name"] for u in by_role.json()["items"]] == ["Ravi Kumar"]
    wildcard = await client.get(USERS, params={"q": "%"}, headers=admin.headers)
    assert wildcard.json()["total"] == 0  # LIKE wildcards are matched literally
    paged = await client.get(USERS, params={"page_size": 2, "page": 2}, headers=admin.headers)
    assert len(paged.json()["items"]) == 1 and paged.json()["page_size"] == 2


@pytest.mark.parametrize("params", [{"page_size": 0}, {"page_size": 101}, {"page": 0}, {"role": "wizard"}])
async def test_invalid_list_parameters_are_422(
    rt: Runtime, client: httpx.AsyncClient, params: dict[str, object]
) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    resp = await client.get(USERS, params=params, headers=admin.headers)
    assert resp.status_code == 422 and resp.json()["code"] == "validation_error"


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR])
async def test_non_admins_are_forbidden(rt: Runtime, client: httpx.AsyncClient, role: Role) -> None:
    someone = await signed_in(rt, client, role)
    victim = await create_user(rt)
    assert (await client.get(USERS, headers=someone.headers)).status_code == 403
    resp = await client.patch(f"{USERS}/{victim.user.id}", json={"role": "admin"}, headers=someone.headers)
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"
    assert (await client.get(USERS)).status_code == 401
    async with rt.sessionmaker() as s:
        assert (await s.get(User, victim.user.id)).role == "student"  # type: ignore[union-attr]


async def test_promotion_takes_effect_and_old_tokens_are_refreshed(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    teacher = await login(client, await create_user(rt))
    resp = await client.patch(f"{USERS}/{teacher.user.id}", json={"role": "instructor"}, headers=admin.headers)
    assert resp.status_code == 200 and resp.json()["role"] == "instructor"
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": teacher.refresh_token})
    assert refreshed.status_code == 200 and refreshed.json()["user"]["role"] == "instructor"


async def test_deactivated_user_cannot_use_tokens_log_in_or_refresh(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    student = await signed_in(rt, client)
    resp = await client.patch(f"{USERS}/{student.user.id}", json={"is_active": False}, headers=admin.headers)
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    assert (await client.get("/api/v1/auth/me", headers=student.headers)).status_code == 401
    assert (await client.post("/api/v1/auth/refresh", json={"refresh_token": student.refresh_token})).status_code == 401
    again = await client.post("/api/v1/auth/login", json={"email": student.email, "password": student.password})
    assert again.status_code == 403 and again.json()["code"] == "account_disabled"


async def test_admin_cannot_lock_themselves_out(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    for change in ({"role": "student"}, {"is_active": False}):
        resp = await client.patch(f"{USERS}/{admin.user.id}", json=change, headers=admin.headers)
        assert resp.status_code == 409 and resp.json()["code"] == "conflict"
    async with rt.sessionmaker() as s:
        me = await s.scalar(select(User).where(User.id == admin.user.id))
    assert me is not None and me.role == "admin" and me.is_active


async def test_unknown_user_and_bad_bodies(rt: Runtime, client: httpx.AsyncClient) -> None:
    admin = await signed_in(rt, client, Role.ADMIN)
    target = await create_user(rt)
    missing = await client.patch(f"{USERS}/does-not-exist", json={"role": "admin"}, headers=admin.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    for body in ({"role": "superuser"}, {"is_active": "maybe"}, {"password_hash": "x"}):
        resp = await client.patch(f"{USERS}/{target.user.id}", json=body, headers=admin.headers)
        assert resp.status_code == 422, body


async def test_profile_update_changes_only_own_name(rt: Runtime, client: httpx.AsyncClient) -> None:
    me = await signed_in(rt, client)
    resp = await client.patch("/api/v1/users/me", json={"full_name": "  Priya S  "}, headers=me.headers)
    assert resp.status_code == 200 and resp.json()["full_name"] == "Priya S"
    sneaky = await client.patch("/api/v1/users/me", json={"full_name": "X", "role": "admin"}, headers=me.headers)
    assert sneaky.status_code == 422


async def test_the_interface_language_is_kept_on_the_profile(rt: Runtime, client: httpx.AsyncClient) -> None:
    me = await signed_in(rt, client, full_name="Lakshmi N")
    assert (await client.get("/api/v1/auth/me", headers=me.headers)).json()["locale"] is None
    chosen = await client.patch("/api/v1/users/me", json={"locale": "te"}, headers=me.headers)
    assert chosen.status_code == 200
    assert chosen.json()["locale"] == "te" and chosen.json()["full_name"] == "Lakshmi N"  # the name is kept
    assert (await client.get("/api/v1/auth/me", headers=me.headers)).json()["locale"] == "te"
    renamed = await client.patch("/api/v1/users/me", json={"full_name": "Lakshmi Narayana"}, headers=me.headers)
    assert renamed.json()["locale"] == "te"  # the language is kept
    invalid: list[dict[str, object]] = [{"locale": "fr"}, {"locale": ""}, {"locale": 7}, {"locale": None}]
    invalid += [{"full_name": ""}, {"full_name": None}]
    for body in invalid:
        bad = await client.patch("/api/v1/users/me", json=body, headers=me.headers)
        assert bad.status_code == 422 and bad.json()["code"] == "validation_error", body
    async with rt.sessionmaker() as session:
        stored = await session.scalar(select(User).where(User.id == me.user.id))
        assert stored is not None and stored.locale == "te" and stored.full_name == "Lakshmi Narayana"
