from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from lms.core.runtime import Runtime
from lms.core.tokens import JWTSigner
from lms.users.models import User
from tests.factories import Account, create_user
from tests.notifications.helpers import emit, recv_json, serve


def token_for(rt: Runtime, user: User) -> str:
    return rt.signer.issue(user_id=user.id, email=user.email, role=user.role, session_id=None)[0]


async def open_socket(url: str, token: str, *, via_message: bool = False) -> tuple[ClientConnection, dict[str, Any]]:
    if via_message:
        ws = await connect(url)
        await ws.send(orjson.dumps({"type": "auth", "token": token}).decode())
    else:
        ws = await connect(f"{url}?token={token}")
    ready = await recv_json(ws)
    assert ready["type"] == "ready", ready
    return ws, ready


async def close_code(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    return ws.close_code


async def test_notification_reaches_every_socket_of_the_user_only(rt: Runtime, app: FastAPI) -> None:
    alice, bob = await create_user(rt), await create_user(rt)
    async with serve(app) as url:
        tab1, ready = await open_socket(url, token_for(rt, alice.user))
        assert ready == {"type": "ready", "user_id": alice.user.id, "unread_count": 0}
        tab2, _ = await open_socket(url, token_for(rt, alice.user), via_message=True)
        bobs, _ = await open_socket(url, token_for(rt, bob.user))

        await emit(rt, "course.completed", {"user_id": alice.user.id, "course_id": "c1", "course_title": "Algebra"})
        for tab in (tab1, tab2):
            frame = await recv_json(tab)
            assert frame["type"] == "notification"
            assert frame["unread_count"] == 1
            assert frame["notification"]["kind"] == "course_completed"
            assert frame["notification"]["body"] == "Congratulations on completing Algebra!"

        # Bob's socket got nothing: his next frame is the answer to his own ping.
        await bobs.send('{"type": "ping"}')
        assert await recv_json(bobs) == {"type": "pong"}
        for ws in (tab1, tab2, bobs):
            await ws.close()


async def test_reading_pushes_the_new_unread_count(rt: Runtime, app: FastAPI) -> None:
    alice = await create_user(rt)
    token = token_for(rt, alice.user)
    await emit(rt, "course.completed", {"user_id": alice.user.id, "course_id": "c1"})
    async with serve(app) as url:
        ws, ready = await open_socket(url, token)
        assert ready["unread_count"] == 1
        base = url.replace("ws://", "http://").removesuffix("/api/v1/ws")
        async with httpx.AsyncClient(base_url=base) as http:
            resp = await http.post("/api/v1/notifications/read-all", headers={"Authorization": f"Bearer {token}"})
            assert resp.status_code == 200
        assert await recv_json(ws) == {"type": "unread_count", "unread_count": 0}
        await ws.close()


async def test_subscribing_to_another_users_channel_is_refused(rt: Runtime, app: FastAPI) -> None:
    alice, bob = await create_user(rt), await create_user(rt)
    async with serve(app) as url:
        ws, _ = await open_socket(url, token_for(rt, alice.user))
        await ws.send(orjson.dumps({"type": "subscribe", "user_id": bob.user.id}).decode())
        refused = await recv_json(ws)
        assert refused["type"] == "error" and refused["code"] == "forbidden"
        await ws.send(orjson.dumps({"type": "subscribe", "channel": f"user:{bob.user.id}"}).decode())
        assert (await recv_json(ws))["code"] == "forbidden"
        await ws.send(orjson.dumps({"type": "subscribe", "user_id": alice.user.id}).decode())
        assert await recv_json(ws) == {"type": "subscribed", "channel": f"user:{alice.user.id}"}
        # A fresh token of another user cannot take the socket over.
        await ws.send(orjson.dumps({"type": "auth", "token": token_for(rt, bob.user)}).decode())
        assert (await recv_json(ws))["code"] == "forbidden"
        await ws.send("not json")
        assert (await recv_json(ws))["code"] == "malformed_frame"
        await ws.send('{"type": "dance"}')
        assert (await recv_json(ws))["code"] == "unknown_type"

        # Bob's notifications still never reach Alice.
        await emit(rt, "course.completed", {"user_id": bob.user.id, "course_id": "c1"})
        await ws.send('{"type": "ping"}')
        assert await recv_json(ws) == {"type": "pong"}
        await ws.close()


@pytest.mark.parametrize("settings_overrides", [{"ws_heartbeat_seconds": 0.2}])
async def test_server_sends_heartbeat_pings(rt: Runtime, app: FastAPI) -> None:
    alice = await create_user(rt)
    async with serve(app) as url:
        ws, _ = await open_socket(url, token_for(rt, alice.user))
        assert await recv_json(ws, skip_pings=False) == {"type": "ping"}
        await ws.close()


async def _inactive(rt: Runtime, acct: Account) -> None:
    async with rt.sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == acct.user.id).values(is_active=False))


async def test_sockets_without_a_valid_token_are_closed_4401(rt: Runtime, app: FastAPI) -> None:
    alice = await create_user(rt)
    key_file = rt.settings.jwt_private_key_file
    assert isinstance(key_file, Path)
    expired_signer = JWTSigner(key_file.read_bytes(), rt.settings.jwt_issuer, rt.settings.jwt_audience, -60)
    expired = expired_signer.issue(user_id=alice.user.id, email=alice.email, role="student", session_id=None)[0]
    async with serve(app) as url:
        async with connect(url) as ws:  # no token at all: the first frame is not an auth frame
            await ws.send('{"type": "ping"}')
            assert await close_code(ws) == 4401
        async with connect(f"{url}?token={expired}") as ws:
            assert await close_code(ws) == 4401
            assert ws.close_reason == "The access token has expired."
        async with connect(url) as ws:
            await ws.send(orjson.dumps({"type": "auth", "token": expired}).decode())
            assert await close_code(ws) == 4401
        async with connect(f"{url}?token=garbage") as ws:
            assert await close_code(ws) == 4401
        await _inactive(rt, alice)
        async with connect(f"{url}?token={token_for(rt, alice.user)}") as ws:
            assert await close_code(ws) == 4401


@pytest.mark.parametrize("settings_overrides", [{"ws_auth_timeout_seconds": 0.2}])
async def test_socket_that_never_authenticates_is_closed_4401(rt: Runtime, app: FastAPI) -> None:
    async with serve(app) as url, connect(url) as ws:
        assert await close_code(ws) == 4401


@pytest.mark.parametrize("settings_overrides", [{"access_token_ttl_seconds": 2}])
async def test_socket_closes_when_its_token_expires(rt: Runtime, app: FastAPI) -> None:
    alice = await create_user(rt)
    async with serve(app) as url, connect(f"{url}?token={token_for(rt, alice.user)}") as ws:
        # Exp has whole-second resolution: the token lives between 1 and 2 seconds.
        assert (await recv_json(ws))["type"] == "ready"
        assert await close_code(ws) == 4401
        assert ws.close_reason == "The access token has expired."
