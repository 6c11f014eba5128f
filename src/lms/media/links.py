"""Signed, expiring links to media content.

A ``<video>`` element or a download link cannot send the SPA's bearer token, so whoever may see a
lesson gets links that carry their own proof: an HMAC over the file id and an expiry. Lessons store the
plain site path (``/api/v1/media/<id>/content``); ``sign_site_url`` turns it into a signed one when the
lesson is shown to someone allowed to see it. Depends only on the standard library so the courses
domain can use it without importing the media service.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

CONTENT_PATH = re.compile(r"^/api/v1/media/([A-Za-z0-9-]{1,36})/content$")
SIGNED_CONTENT_PATH = re.compile(r"^(/api/v1/media/[A-Za-z0-9-]{1,36}/content)\?exp=\d+&sig=[0-9a-f]+$")


def content_path(media_id: str) -> str:
    return f"/api/v1/media/{media_id}/content"


def _mac(secret: str, media_id: str, expires: int) -> str:
    key = hashlib.sha256(b"lms-media-links\0" + secret.encode()).digest()
    return hmac.new(key, f"{media_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def signed_url(secret: str, media_id: str, ttl_seconds: int, *, now: float | None = None) -> str:
    # Round the expiry up to the next 5 minutes so the same lesson shown twice keeps one URL (cacheable).
    expires = int(((now or time.time()) + ttl_seconds) // 300 * 300 + 300)
    return f"{content_path(media_id)}?exp={expires}&sig={_mac(secret, media_id, expires)}"


def verify(secret: str, media_id: str, expires: int, signature: str, *, now: float | None = None) -> bool:
    if expires < (now or time.time()):
        return False
    return hmac.compare_digest(_mac(secret, media_id, expires).encode(), signature.encode())


def unsigned(url: str) -> str:
    """What to store when an editor saves a lesson with a signed link in it (e.g. the one the editor
    showed them): the bare path, so the stored lesson never carries an expiring signature."""
    match = SIGNED_CONTENT_PATH.match(url)
    return match.group(1) if match else url


def sign_site_url(secret: str, url: str | None, ttl_seconds: int) -> str | None:
    """A lesson's video/file URL as the viewer should get it: site media paths signed, others untouched."""
    if url is None:
        return None
    match = CONTENT_PATH.match(url)
    return signed_url(secret, match.group(1), ttl_seconds) if match else url
