"""Small helpers that create test data through the same services the API uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from lms.core.passwords import hash_password_sync
from lms.core.runtime import Runtime
from lms.users import service as users_service
from lms.users.models import Role, User

PASSWORD = "Correct-Horse-42"
_HASHES: dict[str, str] = {}


@dataclass
class Account:
    user: User
    email: str
    password: str
    access_token: str = ""
    refresh_token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def create_user(
    rt: Runtime,
    *,
    role: Role = Role.STUDENT,
    email: str | None = None,
    password: str = PASSWORD,
    full_name: str = "Test User",
    verified: bool = True,
) -> Account:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.edu"
    if password not in _HASHES:
        _HASHES[password] = hash_password_sync(password, rt.settings.bcrypt_rounds)
    async with rt.sessionmaker() as session, session.begin():
        user = await users_service.create(
            session, email=email, full_name=full_name, role=role, password_hash=_HASHES[password], verified=verified
        )
    return Account(user=user, email=email, password=password)


async def login(client: httpx.AsyncClient, account: Account) -> Account:
    resp = await client.post("/api/v1/auth/login", json={"email": account.email, "password": account.password})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    account.access_token, account.refresh_token = body["access_token"], body["refresh_token"]
    client.cookies.clear()
    return account


async def signed_in(rt: Runtime, client: httpx.AsyncClient, role: Role = Role.STUDENT, **kw: object) -> Account:
    return await login(client, await create_user(rt, role=role, **kw))  # type: ignore[arg-type]
