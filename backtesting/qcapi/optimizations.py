"""``optimizations/*`` of API v2 over the shared optimization services.

QC names targets by their result path (``TotalPerformance.PortfolioStatistics.SharpeRatio``)
and constraint operators by enum name (``LessOrEqual``); both are translated to the names the
services use ("Sharpe Ratio", ``lessOrEqual``). The CLI sends these endpoints as form data
with bracket keys.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from accounts.models import Membership
from backtesting.models import Backtest, Optimization
from backtesting.optimization import services
from backtesting.qcapi.shapes import qc_time
from backtesting.qcapi.views import QcError, _int, _project, endpoint

#: QC's optimization states; the CLI polls until the state is none of new/active/running.
STATUS = {
    Optimization.Status.QUEUED: "new",
    Optimization.Status.RUNNING: "running",
    Optimization.Status.COMPLETED: "completed",
    Optimization.Status.ABORTED: "aborted",
}


def statistic_name(target: str) -> str:
    """``TotalPerformance.PortfolioStatistics.SharpeRatio`` -> ``Sharpe Ratio``."""
    last = str(target).rsplit(".", 1)[-1]
    return last if " " in last else re.sub(r"(?<=[a-z])(?=[A-Z])", " ", last)


def _operator(name: str) -> str:
    return name[:1].lower() + name[1:]


def _request(params: dict[str, Any]) -> dict[str, Any]:
    """The service's keyword arguments from a QC create/estimate request."""
    parameters = [
        {"name": p.get("key") or p.get("name"), "min": p.get("min"), "max": p.get("max"),
         "step": p.get("step")}
        for p in params.get("parameters") or []
        if isinstance(p, dict)
    ]  # fmt: skip
    if not parameters:
        raise QcError("parameters are required")
    constraints = [
        {
            "statistic": statistic_name(c.get("target", "")),
            "operator": _operator(str(c.get("operator", ""))),
            "value": c.get("target-value", c.get("targetValue")),
        }
        for c in params.get("constraints") or []
        if isinstance(c, dict)
    ]
    return {
        "target": statistic_name(params.get("target") or "Sharpe Ratio"),
        "direction": params.get("targetTo") or "max",
        "parameters": parameters,
        "constraints": constraints,
        "node_type": params.get("nodeType") or "O2-8",
        "parallel_nodes": _int(params.get("parallelNodes") or 1, "parallelNodes"),
        "strategy": _strategy(params.get("strategy")),
    }


def _strategy(value: Any) -> str:
    """QC's strategy class names (``...EulerSearchOptimizationStrategy``) or plain words."""
    return "euler" if "euler" in str(value or "").lower() else "grid"


def _optimization(user: AbstractBaseUser, params: dict[str, Any]) -> Optimization:
    optimization = (
        Optimization.objects.filter(
            organization__in=Membership.objects.filter(user=user).values("organization"),
            pk=_int(params.get("optimizationId"), "optimizationId"),
        )
        .select_related("node_model")
        .first()
    )
    if optimization is None:
        raise QcError("Optimization not found")
    return optimization


def optimization_shape(optimization: Optimization) -> dict[str, Any]:
    """``QCOptimization``: backtests keyed by id, progress counts in ``runtimeStatistics``."""
    backtests = list(optimization.backtests.order_by("id"))
    completed = sum(1 for b in backtests if b.status == Backtest.Status.COMPLETED)
    failed = sum(
        1 for b in backtests if b.status in (Backtest.Status.RUNTIME_ERROR, Backtest.Status.STOPPED)
    )
    return {
        "optimizationId": str(optimization.pk),
        "projectId": optimization.project_id,
        "name": optimization.name,
        "status": STATUS.get(optimization.status, optimization.status),
        "created": qc_time(optimization.created_at),
        "nodeType": optimization.node_model.name,
        "parallelNodes": optimization.parallel_nodes,
        "criterion": {
            "target": optimization.target,
            "extremum": optimization.direction,
        },
        "backtests": {
            str(b.pk): {
                "id": str(b.pk),
                "name": b.name,
                "exitCode": 0 if b.status == Backtest.Status.COMPLETED else 1,
                "parameterSet": {str(k): str(v) for k, v in b.parameters.items()},
                "statistics": [],
            }
            for b in backtests
            if not b.is_active
        },
        "runtimeStatistics": {
            "Completed": str(completed),
            "Failed": str(failed),
            "Total": str(optimization.total),
        },
    }


@endpoint("optimizations/estimate")
def optimizations_estimate(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    """``QCOptimizationEstimate``: ``time`` in seconds; QuantDesk charges no credit."""
    estimate = services.optimization_estimate(
        user=user, project=_project(user, params), **_request(params)
    )
    return {
        "estimate": {
            "estimateId": f"{params.get('projectId')}-{estimate.total}",
            "time": int(round(estimate.estimated_seconds)),
            "balance": 0,
        }
    }


@endpoint("optimizations/create")
def optimizations_create(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    optimization = services.optimization_create(
        user=user,
        project=_project(user, params),
        name=str(params.get("name") or "")[:128],
        **_request(params),
    )
    return {"optimizations": [optimization_shape(optimization)]}


@endpoint("optimizations/read")
def optimizations_read(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    return {"optimization": optimization_shape(_optimization(user, params))}


@endpoint("optimizations/list")
def optimizations_list(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    project = _project(user, params)
    rows = project.optimizations.select_related("node_model").order_by("-created_at")
    return {"optimizations": [optimization_shape(o) for o in rows]}


@endpoint("optimizations/abort")
def optimizations_abort(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    services.optimization_abort(user=user, optimization=_optimization(user, params))
    return {}


@endpoint("optimizations/delete")
def optimizations_delete(user: AbstractBaseUser, params: dict[str, Any]) -> dict[str, Any]:
    services.optimization_delete(user=user, optimization=_optimization(user, params))
    return {}
