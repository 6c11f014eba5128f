from __future__ import annotations

import httpx

from lms.core.runtime import Runtime
from tests.factories import signed_in


async def test_me_returns_the_signed_in_user(rt: Runtime, client: httpx.AsyncClient) -> None:
    acct = await signed_in(rt, client, full_name="Asha")
    resp = await client.get("/api/v1/auth/me", headers=acct.headers)
    assert resp.status_code == 200
    assert resp.json()["email"] == acct.email
    assert resp.json()["full_name"] == "Asha"
