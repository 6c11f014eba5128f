"""HTTP face of email: the caller's email preferences and the sign-in-free unsubscribe link."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from lms.auth.dependencies import CurrentUser
from lms.core.deps import RuntimeDep, SessionDep
from lms.emails import service
from lms.emails.models import SECURITY_KINDS, EmailKind
from lms.emails.schemas import EmailPreference, EmailPreferencesRead, EmailPreferencesUpdate, UnsubscribeResult

router = APIRouter(tags=["email"])
Token = Annotated[str, Query(min_length=10, max_length=500, description="The token of an unsubscribe link")]


def _read(prefs: dict[EmailKind, bool]) -> EmailPreferencesRead:
    return EmailPreferencesRead(
        preferences=[
            EmailPreference(kind=k, label=service.KIND_LABELS[k], enabled=on, locked=k in SECURITY_KINDS)
            for k, on in prefs.items()
        ]
    )


@router.get("/me/email-preferences", response_model=EmailPreferencesRead)
async def get_preferences(session: SessionDep, user: CurrentUser) -> EmailPreferencesRead:
    """Which kinds of email the caller receives. Security emails are always on (``locked``)."""
    return _read(await service.preferences(session, user.id))


@router.put("/me/email-preferences", response_model=EmailPreferencesRead)
async def put_preferences(body: EmailPreferencesUpdate, session: SessionDep, user: CurrentUser) -> EmailPreferencesRead:
    """Turn kinds of email on or off. Turning off a security kind is a 422."""
    return _read(await service.set_preferences(session, user.id, body.preferences))


@router.get("/email/unsubscribe", response_class=HTMLResponse)
async def unsubscribe_page(token: Token, rt: RuntimeDep, session: SessionDep) -> HTMLResponse:
    """The link in every non-security email: turns that kind off, no sign-in needed."""
    kind = await service.unsubscribe(rt, session, token)
    label = escape(service.KIND_LABELS[kind].lower())
    site = escape(rt.settings.site_name)
    base = escape(rt.settings.public_url.rstrip("/"))
    return HTMLResponse(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{site}</title></head>"
        f"<body style='font-family:Arial,sans-serif;max-width:560px;margin:40px auto'>"
        f"<h1>Unsubscribed</h1><p>You will no longer receive {label} emails from {site}.</p>"
        f"<p>Change this any time in <a href='{base}/settings/notifications'>your settings</a>.</p></body></html>"
    )


@router.post("/email/unsubscribe", response_model=UnsubscribeResult)
async def unsubscribe_one_click(token: Token, rt: RuntimeDep, session: SessionDep) -> UnsubscribeResult:
    """RFC 8058 one-click unsubscribe (``List-Unsubscribe-Post``)."""
    return UnsubscribeResult(kind=await service.unsubscribe(rt, session, token), enabled=False)
