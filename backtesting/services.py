"""Launch, run bookkeeping, stop and recovery of backtests (DESIGN.md steps 2-5).

Every state transition is a claim by conditional UPDATE on ``status``; zero rows updated
means another actor (a worker, the sweeper, a stop request) won, and the loser returns
quietly. Messages and broadcasts are sent only after the transaction commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Organization
from accounts.selectors import log_bytes_today, log_quota_frees_at, membership_of
from accounts.services import log_usage_add
from backtesting.events import (
    EventsMessage,
    StatusMessage,
    backtest_group,
    backtest_summary,
    stored_event,
)
from backtesting.models import Backtest, BacktestEvent
from backtesting.names import generate_name
from config.broadcast import send_on_commit
from config.exceptions import (
    BuildFailed,
    Conflict,
    NoIdleNode,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
)
from ide.models import Project
from ide.parameters import project_parameters
from ide.services import build_project
from nodes.events import publish_node_state
from nodes.models import Node, NodeModel
from nodes.services import release_node

#: the reply to a launch (REST contract); formatted with the project's name.
QUEUED_MESSAGE = "New backtest: {project} is in the queue"
#: shown when someone other than the launcher, without the stop-nodes permission, stops a run.
STOP_NOT_ALLOWED = (
    "you may stop only your own backtests; an admin can grant you the stop-nodes permission"
)
#: the error of a backtest whose worker stopped heartbeating.
NODE_LOST = "node lost: the worker running this backtest stopped responding"
#: the one log line written when the per-backtest log quota is reached.
LOG_QUOTA_LINE = "Log quota reached: {kb} KB per backtest on the {tier} tier"
#: the one log line written when the organization's daily log quota runs out mid-run.
DAILY_LOG_QUOTA_LINE = "Log quota reached: {mb} MB per day on the {tier} tier"
#: the runtime error of a backtest that placed more orders than its tier allows.
ORDER_QUOTA_ERROR = "Order quota reached: {limit:,} orders per backtest on the {tier} tier"
#: the refusal of a launch while the daily log quota is spent.
DAILY_LOG_QUOTA_SPENT = (
    "The {tier} tier's {mb} MB of logs per day are used up; logging frees up at {at} UTC"
)


def queued_message(backtest: Backtest) -> str:
    """The launch reply of the REST contract: "New backtest: <project> is in the queue"."""
    return QUEUED_MESSAGE.format(project=backtest.project.name)


def start_delay_seconds(backtest: Backtest) -> float:
    """Seconds until a just-queued backtest starts: the B-MICRO delay, else 0 (the UI's countdown)."""
    node = backtest.node
    return float(settings.BMICRO_DELAY_SECONDS) if node and node.model.is_micro else 0.0


def launch_backtest(
    *,
    user: AbstractBaseUser,
    project: Project,
    node_id: int | None = None,
    parameters: dict[str, Any] | None = None,
    name: str = "",
) -> Backtest:
    """Build the project and queue a backtest on the chosen node or any idle one.

    Steps: 1. build (errors raise BuildFailed with the diagnostics); 2. lock the
    organization's backtesting nodes; 3. pick the requested node, or an idle one (paid
    nodes first); none idle raises NoIdleNode and nothing is created; 4. create the queued
    backtest and claim the node by conditional UPDATE; 5. on commit, send the run message
    (delayed on a B-MICRO node) and push the node's state to the Resources panel.
    """
    membership_of(user, project.organization_id)
    _refuse_when_daily_logs_spent(project.organization)
    build = build_project(project=project)
    if not build.success or build.artifact is None:
        raise BuildFailed(list(build.diagnostics))
    with transaction.atomic():
        nodes = list(
            Node.objects.select_for_update(of=("self",))
            .select_related("model")
            .filter(organization_id=project.organization_id, model__kind=NodeModel.Kind.BACKTEST)
            .order_by("model__is_micro", "id")
        )
        if node_id is not None:
            nodes = [node for node in nodes if node.pk == node_id]
            if not nodes:
                raise NotFound("node not found")
            if nodes[0].status != Node.Status.IDLE:
                raise NoIdleNode(f"node {nodes[0].name} is busy", node=nodes[0].pk)
        idle = [node for node in nodes if node.status == Node.Status.IDLE]
        if not idle:
            raise NoIdleNode()
        node = idle[0]
        backtest = Backtest.objects.create(
            organization_id=project.organization_id,
            project=project,
            node=node,
            artifact=build.artifact,
            created_by=user,
            name=name or generate_name(),
            parameters={**project_parameters(project=project), **(parameters or {})},
            source_snapshot=build.sources,
            enqueued_at=timezone.now(),
        )
        claimed = Node.objects.filter(pk=node.pk, status=Node.Status.IDLE).update(
            status=Node.Status.BUSY, current_backtest=backtest
        )
        if not claimed:  # SQLite has no row locks: another launch took it since we read it
            raise NoIdleNode()
        backtest.node = node
        delay_ms = int(start_delay_seconds(backtest) * 1000)
        transaction.on_commit(lambda: _send_run_message(backtest.pk, delay_ms))
        publish_node_state(node.pk)
    return backtest


def _refuse_when_daily_logs_spent(organization: Organization) -> None:
    tier = organization.tier
    if tier.log_bytes_per_day is None:
        return
    if log_bytes_today(organization=organization) >= tier.log_bytes_per_day:
        frees_at = log_quota_frees_at(organization=organization)
        raise QuotaExceeded(
            DAILY_LOG_QUOTA_SPENT.format(
                tier=tier.name,
                mb=tier.log_bytes_per_day // (1024 * 1024),
                at=frees_at.strftime("%Y-%m-%d %H:%M"),
            ),
            quota="log_bytes_per_day",
            tier=tier.name,
            limit=tier.log_bytes_per_day,
        )


def _send_run_message(backtest_id: int, delay_ms: int = 0) -> None:
    from backtesting.actors import run_backtest

    run_backtest.send_with_options(args=(backtest_id,), delay=delay_ms or None)


def _send_batch_message(backtest_ids: list[int]) -> None:
    from backtesting.actors import run_combinations

    run_combinations.send(list(backtest_ids))


def send_queued_batch(*, backtest_ids: list[int]) -> list[int]:
    """Send a batch of combinations again (those still queued, in order); returns them."""
    now = timezone.now()
    queued = list(
        Backtest.objects.filter(pk__in=backtest_ids, status=Backtest.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if queued:
        Backtest.objects.filter(pk__in=queued).update(enqueued_at=now)
        _send_batch_message(queued)
    return queued


def keep_queued(*, backtest_ids: list[int]) -> None:
    """A live worker holds these queued rows (a batch's, behind its running combination):
    restart their resend clock, so that the sweeper does not send them elsewhere."""
    if backtest_ids:
        Backtest.objects.filter(pk__in=backtest_ids, status=Backtest.Status.QUEUED).update(
            enqueued_at=timezone.now()
        )


def claim_backtest(*, backtest_id: int, worker: str) -> Backtest | None:
    """Move a queued backtest to running; None when it is not queued any more.

    At-least-once delivery means a message can arrive twice (a re-send, a dead worker's
    redelivery): only the first claim wins.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = Backtest.objects.filter(pk=backtest_id, status=Backtest.Status.QUEUED).update(
            status=Backtest.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker
        )
        if not claimed:
            return None  # another worker claimed it first, or it was stopped while queued
        backtest = _load_to_run(backtest_id)
        _publish_status(backtest)
        if backtest.node_id:
            publish_node_state(backtest.node_id)
    return backtest


def heartbeat(*, backtest_id: int) -> bool:
    """Record that the worker is alive; returns whether a stop was requested."""
    Backtest.objects.filter(pk=backtest_id, status=Backtest.Status.RUNNING).update(
        heartbeat_at=timezone.now()
    )
    return stop_requested(backtest_id=backtest_id)


def stop_requested(*, backtest_id: int) -> bool:
    """Whether the worker should end the run (a stop request, or the run already ended)."""
    row = Backtest.objects.filter(pk=backtest_id).values_list("stop_requested", "status").first()
    return row is None or row[0] or row[1] != Backtest.Status.RUNNING


def record_events(
    *,
    backtest_id: int,
    events: list[dict[str, Any]],
    quota_exempt: bool = False,
    after_seq: int | None = None,
) -> list[dict[str, Any]]:
    """Store a batch of engine events with sequence numbers and stream them after commit.

    Also folds them into the backtest row (progress, runtime and final statistics, log and
    order counts) and enforces the log quotas (per backtest, and per organization over a
    rolling 24 h): past them, log lines are dropped and one line naming the quota is stored
    instead. ``quota_exempt`` is for the platform's own lines (a traceback, "node lost").
    Returns the stored events.

    ``after_seq`` makes a retried write idempotent: the batch is stored only while the
    backtest's ``last_seq`` still equals it (a conditional write). A worker that lost its
    connection during COMMIT cannot tell whether the batch landed; retrying with the same
    ``after_seq`` stores it once or finds it there and stores nothing.
    """
    if not events:
        return []
    with transaction.atomic():
        backtest = (
            Backtest.objects.select_for_update(of=("self",))
            .select_related("organization__tier")
            .defer("source_snapshot", "parameters")  # (not read here; the sources are encrypted)
            .get(pk=backtest_id)
        )
        if after_seq is not None and backtest.last_seq != after_seq:
            return []  # an earlier attempt of this batch committed (or the run was taken over)
        if quota_exempt:
            kept, added = list(events), 0
        else:
            kept, added = _apply_log_quotas(backtest, events)
            kept = _apply_order_quota(backtest, kept)
            log_usage_add(organization_id=backtest.organization_id, size=added)
        rows: list[tuple[int, dict[str, Any]]] = []
        for payload in kept:
            backtest.last_seq += 1
            rows.append((backtest.last_seq, payload))
            _fold(backtest, payload)
        _insert_events(backtest_id, rows)
        if backtest.status == Backtest.Status.RUNNING:
            backtest.heartbeat_at = timezone.now()
        backtest.save(
            update_fields=[
                "last_seq",
                "progress",
                "statistics",
                "runtime_statistics",
                "log_bytes",
                "log_quota_hit",
                "order_count",
                "quota_error",
                "stop_requested",
                "heartbeat_at",
            ]
        )
        stored = [stored_event(seq, payload) for seq, payload in rows]
        message: EventsMessage = {"type": "backtest.events", "events": stored}
        send_on_commit(backtest_group(backtest_id), dict(message))
        if backtest.node_id and any(p.get("type") == "progress" for p in kept):
            publish_node_state(backtest.node_id)
    return stored


def _insert_events(backtest_id: int, rows: list[tuple[int, dict[str, Any]]]) -> None:
    """Insert ``(seq, payload)`` rows; on PostgreSQL with COPY.

    A short backtest streams a few hundred events, and storing them was most of a
    combination's cost in an optimization: ``bulk_create`` quotes every JSON payload into a
    text array in Python (about 55 us per event), COPY streams the rows (about 20 us).
    """
    if connection.vendor != "postgresql":
        BacktestEvent.objects.bulk_create(
            BacktestEvent(backtest_id=backtest_id, seq=seq, type=_kind(p), payload=p)
            for seq, p in rows
        )
        return
    table = BacktestEvent._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            f"COPY {table} (backtest_id, seq, type, payload) FROM STDIN"
        ) as copy:
            for seq, payload in rows:
                copy.write_row((backtest_id, seq, _kind(payload), json.dumps(payload)))


def _kind(payload: dict[str, Any]) -> str:
    # (cut to the column's width: the payload comes from the sandboxed child)
    return str(payload.get("type", ""))[: BacktestEvent._meta.get_field("type").max_length]


def _apply_log_quotas(
    backtest: Backtest, events: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    """Drop log lines past the per-backtest or the daily quota, keeping one line that says so.

    Returns the events to store and the log bytes they add to the organization's ledger.
    """
    tier = backtest.organization.tier
    per_backtest, per_day = tier.log_bytes_per_backtest, tier.log_bytes_per_day
    has_logs = any(payload.get("type") == "log" for payload in events)
    used_today = (
        log_bytes_today(organization=backtest.organization)
        if has_logs and per_day is not None
        else 0
    )
    kept: list[dict[str, Any]] = []
    added = 0
    for payload in events:
        if payload.get("type") != "log":
            kept.append(payload)
            continue
        size = len(str(payload.get("message", "")).encode())
        over_backtest = per_backtest is not None and backtest.log_bytes + size > per_backtest
        over_day = per_day is not None and used_today + added + size > per_day
        if over_backtest or over_day:
            if not backtest.log_quota_hit:
                backtest.log_quota_hit = True
                if over_backtest:
                    line = LOG_QUOTA_LINE.format(kb=per_backtest // 1024, tier=tier.name)
                else:
                    line = DAILY_LOG_QUOTA_LINE.format(mb=per_day // (1024 * 1024), tier=tier.name)
                kept.append({**payload, "level": "error", "message": line})
            continue
        backtest.log_bytes += size
        added += size
        kept.append(payload)
    return kept, added


def _apply_order_quota(backtest: Backtest, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Count orders (LEAN numbers them 1, 2, 3...) and end the run at the first one past the
    tier's quota: that order's events are not stored and the run stops with a runtime error."""
    limit = backtest.organization.tier.orders_per_backtest
    kept: list[dict[str, Any]] = []
    for payload in events:
        if payload.get("type") == "order_event":
            order_id = int(payload.get("order_id") or 0)
            if limit is not None and order_id > limit:
                if not backtest.quota_error:
                    tier = backtest.organization.tier.name
                    backtest.quota_error = ORDER_QUOTA_ERROR.format(limit=limit, tier=tier)
                    backtest.stop_requested = True
                continue
            backtest.order_count = max(backtest.order_count, order_id)
        kept.append(payload)
    return kept


def _fold(backtest: Backtest, payload: dict[str, Any]) -> None:
    """Update the row's summary fields from one event."""
    kind = payload.get("type")
    if kind == "progress":
        backtest.progress = float(payload.get("fraction", 0.0))
    elif kind == "runtime_statistics":
        backtest.runtime_statistics = {**backtest.runtime_statistics, **payload.get("values", {})}
    elif kind == "result":
        backtest.statistics = payload.get("statistics") or {}
        backtest.runtime_statistics = {
            **backtest.runtime_statistics,
            **(payload.get("runtime_statistics") or {}),
        }


def finish_backtest(*, backtest_id: int, status: str, error: str | None = None) -> Backtest:
    """End a running backtest (completed, runtime_error or stopped) and release its node.

    A runtime error's message (a traceback) is also stored as an error line of the log.
    """
    if status not in (
        Backtest.Status.COMPLETED,
        Backtest.Status.RUNTIME_ERROR,
        Backtest.Status.STOPPED,
    ):
        raise ValueError(f"not a final status: {status}")
    with transaction.atomic():
        quota_error = (
            Backtest.objects.filter(pk=backtest_id).values_list("quota_error", flat=True).first()
        )
        if quota_error:  # the worker stopped it because a quota ran out
            status, error = Backtest.Status.RUNTIME_ERROR, quota_error
        fields: dict[str, Any] = {"status": status, "finished_at": timezone.now()}
        if error:
            fields["error"] = error
        if status == Backtest.Status.COMPLETED:
            fields["progress"] = 1.0
        finished = Backtest.objects.filter(pk=backtest_id, status=Backtest.Status.RUNNING).update(
            **fields
        )
        if finished and error and status == Backtest.Status.RUNTIME_ERROR:
            record_events(backtest_id=backtest_id, events=[_error_log(error)], quota_exempt=True)
        # (the row alone: the status frame and the release read only its own columns)
        backtest = Backtest.objects.defer("source_snapshot").get(pk=backtest_id)
        if finished:
            _publish_status(backtest)
        if backtest.node_id and not backtest.is_active:
            release_node(node_id=backtest.node_id, backtest_id=backtest.pk)
    _notify_optimization(backtest)
    return backtest


def _notify_optimization(backtest: Backtest) -> None:
    """A combination of an optimization ended: let the optimization fill its slot."""
    if backtest.optimization_id and not backtest.is_active:
        from backtesting.optimization.services import combination_finished

        combination_finished(backtest_id=backtest.pk)


def _error_log(message: str) -> dict[str, Any]:
    return {"type": "log", "time": None, "level": "error", "message": message}


def stop_backtest(*, user: AbstractBaseUser, backtest: Backtest) -> Backtest:
    """Stop a queued or running backtest if ``user`` may; a finished one is left as it is.

    Allowed for the member who launched it, and for others with the stop-nodes permission
    or an admin role. A queued backtest stops at once; a running one gets a flag that its
    worker polls several times a second, and the worker marks it stopped.
    """
    membership = membership_of(user, backtest.organization_id)
    if backtest.created_by_id != user.pk and not membership.may_stop_others:
        raise PermissionDenied(STOP_NOT_ALLOWED)
    with transaction.atomic():
        stopped = Backtest.objects.filter(pk=backtest.pk, status=Backtest.Status.QUEUED).update(
            status=Backtest.Status.STOPPED, finished_at=timezone.now(), stop_requested=True
        )
        if stopped:
            fresh = _load(backtest.pk)
            _publish_status(fresh)
            if fresh.node_id:
                release_node(node_id=fresh.node_id, backtest_id=fresh.pk)
            _notify_optimization(fresh)
            return fresh
        Backtest.objects.filter(pk=backtest.pk, status=Backtest.Status.RUNNING).update(
            stop_requested=True
        )
    return _load(backtest.pk)


def stop_node(*, user: AbstractBaseUser, node: Node) -> Backtest:
    """Stop whatever the node runs, under the same permission rule as :func:`stop_backtest`."""
    membership_of(user, node.organization_id)
    node.refresh_from_db()
    if node.current_backtest_id is None:
        raise Conflict("the node is idle")
    return stop_backtest(user=user, backtest=_load(node.current_backtest_id))


def backtest_rename(*, user: AbstractBaseUser, backtest: Backtest, name: str) -> Backtest:
    """Rename a backtest and tell open pages."""
    membership_of(user, backtest.organization_id)
    backtest.name = name
    backtest.save(update_fields=["name"])
    _publish_status(backtest)
    return backtest


def backtest_clone(*, user: AbstractBaseUser, backtest: Backtest, name: str) -> Project:
    """A new project in the backtest's organization holding the code it ran."""
    from ide.services import project_create

    membership = membership_of(user, backtest.organization_id)
    files = sorted(backtest.source_snapshot.items()) or [("main.py", "")]
    return project_create(organization=membership.organization, user=user, name=name, files=files)


def backtest_delete(*, user: AbstractBaseUser, backtest: Backtest) -> None:
    """Delete a finished backtest and its events; an active one must be stopped first."""
    membership_of(user, backtest.organization_id)
    with transaction.atomic():
        deleted, _ = Backtest.objects.filter(pk=backtest.pk, status__in=_FINAL_STATUSES).delete()
        if not deleted:
            raise Conflict("the backtest is still queued or running; stop it first")


_FINAL_STATUSES = (
    Backtest.Status.COMPLETED,
    Backtest.Status.RUNTIME_ERROR,
    Backtest.Status.STOPPED,
)


@dataclass
class SweepReport:
    lost: list[int]
    resent: list[int]


def sweep_lost_backtests(*, now: datetime | None = None, check_lost: bool = True) -> SweepReport:
    """Fail running backtests whose worker stopped heartbeating; re-send stale queued ones.

    1. A running backtest without a heartbeat for ``HEARTBEAT_TIMEOUT_SECONDS`` becomes
       ``runtime_error`` ("node lost") and its node idle; the conditional UPDATE re-checks
       the heartbeat so a worker that just beat is not failed.
    2. A queued backtest whose message is older than its start delay plus
       ``QUEUED_RESEND_SECONDS`` gets its message again (a restart lost the in-process
       broker, or Redis was flushed); the claim makes duplicates harmless.

    ``check_lost=False`` skips step 1: right after a database outage every heartbeat is
    stale because no worker could write one, not because the workers died.
    """
    now = now or timezone.now()
    lost_before = now - timedelta(seconds=settings.HEARTBEAT_TIMEOUT_SECONDS)
    lost: list[int] = []
    running = Backtest.objects.filter(
        status=Backtest.Status.RUNNING, heartbeat_at__lt=lost_before
    ).values_list("pk", flat=True)
    for backtest_id in running if check_lost else []:
        with transaction.atomic():
            failed = Backtest.objects.filter(
                pk=backtest_id, status=Backtest.Status.RUNNING, heartbeat_at__lt=lost_before
            ).update(status=Backtest.Status.RUNTIME_ERROR, error=NODE_LOST, finished_at=now)
            if not failed:
                continue  # it heartbeat or finished since the SELECT
            record_events(
                backtest_id=backtest_id, events=[_error_log(NODE_LOST)], quota_exempt=True
            )
            backtest = _load(backtest_id)
            _publish_status(backtest)
            if backtest.node_id:
                release_node(node_id=backtest.node_id, backtest_id=backtest_id)
        _notify_optimization(backtest)
        lost.append(backtest_id)
    resent = resend_queued_backtests(
        older_than=timedelta(seconds=settings.QUEUED_RESEND_SECONDS), now=now
    )
    from backtesting.optimization.services import resume_stalled_optimizations

    resume_stalled_optimizations()
    return SweepReport(lost=lost, resent=resent)


def resend_queued_backtests(*, older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Send the run message again for queued backtests enqueued before ``now - older_than``.

    B-MICRO backtests also wait out their start delay before counting as stale.
    """
    now = now or timezone.now()
    micro_grace = timedelta(seconds=settings.BMICRO_DELAY_SECONDS)
    resent: list[int] = []
    batches: dict[tuple[int, int], list[int]] = {}
    queued = (
        Backtest.objects.filter(status=Backtest.Status.QUEUED)
        .select_related("node__model")
        .order_by("pk")
    )
    for backtest in queued:
        grace = older_than + (
            micro_grace if backtest.node and backtest.node.model.is_micro else timedelta()
        )
        if backtest.enqueued_at and backtest.enqueued_at > now - grace:
            continue
        updated = Backtest.objects.filter(
            pk=backtest.pk, status=Backtest.Status.QUEUED, enqueued_at=backtest.enqueued_at
        ).update(enqueued_at=now)
        if not updated:
            continue
        resent.append(backtest.pk)
        if backtest.optimization_id and backtest.batch is not None:
            # (together again: one node, one child, one combination at a time)
            batches.setdefault((backtest.optimization_id, backtest.batch), []).append(backtest.pk)
        else:
            _send_run_message(backtest.pk)
    for backtest_ids in batches.values():
        _send_batch_message(backtest_ids)
    return resent


def _load(backtest_id: int) -> Backtest:
    return Backtest.objects.select_related(
        "project", "node__model", "created_by", "organization__tier", "optimization__node_model"
    ).get(pk=backtest_id)


def _load_to_run(backtest_id: int) -> Backtest:
    """The backtest with what the worker reads next (the sandbox limits, the tier's order
    quota) and nothing else: each joined table costs every claim, of a backtest or of an
    optimization's combination, 1 to 2 ms (all of ``_load``'s: 10.6 ms; these: 4.9)."""
    return Backtest.objects.select_related(
        "node__model", "organization__tier", "optimization__node_model"
    ).get(pk=backtest_id)


def _publish_status(backtest: Backtest) -> None:
    # JSON round trip: the channel layer carries only plain JSON types.
    summary = json.loads(json.dumps(backtest_summary(backtest), default=str))
    message: StatusMessage = {"type": "backtest.status", "backtest": summary}
    send_on_commit(backtest_group(backtest.pk), dict(message))
