"""Password hashing: bcrypt over an HMAC-SHA256 pre-hash, so no byte past bcrypt's 72 is ever ignored.

Hashing runs in a worker thread: a cost-10 hash takes ~60 ms of CPU and must not stall the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from importlib import resources

import bcrypt

# Stored as "$lms-bcrypt-sha256$<bcrypt hash>"; the pre-hash is base64 (44 bytes < 72).
PREFIX = "$lms-bcrypt-sha256$"
MIN_LENGTH, MAX_LENGTH = 8, 128
_PEPPER = b"jntugv-lms-password-prehash-v1"


def _prehash(password: str) -> bytes:
    digest = hmac.new(_PEPPER, password.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest)


def hash_password_sync(password: str, rounds: int) -> str:
    return PREFIX + bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password_sync(password: str, stored: str) -> bool:
    if not stored.startswith(PREFIX):
        return False
    return bcrypt.checkpw(_prehash(password), stored[len(PREFIX) :].encode("ascii"))


async def hash_password(password: str, rounds: int) -> str:
    return await asyncio.to_thread(hash_password_sync, password, rounds)


async def verify_password(password: str, stored: str) -> bool:
    return await asyncio.to_thread(verify_password_sync, password, stored)


def needs_rehash(stored: str, rounds: int) -> bool:
    try:
        return int(stored[len(PREFIX) :].split("$")[2]) != rounds
    except (IndexError, ValueError):
        return True


_common: frozenset[str] | None = None


def common_passwords() -> frozenset[str]:
    global _common
    if _common is None:
        text = resources.files("lms.core").joinpath("common_passwords.txt").read_text("utf-8")
        _common = frozenset(line.strip().lower() for line in text.splitlines() if line.strip())
    return _common


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """Why a password is not acceptable, or None. Length counts characters, not bytes."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"Password must be at most {MAX_LENGTH} characters long."
    lowered = password.lower()
    if lowered in common_passwords():
        return "This password is among the most commonly used ones; choose another."
    local = email.split("@", 1)[0].lower()
    if local and len(local) >= 4 and lowered == local:
        return "Password must not be your email address."
    if full_name and lowered.replace(" ", "") == full_name.lower().replace(" ", ""):
        return "Password must not be your name."
    if len(set(password)) < 3:
        return "Password is too repetitive."
    return None
