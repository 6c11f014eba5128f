"""Reactions to account events: the security emails (sent by consumers, never inside a request).

They go through ``lms.emails.service.send_email`` like every email; security kinds cannot be turned off.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from lms.auth import service as auth_service
from lms.auth.models import TokenPurpose
from lms.core.events import Event, EventBus
from lms.core.runtime import Runtime
from lms.emails.models import EmailKind
from lms.emails.service import send_email
from lms.users import service as users_service


async def send_verification_email(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user = await users_service.get(session, event.data["user_id"])
    if user is None or user.email_verified:
        return
    ttl = rt.settings.email_verify_ttl_seconds
    token = await auth_service.create_one_time_token(session, user, TokenPurpose.VERIFY_EMAIL, ttl)
    await send_email(
        rt,
        session,
        user=user,
        kind=EmailKind.VERIFICATION,
        template="verify_email",
        context={"token": token, "valid_hours": ttl // 3600},
    )


async def send_password_reset_email(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user = await users_service.get(session, event.data["user_id"])
    if user is None or not user.is_active:
        return
    ttl = rt.settings.password_reset_ttl_seconds
    token = await auth_service.create_one_time_token(session, user, TokenPurpose.PASSWORD_RESET, ttl)
    await send_email(
        rt,
        session,
        user=user,
        kind=EmailKind.PASSWORD_RESET,
        template="password_reset",
        context={"token": token, "valid_minutes": ttl // 60},
    )


async def send_account_exists_email(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user = await users_service.get(session, event.data["user_id"])
    if user is not None:
        await send_email(rt, session, user=user, kind=EmailKind.ACCOUNT_EXISTS, template="account_exists")


async def send_password_changed_email(rt: Runtime, session: AsyncSession, event: Event) -> None:
    user = await users_service.get(session, event.data["user_id"])
    if user is not None:
        await send_email(rt, session, user=user, kind=EmailKind.PASSWORD_CHANGED, template="password_changed")


def register(bus: EventBus) -> None:
    bus.subscribe("user.registered", "auth.verification_email")(send_verification_email)
    bus.subscribe("auth.verification_requested", "auth.verification_email")(send_verification_email)
    bus.subscribe("auth.password_reset_requested", "auth.password_reset_email")(send_password_reset_email)
    bus.subscribe("auth.registration_duplicate", "auth.account_exists_email")(send_account_exists_email)
    bus.subscribe("auth.password_changed", "auth.password_changed_email")(send_password_changed_email)
