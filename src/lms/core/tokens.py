"""JWT access tokens (RS256, JWKS published) and opaque random tokens stored only as hashes."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    email: str
    role: str
    jti: str
    iat: int
    exp: int
    sid: str | None


class TokenError(Exception):
    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


class JWTSigner:
    algorithm = "RS256"

    def __init__(self, private_pem: bytes, issuer: str, audience: str, ttl_seconds: int) -> None:
        key = serialization.load_pem_private_key(private_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("JWT signing key must be an RSA private key")
        self._private = key
        self._public = key.public_key()
        self.issuer, self.audience, self.ttl = issuer, audience, ttl_seconds
        der = self._public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.kid = base64.urlsafe_b64encode(hashlib.sha256(der).digest()[:16]).decode().rstrip("=")

    def issue(self, *, user_id: str, email: str, role: str, session_id: str | None) -> tuple[str, int]:
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": user_id,
            "user_id": user_id,
            "email": email,
            "role": role,
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(seconds=self.ttl)).timestamp()),
            "iss": self.issuer,
            "aud": self.audience,
            "jti": uuid.uuid4().hex,
        }
        if session_id:
            claims["sid"] = session_id
        token = jwt.encode(claims, self._private, algorithm=self.algorithm, headers={"kid": self.kid})
        return token, self.ttl

    def verify(self, token: str) -> AccessClaims:
        try:
            data = jwt.decode(
                token,
                self._public,
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "jti", "iss", "aud", "role", "email"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("The access token has expired.", expired=True) from exc
        except jwt.PyJWTError as exc:
            raise TokenError("The access token is not valid.") from exc
        return AccessClaims(
            user_id=str(data["sub"]),
            email=str(data["email"]),
            role=str(data["role"]),
            jti=str(data["jti"]),
            iat=int(data["iat"]),
            exp=int(data["exp"]),
            sid=data.get("sid"),
        )

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self._public, as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": self.algorithm})
        return {"keys": [jwk]}


def load_or_create_private_key(key_file: Path | None, keys_dir: Path) -> bytes:
    """The configured key, or one generated into keys_dir (mode 0600) on first start."""
    if key_file is not None:
        return key_file.read_bytes()
    path = keys_dir / "jwt_private.pem"
    if path.exists():
        return path.read_bytes()
    keys_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.replace(tmp, path)
    return pem
