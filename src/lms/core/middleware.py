"""The outermost ASGI layer: request ids, access logs, metrics, body size limit, last-resort 500."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lms.core.errors import ErrorCode, problem_response
from lms.core.metrics import Metrics

log = structlog.get_logger("lms.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class _BodyTooLarge(Exception):
    pass


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        max_body_bytes: int,
        upload_paths: re.Pattern[str] | None = None,
        max_upload_bytes: int = 0,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        # File uploads (course media) may be far larger than any JSON body.
        self.upload_paths = upload_paths
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        limit = self.max_body_bytes
        if self.upload_paths is not None and self.upload_paths.match(scope.get("path", "")):
            limit = self.max_upload_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._send_problem(send, 413, request_id)
            self._record(scope, 413, started)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            status = 413
            if not response_started:
                await self._send_problem(send, 413, request_id)
        except Exception:
            log.exception("unhandled_error", path=scope.get("path"))
            status = 500
            if not response_started:
                await self._send_problem(send, 500, request_id)
        finally:
            self._record(scope, status, started)

    def _record(self, scope: Scope, status: int, started: float) -> None:
        elapsed = time.perf_counter() - started
        route: Any = scope.get("route")
        template = getattr(route, "path_format", None) or getattr(route, "path", None) or "<unmatched>"
        self.metrics.observe(scope["method"], template, status, elapsed)
        log.info(
            "request",
            method=scope["method"],
            path=scope.get("path"),
            route=template,
            status=status,
            duration_ms=round(elapsed * 1000, 2),
        )

    @staticmethod
    async def _send_problem(send: Send, status: int, request_id: str) -> None:
        if status == 413:
            resp = problem_response(
                413,
                ErrorCode.BODY_TOO_LARGE.value,
                "Request body too large",
                "The request body exceeds the size this server accepts.",
            )
        else:
            resp = problem_response(
                500,
                ErrorCode.INTERNAL_ERROR.value,
                "Internal server error",
                "Something went wrong on our side. It has been logged; please try again.",
            )
        raw = [(k, v) for k, v in resp.raw_headers] + [(b"x-request-id", request_id.encode())]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": resp.body})


# A JSON string escape for U+0000 (after an even run of backslashes; "\\u0000" is the text "\u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class NulCharacterGuard:
    """Refuses text holding the NUL character (U+0000) anywhere in an API request: the path, the query
    or a JSON body. PostgreSQL cannot store it in text (every such request failed there with a 500, found
    by fuzzing the API), and no field of an LMS has a use for it, so every backend refuses it the same way:
    a 422 ``validation_error`` before any handler runs, which therefore changes nothing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        where = None
        if "\x00" in path:
            where = "path"
        elif b"%00" in scope.get("query_string", b""):
            where = "query"
        elif _is_json(scope):
            body, receive = await _buffered(receive)
            if _JSON_NUL.search(body):
                where = "body"
        if where is None:
            await self.app(scope, receive, send)
            return
        resp = problem_response(
            422,
            ErrorCode.VALIDATION_ERROR.value,
            "Validation failed",
            "Text may not contain the NUL character (U+0000).",
            instance=path.replace("\x00", ""),
            extra={"errors": [{"field": where, "message": "The NUL character (U+0000) is not allowed."}]},
        )
        await resp(scope, receive, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            return b"json" in value.lower()
    return False


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body, and a ``receive`` that hands it to the app again."""
    chunks: list[bytes] = []
    first: Message = {"type": "http.request", "body": b"", "more_body": False}
    while True:
        message = await receive()
        if message["type"] != "http.request":
            first = message  # the client went away: the app is told so on its first receive
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            first = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            break
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return first
        return await receive()

    return b"".join(chunks), replay
