"""Launch, dispatch, abort, delete and read optimizations (keyword-only; the REST API and
QC API v2 both call these).

Each combination is a ``Backtest`` row with ``optimization`` set and no node, stored and
streamed like any backtest, with the optimization node model's limits. Combinations are
dispatched in batches, one per node (``parallel_nodes`` at a time): a batch's rows are
created together and run in one sandboxed child, one after the other
(``execution.CombinationBatch``), so they share its parsed data and pay for one child,
one message and one claim round trip per batch instead of per combination. Whenever a
batch's child is done (:func:`combination_done`) or a combination ends
(:func:`combination_finished`) the next batch is dispatched to a free node. Dispatching
locks the optimization row, so two batches ending together cannot both fill the same slot.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from accounts.selectors import membership_of
from backtesting.models import ACTIVE_STATUSES, Backtest, Optimization
from backtesting.names import generate_name
from backtesting.optimization import euler, targets
from backtesting.optimization import grid as grid_module
from config.broadcast import Coalescer, send_now
from config.exceptions import BuildFailed, Conflict, DomainError, PermissionDenied
from ide.models import Project
from ide.parameters import project_parameters
from ide.services import build_project
from nodes.models import NodeModel

#: optimization node models and how many of each one optimization may use at once.
MAX_PARALLEL_NODES = {"O2-8": 6, "O4-12": 4, "O8-16": 4}
#: grid: every combination; euler: a coarse grid refined around the best (``euler``).
STRATEGIES = ("grid", "euler")
#: most combinations one node runs in one child: the grid is shared out evenly between
#: the nodes in batches of at most this many (a child that dies loses at most one run;
#: the ones it did not reach are sent again).
COMBINATIONS_PER_BATCH = 10
#: the run time assumed per backtest when the project has no finished backtest to go by.
DEFAULT_BACKTEST_SECONDS = 30.0
#: the final statuses of a combination.
FINAL_STATUSES = (
    Backtest.Status.COMPLETED,
    Backtest.Status.RUNTIME_ERROR,
    Backtest.Status.STOPPED,
)
ABORT_NOT_ALLOWED = (
    "you may abort only your own optimizations; an admin can grant you the stop-nodes permission"
)


class InvalidOptimization(DomainError):
    """The request does not describe a runnable optimization (HTTP 400)."""

    code = "invalid_optimization"


@dataclass(frozen=True)
class Estimate:
    """What the page shows before launch."""

    total: int
    estimated_seconds: float
    #: the seconds one backtest is expected to take, and the backtest it was read from.
    seconds_per_backtest: float
    based_on: int | None


def optimization_group(optimization_id: int) -> str:
    """Channel group of one optimization's progress stream."""
    return f"optimization.{optimization_id}"


def _validate(
    *,
    target: str,
    direction: str,
    parameters: list[dict[str, Any]],
    constraints: list[dict[str, Any]],
    node_type: str,
    parallel_nodes: int,
) -> tuple[list[dict[str, Any]], NodeModel]:
    if target not in targets.TARGETS:
        raise InvalidOptimization(f"target must be one of {', '.join(targets.TARGETS)}")
    if direction not in Optimization.Direction.values:
        raise InvalidOptimization('direction must be "max" or "min"')
    for constraint in constraints:
        if constraint.get("statistic") not in targets.TARGETS:
            raise InvalidOptimization(
                f"a constraint's statistic must be one of {', '.join(targets.TARGETS)}"
            )
        if constraint.get("operator") not in targets.OPERATORS:
            raise InvalidOptimization(
                f"a constraint's operator must be one of {', '.join(targets.OPERATORS)}"
            )
        if targets.number(constraint.get("value")) is None:
            raise InvalidOptimization("a constraint's value must be a number")
    if node_type not in MAX_PARALLEL_NODES:
        raise InvalidOptimization(f"node_type must be one of {', '.join(MAX_PARALLEL_NODES)}")
    limit = MAX_PARALLEL_NODES[node_type]
    if not 1 <= int(parallel_nodes) <= limit:
        raise InvalidOptimization(f"parallel_nodes must be 1 to {limit} for {node_type}")
    try:
        combinations = grid_module.expand(parameters)
    except grid_module.GridError as exc:
        raise InvalidOptimization(str(exc)) from exc
    model = NodeModel.objects.get(name=node_type, kind=NodeModel.Kind.OPTIMIZATION)
    return combinations, model


