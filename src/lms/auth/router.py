"""HTTP face of accounts and sessions: /api/v1/auth/*."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request, Response, status

from lms.auth import service
from lms.auth.dependencies import CurrentUser, OptionalUser
from lms.auth.schemas import (
    ChangePasswordRequest,
    LoginRequest,
    MessageResponse,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    RegisterResponse,
    TokenResponse,
    VerifyEmailRequest,
)
from lms.core.deps import RuntimeDep, SessionDep
from lms.core.errors import ErrorCode, NotAuthenticated
from lms.core.ratelimit import client_ip
from lms.core.runtime import Runtime
from lms.users.schemas import UserRead

router = APIRouter(prefix="/auth", tags=["auth"])


def _ip(request: Request, rt: Runtime) -> str:
    return client_ip(request.scope, trust_proxy=rt.settings.trust_proxy_headers)


def _token_response(rt: Runtime, response: Response, issued: service.IssuedTokens) -> TokenResponse:
    response.set_cookie(
        rt.settings.refresh_cookie_name,
        issued.refresh_token,
        max_age=rt.settings.refresh_token_ttl_seconds,
        path="/api/v1/auth",
        httponly=True,
        samesite="strict",
        secure=rt.settings.cookie_secure,
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        user=UserRead.model_validate(issued.user),
    )


def _clear_cookie(rt: Runtime, response: Response) -> None:
    response.delete_cookie(
        rt.settings.refresh_cookie_name,
        path="/api/v1/auth",
        httponly=True,
        samesite="strict",
        secure=rt.settings.cookie_secure,
    )


@router.post("/register", status_code=status.HTTP_202_ACCEPTED, response_model=RegisterResponse)
async def register(body: RegisterRequest, session: SessionDep, rt: RuntimeDep) -> RegisterResponse:
    """Create a student account and email a verification link. The same answer is given for an email
    that is already registered (its owner is told by email instead), so accounts cannot be discovered."""
    await service.register(session, rt, email=body.email, password=body.password, full_name=body.full_name)
    return RegisterResponse(
        message="Check your inbox: we sent a link to confirm your email address.", email=body.email.lower()
    )


@router.post("/login", response_model=TokenResponse)
async def login(
    body: LoginRequest, request: Request, response: Response, session: SessionDep, rt: RuntimeDep
) -> TokenResponse:
    issued = await service.login(
        session,
        rt,
        email=body.email,
        password=body.password,
        ip=_ip(request, rt),
        user_agent=request.headers.get("user-agent"),
    )
    return _token_response(rt, response, issued)


@router.post("/refresh", response_model=TokenResponse)
async def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    rt: RuntimeDep,
    body: Annotated[RefreshRequest | None, Body()] = None,
) -> TokenResponse:
    """Exchange a refresh token (body or httpOnly cookie) for a new pair. Each token works once."""
    raw = (body.refresh_token if body else None) or request.cookies.get(rt.settings.refresh_cookie_name)
    if not raw:
        raise NotAuthenticated("No refresh token was given.", code=ErrorCode.INVALID_REFRESH_TOKEN)
    issued = await service.refresh(
        session, rt, raw_token=raw, ip=_ip(request, rt), user_agent=request.headers.get("user-agent")
    )
    return _token_response(rt, response, issued)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    user: OptionalUser,
    body: Annotated[RefreshRequest | None, Body()] = None,
) -> Response:
    raw = (body.refresh_token if body else None) or request.cookies.get(rt.settings.refresh_cookie_name)
    claims = getattr(request.state, "claims", None)
    if user is not None:
        await service.logout(
            session,
            rt,
            user=user,
            session_id=claims.sid if claims else None,
            jti=claims.jti if claims else None,
            access_exp=claims.exp if claims else None,
            raw_refresh=raw,
        )
    elif raw:
        await service.logout_by_refresh_token(session, raw_refresh=raw)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_cookie(rt, response)
    return response


@router.get("/me", response_model=UserRead)
async def me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)


@router.post("/change-password", response_model=TokenResponse)
async def change_password(
    body: ChangePasswordRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    rt: RuntimeDep,
    user: CurrentUser,
) -> TokenResponse:
    """Change the password. Every other session is signed out; this one gets new tokens."""
    issued = await service.change_password(
        session,
        rt,
        user=user,
        current=body.current_password,
        new=body.new_password,
        ip=_ip(request, rt),
        user_agent=request.headers.get("user-agent"),
    )
    return _token_response(rt, response, issued)


@router.post("/password-reset/request", status_code=status.HTTP_202_ACCEPTED, response_model=MessageResponse)
async def password_reset_request(body: PasswordResetRequest, session: SessionDep, rt: RuntimeDep) -> MessageResponse:
    await service.request_password_reset(session, rt, email=body.email)
    return MessageResponse(message="If an account exists for that email, a reset link is on its way.")


@router.post("/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def password_reset_confirm(body: PasswordResetConfirm, session: SessionDep, rt: RuntimeDep) -> None:
    await service.confirm_password_reset(session, rt, token=body.token, new_password=body.new_password)


@router.post("/verify-email", response_model=UserRead)
async def verify_email(body: VerifyEmailRequest, session: SessionDep) -> UserRead:
    return UserRead.model_validate(await service.verify_email(session, token=body.token))


@router.post("/verify-email/resend", status_code=status.HTTP_202_ACCEPTED, response_model=MessageResponse)
async def resend_verification(session: SessionDep, user: CurrentUser) -> MessageResponse:
    await service.resend_verification(session, user)
    return MessageResponse(message="If your email is not yet confirmed, a new link is on its way.")
