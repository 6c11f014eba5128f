"""Outgoing mail: HTML + text messages from Jinja2 templates, sent by SMTP or written as .eml files."""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from lms.config import Settings
from lms.core.db import utcnow


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] | None = None


class MailSender(Protocol):
    async def send(self, mail: OutgoingMail) -> str:
        """Send one message; return its Message-ID."""


def _build(mail: OutgoingMail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain="lms.jntugv.edu.in")
    for name, value in (mail.headers or {}).items():
        msg[name] = value
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


class SMTPSender:
    def __init__(self, settings: Settings) -> None:
        self.s = settings

    async def send(self, mail: OutgoingMail) -> str:
        msg = _build(mail, self.s.mail_from)
        await aiosmtplib.send(
            msg,
            hostname=self.s.smtp_host,
            port=self.s.smtp_port,
            username=self.s.smtp_username or None,
            password=self.s.smtp_password or None,
            start_tls=self.s.smtp_starttls,
            use_tls=self.s.smtp_use_tls,
            timeout=self.s.smtp_timeout_seconds,
        )
        return str(msg["Message-ID"])


class FileSender:
    """Development sink: every message becomes an .eml file under var/mail, newest last by name."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    async def send(self, mail: OutgoingMail) -> str:
        msg = _build(mail, self.sender)
        self.directory.mkdir(parents=True, exist_ok=True)
        safe_to = re.sub(r"[^A-Za-z0-9@._-]", "_", mail.to)
        name = f"{utcnow().strftime('%Y%m%dT%H%M%S%f')}-{safe_to}.eml"
        await asyncio.to_thread(_write_whole, self.directory / name, msg.as_bytes())
        return str(msg["Message-ID"])


def _write_whole(path: Path, data: bytes) -> None:
    """Write under a temporary name, then rename: whoever lists the *.eml files (a mail viewer, the tests)
    never reads half a message."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


class MailRenderer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = Environment(
            loader=PackageLoader("lms", "templates/email"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
        )

    def render(self, template: str, to: str, **context: Any) -> OutgoingMail:
        ctx = {
            "site_name": self.settings.site_name,
            "institution": self.settings.institution_name,
            "public_url": self.settings.public_url.rstrip("/"),
            **context,
        }
        subject = self.env.get_template(f"{template}.subject.txt").render(ctx).strip()
        text = self.env.get_template(f"{template}.txt").render(ctx)
        html = self.env.get_template(f"{template}.html").render(ctx)
        return OutgoingMail(to=to, subject=subject, text=text, html=html)


def make_sender(settings: Settings) -> MailSender:
    if settings.mail_backend == "smtp":
        return SMTPSender(settings)
    return FileSender(settings.mail_dir, settings.mail_from)
