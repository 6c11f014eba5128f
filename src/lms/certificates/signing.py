"""Ed25519 signatures over canonical JSON, the key pair's storage, and its published forms (JWK, PEM).

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8, no floats (the facts are strings and
integers), so it coincides with RFC 8785 (JCS) for these documents and any verifier can rebuild it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def base58btc(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


@dataclass(frozen=True)
class CertificateSigner:
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_raw(self) -> bytes:
        return self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        return b64url(hashlib.sha256(self.public_raw).digest()[:16])

    def sign(self, data: Any) -> str:
        return b64url(self.private_key.sign(canonical_json(data)))

    def sign_bytes(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    def verify(self, data: Any, signature: str) -> bool:
        try:
            self.public_key.verify(b64url_decode(signature), canonical_json(data))
        except (InvalidSignature, ValueError):
            return False
        return True

    def jwk(self) -> dict[str, str]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(self.public_raw),
            "kid": self.key_id,
            "alg": "EdDSA",
            "use": "sig",
        }

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def did_key(self) -> str:
        """The public key as a did:key (multicodec ed25519-pub 0xed01, base58btc)."""
        return "did:key:z" + base58btc(b"\xed\x01" + self.public_raw)


def _write_private(path: Path, pem: bytes) -> None:
    """Create the key file once: if another process got there first, its key is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


@lru_cache(maxsize=8)
def load_signer(key_file: Path | None, keys_dir: Path) -> CertificateSigner:
    """The configured Ed25519 key, or one generated into keys_dir (mode 0600) on first use."""
    path = key_file or keys_dir / "certificate_ed25519.pem"
    if not path.exists():
        if key_file is not None:
            raise FileNotFoundError(f"certificate signing key {key_file} does not exist")
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        _write_private(path, pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the certificate signing key must be an Ed25519 private key")
    return CertificateSigner(key)
