"""HTML pages of optimizations: the launch form and the progress/results page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from backtesting.models import Optimization
from backtesting.optimization import targets
from backtesting.optimization.services import MAX_PARALLEL_NODES
from ide.pages import project_page
from ide.parameters import project_parameters
from nodes.pages import membership_for, viewer_context


@login_required
def optimization_launch(request: HttpRequest, project_id: int) -> HttpResponse:
    """Choose 1-3 parameters, target, constraints and nodes; see the estimate; launch."""
    project, page = project_page(request, project_id)
    page = {
        **page,
        "project_parameters": project_parameters(project=project),
        "targets": list(targets.TARGETS),
        "operators": list(targets.OPERATORS),
        "node_types": MAX_PARALLEL_NODES,
    }
    return render(
        request, "backtesting/optimization_launch.html", {"project": project, "page": page}
    )


@login_required
def optimization_results(request: HttpRequest, optimization_id: int) -> HttpResponse:
    """Progress (done/total, best so far), abort, heatmap or line, results table."""
    optimization = get_object_or_404(
        Optimization.objects.select_related("project"),
        pk=optimization_id,
        organization__memberships__user=request.user,
    )
    membership = membership_for(request, optimization.organization_id)
    page = {
        **viewer_context(request, membership),
        "optimization": optimization.pk,
        "project": optimization.project_id,
        "project_name": optimization.project.name,
        "optimization_ws": f"/ws/optimizations/{optimization.pk}/",
    }
    return render(
        request,
        "backtesting/optimization.html",
        {"optimization": optimization, "page": page},
    )
