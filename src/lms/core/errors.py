"""One error hierarchy and the handlers that turn every error into RFC 9457 problem+json."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("lms.errors")


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    MALFORMED_JSON = "malformed_json"
    BODY_TOO_LARGE = "body_too_large"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_AUTHENTICATED = "not_authenticated"
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"
    INVALID_CREDENTIALS = "invalid_credentials"
    ACCOUNT_DISABLED = "account_disabled"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    WEAK_PASSWORD = "weak_password"
    INVALID_REFRESH_TOKEN = "invalid_refresh_token"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"
    INVALID_ONE_TIME_TOKEN = "invalid_one_time_token"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_LOGIN_FAILURES = "too_many_login_failures"
    PAYMENT_REQUIRED = "payment_required"
    # courses, enrollments, progress, reviews
    COURSE_NOT_PUBLISHABLE = "course_not_publishable"
    COURSE_NOT_OPEN = "course_not_open"
    ENROLLMENT_CLOSED = "enrollment_closed"
    COURSE_FULL = "course_full"
    PREREQUISITES_NOT_MET = "prerequisites_not_met"
    NOT_ENROLLED = "not_enrolled"
    INVALID_ORDER = "invalid_order"
    COMPLETED_BY_QUIZ = "completed_by_quiz"
    # payments
    INVALID_SIGNATURE = "invalid_signature"
    AMOUNT_MISMATCH = "amount_mismatch"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    PROVIDER_ERROR = "provider_error"
    COUPON_INVALID = "coupon_invalid"
    COUPON_EXHAUSTED = "coupon_exhausted"
    ALREADY_ENROLLED = "already_enrolled"
    COURSE_IS_FREE = "course_is_free"
    ORDER_NOT_PAYABLE = "order_not_payable"
    REFUND_EXCEEDS_PAID = "refund_exceeds_paid"
    RECEIPT_UNAVAILABLE = "receipt_unavailable"
    # quizzes, certificates
    INVALID_QUESTION = "invalid_question"
    INVALID_ANSWER = "invalid_answer"
    QUIZ_NOT_AVAILABLE = "quiz_not_available"
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    ATTEMPT_CLOSED = "attempt_closed"
    IMPORT_FAILED = "import_failed"
    ALREADY_REVOKED = "already_revoked"
    # media
    UNSUPPORTED_MEDIA = "unsupported_media"
    INTERNAL_ERROR = "internal_error"
    SERVICE_UNAVAILABLE = "service_unavailable"


class LMSError(Exception):
    """Base of every error a client may see. Subclass or instantiate with a code."""

    status: int = 400
    code: ErrorCode = ErrorCode.VALIDATION_ERROR
    title: str = "Bad request"
    # Set when the request's changes so far must be kept although it fails (e.g. a revocation).
    commit_changes: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: ErrorCode | None = None,
        status: int | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.detail = detail or self.title
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if title is not None:
            self.title = title
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.detail)


class BadRequest(LMSError):
    status, code, title = 400, ErrorCode.VALIDATION_ERROR, "Bad request"


class NotAuthenticated(LMSError):
    status, code, title = 401, ErrorCode.NOT_AUTHENTICATED, "Not authenticated"

    def __init__(self, detail: str | None = None, *, code: ErrorCode | None = None) -> None:
        error = "invalid_token" if code else None
        challenge = 'Bearer realm="lms"' + (f', error="{error}"' if error else "")
        super().__init__(detail, code=code, headers={"WWW-Authenticate": challenge})


class Forbidden(LMSError):
    status, code, title = 403, ErrorCode.FORBIDDEN, "Forbidden"


class NotFound(LMSError):
    status, code, title = 404, ErrorCode.NOT_FOUND, "Not found"


class Conflict(LMSError):
    status, code, title = 409, ErrorCode.CONFLICT, "Conflict"


class PayloadTooLarge(LMSError):
    status, code, title = 413, ErrorCode.BODY_TOO_LARGE, "Payload too large"


class UnsupportedMedia(LMSError):
    status, code, title = 415, ErrorCode.UNSUPPORTED_MEDIA, "Unsupported media type"


class RateLimited(LMSError):
    status, code, title = 429, ErrorCode.RATE_LIMITED, "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None, *, code: ErrorCode | None = None) -> None:
        super().__init__(
            detail or f"Too many requests; try again in {retry_after} seconds.",
            code=code,
            headers={"Retry-After": str(max(1, retry_after))},
        )


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://lms.jntugv.edu.in/problems/{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


_HTTP_CODES: dict[int, tuple[ErrorCode, str]] = {
    400: (ErrorCode.VALIDATION_ERROR, "Bad request"),
    401: (ErrorCode.NOT_AUTHENTICATED, "Not authenticated"),
    403: (ErrorCode.FORBIDDEN, "Forbidden"),
    404: (ErrorCode.NOT_FOUND, "Not found"),
    405: (ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed"),
    413: (ErrorCode.BODY_TOO_LARGE, "Request body too large"),
    429: (ErrorCode.RATE_LIMITED, "Too many requests"),
}


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LMSError)
    async def _lms_error(request: Request, exc: LMSError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.code.value,
            exc.title,
            exc.detail,
            instance=request.url.path,
            headers=exc.headers,
            extra=exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem_response(
                400,
                ErrorCode.MALFORMED_JSON.value,
                "Malformed JSON",
                "The request body is not valid JSON.",
                instance=request.url.path,
            )
        fields = [{"field": _field_path(tuple(e.get("loc", ()))), "message": str(e.get("msg", ""))} for e in errors]
        return problem_response(
            422,
            ErrorCode.VALIDATION_ERROR.value,
            "Validation failed",
            "One or more fields are invalid.",
            instance=request.url.path,
            extra={"errors": fields},
        )

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        # Every database connection stayed busy for the whole pool timeout: the server is over capacity (an
        # exam burst beyond what it can serve). The client may retry; it is not a bug, so not a 500.
        log.warning("database_pool_exhausted", path=request.url.path)
        return problem_response(
            503,
            ErrorCode.SERVICE_UNAVAILABLE.value,
            "Service busy",
            "The server is too busy to answer right now; please try again in a moment.",
            instance=request.url.path,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _HTTP_CODES.get(exc.status_code, (ErrorCode.VALIDATION_ERROR, "Error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 404 and detail == "Not Found":
            detail = "No such resource."
        return problem_response(
            exc.status_code, code.value, title, detail, instance=request.url.path, headers=dict(exc.headers or {})
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services check their rules first; this is the net for a race (or a collation's notion of
        # "equal" that a check missed) ending on a unique index: the request's transaction is rolled
        # back by its unit of work, and the client learns it conflicted instead of getting a 500.
        log.warning("integrity_conflict", path=request.url.path, error=str(exc.orig)[:300])
        return problem_response(
            409,
            ErrorCode.CONFLICT.value,
            "Conflict",
            "This conflicts with existing data (perhaps a change made at the same moment); reload and try again.",
            instance=request.url.path,
        )
