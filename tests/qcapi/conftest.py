"""A client that signs requests the way QuantConnect clients (and the LEAN CLI) do."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


class QcClient:
    """``get``/``post_json``/``post_form`` to ``/api/v2/<endpoint>`` signed for one user."""

    def __init__(self, user_id: Any, token: str) -> None:
        self.user_id = user_id
        self.token = token
        self.client = Client()

    def headers(self, timestamp: int | None = None, password: str | None = None) -> dict:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        if password is None:
            password = hashlib.sha256(f"{self.token}:{stamp}".encode()).hexdigest()
        basic = base64.b64encode(f"{self.user_id}:{password}".encode()).decode()
        return {"HTTP_AUTHORIZATION": f"Basic {basic}", "HTTP_TIMESTAMP": stamp}

    def get(self, endpoint: str, params: dict | None = None, **auth: Any) -> Any:
        return self.client.get(f"/api/v2/{endpoint}", params or {}, **self.headers(**auth))

    def post_json(self, endpoint: str, body: dict | None = None, **auth: Any) -> Any:
        return self.client.post(
            f"/api/v2/{endpoint}",
            body or {},
            content_type="application/json",
            **self.headers(**auth),
        )

    def post_form(self, endpoint: str, data: dict, **auth: Any) -> Any:
        return self.client.post(f"/api/v2/{endpoint}", data, **self.headers(**auth))


@pytest.fixture
def qc() -> Callable[[Any], QcClient]:
    """``qc(user)`` -> a client signed with the user's API v2 token."""
    from accounts.services import api_token_of

    def make(user) -> QcClient:
        return QcClient(user.pk, api_token_of(user=user))

    return make
