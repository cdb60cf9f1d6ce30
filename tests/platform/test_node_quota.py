"""Adding nodes respects the tier's quota; paid nodes retire the free B-MICRO node."""

import pytest

from accounts.models import Tier
from nodes.models import Node


@pytest.mark.django_db
def test_adding_a_node_beyond_the_free_quota_is_refused_naming_tier_and_limit(api, owner, free_org):
    response = api(owner).post("/api/nodes/", {"model": "B2-8"})

    assert response.status_code == 403
    assert response.data["error"] == "The Free tier allows 1 backtest node(s)"
    assert (response.data["tier"], response.data["limit"]) == ("Free", 1)
    assert Node.objects.filter(organization=free_org).count() == 1


@pytest.mark.django_db
def test_quant_researcher_gets_two_nodes_and_no_third(api, owner, free_org):
    free_org.tier = Tier.objects.get(slug="researcher")
    free_org.save()
    client = api(owner)

    assert client.post("/api/nodes/", {"model": "B2-8"}).status_code == 201
    assert client.post("/api/nodes/", {"model": "B4-12"}).status_code == 201
    third = client.post("/api/nodes/", {"model": "B8-16"})

    assert third.status_code == 403
    assert "Quant Researcher tier allows 2" in third.data["error"]
    # The B-MICRO node went away when the first paid node arrived.
    models = sorted(
        Node.objects.filter(organization=free_org).values_list("model__name", flat=True)
    )
    assert models == ["B2-8", "B4-12"]


@pytest.mark.django_db
def test_a_member_cannot_add_nodes(api, member, free_org):
    free_org.tier = Tier.objects.get(slug="team")
    free_org.save()
    response = api(member).post("/api/nodes/", {"model": "B2-8"})
    assert response.status_code == 403
    assert Node.objects.filter(organization=free_org).count() == 1


@pytest.mark.django_db
def test_upgrading_the_tier_through_the_api_lifts_the_quota(api, owner, free_org):
    client = api(owner)
    assert (
        client.post(f"/api/organizations/{free_org.pk}/tier/", {"tier": "team"}).status_code == 200
    )
    assert client.post("/api/nodes/", {"model": "B4-12"}).status_code == 201
    free_org.refresh_from_db()
    assert free_org.tier.slug == "team"


@pytest.mark.django_db
def test_downgrading_below_the_node_count_is_refused(api, owner, free_org):
    client = api(owner)
    client.post(f"/api/organizations/{free_org.pk}/tier/", {"tier": "team"})
    client.post("/api/nodes/", {"model": "B2-8"})
    client.post("/api/nodes/", {"model": "B2-8"})
    client.post("/api/nodes/", {"model": "B2-8"})

    response = client.post(f"/api/organizations/{free_org.pk}/tier/", {"tier": "researcher"})

    assert response.status_code == 403
    assert "Quant Researcher tier allows 2" in response.data["error"]
    free_org.refresh_from_db()
    assert free_org.tier.slug == "team"


@pytest.mark.django_db
def test_removing_an_idle_node(api, owner, free_org):
    node = Node.objects.get(organization=free_org)
    assert api(owner).delete(f"/api/nodes/{node.pk}/").status_code == 204
    assert not Node.objects.filter(pk=node.pk).exists()
