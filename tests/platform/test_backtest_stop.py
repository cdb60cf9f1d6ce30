"""Who may stop a running backtest: the launcher, admins, members with can_stop_nodes."""

import pytest

from backtesting.models import Backtest
from nodes.models import Node
from tests.platform.conftest import wait_for


def _running_backtest(api, owner, project, fake_sandbox) -> int:
    response = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")
    assert response.status_code == 201
    fake_sandbox.wait_started(1)
    wait_for(lambda: Backtest.objects.get(pk=response.data["id"]).status == "running")
    return response.data["id"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("stopper", "through", "expected"),
    [
        ("owner", "backtest", 200),  # the member running it
        ("member", "backtest", 403),  # another member without the permission
        ("member_who_can_stop_nodes", "backtest", 200),
        ("admin", "backtest", 200),
        ("outsider", "backtest", 404),  # another organization: not even told it exists
        ("member", "node", 403),
        ("member_who_can_stop_nodes", "node", 200),
        ("outsider", "node", 404),
    ],
)
def test_stop_permission_matrix(
    request, api, owner, project, stub_worker, fake_sandbox, stopper, through, expected
):
    # Given alice's backtest running on the organization's node,
    backtest_id = _running_backtest(api, owner, project, fake_sandbox)
    node = Node.objects.get(organization=project.organization)
    user = request.getfixturevalue(stopper)
    url = (
        f"/api/backtests/{backtest_id}/stop/"
        if through == "backtest"
        else f"/api/nodes/{node.pk}/stop/"
    )

    # when someone asks to stop it,
    response = api(user).post(url)

    # then only allowed people stop it, within 2 s, and the node is idle again.
    assert response.status_code == expected, response.data
    if expected == 200:
        wait_for(lambda: Backtest.objects.get(pk=backtest_id).status == "stopped", timeout=2.0)
        wait_for(lambda: Node.objects.get(pk=node.pk).status == "idle", timeout=2.0)
    else:
        assert Backtest.objects.get(pk=backtest_id).status == "running"
        assert Backtest.objects.get(pk=backtest_id).stop_requested is False
        fake_sandbox.release(backtest_id)
        wait_for(lambda: Backtest.objects.get(pk=backtest_id).status == "completed")


@pytest.mark.django_db
def test_stopping_a_queued_backtest_stops_it_at_once_and_frees_the_node(api, owner, project):
    client = api(owner)
    backtest_id = client.post("/api/backtests/", {"project": project.pk}, format="json").data["id"]

    response = client.post(f"/api/backtests/{backtest_id}/stop/")

    assert response.status_code == 200
    assert response.data["status"] == "stopped"
    assert Node.objects.get(organization=project.organization).status == "idle"
    # A late message for it finds nothing to claim.
    from backtesting.execution import execute_backtest

    assert execute_backtest(backtest_id=backtest_id) is None


@pytest.mark.django_db
def test_a_running_backtest_cannot_be_deleted_but_a_finished_one_can(api, owner, project):
    client = api(owner)
    backtest_id = client.post("/api/backtests/", {"project": project.pk}, format="json").data["id"]
    assert client.delete(f"/api/backtests/{backtest_id}/").status_code == 409
    client.post(f"/api/backtests/{backtest_id}/stop/")
    assert (
        client.patch(f"/api/backtests/{backtest_id}/", {"name": "Renamed"}, format="json").data[
            "name"
        ]
        == "Renamed"
    )
    assert client.delete(f"/api/backtests/{backtest_id}/").status_code == 204
    assert not Backtest.objects.filter(pk=backtest_id).exists()
