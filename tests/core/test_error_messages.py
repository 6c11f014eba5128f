"""Every error code the API can answer with has a message in the web app, in English and Telugu: outside
English the web app shows that message instead of the server's English detail."""

from __future__ import annotations

import re
from pathlib import Path

from lms.core.errors import ErrorCode

I18N = Path(__file__).resolve().parents[2] / "web" / "src" / "i18n"


def problem_keys(file: str) -> set[str]:
    return set(re.findall(r'^\s*"problem\.([a-z_]+)":', (I18N / file).read_text(encoding="utf-8"), re.M))


def test_every_error_code_has_a_web_message_in_each_language() -> None:
    codes = {code.value for code in ErrorCode}
    assert problem_keys("en.ts") == codes
    assert problem_keys("te.ts") == codes
