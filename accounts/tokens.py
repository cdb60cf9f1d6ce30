"""Hashed API tokens: issue one, and authenticate ``Authorization: Token <token>`` with it.

DRF's own ``authtoken`` keeps the token in clear in the database; here only its digest is
stored (see :class:`accounts.models.ApiToken`), and the header keeps DRF's format.
"""

from __future__ import annotations

import hashlib
import secrets

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken


def digest_of(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user) -> str:
    """Create a token for ``user`` and return it; it cannot be read back later."""
    token = secrets.token_hex(20)
    ApiToken.objects.create(user=user, digest=digest_of(token))
    return token


class HashedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <token>`` looked up by digest."""

    def authenticate_credentials(self, key: str):
        try:
            token = ApiToken.objects.select_related("user").get(digest=digest_of(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
