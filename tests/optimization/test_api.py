"""The REST contract of optimizations and project parameters (no worker needed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backtesting.models import Backtest, Optimization
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)  # on-commit dispatch runs

BODY = {
    "target": "Sharpe Ratio",
    "direction": "max",
    "parameters": [
        {"name": "fast", "min": 5, "max": 15, "step": 5},
        {"name": "ratio", "min": 0.1, "max": 0.3, "step": 0.1},
    ],
    "constraints": [{"statistic": "Drawdown", "operator": "less", "value": 20}],
    "node_type": "O2-8",
    "parallel_nodes": 2,
}


@pytest.fixture(autouse=True)
def _no_dispatch(monkeypatch):
    """Creation only: the dispatcher's run messages go nowhere."""
    sent: list[int] = []
    monkeypatch.setattr(
        "backtesting.services._send_run_message", lambda pk, delay=0: sent.append(pk)
    )
    return sent


def _finished_backtest(project, seconds: float) -> Backtest:
    from ide.services import build_project

    build = build_project(project=project)
    end = timezone.now()
    return Backtest.objects.create(
        organization=project.organization,
        project=project,
        artifact=build.artifact,
        name="last",
        status="completed",
        started_at=end - timedelta(seconds=seconds),
        finished_at=end,
    )


def test_estimate_counts_the_grid_and_uses_the_last_backtest(api, owner, project) -> None:
    _finished_backtest(project, 40)
    _finished_backtest(project, 10)  # the most recent one counts
    response = api(owner).post(
        "/api/optimizations/estimate/", {**BODY, "project": project.pk}, format="json"
    )
    assert response.status_code == 200
    # 3 x 3 = 9 combinations on 2 nodes: 5 waves of 10 s.
    assert response.data["total"] == 9
    assert response.data["estimated_seconds"] == pytest.approx(50.0, abs=0.5)


def test_estimate_without_a_previous_backtest_assumes_a_default(api, owner, project) -> None:
    response = api(owner).post(
        "/api/optimizations/estimate/", {**BODY, "project": project.pk}, format="json"
    )
    assert response.data["based_on"] is None and response.data["estimated_seconds"] > 0


def test_create_answers_id_status_total_and_dispatches_only_parallel_nodes(
    api, owner, project, _no_dispatch
) -> None:
    response = api(owner).post(
        "/api/optimizations/", {**BODY, "project": project.pk}, format="json"
    )
    assert response.status_code == 201
    assert {"id", "status", "total"} <= set(response.data)
    assert response.data["total"] == 9
    optimization = Optimization.objects.get(pk=response.data["id"])
    assert optimization.status == "running" and optimization.dispatched == 2
    assert len(_no_dispatch) == 2
    queued = Backtest.objects.filter(optimization=optimization)
    assert [b.parameters for b in queued.order_by("id")] == [
        {"fast": 5, "ratio": 0.1},
        {"fast": 5, "ratio": 0.2},
    ]
    assert all(b.node_id is None for b in queued)


def test_read_has_the_documented_shape(api, owner, project) -> None:
    client = api(owner)
    created = client.post("/api/optimizations/", {**BODY, "project": project.pk}, format="json")
    detail = client.get(f"/api/optimizations/{created.data['id']}/").data
    assert detail["status"] in ("queued", "running", "completed", "aborted")
    assert detail["total"] == 9 and detail["done"] == 0 and detail["best"] is None
    assert detail["results"][0] == {
        **detail["results"][0],
        "parameters": {"fast": 5, "ratio": 0.1},
        "status": "queued",
    }
    assert {"backtest", "parameters", "status", "statistics"} <= set(detail["results"][0])
    listed = client.get(f"/api/optimizations/?project={project.pk}").data
    assert [o["id"] for o in listed] == [created.data["id"]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"parallel_nodes": 7}, "1 to 6"),
        ({"node_type": "O4-12", "parallel_nodes": 5}, "1 to 4"),
        ({"node_type": "B2-8"}, "node_type"),
        ({"target": "Net Profit"}, "target"),
        ({"constraints": [{"statistic": "Drawdown", "operator": "lt", "value": 1}]}, "operator"),
        ({"parameters": [{"name": "x", "min": 1, "max": 2, "step": 0}]}, "step"),
    ],
)
def test_invalid_requests_answer_400_with_a_reason(api, owner, project, change, message) -> None:
    response = api(owner).post(
        "/api/optimizations/", {**BODY, "project": project.pk, **change}, format="json"
    )
    assert response.status_code == 400
    assert message in str(response.data)
    assert not Optimization.objects.exists()


