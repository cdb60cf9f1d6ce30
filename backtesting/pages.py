"""HTML pages of the backtesting app: a project's backtest history and a backtest's results."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from backtesting.models import Backtest
from ide.pages import project_page
from nodes.pages import membership_for, viewer_context


@login_required
def backtest_history(request: HttpRequest, project_id: int) -> HttpResponse:
    """Every backtest of one project: sortable, rename, delete, clone into a new project."""
    project, page = project_page(request, project_id)
    return render(request, "backtesting/history.html", {"project": project, "page": page})


@login_required
def backtest_results(request: HttpRequest, backtest_id: int) -> HttpResponse:
    """One backtest: the stored results, then the live stream while it runs."""
    backtest = get_object_or_404(
        Backtest.objects.select_related("project", "node__model"),
        pk=backtest_id,
        organization__memberships__user=request.user,
    )
    membership = membership_for(request, backtest.organization_id)
    page = {
        **viewer_context(request, membership),
        "backtest": backtest.pk,
        "project": backtest.project_id,
        "project_name": backtest.project.name,
        "backtest_ws": f"/ws/backtests/{backtest.pk}/",
        "node_name": backtest.node.name if backtest.node else None,
        "node_model": backtest.node.model.name if backtest.node else None,
        "starts_at": _micro_start(backtest),
    }
    return render(request, "backtesting/results.html", {"backtest": backtest, "page": page})


def _micro_start(backtest: Backtest) -> str | None:
    """When a queued B-MICRO launch starts (its run message is delayed from ``enqueued_at``),
    so the page can count down; None for every other node and state."""
    if (
        backtest.status != Backtest.Status.QUEUED
        or not backtest.node
        or not backtest.node.model.is_micro
    ):
        return None
    sent = backtest.enqueued_at or backtest.created_at
    return (sent + timedelta(seconds=settings.BMICRO_DELAY_SECONDS)).isoformat()
