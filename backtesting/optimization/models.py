"""An optimization: the grid it searches, how it ranks results, and where it runs.

Its combinations are ordinary ``Backtest`` rows (``Backtest.optimization``); they are
created only when dispatched, so a queued row always has a run message in flight and the
sweeper's re-sends can never exceed the chosen number of parallel nodes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from config.encrypted_fields import EncryptedJSONField


class Optimization(models.Model):
    """A grid search over 1-3 parameters of a project, run on optimization nodes."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        ABORTED = "aborted", "Aborted"

    class Direction(models.TextChoices):
        MAX = "max", "Maximize"
        MIN = "min", "Minimize"

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="optimizations"
    )
    project = models.ForeignKey(
        "ide.Project", on_delete=models.CASCADE, related_name="optimizations"
    )
    artifact = models.ForeignKey(
        "ide.BuildArtifact", on_delete=models.PROTECT, related_name="optimizations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: an optimization node model (O2-8, O4-12, O8-16): its cores and RAM limit each child.
    node_model = models.ForeignKey(
        "nodes.NodeModel", on_delete=models.PROTECT, related_name="optimizations"
    )
    name = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    strategy = models.CharField(max_length=16, default="grid")
    target = models.CharField(max_length=64)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    #: ``[{name, min, max, step}]`` as requested.
    parameters = models.JSONField(default=list)
    #: ``[{statistic, operator, value}]``.
    constraints = models.JSONField(default=list, blank=True)
    #: every combination ``{name: value}`` in dispatch order; ``total`` is its length.
    grid = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    #: how many combinations have a Backtest row (the next one to dispatch).
    dispatched = models.PositiveIntegerField(default=0)
    parallel_nodes = models.PositiveSmallIntegerField(default=1)
    #: Euler search: the current round's stride in grid steps (1: the last round).
    euler_scale = models.PositiveIntegerField(default=1)
    #: the project's other parameters, as they were at launch (every combination gets them).
    base_parameters = models.JSONField(default=dict, blank=True)
    source_snapshot = EncryptedJSONField(default=dict, blank=True)
    estimated_seconds = models.FloatField(null=True, blank=True)
    #: the cached data reads of its first completed combination (``SandboxOutcome.data_files``):
    #: later combinations are forked with that data already parsed.
    data_files = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        """Completed or aborted: nothing more will be dispatched."""
        return self.status in (self.Status.COMPLETED, self.Status.ABORTED)
