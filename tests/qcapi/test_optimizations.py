"""``optimizations/*`` as the LEAN CLI sends them: form data with bracket keys."""

from __future__ import annotations

import pytest

from backtesting.models import Optimization
from backtesting.qcapi.optimizations import statistic_name

pytestmark = pytest.mark.django_db


def cli_form(project_id: int) -> dict:
    """What ``lean cloud optimize`` posts (lean/components/api/optimization_client.py)."""
    return {
        "projectId": project_id,
        "compileId": "ignored",
        "name": "Sweep",
        "strategy": "QuantConnect.Optimizer.Strategies.GridSearchOptimizationStrategy",
        "target": "TotalPerformance.PortfolioStatistics.SharpeRatio",
        "targetTo": "max",
        "targetValue": "",
        "nodeType": "O2-8",
        "parallelNodes": 2,
        "estimatedCost": "0.01",
        "parameters[0][key]": "fast",
        "parameters[0][min]": 1,
        "parameters[0][max]": 3,
        "parameters[0][step]": 1,
        "constraints[0][target]": "TotalPerformance.PortfolioStatistics.Drawdown",
        "constraints[0][operator]": "LessOrEqual",
        "constraints[0][target-value]": 25,
    }


def test_target_names_translate():
    assert statistic_name("TotalPerformance.PortfolioStatistics.SharpeRatio") == "Sharpe Ratio"
    assert statistic_name("Compounding Annual Return") == "Compounding Annual Return"


def test_estimate_create_read_list_abort_delete(owner, project, qc):
    client = qc(owner)
    estimate = client.post_form("optimizations/estimate", cli_form(project.pk)).json()
    assert estimate["success"], estimate
    assert set(estimate["estimate"]) == {"estimateId", "time", "balance"}

    created = client.post_form("optimizations/create", cli_form(project.pk)).json()
    assert created["success"], created
    [shape] = created["optimizations"]
    row = Optimization.objects.get(pk=int(shape["optimizationId"]))
    assert row.target == "Sharpe Ratio" and row.direction == "max" and row.total == 3
    assert row.constraints == [{"statistic": "Drawdown", "operator": "lessOrEqual", "value": "25"}]
    assert shape["status"] == "new"
    assert shape["runtimeStatistics"] == {"Completed": "0", "Failed": "0", "Total": "3"}

    ids = {"optimizationId": shape["optimizationId"]}
    read = client.get("optimizations/read", ids).json()
    assert read["success"] and read["optimization"]["projectId"] == project.pk
    listed = client.post_json("optimizations/list", {"projectId": project.pk}).json()
    assert [o["optimizationId"] for o in listed["optimizations"]] == [shape["optimizationId"]]

    assert client.post_form("optimizations/abort", ids).json()["success"]
    row.refresh_from_db()
    assert row.status == "aborted"
    assert client.post_form("optimizations/delete", ids).json()["success"]
    assert not Optimization.objects.filter(pk=row.pk).exists()


def test_an_invalid_target_is_refused_with_the_services_message(owner, project, qc):
    form = {**cli_form(project.pk), "target": "TotalPerformance.PortfolioStatistics.Alpha"}
    body = qc(owner).post_form("optimizations/create", form).json()
    assert body["success"] is False
    assert "target must be one of" in body["errors"][0]


def test_another_organizations_optimization_is_not_found(owner, outsider, project, qc):
    created = qc(owner).post_form("optimizations/create", cli_form(project.pk)).json()
    ids = {"optimizationId": created["optimizations"][0]["optimizationId"]}
    for name in ("optimizations/read", "optimizations/abort", "optimizations/delete"):
        body = qc(outsider).post_json(name, ids).json()
        assert body == {"success": False, "errors": ["Optimization not found"]}, name
