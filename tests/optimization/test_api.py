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
#: a parameter of 25 values
WIDE = {"name": "fast", "min": 1, "max": 25, "step": 1}


@pytest.fixture(autouse=True)
def _no_dispatch(monkeypatch):
    """Creation only: the dispatcher's batch messages go nowhere (they are kept here)."""
    sent: list[list[int]] = []
    monkeypatch.setattr(
        "backtesting.services._send_batch_message", lambda ids: sent.append(list(ids))
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


def test_create_answers_id_status_total_and_dispatches_one_batch_per_node(
    api, owner, project, _no_dispatch
) -> None:
    response = api(owner).post(
        "/api/optimizations/", {**BODY, "project": project.pk}, format="json"
    )
    assert response.status_code == 201
    assert {"id", "status", "total"} <= set(response.data)
    assert response.data["total"] == 9
    optimization = Optimization.objects.get(pk=response.data["id"])
    # two nodes: the grid shared out evenly, one message (one child) per node
    assert optimization.status == "running" and optimization.dispatched == 9
    assert [len(batch) for batch in _no_dispatch] == [5, 4]
    queued = list(Backtest.objects.filter(optimization=optimization).order_by("id"))
    assert [b.pk for b in queued] == [pk for batch in _no_dispatch for pk in batch]
    assert [b.batch for b in queued] == [0] * 5 + [5] * 4
    assert [b.parameters for b in queued[:2]] == [
        {"fast": 5, "ratio": 0.1},
        {"fast": 5, "ratio": 0.2},
    ]
    assert all(b.node_id is None and b.status == "queued" for b in queued)


def test_batches_are_at_most_combinations_per_batch(api, owner, project, _no_dispatch) -> None:
    from backtesting.optimization.services import COMBINATIONS_PER_BATCH

    body = {**BODY, "project": project.pk, "parallel_nodes": 1, "parameters": [WIDE]}
    created = api(owner).post("/api/optimizations/", body, format="json").data
    assert created["total"] == 25
    assert [len(batch) for batch in _no_dispatch] == [COMBINATIONS_PER_BATCH]


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
    assert [r["status"] for r in aborted["results"]] == ["stopped"] * 9  # every batch queued
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
    detail = api(owner).get(f"/api/optimizations/{optimization.pk}/").data
    assert detail["done"] == 1
    assert detail["results"][0]["status"] == "runtime_error"
    assert detail["results"][0]["error"] == NODE_LOST

    # The rest of its batch waited for the dead worker; once their resend clock ran out
    # the sweeper sends them again, together (one node, one at a time).
    first_batch, second_batch = _no_dispatch
    optimization.backtests.filter(status="queued").update(enqueued_at=stale)
    _no_dispatch.clear()
    sweep_lost_backtests()
    assert sorted(_no_dispatch) == sorted([first_batch[1:], second_batch])


def test_the_sweeper_resumes_an_optimization_left_without_running_combinations(
    api, owner, project, _no_dispatch
) -> None:
    from backtesting.services import sweep_lost_backtests

    body = {**BODY, "project": project.pk, "parameters": [WIDE]}
    created = api(owner).post("/api/optimizations/", body, format="json")
    optimization = Optimization.objects.get(pk=created.data["id"])
    assert optimization.dispatched == 20  # two batches of ten
    # Both batches finished, but their worker died before dispatching more.
    optimization.backtests.update(status="completed", finished_at=timezone.now())
    sweep_lost_backtests()
    optimization.refresh_from_db()
    assert optimization.dispatched == 25 and optimization.status == "running"
    assert [len(batch) for batch in _no_dispatch[2:]] == [3, 2]
