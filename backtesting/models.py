"""Backtests and the events they produced.

The database, not the broker, is the source of truth: a backtest's status says whether it
still has to run, and its stored events are what a late page replays before the live tail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from config.encrypted_fields import EncryptedJSONField

#: statuses in which a backtest holds its node.
ACTIVE_STATUSES = ("queued", "running")


class Backtest(models.Model):
    """One run of a project's build on one node."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        RUNTIME_ERROR = "runtime_error", "Runtime error"
        STOPPED = "stopped", "Stopped"

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="backtests"
    )
    project = models.ForeignKey("ide.Project", on_delete=models.CASCADE, related_name="backtests")
    node = models.ForeignKey(
        "nodes.Node", null=True, blank=True, on_delete=models.SET_NULL, related_name="backtests"
    )
    artifact = models.ForeignKey(
        "ide.BuildArtifact", on_delete=models.PROTECT, related_name="backtests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="backtests"
    )
    #: set on the backtests of an optimization's grid (they run on optimization nodes).
    optimization = models.ForeignKey(
        "backtesting.Optimization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="backtests",
    )
    #: a combination's batch: the grid index of the first combination dispatched with it.
    #: One node runs a batch's combinations in one sandboxed child, one after the other.
    batch = models.PositiveIntegerField(null=True, blank=True)
    name = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    parameters = models.JSONField(default=dict, blank=True)
    #: ``{file name: content}`` as launched, so the code of any backtest can be cloned.
    source_snapshot = EncryptedJSONField(default=dict, blank=True)
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True, default="")
    statistics = models.JSONField(default=dict, blank=True)
    runtime_statistics = models.JSONField(default=dict, blank=True)
    #: set by a stop request; the worker polls it several times a second.
    stop_requested = models.BooleanField(default=False)
    #: last sequence number handed to a stored event of this backtest.
    last_seq = models.PositiveIntegerField(default=0)
    log_bytes = models.PositiveBigIntegerField(default=0)
    log_quota_hit = models.BooleanField(default=False)
    order_count = models.PositiveBigIntegerField(default=0)
    #: set when a quota ends the run; the run then finishes as a runtime error with this text.
    quota_error = models.TextField(blank=True, default="")
    #: "host:pid" of the worker that claimed it, for the operator reading a "node lost".
    worker = models.CharField(max_length=128, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    #: when the run message was last sent; the sweeper re-sends messages of stale queued rows.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one queued or running backtest per node.
            models.UniqueConstraint(
                fields=["node"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_backtest_per_node",
            )
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_active(self) -> bool:
        """Queued or running: the backtest holds its node."""
        return self.status in ACTIVE_STATUSES


class BacktestEvent(models.Model):
    """One engine event as it was streamed, numbered per backtest (``seq`` starts at 1)."""

    backtest = models.ForeignKey(Backtest, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=32)
    payload = models.JSONField()

    class Meta:
        ordering = ["backtest", "seq"]
        constraints = [models.UniqueConstraint(fields=["backtest", "seq"], name="unique_event_seq")]
        indexes = [models.Index(fields=["backtest", "type", "seq"])]

    def __str__(self) -> str:
        return f"{self.backtest_id}#{self.seq} {self.type}"


# Registered with the app here: Django discovers models through ``backtesting.models``.
from backtesting.optimization.models import Optimization  # noqa: E402

__all__ = ["ACTIVE_STATUSES", "Backtest", "BacktestEvent", "Optimization"]
