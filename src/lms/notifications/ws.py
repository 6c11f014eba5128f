"""The real-time socket ``/api/v1/ws``: notification frames for the signed-in user.

Protocol (JSON text frames):
- authenticate with ``?token=<access token>`` or a first frame ``{"type": "auth", "token": "..."}``; a
  missing, invalid or expired token, or an inactive account, closes the socket with code 4401;
- the server then sends ``{"type": "ready", "user_id", "unread_count"}``, later
  ``{"type": "notification", "notification": {...}, "unread_count": N}`` and
  ``{"type": "unread_count", "unread_count": N}``, and ``{"type": "ping"}`` every heartbeat;
- the client may send ``ping`` (answered ``pong``), ``pong``, ``auth`` with a fresh token of the same
  user (extends the socket past the old token's expiry) and ``subscribe`` naming its own user id; naming
  any other user is refused with an ``error`` frame (``code: forbidden``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, cast

import orjson
from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from lms.core.runtime import Runtime
from lms.core.tokens import AccessClaims, TokenError
from lms.notifications import service
from lms.notifications.realtime import hub_for
from lms.users import service as users_service

router = APIRouter(tags=["notifications"])

CLOSE_UNAUTHORIZED = 4401


class AuthFailed(Exception):
    pass


async def authenticate(rt: Runtime, token: str) -> tuple[AccessClaims, int]:
    """Verify the access token like the HTTP API does. Returns the claims and the unread count."""
    try:
        claims = rt.signer.verify(token)
    except TokenError as exc:
        raise AuthFailed(str(exc)) from exc
    if await rt.kv.get(f"revoked-jti:{claims.jti}"):
        raise AuthFailed("This session has ended; sign in again.")
    async with rt.sessionmaker() as session:
        user = await users_service.get(session, claims.user_id)
        if user is None or not user.is_active:
            raise AuthFailed("This account is not active.")
        if user.tokens_valid_after is not None and claims.iat < int(user.tokens_valid_after.timestamp()):
            raise AuthFailed("This session has ended; sign in again.")
        count = await service.unread_count(session, user_id=user.id)
    return claims, count


def _error(code: str, detail: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail}


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    if websocket.client_state != WebSocketState.DISCONNECTED:
        with contextlib.suppress(Exception):
            await websocket.close(code=code, reason=reason[:120])


async def _first_token(websocket: WebSocket, timeout: float) -> str | None:
    try:
        message = await asyncio.wait_for(websocket.receive(), timeout=timeout)
    except TimeoutError:
        return None
    raw = message.get("text") or message.get("bytes")
    if message["type"] != "websocket.receive" or raw is None:
        return None
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if isinstance(frame, dict) and frame.get("type") == "auth" and isinstance(frame.get("token"), str):
        return cast(str, frame["token"])
    return None


@router.websocket("/ws")
async def notifications_socket(websocket: WebSocket) -> None:
    rt = cast(Runtime, websocket.app.state.runtime)
    settings = rt.settings
    await websocket.accept()
    token = websocket.query_params.get("token") or await _first_token(websocket, settings.ws_auth_timeout_seconds)
    if not token:
        await _close(websocket, CLOSE_UNAUTHORIZED, "An access token is required.")
        return
    try:
        claims, count = await authenticate(rt, token)
    except AuthFailed as exc:
        await _close(websocket, CLOSE_UNAUTHORIZED, str(exc))
        return

    hub = hub_for(rt)
    conn = await hub.connect(claims.user_id)
    expires_at = claims.exp
    receiver: asyncio.Future[Any] = asyncio.ensure_future(websocket.receive())
    outgoing: asyncio.Future[dict[str, Any]] = asyncio.ensure_future(conn.queue.get())
    try:
        await websocket.send_json({"type": "ready", "user_id": claims.user_id, "unread_count": count})
        next_ping = time.monotonic() + settings.ws_heartbeat_seconds
        while True:
            wait = max(0.0, min(next_ping - time.monotonic(), expires_at - time.time()))
            done, _ = await asyncio.wait({receiver, outgoing}, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
            if outgoing in done:
                await websocket.send_json(outgoing.result())
                outgoing = asyncio.ensure_future(conn.queue.get())
            if receiver in done:
                message = receiver.result()
                if message["type"] == "websocket.disconnect":
                    return
                reply, new_exp = await _handle_client_frame(rt, claims, message.get("text") or message.get("bytes"))
                if new_exp is not None:
                    expires_at = max(expires_at, new_exp)
                if reply is not None:
                    await websocket.send_json(reply)
                receiver = asyncio.ensure_future(websocket.receive())
            if time.time() >= expires_at:
                await _close(websocket, CLOSE_UNAUTHORIZED, "The access token has expired.")
                return
            if time.monotonic() >= next_ping:
                await websocket.send_json({"type": "ping"})
                next_ping = time.monotonic() + settings.ws_heartbeat_seconds
    except (WebSocketDisconnect, RuntimeError, OSError):
        # The peer went away mid-send; nothing to tell it.
        return
    finally:
        for fut in (receiver, outgoing):
            fut.cancel()
        await hub.disconnect(conn)


async def _handle_client_frame(
    rt: Runtime, claims: AccessClaims, raw: str | bytes | None
) -> tuple[dict[str, Any] | None, int | None]:
    """The reply to one client frame, and a new expiry when the client re-authenticated."""
    try:
        frame = orjson.loads(raw) if raw is not None else None
    except orjson.JSONDecodeError:
        frame = None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return _error("malformed_frame", 'Frames are JSON objects with a "type".'), None
    kind = frame["type"]
    if kind == "ping":
        return {"type": "pong"}, None
    if kind == "pong":
        return None, None
    if kind == "subscribe":
        wanted = frame.get("user_id", claims.user_id)
        channel = frame.get("channel")
        if wanted != claims.user_id or (channel is not None and channel != f"user:{claims.user_id}"):
            return _error("forbidden", "You can only subscribe to your own notifications."), None
        return {"type": "subscribed", "channel": f"user:{claims.user_id}"}, None
    if kind == "auth":
        token = frame.get("token")
        try:
            fresh, _ = await authenticate(rt, token if isinstance(token, str) else "")
        except AuthFailed as exc:
            return _error("invalid_token", str(exc)), None
        if fresh.user_id != claims.user_id:
            return _error("forbidden", "A socket stays with the user who opened it."), None
        return {"type": "authenticated", "expires_at": fresh.exp}, fresh.exp
    return _error("unknown_type", f"Unknown frame type {kind!r}."), None