def test_abort_then_delete(api, owner, project) -> None:
    client = api(owner)
    created = client.post("/api/optimizations/", {**BODY, "project": project.pk}, format="json")
    pk = created.data["id"]
    assert client.delete(f"/api/optimizations/{pk}/").status_code == 409  # still running
    aborted = client.post(f"/api/optimizations/{pk}/abort/").data
    assert aborted["status"] == "aborted"
    assert [r["status"] for r in aborted["results"]] == ["stopped", "stopped"]
    assert client.delete(f"/api/optimizations/{pk}/").status_code == 204
    assert not Backtest.objects.filter(optimization_id=pk).exists()


def test_another_member_may_not_abort_without_the_permission(api, owner, member, project) -> None:
    created = api(owner).post("/api/optimizations/", {**BODY, "project": project.pk}, format="json")
    response = api(member).post(f"/api/optimizations/{created.data['id']}/abort/")
    assert response.status_code == 403


def test_outsiders_see_nothing(api, owner, outsider, project) -> None:
    created = api(owner).post("/api/optimizations/", {**BODY, "project": project.pk}, format="json")
    client = api(outsider)
    assert client.get(f"/api/optimizations/{created.data['id']}/").status_code == 404
    assert client.get("/api/optimizations/").data == []
    response = client.post("/api/optimizations/", {**BODY, "project": project.pk}, format="json")
    assert response.status_code == 404


def test_every_tier_may_optimize(api, owner, project) -> None:
    assert project.organization.tier.slug == "free"
    response = api(owner).post(
        "/api/optimizations/", {**BODY, "project": project.pk}, format="json"
    )
    assert response.status_code == 201


def test_project_parameters_are_edited_and_a_plain_backtest_records_them(
    api, owner, project
) -> None:
    client = api(owner)
    url = f"/api/projects/{project.pk}/parameters/"
    saved = client.put(
        url,
        {"parameters": [{"name": "fast", "value": "10"}, {"name": "ratio", "value": "0.5"}]},
        format="json",
    )
    assert saved.status_code == 200
    assert client.get(url).data == [
        {"name": "fast", "value": "10"},
        {"name": "ratio", "value": "0.5"},
    ]
    launched = client.post(
        "/api/backtests/", {"project": project.pk, "parameters": {"ratio": "0.7"}}, format="json"
    )
    assert launched.status_code == 201
    assert Backtest.objects.get(pk=launched.data["id"]).parameters == {"fast": "10", "ratio": "0.7"}
    # an optimization keeps the project's other parameters on every combination
    created = client.post(
        "/api/optimizations/",
        {**BODY, "project": project.pk, "parameters": BODY["parameters"][1:]},
        format="json",
    )
    first = Backtest.objects.filter(optimization_id=created.data["id"]).order_by("id").first()
    assert first.parameters == {"fast": "10", "ratio": 0.1}
    assert (
        client.put(
            url, {"parameters": [{"name": "bad name", "value": "1"}]}, format="json"
        ).status_code
        == 400
    )


def test_a_build_error_refuses_the_optimization(api, owner, free_org) -> None:
    broken = ProjectFactory(organization=free_org, main="def broken(:\n")
    response = api(owner).post("/api/optimizations/", {**BODY, "project": broken.pk}, format="json")
    assert response.status_code == 400
    assert not Optimization.objects.exists()


def test_a_combination_whose_worker_died_is_counted_and_its_slot_refilled(
    api, owner, project, _no_dispatch
) -> None:
    from backtesting.services import NODE_LOST, sweep_lost_backtests

    created = api(owner).post("/api/optimizations/", {**BODY, "project": project.pk}, format="json")
    optimization = Optimization.objects.get(pk=created.data["id"])
    lost = optimization.backtests.order_by("id").first()
    stale = timezone.now() - timedelta(hours=1)
    Backtest.objects.filter(pk=lost.pk).update(status="running", heartbeat_at=stale)

    assert sweep_lost_backtests().lost == [lost.pk]
    optimization.refresh_from_db()
    assert optimization.dispatched == 3  # the lost one's slot went to the next combination
    detail = api(owner).get(f"/api/optimizations/{optimization.pk}/").data
    assert detail["done"] == 1
    assert detail["results"][0]["status"] == "runtime_error"
    assert detail["results"][0]["error"] == NODE_LOST


def test_the_sweeper_resumes_an_optimization_left_without_running_combinations(
    api, owner, project, _no_dispatch
) -> None:
    from backtesting.services import sweep_lost_backtests

    created = api(owner).post("/api/optimizations/", {**BODY, "project": project.pk}, format="json")
    optimization = Optimization.objects.get(pk=created.data["id"])
    # Both running combinations finished, but their worker died before dispatching more.
    optimization.backtests.update(status="completed", finished_at=timezone.now())
    sweep_lost_backtests()
    optimization.refresh_from_db()
    assert optimization.dispatched == 4 and optimization.status == "running"
    assert optimization.backtests.filter(status="queued").count() == 2
