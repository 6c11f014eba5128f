"""Password policy and hashing (pure logic: runs once)."""

from __future__ import annotations

import pytest

from lms.core.passwords import hash_password_sync, needs_rehash, password_problem, verify_password_sync


@pytest.mark.parametrize("pw", ["Gurajada-2026!", "correct horse battery staple", "తెలుగు-పాస్‌వర్డ్-2026", "x" * 7 + "Yz"])
def test_good_passwords_pass(pw: str) -> None:
    assert password_problem(pw, email="asha@example.edu", full_name="Asha Rani") is None


def test_length_counts_characters_not_bytes() -> None:
    assert password_problem("తెలుగుపాస్") is None  # 10 characters, 30 bytes
    assert password_problem("ü" * 128 + "") is not None  # repetitive, but not "too long"
    assert "at most 128" in (password_problem("ab" * 65) or "")


def test_personal_and_common_passwords_rejected() -> None:
    assert password_problem("ashasmith", email="ashasmith@example.edu") is not None
    assert password_problem("Asha Rani Devi", full_name="Asha Rani Devi") is not None
    assert password_problem("IloveYou1") is not None


def test_hash_roundtrip_and_rehash_detection() -> None:
    stored = hash_password_sync("Gurajada-2026!", 4)
    assert verify_password_sync("Gurajada-2026!", stored)
    assert not verify_password_sync("Gurajada-2026?", stored)
    assert not verify_password_sync("Gurajada-2026!", "$2b$04$notourformat")
    assert needs_rehash(stored, 10) and not needs_rehash(stored, 4)
