"""Encryption at rest with a key derived from SECRET_KEY (one helper for every app).

Project files, build artifacts, source snapshots and third-party API tokens are stored
encrypted; they are decrypted in memory where a request or a worker uses them. Keys come
from ``SECRET_KEY`` through HKDF with a per-purpose label, so one secret yields independent
keys and nothing new has to be provisioned; ``SECRET_KEY_FALLBACKS`` still decrypt after a
key rotation (values are re-encrypted with the current key when next saved).
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

#: prefix of every encrypted value, so legacy plaintext rows stay readable until re-saved.
PREFIX = b"qdenc1:"

__all__ = ["PREFIX", "InvalidToken", "decrypt", "encrypt", "is_encrypted"]


def _derive(secret: str, purpose: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"quantdesk-at-rest", info=purpose.encode()
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@functools.lru_cache(maxsize=32)
def _cipher(purpose: str, secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derive(secret, purpose) for secret in secrets])


def _current(purpose: str) -> MultiFernet:
    fallbacks = tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()) or ())
    return _cipher(purpose, (settings.SECRET_KEY, *fallbacks))


def encrypt(data: bytes, purpose: str = "at-rest") -> bytes:
    """``data`` encrypted and authenticated (Fernet: AES-128-CBC + HMAC-SHA256), prefixed."""
    return PREFIX + _current(purpose).encrypt(data)


def decrypt(token: bytes, purpose: str = "at-rest") -> bytes:
    """The plaintext of :func:`encrypt`'s output; raises ``InvalidToken`` if tampered with."""
    if not token.startswith(PREFIX):
        raise InvalidToken
    return _current(purpose).decrypt(token[len(PREFIX) :])


def is_encrypted(value: bytes | str) -> bool:
    """True for :func:`encrypt`'s output (bytes or its ASCII text)."""
    prefix = PREFIX if isinstance(value, bytes | bytearray) else PREFIX.decode()
    return value[: len(prefix)] == prefix
