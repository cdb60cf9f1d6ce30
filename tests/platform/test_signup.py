"""Signing up gives a Free organization with one B-MICRO node."""

import pytest

from accounts.models import Membership
from nodes.models import Node


@pytest.mark.django_db
def test_signup_creates_a_free_organization_with_one_bmicro_node(api):
    response = api().post("/api/auth/signup/", {"username": "newbie", "password": "secret"})

    assert response.status_code == 201, response.data
    membership = Membership.objects.select_related("organization__tier").get(
        user__username="newbie"
    )
    assert membership.role == "owner"
    assert membership.organization.tier.slug == "free"
    nodes = list(Node.objects.filter(organization=membership.organization))
    assert [(n.model.name, n.status) for n in nodes] == [("B-MICRO", "idle")]
    assert response.data["organization"] == membership.organization_id


@pytest.mark.django_db
def test_token_endpoint_returns_a_token_that_authenticates(api, owner):
    response = api().post("/api/auth/token/", {"username": "alice", "password": "pw-for-tests"})
    assert response.status_code == 200
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    assert client.get("/api/projects/").status_code == 200


@pytest.mark.django_db
def test_token_endpoint_refuses_a_wrong_password(api, owner):
    response = api().post("/api/auth/token/", {"username": "alice", "password": "nope"})
    assert response.status_code == 400
    assert "token" not in response.data


@pytest.mark.django_db
def test_signup_refuses_a_taken_name(api, owner):
    response = api().post("/api/auth/signup/", {"username": "alice", "password": "secret"})
    assert response.status_code == 409
