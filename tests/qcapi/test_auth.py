"""QuantConnect's signed Basic authentication and the token it signs with."""

from __future__ import annotations

import time

import pytest

from accounts.models import QuantConnectToken
from tests.qcapi.conftest import QcClient

pytestmark = pytest.mark.django_db


def test_a_signed_request_authenticates(owner, qc):
    reply = qc(owner).get("authenticate")
    assert reply.status_code == 200
    assert reply.json() == {"success": True, "errors": []}


def test_a_wrong_hash_is_refused(owner, qc):
    reply = qc(owner).get("authenticate", password="0" * 64)
    assert reply.status_code == 401
    assert reply.json() == {"success": False, "errors": ["Hash doesn't match."]}


def test_the_raw_token_as_password_is_refused(owner, qc):
    client = qc(owner)
    reply = client.get("authenticate", password=client.token)
    assert reply.status_code == 401
    assert reply.json()["success"] is False


def test_an_old_timestamp_is_refused_even_when_signed(owner, qc):
    reply = qc(owner).get("authenticate", timestamp=int(time.time()) - 3 * 3600)
    assert reply.status_code == 401
    assert "Timestamp" in reply.json()["errors"][0]


def test_an_unknown_user_is_refused(owner, qc):
    client = qc(owner)
    stranger = QcClient(owner.pk + 1000, client.token)
    reply = stranger.get("authenticate")
    assert reply.status_code == 401
    assert reply.json()["errors"] == ["UserID not valid"]


def test_no_credentials_are_refused(owner):
    from django.test import Client

    reply = Client().get("/api/v2/projects/read")
    assert reply.status_code == 401
    assert reply.json()["success"] is False


def test_another_users_token_does_not_sign_for_me(owner, outsider, qc):
    mallory = qc(outsider)
    reply = QcClient(owner.pk, mallory.token).get("authenticate")
    assert reply.status_code == 401


def test_the_token_is_stored_encrypted(owner, qc):
    client = qc(owner)
    stored = QuantConnectToken.objects.get(user=owner).encrypted
    assert client.token not in stored
    assert stored.startswith("qdenc1:")


def test_regenerating_retires_the_old_token(owner, api, qc):
    old = qc(owner)
    assert old.get("authenticate").status_code == 200
    reply = api(owner).post("/api/account/")
    assert reply.status_code == 200
    new_token = reply.json()["api_token"]
    assert new_token != old.token
    assert old.get("authenticate").status_code == 401
    assert QcClient(owner.pk, new_token).get("authenticate").status_code == 200


def test_native_account_endpoint(owner, free_org, api):
    reply = api(owner).get("/api/account/")
    assert reply.status_code == 200
    body = reply.json()
    assert body["user_id"] == owner.pk
    assert len(body["api_token"]) == 64
    assert body["organizations"] == [{"id": free_org.pk, "name": free_org.name}]
    # Reading twice shows the same token.
    assert api(owner).get("/api/account/").json()["api_token"] == body["api_token"]


def test_native_account_endpoint_needs_login():
    from rest_framework.test import APIClient

    assert APIClient().get("/api/account/").status_code in (401, 403)


def test_account_page_shows_and_regenerates_the_token(owner, client):
    from tests.factories import PASSWORD

    assert client.get("/account/").status_code == 302  # log in first
    client.login(username=owner.username, password=PASSWORD)
    page = client.get("/account/")
    assert page.status_code == 200
    token = page.context["api_token"]
    assert token in page.content.decode()
    assert f">{owner.pk}<" in page.content.decode()
    assert client.post("/account/").status_code == 302
    assert client.get("/account/").context["api_token"] != token


def test_an_endpoint_quantdesk_does_not_serve_answers_in_the_envelope(client):
    reply = client.post("/api/v2/live/create", {})
    assert reply.status_code == 404
    assert reply.json() == {
        "success": False,
        "errors": ["QuantDesk does not serve the endpoint 'live/create'"],
    }
