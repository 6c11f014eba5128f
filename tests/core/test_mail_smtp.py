"""The SMTP sender against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from lms.config import Settings
from lms.core.mail import MailRenderer, SMTPSender


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


async def test_smtp_delivers_html_and_text(smtp_server: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    settings = Settings(
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        data_dir=tmp_path,
        public_url="https://lms.jntugv.edu.in",
    )
    mail = MailRenderer(settings).render(
        "password_reset", "asha@example.edu", full_name="Asha", token="tok123", valid_minutes=60
    )
    message_id = await SMTPSender(settings).send(mail)
    assert len(inbox.messages) == 1
    sender, rcpts, raw = inbox.messages[0]
    assert rcpts == ["asha@example.edu"] and "no-reply@jntugv.edu.in" in sender
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Message-ID"] == message_id
    assert msg["Subject"] == "Reset your JNTU GV LMS password"
    text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "https://lms.jntugv.edu.in/reset-password?token=tok123" in text
    assert 'href="https://lms.jntugv.edu.in/reset-password?token=tok123"' in html


async def test_smtp_failure_raises_so_the_consumer_retries(tmp_path: Path) -> None:
    settings = Settings(
        mail_backend="smtp", smtp_host="127.0.0.1", smtp_port=_free_port(), data_dir=tmp_path, smtp_timeout_seconds=2
    )
    mail = MailRenderer(settings).render("password_changed", "a@example.edu", full_name="A")
    with pytest.raises(OSError):
        await SMTPSender(settings).send(mail)
