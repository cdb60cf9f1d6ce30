"""Optimizations end to end on the worker path (stub broker, stand-in sandbox)."""

from __future__ import annotations

import pytest

from backtesting.models import Backtest, Optimization
from nodes.models import Node
from tests.optimization.conftest import finished, sharpe_of, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

A_AND_B = [
    {"name": "a", "min": 1, "max": 3, "step": 1},
    {"name": "b", "min": 1, "max": 3, "step": 1},
]


def _create(client, project, **overrides) -> dict:
    body = {
        "project": project.pk,
        "target": "Sharpe Ratio",
        "direction": "max",
        "parameters": A_AND_B,
        "constraints": [],
        "node_type": "O2-8",
        "parallel_nodes": 2,
        **overrides,
    }
    response = client.post("/api/optimizations/", body, format="json")
    assert response.status_code == 201, response.data
    return response.data


def _run(client, project, **overrides) -> dict:
    created = _create(client, project, **overrides)
    wait_for(finished(created["id"]), what="the optimization to finish")
    return client.get(f"/api/optimizations/{created['id']}/").data


def test_a_grid_runs_every_combination_and_reports_the_best(
    api, owner, project, stub_worker, grid_sandbox
) -> None:
    client = api(owner)
    created = _create(client, project)
    assert created["status"] in ("queued", "running") and created["total"] == 9
    wait_for(finished(created["id"]))

    detail = client.get(f"/api/optimizations/{created['id']}/").data
    assert detail["status"] == "completed" and detail["done"] == 9 == detail["total"]
    assert sorted((r["parameters"]["a"], r["parameters"]["b"]) for r in detail["results"]) == [
        (a, b) for a in (1, 2, 3) for b in (1, 2, 3)
    ]
    # Sharpe = a - (b - 2)^2 is highest at a=3, b=2.
    assert detail["best"]["parameters"] == {"a": 3, "b": 2}
    assert detail["best"]["statistics"]["Sharpe Ratio"] == f"{sharpe_of(3, 2):.3f}"
    best_backtest = Backtest.objects.get(pk=detail["best"]["backtest"])
    assert best_backtest.parameters == {"a": 3, "b": 2}
    assert best_backtest.status == "completed"


def test_minimize_picks_the_lowest_target(api, owner, project, stub_worker, grid_sandbox) -> None:
    detail = _run(api(owner), project, direction="min", target="Drawdown")
    assert detail["best"]["parameters"] == {"a": 1, "b": 1}  # drawdown a + b


def test_constraints_filter_the_best(api, owner, project, stub_worker, grid_sandbox) -> None:
    constraints = [{"statistic": "Drawdown", "operator": "lessOrEqual", "value": 4}]
    detail = _run(api(owner), project, constraints=constraints)
    # a=3, b=2 has drawdown 5%; among a + b <= 4 the best Sharpe is a=2, b=2.
    assert detail["best"]["parameters"] == {"a": 2, "b": 2}
    failing = [r for r in detail["results"] if not r["meets_constraints"]]
    assert {(r["parameters"]["a"], r["parameters"]["b"]) for r in failing} == {
        (2, 3),
        (3, 2),
        (3, 3),
    }


def test_a_failing_combination_is_recorded_and_the_rest_go_on(
    api, owner, project, stub_worker, grid_sandbox
) -> None:
    grid_sandbox.fail_when = lambda params: params["a"] == "2" and params["b"] == "3"
    detail = _run(api(owner), project)
    assert detail["status"] == "completed" and detail["done"] == 9
    failed = [r for r in detail["results"] if r["status"] == "runtime_error"]
    assert [r["parameters"] for r in failed] == [{"a": 2, "b": 3}]
    assert failed[0]["error"] == "ZeroDivisionError: division by zero"
    assert sum(r["status"] == "completed" for r in detail["results"]) == 8
    assert detail["best"]["parameters"] == {"a": 3, "b": 2}


@pytest.mark.parametrize("parallel", [1, 3])
def test_parallelism_never_exceeds_the_chosen_nodes(
    api, owner, project, stub_worker, grid_sandbox, parallel
) -> None:
    detail = _run(api(owner), project, parallel_nodes=parallel)
    assert detail["done"] == 9
    assert grid_sandbox.max_children <= parallel
    if parallel > 1:
        assert grid_sandbox.max_children > 1  # the nodes were used, not run one by one


def test_abort_mid_way_stops_running_and_queued_and_keeps_results(
    api, owner, project, stub_worker, grid_sandbox
) -> None:
    client = api(owner)
    # Two nodes: batches (a=1 b=1..3, a=2 b=1..2) and (a=2 b=3, a=3 b=1..3). The three
    # combinations with a=1 complete; the first with a=2 of each batch is held running.
    grid_sandbox.hold_when = lambda params: params["a"] != "1"
    created = _create(client, project, parallel_nodes=2)
    optimization_id = created["id"]
    wait_for(lambda: len(grid_sandbox.held) == 2, what="two held runs")
    response = client.post(f"/api/optimizations/{optimization_id}/abort/")
    assert response.status_code == 200 and response.data["status"] == "aborted"
    wait_for(finished(optimization_id))

    detail = client.get(f"/api/optimizations/{optimization_id}/").data
    statuses = [r["status"] for r in detail["results"]]
    assert detail["status"] == "aborted"
    assert statuses == ["completed"] * 3 + ["stopped"] * 6  # results so far stay
    assert detail["done"] == 9 == detail["total"]
    assert len(grid_sandbox.started) == 5  # nothing ran after the abort
    assert detail["best"] is not None


