"""Launching: concurrency equals idle nodes; no idle node answers 409 and creates nothing."""

import json

import pytest

from backtesting.models import Backtest, BacktestEvent
from nodes.models import Node
from tests.factories import ProjectFactory
from tests.platform.conftest import wait_for


@pytest.fixture
def team_project(paid_org):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="tess")
    MembershipFactory(user=user, organization=paid_org, role="owner")
    return user, ProjectFactory(organization=paid_org, name="Team Algo")


@pytest.mark.django_db(transaction=True)
def test_two_idle_nodes_run_two_backtests_at_once_and_a_third_gets_409(
    api, team_project, stub_worker, fake_sandbox
):
    user, project = team_project
    client = api(user)

    # Given two idle nodes, when two backtests are launched,
    first = client.post("/api/backtests/", {"project": project.pk}, format="json")
    second = client.post("/api/backtests/", {"project": project.pk}, format="json")
    # then both run at the same time on different nodes.
    assert first.status_code == second.status_code == 201
    assert first.data["status"] == "queued"
    assert first.data["message"] == "New backtest: Team Algo is in the queue"
    fake_sandbox.wait_started(2)
    wait_for(lambda: Backtest.objects.filter(status="running").count() == 2, what="two running")
    assert set(Backtest.objects.values_list("node", flat=True)) == set(
        Node.objects.filter(organization=project.organization).values_list("pk", flat=True)
    )

    # When a third is requested, it is refused and nothing is created.
    third = client.post("/api/backtests/", {"project": project.pk}, format="json")
    assert third.status_code == 409
    assert third.data["error"] == "no idle backtesting node"
    assert Backtest.objects.count() == 2

    # When the runs complete, the nodes are idle again and statistics are stored.
    for backtest_id in fake_sandbox.started:
        fake_sandbox.release(backtest_id)
    wait_for(lambda: Backtest.objects.filter(status="completed").count() == 2, what="completed")
    wait_for(lambda: not Node.objects.filter(status="busy").exists(), what="nodes idle")
    detail = client.get(f"/api/backtests/{first.data['id']}/").data
    assert detail["statistics"] == {"Total Orders": "1", "Net Profit": "1.234%"}
    assert detail["runtime_statistics"] == {"Equity": "$101,234.00"}
    assert detail["progress"] == 1.0
    assert set(detail) >= {"id", "name", "project", "node", "status", "progress", "error"}
    assert len(detail["name"].split()) == 3
    logs = client.get(f"/api/backtests/{first.data['id']}/logs/").data
    assert logs == [{"time": "2013-10-07T09:31:00", "level": "log", "message": "started"}]
    # Stored events are numbered 1..n without gaps and survive a JSON round trip.
    seqs = list(
        BacktestEvent.objects.filter(backtest_id=first.data["id"]).values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    assert json.loads(json.dumps(client.get(f"/api/backtests/{first.data['id']}/events/").data))


@pytest.mark.django_db
def test_a_launch_with_build_errors_answers_400_with_diagnostics_and_creates_nothing(
    api, owner, project
):
    project.files.filter(name="main.py").update(content="def broken(:\n")

    response = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")

    assert response.status_code == 400
    assert response.data["diagnostics"][0]["file"] == "main.py"
    assert response.data["diagnostics"][0]["line"] == 1
    assert not Backtest.objects.exists()
    assert Node.objects.get(organization=project.organization).status == "idle"


@pytest.mark.django_db
def test_launch_marks_the_node_busy_and_names_the_user_in_the_node_list(api, owner, project):
    response = api(owner).post("/api/backtests/", {"project": project.pk}, format="json")
    assert response.status_code == 201

    nodes = api(owner).get("/api/nodes/").data

    assert len(nodes) == 1
    node = nodes[0]
    assert (node["status"], node["user"], node["backtest"], node["model"]) == (
        "busy",
        "alice",
        response.data["id"],
        "B-MICRO",
    )
    assert node["progress"] == 0.0


@pytest.mark.django_db
def test_node_list_costs_a_fixed_number_of_queries(api, owner, project, django_assert_num_queries):
    client = api(owner)
    client.post("/api/backtests/", {"project": project.pk}, format="json")
    # token lookup, then one query for the nodes with their backtests, users and projects
    with django_assert_num_queries(2):
        assert len(client.get("/api/nodes/").data) == 1


@pytest.mark.django_db
def test_a_launch_on_a_chosen_busy_node_answers_409(api, owner, project):
    client = api(owner)
    node = Node.objects.get(organization=project.organization)
    client.post("/api/backtests/", {"project": project.pk, "node": node.pk}, format="json")

    response = client.post(
        "/api/backtests/", {"project": project.pk, "node": node.pk}, format="json"
    )

    assert response.status_code == 409
    assert Backtest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_launches_on_one_idle_node_start_exactly_one(api, owner, project, monkeypatch):
    import threading

    from django.db import connection

    monkeypatch.setattr("backtesting.services._send_run_message", lambda *args, **kwargs: None)
    barrier = threading.Barrier(4)
    codes: list[int] = []

    clients = [api(owner) for _ in range(4)]  # tokens exist before the race starts

    def launch(client) -> None:
        barrier.wait()
        try:
            codes.append(
                client.post("/api/backtests/", {"project": project.pk}, format="json").status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=launch, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(codes) == [201, 409, 409, 409]
    assert Backtest.objects.count() == 1
    assert (
        Node.objects.get(organization=project.organization).current_backtest_id
        == Backtest.objects.get().pk
    )


@pytest.mark.django_db
def test_backtest_list_costs_a_fixed_number_of_queries(
    api, owner, project, django_assert_num_queries
):
    client = api(owner)
    for _ in range(3):
        backtest_id = client.post("/api/backtests/", {"project": project.pk}, format="json").data[
            "id"
        ]
        client.post(f"/api/backtests/{backtest_id}/stop/")
    # token lookup, then one query for the backtests
    with django_assert_num_queries(2):
        assert len(client.get(f"/api/backtests/?project={project.pk}").data) == 3
