"""QuantConnect's API v2 authentication.

HTTP Basic with the numeric user id as user name and ``sha256("<token>:<timestamp>")`` as
password, plus a ``Timestamp`` header. The signature changes with every timestamp and stale
timestamps are refused, so a captured header is useless after ``QCAPI_MAX_AGE_SECONDS``; the
token itself is never accepted as the password.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from accounts.services import api_token_of

#: how old (or how far ahead) a Timestamp may be, in seconds.
DEFAULT_MAX_AGE_SECONDS = 7200


class AuthenticationFailed(Exception):
    """The request did not prove it comes from the user it names."""


def signature(token: str, timestamp: str) -> str:
    """The password a client sends: ``sha256("<token>:<timestamp>")`` in hex."""
    return hashlib.sha256(f"{token}:{timestamp}".encode()).hexdigest()


def authenticate(request: HttpRequest) -> AbstractBaseUser:
    """The user the request is signed by, else :class:`AuthenticationFailed`."""
    user_id, password = _basic_credentials(request)
    timestamp = request.headers.get("Timestamp", "")
    if not timestamp.isdigit():
        raise AuthenticationFailed("Timestamp header missing or not a unix time")
    max_age = getattr(settings, "QCAPI_MAX_AGE_SECONDS", DEFAULT_MAX_AGE_SECONDS)
    if abs(time.time() - int(timestamp)) > max_age:
        raise AuthenticationFailed("Timestamp too old or in the future; check the clock")
    user = None
    if user_id.isdigit():
        user = get_user_model().objects.filter(pk=int(user_id), is_active=True).first()
    if user is None or not hasattr(user, "quantconnect_token"):
        raise AuthenticationFailed("UserID not valid")
    expected = signature(api_token_of(user=user), timestamp)
    if not hmac.compare_digest(expected, password.lower()):
        raise AuthenticationFailed("Hash doesn't match.")
    return user


def _basic_credentials(request: HttpRequest) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise AuthenticationFailed("HTTP Basic authentication required")
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise AuthenticationFailed("malformed Authorization header") from None
    user_id, sep, password = decoded.partition(":")
    if not sep:
        raise AuthenticationFailed("malformed Authorization header")
    return user_id, password