def test_an_optimization_runs_while_the_only_backtesting_node_is_busy(
    api, owner, project, free_org, stub_worker, grid_sandbox
) -> None:
    client = api(owner)
    # the one B-MICRO node holds a plain backtest,
    grid_sandbox.hold_when = lambda params: "a" not in params  # the plain backtest
    launched = client.post("/api/backtests/", {"project": project.pk}, format="json")
    assert launched.status_code == 201
    node = Node.objects.get(organization=free_org)
    wait_for(lambda: Backtest.objects.get(pk=launched.data["id"]).status == "running")
    assert client.post("/api/backtests/", {"project": project.pk}, format="json").status_code == 409
    # yet an optimization runs to the end on optimization nodes.
    created = _create(client, project, parameters=[{"name": "a", "min": 1, "max": 3, "step": 1}])
    wait_for(finished(created["id"]))
    assert Optimization.objects.get(pk=created["id"]).status == "completed"
    node.refresh_from_db()
    assert node.status == "busy" and node.current_backtest_id == launched.data["id"]
    assert not Backtest.objects.filter(optimization_id=created["id"], node__isnull=False).exists()
    grid_sandbox.release_all()


def test_a_batch_whose_child_is_done_frees_its_node_but_not_the_optimization(
    api, owner, project, monkeypatch
) -> None:
    """The worker frees the node as soon as the batch's child is gone (its last events
    are stored while the next batch runs); the optimization completes only once every
    combination is finished."""
    from backtesting import services
    from backtesting.optimization.services import combination_done

    sent: list[list[int]] = []
    monkeypatch.setattr(services, "_send_batch_message", lambda ids: sent.append(list(ids)))
    created = _create(
        api(owner), project, parameters=[{"name": "a", "min": 1, "max": 12, "step": 1}],
        parallel_nodes=1,
    )  # fmt: skip
    assert [len(batch) for batch in sent] == [10]
    *before, last = [services.claim_backtest(backtest_id=pk, worker="w") for pk in sent[0]]
    for backtest in before:  # the child runs them in turn; the worker finishes each
        services.finish_backtest(backtest_id=backtest.pk, status="completed")
    assert [len(batch) for batch in sent] == [10]  # the batch holds its node to its end

    combination_done(backtest_id=last.pk, optimization_id=created["id"])
    assert [len(batch) for batch in sent] == [10, 2]  # queued while the last one is stored
    combination_done(backtest_id=last.pk, optimization_id=created["id"])  # (a repeat: no more)
    assert len(sent) == 2
    second = [services.claim_backtest(backtest_id=pk, worker="w") for pk in sent[1]]
    combination_done(backtest_id=second[-1].pk, optimization_id=created["id"])
    optimization = Optimization.objects.get(pk=created["id"])
    assert optimization.status == "running"  # the first batch's last is still running

    services.finish_backtest(backtest_id=last.pk, status="completed")
    assert Optimization.objects.get(pk=created["id"]).status == "running"
    for backtest in second:
        services.finish_backtest(backtest_id=backtest.pk, status="completed")
    optimization = Optimization.objects.get(pk=created["id"])
    assert optimization.status == "completed" and optimization.finished_at is not None
    assert len(sent) == 2


def test_a_combination_stopped_mid_batch_ends_alone_and_the_rest_run_after_it(
    api, owner, project, stub_worker, grid_sandbox
) -> None:
    """Stopping one combination stops its batch's child; the combinations it had not
    reached run in a new child, and the node still runs one combination at a time: the
    next batch waits for them."""
    client = api(owner)
    grid_sandbox.hold_when = lambda params: params["a"] == "2"
    created = _create(
        client,
        project,
        parameters=[{"name": "a", "min": 1, "max": 12, "step": 1}],
        parallel_nodes=1,
    )  # fmt: skip (batches of 10 and 2)
    wait_for(lambda: grid_sandbox.held, what="the second combination to run")
    held = Backtest.objects.get(optimization_id=created["id"], parameters__a=2)
    assert client.post(f"/api/backtests/{held.pk}/stop/").status_code == 200
    wait_for(finished(created["id"]))

    detail = client.get(f"/api/optimizations/{created['id']}/").data
    assert [r["status"] for r in detail["results"]] == ["completed", "stopped"] + ["completed"] * 10
    assert detail["status"] == "completed"
    assert grid_sandbox.max_children == 1
    assert [int(p["a"]) for p in grid_sandbox.started] == list(range(1, 13))
