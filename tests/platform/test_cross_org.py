"""Another organization's ids answer 404 on every endpoint, and nothing changes."""

import pytest

from accounts.models import Membership
from backtesting.models import Backtest
from ide.models import Project
from nodes.models import Node


@pytest.fixture
def victim(api, owner, project, free_org):
    """Alice's organization with a backtest (stopped, so it can also be deleted)."""
    client = api(owner)
    backtest_id = client.post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    node = Node.objects.get(organization=free_org)
    membership = Membership.objects.get(user=owner)
    return {
        "org": free_org.pk,
        "project": project.pk,
        "backtest": backtest_id,
        "node": node.pk,
        "member": membership.pk,
    }


def _requests(ids):
    o, p, b, n, m = ids["org"], ids["project"], ids["backtest"], ids["node"], ids["member"]
    return [
        ("get", f"/api/organizations/{o}/", None),
        ("post", f"/api/organizations/{o}/tier/", {"tier": "team"}),
        ("get", f"/api/organizations/{o}/members/", None),
        ("post", f"/api/organizations/{o}/members/", {"username": "mallory"}),
        ("patch", f"/api/organizations/{o}/members/{m}/", {"can_stop_nodes": True}),
        ("delete", f"/api/organizations/{o}/members/{m}/", None),
        ("get", f"/api/nodes/?organization={o}", None),
        ("post", "/api/nodes/", {"model": "B2-8", "organization": o}),
        ("get", f"/api/nodes/{n}/", None),
        ("delete", f"/api/nodes/{n}/", None),
        ("post", f"/api/nodes/{n}/stop/", None),
        ("get", f"/api/projects/{p}/", None),
        ("patch", f"/api/projects/{p}/", {"name": "pwned"}),
        ("delete", f"/api/projects/{p}/", None),
        ("get", f"/api/projects/{p}/files/", None),
        ("get", f"/api/projects/{p}/files/main.py", None),
        ("put", f"/api/projects/{p}/files/main.py", {"content": "pwned"}),
        ("put", f"/api/projects/{p}/files/new.py", {"content": "pwned"}),
        ("patch", f"/api/projects/{p}/files/main.py", {"name": "x.py"}),
        ("delete", f"/api/projects/{p}/files/main.py", None),
        ("post", f"/api/projects/{p}/build/", None),
        ("post", "/api/backtests/", {"project": p}),
        ("get", f"/api/backtests/{b}/", None),
        ("patch", f"/api/backtests/{b}/", {"name": "pwned"}),
        ("delete", f"/api/backtests/{b}/", None),
        ("post", f"/api/backtests/{b}/stop/", None),
        ("post", f"/api/backtests/{b}/clone/", {"name": "stolen"}),
        ("get", f"/api/backtests/{b}/logs/", None),
        ("get", f"/api/backtests/{b}/orders/", None),
        ("get", f"/api/backtests/{b}/charts/", None),
        ("get", f"/api/backtests/{b}/events/", None),
    ]


@pytest.mark.django_db
def test_every_endpoint_answers_404_to_another_organization(api, victim, outsider):
    client = api(outsider)
    for method, url, body in _requests(victim):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code == 404, (method, url, response.status_code, response.data)

    # Nothing of alice's organization changed.
    assert Project.objects.get(pk=victim["project"]).name == "Demo"
    assert Project.objects.get(pk=victim["project"]).files.get(name="main.py").content != "pwned"
    assert Backtest.objects.get(pk=victim["backtest"]).status == "queued"
    assert Backtest.objects.get(pk=victim["backtest"]).name != "pwned"
    assert Node.objects.filter(organization_id=victim["org"]).count() == 1
    assert Membership.objects.filter(organization_id=victim["org"]).count() == 1
    assert not Project.objects.filter(name="stolen").exists()


@pytest.mark.django_db
def test_lists_show_only_the_callers_organizations(api, victim, outsider):
    client = api(outsider)
    assert client.get("/api/projects/").data == []
    assert client.get("/api/backtests/").data == []
    assert [n["organization"] for n in client.get("/api/nodes/").data] != [victim["org"]]
    assert victim["org"] not in [o["id"] for o in client.get("/api/organizations/").data]


@pytest.mark.django_db
def test_anonymous_requests_are_refused(api, victim):
    for method, url, body in _requests(victim):
        response = getattr(api(), method)(url, body, format="json")
        assert response.status_code in (401, 403), (method, url)