def _seconds_per_backtest(project: Project) -> tuple[float, int | None]:
    last = (
        Backtest.objects.filter(
            project=project,
            status=Backtest.Status.COMPLETED,
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .first()
    )
    if last is None:
        return DEFAULT_BACKTEST_SECONDS, None
    return max((last.finished_at - last.started_at).total_seconds(), 0.1), last.pk


def optimization_estimate(
    *,
    user: AbstractBaseUser,
    project: Project,
    parameters: list[dict[str, Any]],
    node_type: str = "O2-8",
    parallel_nodes: int = 1,
    target: str = "Sharpe Ratio",
    direction: str = "max",
    constraints: list[dict[str, Any]] | None = None,
    strategy: str = "grid",
) -> Estimate:
    """How many backtests the grid holds and how long they take on ``parallel_nodes`` nodes.

    The time per backtest is the project's last completed backtest's run time (start to
    finish); the grid runs in waves of ``parallel_nodes``. For an Euler search ``total`` is
    an upper bound (the rounds after the first depend on the results).
    """
    membership_of(user, project.organization_id)
    combinations, _ = _validate(
        target=target,
        direction=direction,
        parameters=parameters,
        constraints=constraints or [],
        node_type=node_type,
        parallel_nodes=parallel_nodes,
    )
    if strategy not in STRATEGIES:
        raise InvalidOptimization('strategy must be "grid" or "euler"')
    total = euler.estimated_total(parameters) if strategy == "euler" else len(combinations)
    per, based_on = _seconds_per_backtest(project)
    waves = math.ceil(total / int(parallel_nodes))
    return Estimate(
        total=total,
        estimated_seconds=round(waves * per, 1),
        seconds_per_backtest=round(per, 2),
        based_on=based_on,
    )


def optimization_create(
    *,
    user: AbstractBaseUser,
    project: Project,
    target: str,
    direction: str,
    parameters: list[dict[str, Any]],
    constraints: list[dict[str, Any]] | None = None,
    node_type: str = "O2-8",
    parallel_nodes: int = 1,
    strategy: str = "grid",
    name: str = "",
) -> Optimization:
    """Validate, build the project and start the grid; returns the queued optimization.

    Steps: 1. membership and validation (InvalidOptimization, 400); 2. build (BuildFailed
    with the diagnostics); 3. store the grid; 4. on commit dispatch the first
    ``parallel_nodes`` combinations. No backtesting node is involved: an organization
    whose backtesting nodes are all busy can still optimize.
    """
    membership_of(user, project.organization_id)
    if strategy not in STRATEGIES:
        raise InvalidOptimization('strategy must be "grid" or "euler"')
    constraints = [
        {"statistic": c["statistic"], "operator": c["operator"], "value": c["value"]}
        for c in constraints or []
    ]
    combinations, model = _validate(
        target=target,
        direction=direction,
        parameters=parameters,
        constraints=constraints,
        node_type=node_type,
        parallel_nodes=parallel_nodes,
    )
    euler_scale = 1
    if strategy == "euler":
        euler_scale = euler.initial_scale(parameters)
        combinations = euler.first_round(parameters, euler_scale)
    build = build_project(project=project)
    if not build.success or build.artifact is None:
        raise BuildFailed(list(build.diagnostics))
    estimate = optimization_estimate(
        user=user,
        project=project,
        parameters=parameters,
        node_type=node_type,
        parallel_nodes=parallel_nodes,
        strategy=strategy,
    )
    with transaction.atomic():
        optimization = Optimization.objects.create(
            organization_id=project.organization_id,
            project=project,
            artifact=build.artifact,
            created_by=user,
            node_model=model,
            name=name or f"Optimization {generate_name()}",
            strategy=strategy,
            target=target,
            direction=direction,
            parameters=[
                {"name": p["name"], "min": p["min"], "max": p["max"], "step": p["step"]}
                for p in parameters
            ],
            constraints=constraints,
            grid=combinations,
            total=len(combinations),
            euler_scale=euler_scale,
            parallel_nodes=int(parallel_nodes),
            base_parameters=project_parameters(project=project),
            source_snapshot=build.sources,
            estimated_seconds=estimate.estimated_seconds,
        )
        transaction.on_commit(lambda: dispatch(optimization_id=optimization.pk))
    return optimization


def dispatch(*, optimization_id: int, freed: int | None = None) -> list[int]:
    """Queue batches until ``parallel_nodes`` batches are queued or running; returns the
    new combinations' ids.

    ``freed``: a running combination whose child is done; its batch no longer holds a
    slot, but the optimization cannot complete (nor start its next Euler round, which
    reads its result) until it is finished. Also completes the optimization once every
    combination has run. Idempotent: calling it again with nothing finished creates nothing.
    """
    from backtesting.services import _send_batch_message

    with transaction.atomic():
        optimization = Optimization.objects.select_for_update().get(pk=optimization_id)
        if optimization.is_finished:
            return []
        active_rows = list(
            optimization.backtests.filter(status__in=ACTIVE_STATUSES).values_list("pk", "batch")
        )
        active = len(active_rows)
        freed_batch = next((_slot(pk, b) for pk, b in active_rows if pk == freed), None)
        busy = len({_slot(pk, b) for pk, b in active_rows} - {freed_batch})
        now = timezone.now()
        status_before = optimization.status
        batches = _queue_batches(optimization, busy, now)
        if not batches and active == 0 and _next_euler_round(optimization):
            batches = _queue_batches(optimization, 0, now)
        created = [pk for batch in batches for pk in batch]
        if created and optimization.status == Optimization.Status.QUEUED:
            optimization.status = Optimization.Status.RUNNING
        if not created and active == 0 and optimization.dispatched >= optimization.total:
            optimization.status = Optimization.Status.COMPLETED
            optimization.finished_at = now
        if created or optimization.status != status_before:  # (most calls change nothing)
            optimization.save(
                update_fields=[
                    "dispatched",
                    "status",
                    "finished_at",
                    "grid",
                    "total",
                    "euler_scale",
                ]
            )
        for batch in batches:
            transaction.on_commit(lambda batch=batch: _send_batch_message(batch))
        publish(optimization_id=optimization_id, final=optimization.is_finished)
    return created


def _slot(backtest_id: int, batch: int | None) -> tuple[str, int]:
    """What holds a node: a batch, or a combination of its own (dispatched before batches)."""
    return ("batch", batch) if batch is not None else ("backtest", backtest_id)


def _queue_batches(optimization: Optimization, busy: int, now: Any) -> list[list[int]]:
    """Create the Backtest rows of the next batches, one per free node: the combinations
    left are shared out evenly between the nodes, up to COMBINATIONS_PER_BATCH each."""
    batches: list[list[int]] = []
    free = optimization.parallel_nodes - busy
    left = optimization.total - optimization.dispatched
    size = min(COMBINATIONS_PER_BATCH, math.ceil(left / optimization.parallel_nodes))
    while len(batches) < free and optimization.dispatched < optimization.total:
        first = optimization.dispatched
        batch = [
            Backtest(
                organization_id=optimization.organization_id,
                project_id=optimization.project_id,
                node=None,
                artifact_id=optimization.artifact_id,
                created_by_id=optimization.created_by_id,
                optimization=optimization,
                batch=first,
                name=_combination_name(combination),
                parameters={**optimization.base_parameters, **combination},
                source_snapshot=optimization.source_snapshot,
                enqueued_at=now,
            )
            for combination in optimization.grid[first : first + size]
        ]
        Backtest.objects.bulk_create(batch)  # (sets the ids on PostgreSQL and SQLite)
        optimization.dispatched += len(batch)
        batches.append([backtest.pk for backtest in batch])
    return batches


def _next_euler_round(optimization: Optimization) -> bool:
    """After a finished Euler round, add the finer round around the best result; False
    when the search is over (scale 1 done, or no combination has a usable result)."""
    if optimization.strategy != "euler":
        return False
    names = [p["name"] for p in optimization.parameters]
    while optimization.euler_scale > 1:
        rows = list(
            optimization.backtests.filter(status=Backtest.Status.COMPLETED).values_list(
                "parameters", "statistics"
            )
        )
        index = targets.best_index(
            [{"statistics": statistics} for _, statistics in rows],
            target=optimization.target,
            direction=optimization.direction,
            constraints=optimization.constraints,
        )
        if index is None:
            return False
        best = {name: rows[index][0][name] for name in names}
        optimization.euler_scale //= 2
        fresh = euler.next_round(
            optimization.parameters, best, optimization.euler_scale, optimization.grid
        )
        if fresh:
            optimization.grid = [*optimization.grid, *fresh]
            optimization.total = len(optimization.grid)
            return True
    return False


def _combination_name(combination: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in combination.items())[:128]


def combination_finished(*, backtest_id: int) -> None:
    """A combination ended (completed, failed or stopped): count it and fill its slot.

    Called by the backtest services whenever a backtest reaches a final status; a plain
    backtest (no optimization) is ignored. A failing combination is simply counted: its
    error stays on its Backtest row and the rest of the grid goes on.
    """
    row = Backtest.objects.filter(pk=backtest_id).values_list("optimization_id", "batch").first()
    if row is None or row[0] is None:
        return
    optimization_id, batch = row
    if (
        batch is not None
        and Backtest.objects.filter(
            optimization_id=optimization_id, batch=batch, status__in=ACTIVE_STATUSES
        ).exists()
    ):
        # Its batch still holds the node (the next combination is already running in the
        # same child): nothing to dispatch, only progress to show. This spares every
        # combination but a batch's last the locked dispatch: a sixth of the worker's time.
        publish(optimization_id=optimization_id)
        return
    dispatch(optimization_id=optimization_id)


def combination_done(*, backtest_id: int, optimization_id: int) -> None:
    """A combination's sandboxed child is done: fill its slot now, before its last events
    and its end are stored (the worker calls this; :func:`combination_finished` follows)."""
    dispatch(optimization_id=optimization_id, freed=backtest_id)


def resume_stalled_optimizations() -> list[int]:
    """Dispatch again for running optimizations with nothing queued or running.

    A worker that died between finishing a combination and dispatching the next leaves
    such an optimization; the sweeper calls this so it goes on (or completes). Returns the
    ids of the backtests dispatched.
    """
    stalled = (
        Optimization.objects.filter(
            status__in=(Optimization.Status.QUEUED, Optimization.Status.RUNNING)
        )
        .exclude(backtests__status__in=ACTIVE_STATUSES)
        .values_list("pk", flat=True)
    )
    created: list[int] = []
    for optimization_id in list(stalled):
        created += dispatch(optimization_id=optimization_id)
    return created


def optimization_abort(*, user: AbstractBaseUser, optimization: Optimization) -> Optimization:
    """Stop the running combinations, drop the ones not yet started; results so far stay.

    Same permission rule as stopping a backtest: the launcher, or a member with the
    stop-nodes permission, or an admin. A finished optimization is returned as it is.
    """
    membership = membership_of(user, optimization.organization_id)
    if optimization.created_by_id != user.pk and not membership.may_stop_others:
        raise PermissionDenied(ABORT_NOT_ALLOWED)
    from backtesting.services import _load, _publish_status

    now = timezone.now()
    with transaction.atomic():
        locked = Optimization.objects.select_for_update().get(pk=optimization.pk)
        if locked.is_finished:
            return locked
        locked.status = Optimization.Status.ABORTED
        locked.finished_at = now
        locked.save(update_fields=["status", "finished_at"])
        queued = list(
            locked.backtests.filter(status=Backtest.Status.QUEUED).values_list("pk", flat=True)
        )
        Backtest.objects.filter(pk__in=queued, status=Backtest.Status.QUEUED).update(
            status=Backtest.Status.STOPPED, finished_at=now, stop_requested=True
        )
        locked.backtests.filter(status=Backtest.Status.RUNNING).update(stop_requested=True)
        for backtest_id in queued:
            _publish_status(_load(backtest_id))
        publish(optimization_id=locked.pk, final=True)
    return locked


def optimization_delete(*, user: AbstractBaseUser, optimization: Optimization) -> None:
    """Delete a finished optimization with its backtests; a running one must be aborted."""
    membership_of(user, optimization.organization_id)
    with transaction.atomic():
        locked = Optimization.objects.select_for_update().get(pk=optimization.pk)
        if not locked.is_finished or locked.backtests.filter(status__in=ACTIVE_STATUSES).exists():
            raise Conflict("the optimization is still running; abort it first")
        locked.backtests.all().delete()
        locked.delete()


def optimization_rename(
    *, user: AbstractBaseUser, optimization: Optimization, name: str
) -> Optimization:
    """Rename an optimization (the history shows the name)."""
    membership_of(user, optimization.organization_id)
    optimization.name = name[:128]
    optimization.save(update_fields=["name"])
    publish(optimization_id=optimization.pk, final=True)
    return optimization


def _result(optimization: Optimization, backtest: Backtest) -> dict[str, Any]:
    names = [p["name"] for p in optimization.parameters]
    statistics = backtest.statistics or {}
    return {
        "backtest": backtest.pk,
        "name": backtest.name,
        "parameters": {name: backtest.parameters.get(name) for name in names},
        "status": backtest.status,
        "error": backtest.error.splitlines()[-1] if backtest.error else "",
        "statistics": {k: statistics[k] for k in targets.MAIN_STATISTICS if k in statistics},
        "target": targets.number(statistics.get(optimization.target)),
        "meets_constraints": bool(statistics)
        and targets.satisfies(statistics, optimization.constraints),
    }


def optimization_summary(optimization: Optimization) -> dict[str, Any]:
    """The history row: no per-combination results."""
    done = optimization.backtests.filter(status__in=FINAL_STATUSES).count()
    return {
        "id": optimization.pk,
        "name": optimization.name,
        "project": optimization.project_id,
        "status": optimization.status,
        "strategy": optimization.strategy,
        "target": optimization.target,
        "direction": optimization.direction,
        "parameters": optimization.parameters,
        "constraints": optimization.constraints,
        "node_type": optimization.node_model.name,
        "parallel_nodes": optimization.parallel_nodes,
        "total": optimization.total,
        "done": done,
        "estimated_seconds": optimization.estimated_seconds,
        "created_at": optimization.created_at.isoformat(),
        "finished_at": optimization.finished_at.isoformat() if optimization.finished_at else None,
    }


def optimization_detail(optimization: Optimization) -> dict[str, Any]:
    """``GET /api/optimizations/{id}/`` and every websocket frame: progress, best, results.

    ``best`` is the completed combination with the best target among those meeting every
    constraint (None until one does); ``results`` lists every dispatched combination.
    """
    backtests = list(
        optimization.backtests.order_by("id").only(
            "id", "name", "status", "error", "statistics", "parameters", "optimization_id"
        )
    )
    results = [_result(optimization, backtest) for backtest in backtests]
    completed = [
        {"statistics": b.statistics if b.status == Backtest.Status.COMPLETED else {}}
        for b in backtests
    ]
    index = targets.best_index(
        completed,
        target=optimization.target,
        direction=optimization.direction,
        constraints=optimization.constraints,
    )
    best = None
    if index is not None:
        row = results[index]
        best = {
            "backtest": row["backtest"],
            "parameters": row["parameters"],
            "statistics": row["statistics"],
        }
    return {
        **optimization_summary(optimization),
        "running": sum(1 for b in backtests if b.status == Backtest.Status.RUNNING),
        "best": best,
        "results": results,
    }


def _send_detail(optimization_id: Any) -> None:
    optimization = (
        Optimization.objects.select_related("node_model").filter(pk=optimization_id).first()
    )
    if optimization is None:  # deleted since
        return
    # JSON round trip: the channel layer carries only plain JSON types.
    detail = json.loads(json.dumps(optimization_detail(optimization), default=str))
    send_now(
        optimization_group(optimization_id),
        {"type": "optimization.update", "optimization": detail},
    )


#: an optimization's page gets its whole state (every combination's row) at most every
#: UPDATE_SECONDS: a grid of short backtests ends several combinations a second, and
#: building that frame at each one took the worker's time from the next combination.
UPDATE_SECONDS = 0.25
_updates = Coalescer(UPDATE_SECONDS, _send_detail)


def publish(*, optimization_id: int, final: bool = False) -> None:
    """After commit, send the optimization's detail to its open pages: ``final`` (it
    ended, or a user changed it) at once, progress at most every UPDATE_SECONDS."""
    if final:
        transaction.on_commit(lambda: _updates.now(optimization_id))
    else:
        transaction.on_commit(lambda: _updates.request(optimization_id))


__all__ = [
    "Estimate",
    "InvalidOptimization",
    "MAX_PARALLEL_NODES",
    "combination_done",
    "combination_finished",
    "dispatch",
    "optimization_abort",
    "optimization_create",
    "optimization_delete",
    "optimization_detail",
    "optimization_estimate",
    "optimization_group",
    "optimization_rename",
    "optimization_summary",
    "publish",
    "resume_stalled_optimizations",
]
