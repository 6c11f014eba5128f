"""Accounts and sessions: registration, login with brute-force throttling, rotating refresh tokens,
email verification and password reset by single-use tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from lms.auth.models import OneTimeToken, RefreshToken, TokenPurpose
from lms.core import events
from lms.core.db import utcnow
from lms.core.errors import BadRequest, ErrorCode, LMSError, NotAuthenticated, RateLimited
from lms.core.ids import new_id
from lms.core.passwords import hash_password, password_problem, verify_password
from lms.core.runtime import Runtime
from lms.core.tokens import hash_token, new_opaque_token
from lms.users import service as users_service
from lms.users.models import Role, User

log = structlog.get_logger("lms.auth")


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    user: User


class _Dummy:
    """A real bcrypt hash to verify against when the account does not exist: equal timing."""

    hash: str | None = None


async def _dummy_hash(rt: Runtime) -> str:
    if _Dummy.hash is None:
        _Dummy.hash = await hash_password("not-a-real-password-000", rt.settings.bcrypt_rounds)
    return _Dummy.hash


def _check_password_policy(password: str, *, email: str = "", full_name: str = "") -> None:
    problem = password_problem(password, email=email, full_name=full_name)
    if problem:
        raise BadRequest(
            problem,
            code=ErrorCode.WEAK_PASSWORD,
            status=422,
            title="Password not accepted",
            extra={"errors": [{"field": "password", "message": problem}]},
        )


async def register(session: AsyncSession, rt: Runtime, *, email: str, password: str, full_name: str) -> None:
    """Create a student account. The answer is the same whether or not the email is taken."""
    email = users_service.normalize_email(email)
    _check_password_policy(password, email=email, full_name=full_name)
    password_hash = await hash_password(password, rt.settings.bcrypt_rounds)
    existing = await users_service.get_by_email(session, email)
    if existing is not None:
        # Tell the owner by email instead of telling the caller.
        events.publish(session, "auth.registration_duplicate", {"user_id": existing.id}, key=existing.id)
        return
    user = await users_service.create(
        session, email=email, full_name=full_name, password_hash=password_hash, role=Role.STUDENT
    )
    events.publish(
        session,
        "user.registered",
        {"user_id": user.id, "email": user.email, "full_name": user.full_name, "role": user.role},
        actor_id=user.id,
        key=user.id,
    )


async def _check_login_throttle(rt: Runtime, email: str, ip: str) -> None:
    s = rt.settings
    checks = [
        (f"login-fail:acct:{email}", s.login_failures_per_account_hour, 3600),
        (f"login-fail:acct-ip:{email}:{ip}", s.login_failures_per_account_ip, s.login_failures_per_account_ip_window),
        (f"login-fail:ip:{ip}", s.login_failures_per_ip, 900),
    ]
    for key, limit, window in checks:
        hit = await rt.limiter.peek(key, limit, window)
        if hit.count >= limit:
            raise RateLimited(
                hit.reset_in,
                f"Too many failed sign-in attempts. Try again in {hit.reset_in} seconds or reset your password.",
                code=ErrorCode.TOO_MANY_LOGIN_FAILURES,
            )


async def _record_login_failure(rt: Runtime, email: str, ip: str) -> None:
    s = rt.settings
    await rt.limiter.hit(f"login-fail:acct:{email}", s.login_failures_per_account_hour, 3600)
    await rt.limiter.hit(
        f"login-fail:acct-ip:{email}:{ip}", s.login_failures_per_account_ip, s.login_failures_per_account_ip_window
    )
    await rt.limiter.hit(f"login-fail:ip:{ip}", s.login_failures_per_ip, 900)


async def _new_refresh_token(
    session: AsyncSession, rt: Runtime, user: User, family_id: str, ip: str | None, user_agent: str | None
) -> str:
    raw = new_opaque_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=hash_token(raw),
            expires_at=utcnow() + timedelta(seconds=rt.settings.refresh_token_ttl_seconds),
            ip=ip,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    await session.flush()
    return raw


async def _issue(
    session: AsyncSession, rt: Runtime, user: User, family_id: str, ip: str | None, user_agent: str | None
) -> IssuedTokens:
    refresh = await _new_refresh_token(session, rt, user, family_id, ip, user_agent)
    access, ttl = rt.signer.issue(user_id=user.id, email=user.email, role=user.role, session_id=family_id)
    return IssuedTokens(access, ttl, refresh, user)


async def login(
    session: AsyncSession, rt: Runtime, *, email: str, password: str, ip: str, user_agent: str | None
) -> IssuedTokens:
    email = users_service.normalize_email(email)
    await _check_login_throttle(rt, email, ip)
    user = await users_service.get_by_email(session, email)
    ok = await verify_password(password, user.password_hash if user else await _dummy_hash(rt))
    if user is None or not ok:
        await _record_login_failure(rt, email, ip)
        raise NotAuthenticated("The email or password is incorrect.", code=ErrorCode.INVALID_CREDENTIALS)
    if not user.is_active:
        raise LMSError(
            "This account has been deactivated. Contact the LMS administrator.",
            code=ErrorCode.ACCOUNT_DISABLED,
            status=403,
            title="Account disabled",
        )
    await rt.limiter.reset(f"login-fail:acct-ip:{email}:{ip}", rt.settings.login_failures_per_account_ip_window)
    user.last_login_at = utcnow()
    return await _issue(session, rt, user, new_id(), ip, user_agent)


async def refresh(
    session: AsyncSession, rt: Runtime, *, raw_token: str, ip: str | None, user_agent: str | None
) -> IssuedTokens:
    """Rotate a refresh token. Presenting an already-rotated token revokes its whole family."""
    invalid = NotAuthenticated("The refresh token is not valid; sign in again.", code=ErrorCode.INVALID_REFRESH_TOKEN)
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw_token)))
    if row is None:
        raise invalid
    now = utcnow()
    if row.revoked_at is not None or row.expires_at <= now:
        raise invalid
    # Conditional update: of two concurrent uses, exactly one wins; the other is a reuse.
    claimed = await session.execute(
        update(RefreshToken).where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None)).values(used_at=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        await revoke_family(session, row.family_id)
        log.warning("refresh_token_reuse", user_id=row.user_id, family_id=row.family_id)
        reused = NotAuthenticated(
            "This refresh token was already used; every session of it has been signed out. Sign in again.",
            code=ErrorCode.REFRESH_TOKEN_REUSED,
        )
        reused.commit_changes = True  # the revocation must persist although the request fails
        raise reused
    user = await users_service.get(session, row.user_id)
    if user is None or not user.is_active:
        raise invalid
    return await _issue(session, rt, user, row.family_id, ip, user_agent)


async def revoke_family(session: AsyncSession, family_id: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_all_sessions(session: AsyncSession, user: User) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    user.tokens_valid_after = utcnow()


async def logout(
    session: AsyncSession,
    rt: Runtime,
    *,
    user: User,
    session_id: str | None,
    jti: str | None,
    access_exp: int | None,
    raw_refresh: str | None,
) -> None:
    """End this session: its refresh family is revoked and the access token refused until it expires."""
    if session_id:
        await revoke_family(session, session_id)
    if raw_refresh:
        row = await session.scalar(
            select(RefreshToken).where(
                RefreshToken.token_hash == hash_token(raw_refresh), RefreshToken.user_id == user.id
            )
        )
        if row is not None:
            await revoke_family(session, row.family_id)
    if jti and access_exp:
        ttl = access_exp - int(utcnow().timestamp())
        if ttl > 0:
            await rt.kv.set(f"revoked-jti:{jti}", "1", ttl)


async def change_password(
    session: AsyncSession, rt: Runtime, *, user: User, current: str, new: str, ip: str | None, user_agent: str | None
) -> IssuedTokens:
    """Change the password, sign out every session, and start a fresh one for the caller."""
    if not await verify_password(current, user.password_hash):
        raise BadRequest(
            "The current password is incorrect.",
            code=ErrorCode.INVALID_CREDENTIALS,
            extra={"errors": [{"field": "current_password", "message": "Incorrect password."}]},
        )
    _check_password_policy(new, email=user.email, full_name=user.full_name)
    user.password_hash = await hash_password(new, rt.settings.bcrypt_rounds)
    await revoke_all_sessions(session, user)
    events.publish(session, "auth.password_changed", {"user_id": user.id}, actor_id=user.id, key=user.id)
    return await _issue(session, rt, user, new_id(), ip, user_agent)


async def request_password_reset(session: AsyncSession, rt: Runtime, *, email: str) -> None:
    """Queue a reset email if the account exists. The caller learns nothing either way."""
    user = await users_service.get_by_email(session, email)
    if user is not None and user.is_active:
        events.publish(session, "auth.password_reset_requested", {"user_id": user.id}, key=user.id)


async def create_one_time_token(session: AsyncSession, user: User, purpose: TokenPurpose, ttl_seconds: int) -> str:
    raw = new_opaque_token()
    session.add(
        OneTimeToken(
            user_id=user.id,
            purpose=purpose.value,
            token_hash=hash_token(raw),
            expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        )
    )
    await session.flush()
    return raw


async def _consume(session: AsyncSession, raw: str, purpose: TokenPurpose) -> User:
    invalid = BadRequest(
        "This link is invalid, already used or expired. Ask for a new one.", code=ErrorCode.INVALID_ONE_TIME_TOKEN
    )
    row = await session.scalar(
        select(OneTimeToken).where(OneTimeToken.token_hash == hash_token(raw), OneTimeToken.purpose == purpose.value)
    )
    now = utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise invalid
    used = await session.execute(
        update(OneTimeToken).where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_(None)).values(used_at=now)
    )
    if getattr(used, "rowcount", 0) != 1:
        raise invalid
    user = await users_service.get(session, row.user_id)
    if user is None or not user.is_active:
        raise invalid
    return user


async def confirm_password_reset(session: AsyncSession, rt: Runtime, *, token: str, new_password: str) -> None:
    user = await _consume(session, token, TokenPurpose.PASSWORD_RESET)
    _check_password_policy(new_password, email=user.email, full_name=user.full_name)
    user.password_hash = await hash_password(new_password, rt.settings.bcrypt_rounds)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the reset link proved the address
    await revoke_all_sessions(session, user)
    events.publish(session, "auth.password_changed", {"user_id": user.id}, actor_id=user.id, key=user.id)


async def verify_email(session: AsyncSession, *, token: str) -> User:
    user = await _consume(session, token, TokenPurpose.VERIFY_EMAIL)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    events.publish(session, "user.email_verified", {"user_id": user.id}, actor_id=user.id, key=user.id)
    return user


async def resend_verification(session: AsyncSession, user: User) -> None:
    if user.email_verified_at is None:
        events.publish(session, "auth.verification_requested", {"user_id": user.id}, key=user.id)


async def logout_by_refresh_token(session: AsyncSession, *, raw_refresh: str) -> None:
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw_refresh)))
    if row is not None:
        await revoke_family(session, row.family_id)
