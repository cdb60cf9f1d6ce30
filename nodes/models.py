"""Node models (hardware shapes) and an organization's nodes (its quota of parallel runs).

A node is a row, not a machine: it expresses how many backtests an organization may run at
once and with which limits. Worker processes execute whatever node a message names.
"""

from __future__ import annotations

from django.db import models


class NodeModel(models.Model):
    """A hardware shape such as B4-12: its cores and RAM become the sandbox's limits."""

    class Kind(models.TextChoices):
        BACKTEST = "backtest", "Backtesting"
        OPTIMIZATION = "optimization", "Optimization"

    name = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    cores = models.PositiveSmallIntegerField()
    ghz = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    ram_gb = models.PositiveSmallIntegerField()
    #: the free-tier node: launches wait settings.BMICRO_DELAY_SECONDS before they start.
    is_micro = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "ram_gb", "cores"]

    def __str__(self) -> str:
        return self.name


class Node(models.Model):
    """One of an organization's nodes; runs at most one backtest at a time."""

    class Status(models.TextChoices):
        IDLE = "idle", "Idle"
        BUSY = "busy", "Busy"

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="nodes"
    )
    model = models.ForeignKey(NodeModel, on_delete=models.PROTECT, related_name="nodes")
    name = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.IDLE)
    # Set together with status=busy in the same UPDATE, cleared together on release.
    current_backtest = models.ForeignKey(
        "backtesting.Backtest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # A busy node always names its backtest and an idle one never does.
            models.CheckConstraint(
                condition=(models.Q(status="idle", current_backtest__isnull=True))
                | models.Q(status="busy", current_backtest__isnull=False),
                name="busy_node_has_backtest",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.model.name})"
