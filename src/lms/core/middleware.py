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
