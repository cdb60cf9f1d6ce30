"""Web security: hashed API tokens, Argon2 passwords, rate-limited log-ins, CSRF on session
forms, security headers, and ``check --deploy`` under production settings."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.factories import PASSWORD

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _token(username: str, password: str = PASSWORD) -> APIClient:
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


@pytest.mark.django_db
def test_api_tokens_are_stored_as_digests_and_still_authenticate(owner):
    reply = _token("alice")
    assert reply.status_code == 200
    token = reply.data["token"]
    stored = ApiToken.objects.get(user=owner)
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.digest
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/me/").status_code == 200
    # The digest itself is not a credential, and neither is a made-up token.
    for wrong in (stored.digest, secrets.token_hex(20)):
        client.credentials(HTTP_AUTHORIZATION=f"Token {wrong}")
        assert client.get("/api/me/").status_code in (401, 403)


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(owner):
    assert get_user_model().objects.get(pk=owner.pk).password.startswith("argon2$")


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_token_endpoint_blocks_after_the_failure_limit(owner):
    for _ in range(3):  # exactly at the limit: each is an ordinary wrong-password answer
        assert _token("alice", "wrong").status_code == 400
    blocked = _token("alice", PASSWORD)  # one past: refused even with the right password
    assert blocked.status_code == 429
    assert "too many" in blocked.data["detail"]


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_success_below_the_limit_resets_the_username_count(owner):
    for _ in range(2):
        _token("alice", "wrong")
    assert _token("alice").status_code == 200
    # A success does not forgive the address's failures; forget them to isolate the username.
    cache.delete("login-fail:addr:127.0.0.1")
    for _ in range(2):
        assert _token("alice", "wrong").status_code == 400
    assert _token("alice").status_code == 200


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_login_page_blocks_after_the_failure_limit(owner):
    client = Client()
    for _ in range(3):
        reply = client.post("/login/", {"username": "alice", "password": "wrong"})
        assert reply.status_code == 200 and not reply.wsgi_request.user.is_authenticated
    reply = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert reply.status_code == 429
    assert b"too many failed log-in attempts" in reply.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_one_address_trying_many_usernames_is_blocked_at_five_times_the_limit(owner):
    for number in range(10):  # 2 x 5 failures, each against another username
        assert _token(f"guess{number}", "wrong").status_code == 400
    assert _token("alice").status_code == 429


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=1, LOGIN_TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(owner):
    names = iter(range(100))

    def attempt(address: str, password: str):
        return APIClient().post(
            "/api/auth/token/",
            {"username": f"user-{next(names)}", "password": password},
            format="json",
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, {address}",
        )

    for _ in range(5):
        assert attempt("10.0.0.1", "wrong").status_code == 400
    assert attempt("10.0.0.1", "wrong").status_code == 429  # this client is blocked
    assert attempt("10.0.0.2", "wrong").status_code == 400  # the proxy's others are not


@pytest.mark.django_db
def test_session_forms_require_the_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "alice", "password": PASSWORD}).status_code == 403
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    reply = client.post(
        "/login/", {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert reply.status_code == 302
    # A session-authenticated API write without the token is refused as well.
    assert client.post("/api/projects/", {"name": "x"}).status_code == 403


@pytest.mark.django_db
def test_pages_carry_security_headers():
    reply = Client().get("/login/")
    assert reply["X-Frame-Options"] == "DENY"
    assert reply["X-Content-Type-Options"] == "nosniff"
    assert reply["Referrer-Policy"] == "same-origin"
    assert reply["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in reply["Content-Security-Policy"]


def _deploy_check(extra: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_"))
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="quantdesk.example",
        DJANGO_SETTINGS_MODULE="config.settings",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_under_production_settings():
    result = _deploy_check({})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_notices_when_the_environment_turns_tls_settings_off():
    result = _deploy_check({"SESSION_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0"})
    assert result.returncode != 0
    assert "security.W012" in result.stderr and "security.W004" in result.stderr


@pytest.mark.django_db
def test_tokens_issued_in_clear_before_are_carried_over_hashed(owner):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer, "
            "created timestamp)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, CURRENT_TIMESTAMP)", ["a" * 40, owner.pk]
        )
    migration = importlib.import_module("accounts.migrations.0005_hash_existing_tokens")
    migration.carry_over(apps, SimpleNamespace(connection=connection))

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # no clear copy is left
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {'a' * 40}")
    assert client.get("/api/me/").data["username"] == "alice"
